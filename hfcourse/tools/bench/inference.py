"""Comparisons 3-5: tokenization batched against one pair at a time, a text-classification pipeline with and
without batching, greedy generation with and without the KV cache.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...offline.devices import default_device, synchronized_time
from .machine import GENERATION_PROMPT, BenchSizes, _progress, _ratio_row

if TYPE_CHECKING:
    from datasets import DatasetDict
    from transformers import PreTrainedTokenizerBase


# --------------------------------------------------------------------------------------------------
# 3. Tokenization
# --------------------------------------------------------------------------------------------------


def _bench_tokenization(tokenizer: PreTrainedTokenizerBase, raw: DatasetDict, sizes: BenchSizes) -> dict[str, Any]:
    train = raw["train"]
    count = len(train) if sizes.tokenize_pairs is None else min(sizes.tokenize_pairs, len(train))
    pairs = train.select(range(count))
    first, second = list(pairs["sentence1"]), list(pairs["sentence2"])
    _progress(f"3/6 tokenization: {count} pairs, batched and one by one")
    batched_best = single_best = math.inf
    for _ in range(max(2, sizes.rounds)):
        started = time.perf_counter()
        batched = tokenizer(first, second, truncation=True)["input_ids"]
        batched_best = min(batched_best, time.perf_counter() - started)
        started = time.perf_counter()
        single = [
            tokenizer(left, right, truncation=True)["input_ids"] for left, right in zip(first, second, strict=True)
        ]
        single_best = min(single_best, time.perf_counter() - started)
    results = {
        "pairs": count,
        "batched_seconds": round(batched_best, 4),
        "one_by_one_seconds": round(single_best, 4),
        "identical_input_ids": batched == single,
    }
    results["rows"] = [
        _ratio_row(
            "tokenization",
            "pairs/s",
            "one call per pair",
            count / single_best,
            "one batched call",
            count / batched_best,
        )
    ]
    return results


# --------------------------------------------------------------------------------------------------
# 4. Inference pipeline
# --------------------------------------------------------------------------------------------------


def _bench_pipeline(model_folder: Path, raw: DatasetDict, sizes: BenchSizes) -> dict[str, Any]:
    from transformers import pipeline

    validation = raw["validation"]
    texts = list(validation.select(range(min(sizes.pipeline_texts, len(validation))))["sentence1"])
    device = default_device()
    classifier = pipeline("text-classification", model=str(model_folder), tokenizer=str(model_folder), device=device)
    _progress(f"4/6 inference: pipeline on {len(texts)} texts, batched list and one call per text")
    classifier(texts[:2], batch_size=2)  # warm-up
    started = synchronized_time(device)
    batched = classifier(texts, batch_size=32)
    batched_seconds = synchronized_time(device) - started
    started = synchronized_time(device)
    single = [classifier(text)[0] for text in texts]
    single_seconds = synchronized_time(device) - started
    results = {
        "texts": len(texts),
        "batch_size": 32,
        "batched_seconds": round(batched_seconds, 4),
        "one_by_one_seconds": round(single_seconds, 4),
        "identical_labels": [item["label"] for item in batched] == [item["label"] for item in single],
        "max_score_difference": max(abs(a["score"] - b["score"]) for a, b in zip(batched, single, strict=True)),
    }
    results["rows"] = [
        _ratio_row(
            "inference",
            "texts/s",
            "one pipeline call per text",
            len(texts) / single_seconds,
            "pipeline on the list, batch 32",
            len(texts) / batched_seconds,
        )
    ]
    return results


# --------------------------------------------------------------------------------------------------
# 5. Generation with and without the KV cache
# --------------------------------------------------------------------------------------------------


def _bench_generation(sizes: BenchSizes) -> dict[str, Any]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from ...offline.catalog import resolve_checkpoint

    checkpoint = resolve_checkpoint("text-generation")
    _progress(
        f"5/6 generation: {sizes.new_tokens} new tokens, greedy, with and without the KV cache "
        f"({checkpoint.name_or_path})"
    )
    tokenizer = AutoTokenizer.from_pretrained(checkpoint.name_or_path)
    model = AutoModelForCausalLM.from_pretrained(
        checkpoint.name_or_path, dtype=torch.float32, use_safetensors=True
    ).eval()
    device = default_device()
    model.to(device)
    inputs = tokenizer(GENERATION_PROMPT, return_tensors="pt").to(device)
    pad_token_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    outputs, seconds = {}, {}
    for use_cache in (True, False):
        best = math.inf
        for _ in range(sizes.rounds):
            started = synchronized_time(device)
            with torch.no_grad():
                generated = model.generate(
                    **inputs,
                    do_sample=False,
                    max_new_tokens=sizes.new_tokens,
                    min_new_tokens=sizes.new_tokens,
                    use_cache=use_cache,
                    pad_token_id=pad_token_id,
                )
            best = min(best, synchronized_time(device) - started)
        outputs[use_cache], seconds[use_cache] = generated[0, inputs["input_ids"].shape[1] :].tolist(), best
    results = {
        "checkpoint": str(checkpoint),
        "prompt": GENERATION_PROMPT,
        "new_tokens": sizes.new_tokens,
        "with_cache_seconds": round(seconds[True], 3),
        "without_cache_seconds": round(seconds[False], 3),
        "identical_tokens": outputs[True] == outputs[False],
        "continuation": tokenizer.decode(outputs[True], skip_special_tokens=True),
    }
    results["rows"] = [
        _ratio_row(
            "generation",
            "new tokens/s",
            "no KV cache",
            sizes.new_tokens / seconds[False],
            "KV cache",
            sizes.new_tokens / seconds[True],
        )
    ]
    return results
