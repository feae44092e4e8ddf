"""Benchmark: the course's recipes against hfcourse's defaults, side by side (``python -m hfcourse bench``).

One run measures, on the same machine, data and seed:

1. MRPC fine-tuning: the course recipe as the course writes it (``build_trainer`` defaults: batch 8,
   learning rate 5e-5, 3 epochs, one evaluation per epoch) against ``HFCOURSE_RECIPE``: training samples
   per second, and the wall time to reach the course recipe's final validation F1 (time-to-accuracy: the
   clock runs from ``trainer.train()`` on, evaluations included);
2. the manual training loop (``train_loop``'s settings) before and after each optimisation: fused AdamW,
   length-grouped batches, no dropout, the recipe's batch size; the thread count; and, in a full run,
   ``torch.compile``;
3. tokenization batched against one pair at a time; dynamic padding against fixed-length (128) padding;
4. inference: a ``text-classification`` pipeline on a list with batching against one call per text;
5. greedy generation with and without the KV cache (the ``text-generation`` checkpoint, SmolLM2 offline);
6. training FLOP/s on real (non-padding) tokens as a fraction of the fp32 matmul peak measured in the run.

Every comparison is a row of the ratio table (above 1: the candidate is better); comparisons whose outputs
must agree (cached and uncached generation, padded and unpadded logits, batched and single tokenization
and pipeline calls) are checked and the check is recorded. Results go to ``bench.json`` and ``bench.md``
under ``build/bench`` (``--output``). ``--quick`` runs on tiny slices (a couple of minutes) for tests: its
figures only show that the benchmark works.

Timings are wall-clock times of one process. On a machine shared with other work they are noisy: run it
on a quiet machine (a full run takes about 35 minutes of both cores of a 2-core machine); the load average
at the start and the end is recorded, and the notes say when the machine was busy. ``BenchSizes.rounds``
above 1 repeats the loop variants, interleaved, and keeps each one's fastest pass.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..lessons.course_recipe import COURSE_RECIPE

if TYPE_CHECKING:
    import torch
    from datasets import Dataset, DatasetDict
    from transformers import PreTrainedModel, PreTrainedTokenizerBase, Trainer

    from ..offline.checkpoints import Checkpoint
    from .recipes import Recipe

__all__ = [
    "FIXED_LENGTH",
    "FULL",
    "QUICK",
    "BenchSizes",
    "ModelSize",
    "format_markdown",
    "machine_info",
    "main",
    "measure_matmul_peak",
    "model_size",
    "run_benchmark",
    "train_and_clock",
]

FIXED_LENGTH = 128  # the fixed-length padding the course compares dynamic padding against
GENERATION_PROMPT = "In this course, we will teach you how to"
FLOPS_TARGET = 0.6  # training FLOP/s on real tokens, as a fraction of the measured fp32 matmul peak
TIME_TARGET = 0.5  # the recipe reaches the course's final F1 within this fraction of the course's wall time


@dataclass(frozen=True)
class BenchSizes:
    """How much work each part of the benchmark does (``None``: the whole split)."""

    mode: str
    train_samples: int | None
    validation_samples: int | None
    loop_samples: int
    tokenize_pairs: int | None
    pipeline_texts: int
    padding_check_samples: int
    new_tokens: int
    rounds: int
    matmul_sizes: tuple[int, ...]
    measure_compile: bool


# The loop runs on 1,024 pairs in a full run: on fewer, length grouping sorts smaller mega-batches and pads more
# than on the whole training set (batch 32: 7% padding on 1,024 MRPC pairs, 12% on 512, 3% on all 3,668).
FULL = BenchSizes("full", None, None, 1024, None, 200, 64, 64, 1, (1024, 2048), True)
QUICK = BenchSizes("quick", 64, 32, 64, 256, 24, 16, 8, 1, (512, 1024), False)


# --------------------------------------------------------------------------------------------------
# Machine, peak and FLOPs
# --------------------------------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_info() -> dict[str, Any]:
    """CPU model, cores, torch threads, accelerator, memory, library versions and the load average now."""
    import torch

    from .doctor import hardware, library_versions

    machine = hardware()
    return {
        "cpu": _cpu_model(),
        "cpu_cores": machine.cpu_cores,
        "usable_cores": machine.usable_cores,
        "torch_threads": torch.get_num_threads(),
        "accelerator": machine.accelerator,
        "memory_gib": machine.memory_gib,
        "python": platform.python_version(),
        "versions": {
            library.name: library.installed
            for library in library_versions(("torch", "transformers", "datasets", "accelerate", "tokenizers"))
        },
        "load_average_start": _load_average(),
    }


def _load_average() -> float | None:
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None


def measure_matmul_peak(sizes: Sequence[int] = (1024, 2048), repeats: int = 5) -> dict[str, Any]:
    """The fp32 matmul peak of this machine: best-of-``repeats`` GFLOP/s of square ``torch.matmul`` per size.

    A ``size`` x ``size`` matmul does ``2 * size**3`` floating-point operations. The first run of each size
    warms up and is not counted. Returns ``{"gflops_by_size": {size: GFLOP/s}, "peak_gflops": best}``.
    """
    import torch

    if not sizes or any(size < 1 for size in sizes) or repeats < 1:
        raise ValueError(
            f"sizes={list(sizes)} and repeats={repeats}: give positive sizes (e.g. 1024, 2048) and repeats >= 1."
        )
    generator = torch.Generator().manual_seed(0)
    gflops_by_size = {}
    for size in sizes:
        left = torch.randn(size, size, generator=generator)
        right = torch.randn(size, size, generator=generator)
        best = math.inf
        for attempt in range(repeats + 1):
            started = time.perf_counter()
            torch.matmul(left, right)
            if attempt:
                best = min(best, time.perf_counter() - started)
        gflops_by_size[size] = round(2 * size**3 / best / 1e9, 2)
    return {"gflops_by_size": gflops_by_size, "peak_gflops": max(gflops_by_size.values())}


@dataclass(frozen=True)
class ModelSize:
    """What the training FLOP count of a transformer encoder needs.

    ``nonembedding_parameters`` counts every parameter outside ``nn.Embedding`` modules (those are table
    look-ups, not matmuls).
    """

    nonembedding_parameters: int
    layers: int
    hidden: int

    def training_flops(self, lengths: Sequence[int]) -> float:
        """FLOPs of one forward and backward pass over sequences of ``lengths`` tokens.

        ``6 * N * s`` for the weight matmuls (2 per parameter and token forward, 4 backward) plus
        ``12 * layers * hidden * s**2`` for attention (``Q K^T`` and ``A V``: ``4 * s**2 * hidden`` per
        layer forward, twice that backward), summed over the sequences.
        """
        return float(
            sum(
                6 * self.nonembedding_parameters * length + 12 * self.layers * self.hidden * length**2
                for length in lengths
            )
        )


def model_size(model: torch.nn.Module) -> ModelSize:
    """``ModelSize`` of a transformers model (its config's ``num_hidden_layers`` and ``hidden_size``)."""
    import torch

    config = getattr(model, "config", None)
    if config is None or not hasattr(config, "num_hidden_layers") or not hasattr(config, "hidden_size"):
        raise ValueError(
            f"model_size needs a transformers model whose config has num_hidden_layers and hidden_size; got {type(model).__name__}."
        )
    embedding = {
        id(parameter)
        for module in model.modules()
        if isinstance(module, torch.nn.Embedding)
        for parameter in module.parameters()
    }
    nonembedding = sum(parameter.numel() for parameter in model.parameters() if id(parameter) not in embedding)
    return ModelSize(nonembedding, config.num_hidden_layers, config.hidden_size)


# --------------------------------------------------------------------------------------------------
# Result rows
# --------------------------------------------------------------------------------------------------


def _ratio_row(
    section: str,
    measure: str,
    baseline: str,
    baseline_value: float,
    candidate: str,
    candidate_value: float,
    *,
    higher_is_better: bool = True,
    note: str = "",
) -> dict[str, Any]:
    """One comparison; ``ratio`` above 1 means the candidate is better (faster, or more per second)."""
    ratio = candidate_value / baseline_value if higher_is_better else baseline_value / candidate_value
    return {
        "section": section,
        "measure": measure,
        "baseline": baseline,
        "baseline_value": round(baseline_value, 4),
        "candidate": candidate,
        "candidate_value": round(candidate_value, 4),
        "ratio": round(ratio, 3),
        "note": note,
    }


def _progress(message: str) -> None:
    print(f"[bench] {message}", flush=True)


# --------------------------------------------------------------------------------------------------
# 1. Fine-tuning: course recipe against hfcourse's recipe (Trainer)
# --------------------------------------------------------------------------------------------------


def _evaluation_clock(started: list[float]) -> Any:
    """A TrainerCallback recording each evaluation: step, elapsed wall time (from ``started[0]``), metrics."""
    from transformers import TrainerCallback

    class EvaluationClock(TrainerCallback):
        def __init__(self) -> None:
            self.evaluations: list[dict[str, float]] = []

        def on_evaluate(
            self, args: Any, state: Any, control: Any, metrics: dict[str, float] | None = None, **kwargs: Any
        ) -> None:
            metrics = metrics or {}
            self.evaluations.append(
                {
                    "step": state.global_step,
                    "epoch": round(state.epoch or 0.0, 3),
                    "elapsed_seconds": round(time.perf_counter() - started[0], 3),
                    "eval_seconds": round(metrics.get("eval_runtime", 0.0), 3),
                    "accuracy": round(metrics["eval_accuracy"], 4),
                    "f1": round(metrics["eval_f1"], 4),
                }
            )

    return EvaluationClock()


def train_and_clock(trainer: Trainer, epochs: int, train_lengths: Sequence[int], size: ModelSize) -> dict[str, Any]:
    """Run ``trainer.train()``; wall time, training time (evaluations excluded), throughput, evaluations.

    ``train_lengths`` are the token counts of the training samples (for the FLOP count on real tokens);
    each evaluation is recorded with its step, epoch, elapsed wall seconds, accuracy and F1.
    """
    started = [0.0]
    clock = _evaluation_clock(started)
    trainer.add_callback(clock)
    started[0] = time.perf_counter()
    trainer.train()
    wall_seconds = time.perf_counter() - started[0]
    eval_seconds = sum(evaluation["eval_seconds"] for evaluation in clock.evaluations)
    train_seconds = wall_seconds - eval_seconds
    samples = epochs * len(train_lengths)
    real_tokens = epochs * sum(train_lengths)
    flops = epochs * size.training_flops(train_lengths)
    final = clock.evaluations[-1]
    return {
        "wall_seconds": round(wall_seconds, 2),
        "train_seconds": round(train_seconds, 2),
        "eval_seconds": round(eval_seconds, 2),
        "steps": trainer.state.global_step,
        "train_samples": samples,
        "train_samples_per_second": round(samples / train_seconds, 3),
        "real_tokens": real_tokens,
        "real_token_gflops": round(flops / train_seconds / 1e9, 2),
        "final_accuracy": final["accuracy"],
        "final_f1": final["f1"],
        "evaluations": clock.evaluations,
    }


def _first_reaching(evaluations: Sequence[dict[str, float]], f1: float) -> dict[str, float] | None:
    return next((evaluation for evaluation in evaluations if evaluation["f1"] >= f1), None)


def _bench_finetuning(
    checkpoint: Checkpoint,
    tokenizer: PreTrainedTokenizerBase,
    tokenized: DatasetDict,
    train_lengths: Sequence[int],
    recipe: Recipe,
    size: ModelSize,
    seed: int,
    workdir: Path,
) -> tuple[dict[str, Any], PreTrainedModel]:
    from ..lessons.training import COURSE_TRAINING_ARGS, build_trainer, load_classifier
    from .recipes import build_recipe_trainer

    _progress(
        f"1/6 fine-tuning: course recipe ({COURSE_TRAINING_ARGS['num_train_epochs']} epochs, batch {COURSE_TRAINING_ARGS['per_device_train_batch_size']}, {len(train_lengths)} pairs)"
    )
    course_model = load_classifier(checkpoint, seed=seed)
    course_trainer = build_trainer(
        course_model, tokenizer, tokenized, workdir / "course", save_strategy="no", seed=seed
    )
    course = train_and_clock(course_trainer, COURSE_TRAINING_ARGS["num_train_epochs"], train_lengths, size)
    del course_model, course_trainer

    _progress(
        f"1/6 fine-tuning: hfcourse recipe ({recipe.epochs} epochs, batch {recipe.batch_size}, {'length-grouped' if recipe.length_grouped else 'random'} batches, dropout {'as the checkpoint' if recipe.dropout is None else recipe.dropout})"
    )
    recipe_model = load_classifier(checkpoint, seed=seed)
    recipe_trainer = build_recipe_trainer(
        recipe_model, tokenizer, tokenized, workdir / "recipe", recipe=recipe, seed=seed
    )
    hfcourse = train_and_clock(recipe_trainer, recipe.epochs, train_lengths, size)

    target_f1 = course["final_f1"]
    course_reached = _first_reaching(course["evaluations"], target_f1)
    recipe_reached = _first_reaching(hfcourse["evaluations"], target_f1)
    time_to_accuracy = {
        "target_f1": target_f1,
        "course_wall_seconds": course["wall_seconds"],
        "course_first_reached_seconds": course_reached["elapsed_seconds"] if course_reached else None,
        "hfcourse_reached": recipe_reached is not None,
        "hfcourse_seconds": recipe_reached["elapsed_seconds"] if recipe_reached else None,
        "hfcourse_best_f1": max(evaluation["f1"] for evaluation in hfcourse["evaluations"]),
    }
    results = {
        "course_recipe": {"settings": {**COURSE_TRAINING_ARGS, "save_strategy": "no"}, **course},
        "hfcourse_recipe": {"settings": recipe.describe(), **hfcourse},
        "time_to_accuracy": time_to_accuracy,
    }
    return results, recipe_model


def _finetuning_rows(finetuning: dict[str, Any]) -> list[dict[str, Any]]:
    course, hfcourse, clock = finetuning["course_recipe"], finetuning["hfcourse_recipe"], finetuning["time_to_accuracy"]
    rows = [
        _ratio_row(
            "fine-tuning",
            "train samples/s",
            "course recipe",
            course["train_samples_per_second"],
            "hfcourse recipe",
            hfcourse["train_samples_per_second"],
        ),
        _ratio_row(
            "fine-tuning",
            "GFLOP/s on real tokens",
            "course recipe",
            course["real_token_gflops"],
            "hfcourse recipe",
            hfcourse["real_token_gflops"],
        ),
    ]
    measure = f"seconds to validation F1 >= {clock['target_f1']} (the course's final F1), evaluations included"
    if clock["hfcourse_reached"]:
        rows.append(
            _ratio_row(
                "fine-tuning",
                measure,
                "course recipe (whole run)",
                clock["course_wall_seconds"],
                "hfcourse recipe",
                clock["hfcourse_seconds"],
                higher_is_better=False,
            )
        )
    else:
        rows.append(
            {
                "section": "fine-tuning",
                "measure": measure,
                "baseline": "course recipe (whole run)",
                "baseline_value": clock["course_wall_seconds"],
                "candidate": "hfcourse recipe",
                "candidate_value": None,
                "ratio": None,
                "note": f"not reached: the hfcourse recipe's best F1 was {clock['hfcourse_best_f1']}",
            }
        )
    return rows


# --------------------------------------------------------------------------------------------------
# 2 and 3. The manual loop, its optimisations, threads, compile; padding
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _LoopVariant:
    name: str
    batch_size: int
    fused: bool
    grouped: bool
    fixed_length: int | None = None
    threads: int | None = None
    compile: bool = False
    dropout: float | None = None  # None: the checkpoint's


def _train_steps(
    variant: _LoopVariant,
    checkpoint: Checkpoint,
    tokenizer: PreTrainedTokenizerBase,
    train_set: Dataset,
    lengths: Sequence[int],
    size: ModelSize,
    seed: int,
) -> dict[str, Any]:
    """Time one pass of training steps (forward, backward, AdamW step) over ``train_set`` as ``variant`` says.

    The steps are those of ``train_loop`` (without its learning-rate schedule and evaluation); one untimed
    step first allocates the optimizer state. A compiled variant makes two passes: the first compiles.
    """
    import torch
    from torch.utils.data import DataLoader, RandomSampler
    from transformers import DataCollatorWithPadding
    from transformers.trainer_pt_utils import LengthGroupedSampler

    from ..lessons.collation import make_collator
    from ..lessons.training import load_classifier
    from .recipes import set_dropout

    model = load_classifier(checkpoint, seed=seed)
    if variant.dropout is not None:
        set_dropout(model, variant.dropout)
    model.train()
    runnable = torch.compile(model) if variant.compile else model
    optimizer = torch.optim.AdamW(
        model.parameters(),
        lr=COURSE_RECIPE.learning_rate,
        weight_decay=0.0,
        **({"fused": True} if variant.fused else {}),
    )
    if variant.fixed_length is None:
        collator = make_collator(tokenizer)
    else:
        collator = DataCollatorWithPadding(tokenizer, padding="max_length", max_length=variant.fixed_length)
    generator = torch.Generator().manual_seed(seed)
    if variant.grouped:
        sampler = LengthGroupedSampler(variant.batch_size, lengths=list(lengths), generator=generator)
    else:
        sampler = RandomSampler(train_set, generator=generator)
    loader = DataLoader(train_set, batch_size=variant.batch_size, sampler=sampler, collate_fn=collator)

    def step(batch: dict[str, torch.Tensor]) -> None:
        runnable(**batch).loss.backward()
        optimizer.step()
        optimizer.zero_grad()

    threads_before = torch.get_num_threads()
    if variant.threads is not None:
        torch.set_num_threads(variant.threads)
    try:
        started = time.perf_counter()
        step(collator([train_set[index] for index in range(min(variant.batch_size, len(train_set)))]))
        first_step_seconds = time.perf_counter() - started
        passes = []
        for _ in range(2 if variant.compile else 1):
            real_tokens = padded_tokens = 0
            real_flops = padded_flops = 0.0
            started = time.perf_counter()
            for batch in loader:
                step(batch)
                sample_lengths = batch["attention_mask"].sum(dim=1).tolist()
                padded_length = batch["input_ids"].shape[1]
                real_tokens += sum(sample_lengths)
                padded_tokens += padded_length * len(sample_lengths)
                real_flops += size.training_flops(sample_lengths)
                padded_flops += size.training_flops([padded_length] * len(sample_lengths))
            passes.append(time.perf_counter() - started)
    finally:
        torch.set_num_threads(threads_before)
    seconds = passes[-1]
    result = {
        "variant": asdict(variant),
        "samples": len(train_set),
        "seconds": round(seconds, 3),
        "samples_per_second": round(len(train_set) / seconds, 3),
        "padding_fraction": round(1 - real_tokens / padded_tokens, 4),
        "real_token_gflops": round(real_flops / seconds / 1e9, 2),
        "all_token_gflops": round(padded_flops / seconds / 1e9, 2),
    }
    if variant.compile:
        result["compile_seconds"] = round(first_step_seconds + passes[0] - passes[1], 2)
    return result


def _best_of_rounds(
    run: Callable[[_LoopVariant], dict[str, Any]], variants: Sequence[_LoopVariant], rounds: int
) -> dict[str, dict[str, Any]]:
    """Run every variant ``rounds`` times, interleaved (so a burst of other work hits them alike); keep each one's fastest.

    Variants with the same settings under different names (the recipe may be one of the steps) run once a round.
    """
    best: dict[str, dict[str, Any]] = {}
    for _ in range(rounds):
        measured: dict[_LoopVariant, dict[str, Any]] = {}
        for variant in variants:
            settings = replace(variant, name="")
            if settings not in measured:
                measured[settings] = run(variant)
            result = {**measured[settings], "variant": asdict(variant)}
            if variant.name not in best or result["seconds"] < best[variant.name]["seconds"]:
                best[variant.name] = result
    return best


def _padding_check(
    checkpoint: Checkpoint, tokenizer: PreTrainedTokenizerBase, dataset: Dataset, samples: int, seed: int
) -> dict[str, Any]:
    """Logits of the same pairs padded per batch and padded to ``FIXED_LENGTH``: the attention mask makes them agree."""
    import torch
    from transformers import DataCollatorWithPadding

    from ..lessons.collation import make_collator
    from ..lessons.training import load_classifier

    model = load_classifier(checkpoint, seed=seed).eval()
    features = [dataset[index] for index in range(min(samples, len(dataset)))]
    dynamic = make_collator(tokenizer)(features)
    fixed = DataCollatorWithPadding(tokenizer, padding="max_length", max_length=FIXED_LENGTH)(features)
    with torch.no_grad():
        dynamic_logits = model(**dynamic).logits
        fixed_logits = model(**fixed).logits
    return {
        "samples": len(features),
        "dynamic_shape": list(dynamic["input_ids"].shape),
        "fixed_shape": list(fixed["input_ids"].shape),
        "max_logit_difference": float((dynamic_logits - fixed_logits).abs().max()),
        "identical_predictions": bool(torch.equal(dynamic_logits.argmax(dim=-1), fixed_logits.argmax(dim=-1))),
    }


def _bench_loop(
    checkpoint: Checkpoint,
    tokenizer: PreTrainedTokenizerBase,
    raw: DatasetDict,
    recipe: Recipe,
    size: ModelSize,
    sizes: BenchSizes,
    seed: int,
) -> dict[str, Any]:
    import torch

    from ..lessons.tokenization import token_lengths, tokenize_dataset

    loop_raw = raw["train"].select(range(min(sizes.loop_samples, len(raw["train"]))))
    train_set = tokenize_dataset(loop_raw, tokenizer, max_length=FIXED_LENGTH)
    lengths = token_lengths(train_set)
    threads = torch.get_num_threads()
    course = _LoopVariant("course loop: batch 8, AdamW, shuffled", 8, fused=False, grouped=False)
    fused = replace(course, name="+ fused AdamW", fused=True)
    grouped = replace(fused, name="+ length-grouped batches", grouped=True)
    no_dropout = replace(grouped, name="+ no dropout", dropout=0.0)
    recipe_loop = replace(grouped, name="hfcourse recipe", batch_size=recipe.batch_size, dropout=recipe.dropout)
    other_batch = 32 if recipe.batch_size != 32 else 8
    rebatched = replace(recipe_loop, name=f"hfcourse recipe at batch {other_batch}", batch_size=other_batch)
    fixed = replace(course, name=f"course loop padded to {FIXED_LENGTH}", fixed_length=FIXED_LENGTH)
    variants = [course, fused, grouped, no_dropout, recipe_loop, rebatched, fixed]
    single_thread = replace(recipe_loop, name="hfcourse recipe, 1 thread", threads=1)
    if threads > 1:
        variants.append(single_thread)
    _progress(f"2/6 manual loop: {len(variants)} variants x {sizes.rounds} round(s) on {len(train_set)} pairs")

    def run(variant: _LoopVariant) -> dict[str, Any]:
        return _train_steps(variant, checkpoint, tokenizer, train_set, lengths, size, seed)

    best = _best_of_rounds(run, variants, sizes.rounds)
    results: dict[str, Any] = {"samples": len(train_set), "rounds": sizes.rounds, "variants": list(best.values())}
    rate = {name: result["samples_per_second"] for name, result in best.items()}
    recipe_name = f"hfcourse recipe (batch {recipe.batch_size}, {'no' if recipe.dropout == 0 else 'with'} dropout)"
    rows = [
        _ratio_row("manual loop", "train samples/s", course.name, rate[course.name], fused.name, rate[fused.name]),
        _ratio_row("manual loop", "train samples/s", fused.name, rate[fused.name], grouped.name, rate[grouped.name]),
        _ratio_row(
            "manual loop", "train samples/s", grouped.name, rate[grouped.name], no_dropout.name, rate[no_dropout.name]
        ),
        _ratio_row(
            "manual loop", "train samples/s", course.name, rate[course.name], recipe_name, rate[recipe_loop.name]
        ),
        _ratio_row(
            "batch size",
            "train samples/s",
            f"batch {recipe.batch_size} (hfcourse recipe)",
            rate[recipe_loop.name],
            f"batch {other_batch}",
            rate[rebatched.name],
            note="both otherwise as the hfcourse recipe",
        ),
        _ratio_row(
            "padding",
            "train samples/s",
            fixed.name,
            rate[fixed.name],
            "dynamic padding (course loop)",
            rate[course.name],
            note=f"padding fraction {best[fixed.name]['padding_fraction']} -> {best[course.name]['padding_fraction']}",
        ),
    ]
    if threads > 1:
        rows.append(
            _ratio_row(
                "threads",
                "train samples/s",
                "1 thread",
                rate[single_thread.name],
                f"{threads} threads (torch default)",
                rate[recipe_loop.name],
            )
        )
    else:
        results["threads_note"] = "torch runs 1 thread here: nothing to compare"

    if sizes.measure_compile:
        _progress("2/6 manual loop: torch.compile (the first pass compiles)")
        compiled = replace(recipe_loop, name=f"{recipe_loop.name}, torch.compile", compile=True)
        try:
            results["compile"] = run(compiled)
        except Exception as error:  # a compiler failure of any kind is a result here, not a crash
            results["compile"] = {"error": f"{type(error).__name__}: {error}"}
        else:
            compile_rate = results["compile"]["samples_per_second"]
            rows.append(
                _ratio_row(
                    "compile",
                    "train samples/s after compiling",
                    "eager",
                    rate[recipe_loop.name],
                    "torch.compile",
                    compile_rate,
                    note=f"compiling took {results['compile']['compile_seconds']} s",
                )
            )
        finally:
            torch._dynamo.reset()
    results["padding_check"] = _padding_check(checkpoint, tokenizer, train_set, sizes.padding_check_samples, seed)
    results["rows"] = rows
    return results


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
        single = [tokenizer(left, right, truncation=True)["input_ids"] for left, right in zip(first, second)]
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
    classifier = pipeline("text-classification", model=str(model_folder), tokenizer=str(model_folder), device="cpu")
    _progress(f"4/6 inference: pipeline on {len(texts)} texts, batched list and one call per text")
    classifier(texts[:2], batch_size=2)  # warm-up
    started = time.perf_counter()
    batched = classifier(texts, batch_size=32)
    batched_seconds = time.perf_counter() - started
    started = time.perf_counter()
    single = [classifier(text)[0] for text in texts]
    single_seconds = time.perf_counter() - started
    results = {
        "texts": len(texts),
        "batch_size": 32,
        "batched_seconds": round(batched_seconds, 4),
        "one_by_one_seconds": round(single_seconds, 4),
        "identical_labels": [item["label"] for item in batched] == [item["label"] for item in single],
        "max_score_difference": max(abs(a["score"] - b["score"]) for a, b in zip(batched, single)),
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

    from ..offline.catalog import resolve_checkpoint

    checkpoint = resolve_checkpoint("text-generation")
    _progress(
        f"5/6 generation: {sizes.new_tokens} new tokens, greedy, with and without the KV cache ({checkpoint.name_or_path})"
    )
    tokenizer = AutoTokenizer.from_pretrained(checkpoint.name_or_path)
    model = AutoModelForCausalLM.from_pretrained(
        checkpoint.name_or_path, dtype=torch.float32, use_safetensors=True
    ).eval()
    inputs = tokenizer(GENERATION_PROMPT, return_tensors="pt")
    pad_token_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    outputs, seconds = {}, {}
    for use_cache in (True, False):
        best = math.inf
        for _ in range(sizes.rounds):
            started = time.perf_counter()
            with torch.no_grad():
                generated = model.generate(
                    **inputs,
                    do_sample=False,
                    max_new_tokens=sizes.new_tokens,
                    min_new_tokens=sizes.new_tokens,
                    use_cache=use_cache,
                    pad_token_id=pad_token_id,
                )
            best = min(best, time.perf_counter() - started)
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


# --------------------------------------------------------------------------------------------------
# The whole run
# --------------------------------------------------------------------------------------------------


def _length_tail(lengths: Sequence[int]) -> dict[str, Any]:
    """Where truncation could cut: percentiles of the pair lengths and the tokens beyond the 99th."""
    ordered = sorted(lengths)

    def percentile(fraction: float) -> int:
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    p99 = percentile(0.99)
    return {
        "mean": round(sum(ordered) / len(ordered), 2),
        "p50": percentile(0.5),
        "p90": percentile(0.9),
        "p99": p99,
        "max": ordered[-1],
        "over_fixed_length": sum(length > FIXED_LENGTH for length in ordered),
        "tokens_beyond_p99_fraction": round(sum(max(0, length - p99) for length in ordered) / sum(ordered), 5),
    }


def _targets(finetuning: dict[str, Any], peak_gflops: float, quick: bool) -> list[dict[str, Any]]:
    course, hfcourse, clock = finetuning["course_recipe"], finetuning["hfcourse_recipe"], finetuning["time_to_accuracy"]
    limit = TIME_TARGET * clock["course_wall_seconds"]
    fraction = {
        name: round(recipe["real_token_gflops"] / peak_gflops, 3)
        for name, recipe in (("course", course), ("hfcourse", hfcourse))
    }
    targets = [
        {
            "target": "hfcourse recipe reaches the course's final F1 within half the course's wall time",
            "goal": f"<= {round(limit, 2)} s to F1 >= {clock['target_f1']}",
            "measured": f"{clock['hfcourse_seconds']} s"
            if clock["hfcourse_reached"]
            else f"not reached (best F1 {clock['hfcourse_best_f1']})",
            "met": bool(clock["hfcourse_reached"] and clock["hfcourse_seconds"] <= limit),
        },
        {
            "target": "hfcourse recipe's final accuracy and F1 equal or better",
            "goal": f"accuracy >= {course['final_accuracy']}, F1 >= {course['final_f1']}",
            "measured": f"accuracy {hfcourse['final_accuracy']}, F1 {hfcourse['final_f1']}",
            "met": hfcourse["final_accuracy"] >= course["final_accuracy"]
            and hfcourse["final_f1"] >= course["final_f1"],
        },
        {
            "target": "training FLOP/s on real tokens (hfcourse recipe) / fp32 matmul peak",
            "goal": f">= {FLOPS_TARGET}",
            "measured": f"{fraction['hfcourse']} (course recipe: {fraction['course']}; peak {peak_gflops} GFLOP/s)",
            "met": fraction["hfcourse"] >= FLOPS_TARGET,
        },
    ]
    if quick:
        for target in targets:
            target["note"] = "--quick: tiny slices, not a measurement of the target"
    return targets


def _settings(
    recipe: Recipe,
    precision: Any,
    finetuning: dict[str, Any],
    loop: dict[str, Any],
    length_tail: dict[str, Any],
    threads: int,
) -> list[dict[str, str]]:
    """Each setting of the recipe, with what this run measured about it."""
    variants = {result["variant"]["name"]: result for result in loop["variants"]}
    rows = {row["candidate"]: row for row in loop["rows"]}
    fused_row, grouped_row, dropout_row = rows["+ fused AdamW"], rows["+ length-grouped batches"], rows["+ no dropout"]
    batch_row = next(row for row in loop["rows"] if row["section"] == "batch size")
    grouped_variant = variants["+ length-grouped batches"]
    random_variant = variants["+ fused AdamW"]
    clock, trained = finetuning["time_to_accuracy"], finetuning["hfcourse_recipe"]
    reached = next(
        (
            e
            for e in trained["evaluations"]
            if clock["hfcourse_reached"] and e["elapsed_seconds"] == clock["hfcourse_seconds"]
        ),
        None,
    )
    settings = [
        {
            "setting": "schedule",
            "chosen": f"learning rate {recipe.learning_rate}, warmup {recipe.warmup_fraction}, {recipe.epochs} epochs, "
            f"{recipe.evaluations_per_epoch} evaluations an epoch",
            "measured": (
                f"F1 {reached['f1']} >= {clock['target_f1']} after {reached['epoch']} epochs ({reached['elapsed_seconds']} s); "
                if reached
                else ""
            )
            + f"final accuracy {trained['final_accuracy']}, F1 {trained['final_f1']}",
        },
        {"setting": "precision", "chosen": recipe.precision, "measured": f"{precision}"},
        {
            "setting": "length-grouped batches",
            "chosen": "yes" if recipe.length_grouped else "no",
            "measured": f"{grouped_row['ratio']}x samples/s; padding {random_variant['padding_fraction']} -> {grouped_variant['padding_fraction']}",
        },
        {
            "setting": "fused AdamW",
            "chosen": "yes",
            "measured": f"{fused_row['ratio']}x samples/s over the for-loop AdamW",
        },
        {
            "setting": "dropout",
            "chosen": "checkpoint's" if recipe.dropout is None else str(recipe.dropout),
            "measured": f"no dropout: {dropout_row['ratio']}x samples/s (batch 8, grouped, fused)",
        },
        {
            "setting": "batch size",
            "chosen": str(recipe.batch_size),
            "measured": f"{batch_row['candidate']}: {batch_row['ratio']}x the samples/s of batch {recipe.batch_size} (otherwise as the recipe)",
        },
        {
            "setting": "max_length truncation",
            "chosen": "none (the tokenizer's limit)",
            "measured": f"pair lengths p99 {length_tail['p99']}, max {length_tail['max']}: truncating at p99 would drop {length_tail['tokens_beyond_p99_fraction']} of the tokens",
        },
    ]
    thread_row = rows.get(f"{threads} threads (torch default)")
    settings.append(
        {
            "setting": "threads",
            "chosen": f"torch default ({threads})",
            "measured": f"{thread_row['ratio']}x samples/s over 1 thread"
            if thread_row
            else loop.get("threads_note", ""),
        }
    )
    compiled = loop.get("compile")
    if compiled is None:
        compile_measured = "not measured in --quick"
    elif "error" in compiled:
        compile_measured = f"failed: {compiled['error']}"
    else:
        eager = variants[compiled["variant"]["name"].removesuffix(", torch.compile")]["samples_per_second"]
        compile_measured = f"compiling took {compiled['compile_seconds']} s; then {compiled['samples_per_second']} samples/s against {eager} eager"
    settings.append(
        {"setting": "torch.compile", "chosen": "yes" if recipe.compile else "no", "measured": compile_measured}
    )
    for setting in settings:
        setting["why"] = recipe.why.get(setting["setting"], "")
    return settings


def run_benchmark(
    *,
    quick: bool = False,
    data_dir: str | os.PathLike[str] | None = None,
    output_dir: str | os.PathLike[str] = "build/bench",
    seed: int = COURSE_RECIPE.seed,
    rounds: int | None = None,
) -> dict[str, Any]:
    """Run every comparison, write ``bench.json`` and ``bench.md`` into ``output_dir``, return the results.

    Args:
        quick: tiny slices (a couple of minutes): checks that the benchmark works, measures nothing final.
        data_dir: a GLUE MRPC folder (``train.tsv``, ``dev.tsv``); default: ``load_glue``'s default source.
        output_dir: folder for ``bench.json`` and ``bench.md`` (created).
        seed: one seed for every model, sampler and Trainer.
        rounds: repeat the loop variants, generation and tokenization this many times and keep the
            fastest (default 1; more on a busy machine).
    """
    import torch
    from datasets import DatasetDict
    from transformers import AutoTokenizer

    from ..lessons.tokenization import token_lengths, tokenize_dataset
    from ..lessons.training import load_classifier, save_finetuned
    from ..offline.catalog import resolve_checkpoint
    from ..offline.data import load_glue
    from .accelerate_setup import measure_mixed_precision
    from .recipes import default_recipe

    output = Path(output_dir).expanduser()
    if output.exists() and not output.is_dir():
        raise NotADirectoryError(f"--output {str(output)!r} is a file; give a folder for bench.json and bench.md.")
    sizes = QUICK if quick else FULL
    if rounds is not None:
        if not isinstance(rounds, int) or rounds < 1:
            raise ValueError(f"--rounds {rounds!r}: give a whole number of at least 1 (2 or 3 on a busy machine).")
        sizes = replace(sizes, rounds=rounds)
    machine = machine_info()
    _progress(
        f"{sizes.mode} run on {machine['cpu']}, {machine['usable_cores']} usable cores, {machine['torch_threads']} torch threads"
    )

    loaded = load_glue("mrpc", data_dir)
    raw = DatasetDict(
        {
            split: loaded[split].select(range(min(limit, len(loaded[split])))) if limit is not None else loaded[split]
            for split, limit in (("train", sizes.train_samples), ("validation", sizes.validation_samples))
        }
    )
    checkpoint = resolve_checkpoint("encoder")
    tokenizer = AutoTokenizer.from_pretrained(checkpoint.name_or_path)
    tokenized = tokenize_dataset(raw, tokenizer)
    size = model_size(load_classifier(checkpoint, seed=seed))
    train_lengths = token_lengths(tokenized["train"])
    length_tail = _length_tail(train_lengths)

    _progress("6/6 fp32 matmul peak and precision")
    peak_before = measure_matmul_peak(sizes.matmul_sizes)
    precision = measure_mixed_precision("cuda" if torch.cuda.is_available() else "cpu")
    recipe = default_recipe(precision)

    with tempfile.TemporaryDirectory(prefix="hfcourse-bench-") as scratch:
        workdir = Path(scratch)
        finetuning, trained = _bench_finetuning(
            checkpoint, tokenizer, tokenized, train_lengths, recipe, size, seed, workdir
        )
        peak_after = measure_matmul_peak(sizes.matmul_sizes)
        loop = _bench_loop(checkpoint, tokenizer, raw, recipe, size, sizes, seed)
        tokenization = _bench_tokenization(tokenizer, raw, sizes)
        inference = _bench_pipeline(save_finetuned(trained, tokenizer, workdir / "classifier"), raw, sizes)
    generation = _bench_generation(sizes)
    peak = max(peak_before["peak_gflops"], peak_after["peak_gflops"])
    machine["load_average_end"] = _load_average()

    results: dict[str, Any] = {
        "mode": sizes.mode,
        "seed": seed,
        "machine": machine,
        "data": {
            "source": getattr(loaded, "source", "unknown"),
            "train": len(raw["train"]),
            "validation": len(raw["validation"]),
        },
        "checkpoint": str(checkpoint),
        "model_size": asdict(size),
        "flops_formula": "per sequence of s real tokens: 6 * N * s + 12 * layers * hidden * s^2 (N: parameters outside embeddings)",
        "train_lengths": length_tail,
        "matmul_peak": {"start": peak_before, "after_fine_tuning": peak_after, "peak_gflops": peak},
        "precision": {"measured": str(precision), "fastest": precision.fastest, "chosen": recipe.precision},
        "finetuning": finetuning,
        "manual_loop": loop,
        "tokenization": tokenization,
        "inference": inference,
        "generation": generation,
    }
    rows = _finetuning_rows(finetuning) + loop["rows"] + tokenization["rows"] + inference["rows"] + generation["rows"]
    for name in ("course_recipe", "hfcourse_recipe"):
        finetuning[name]["real_token_peak_fraction"] = round(finetuning[name]["real_token_gflops"] / peak, 3)
    for variant in loop["variants"]:
        variant["real_token_peak_fraction"] = round(variant["real_token_gflops"] / peak, 3)
    densest = max(loop["variants"], key=lambda variant: variant["real_token_gflops"])
    rows.append(
        _ratio_row(
            "FLOP/s",
            "GFLOP/s on real tokens / fp32 matmul peak",
            "fp32 matmul peak",
            peak,
            "hfcourse recipe training",
            finetuning["hfcourse_recipe"]["real_token_gflops"],
            note=f"course recipe: {finetuning['course_recipe']['real_token_peak_fraction']}; fastest manual loop "
            f"({densest['variant']['name']}): {densest['real_token_peak_fraction']}",
        )
    )
    if "bf16" in precision.seconds:
        rows.append(
            _ratio_row(
                "precision",
                "matmul seconds",
                "fp32",
                precision.seconds["no"],
                "bf16 autocast",
                precision.seconds["bf16"],
                higher_is_better=False,
            )
        )
    results["ratios"] = rows
    results["targets"] = _targets(finetuning, peak, quick)
    results["settings"] = _settings(recipe, precision, finetuning, loop, length_tail, machine["torch_threads"])
    results["checks"] = {
        "generation_identical_tokens": generation["identical_tokens"],
        "padding_identical_predictions": loop["padding_check"]["identical_predictions"],
        "tokenization_identical_input_ids": tokenization["identical_input_ids"],
        "pipeline_identical_labels": inference["identical_labels"],
    }
    notes = []
    # The benchmark itself keeps its torch threads busy: only load beyond that is other work.
    busy = (
        machine["load_average_start"] is not None
        and max(machine["load_average_start"], machine["load_average_end"] or 0) > machine["usable_cores"] + 0.5
    )
    if busy:
        notes.append(
            f"The machine was busy (load average {machine['load_average_start']} at the start, {machine['load_average_end']} at the end, "
            f"{machine['usable_cores']} cores): every timing is noisy."
        )
    if quick:
        notes.append("--quick: tiny slices, to check that the benchmark works; run without --quick for the figures.")
    results["notes"] = notes

    output.mkdir(parents=True, exist_ok=True)
    (output / "bench.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (output / "bench.md").write_text(format_markdown(results), encoding="utf-8")
    return results


# --------------------------------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------------------------------


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    def cell(value: Any) -> str:
        return "" if value is None else str(value).replace("|", "\\|")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def format_markdown(results: dict[str, Any]) -> str:
    """The benchmark results as Markdown: machine, ratio table, targets, the recipe's settings, checks, notes."""
    machine = results["machine"]
    versions = ", ".join(f"{name} {version}" for name, version in machine["versions"].items())
    parts = [
        f"# hfcourse benchmark ({results['mode']} run)",
        "",
        f"Machine: {machine['cpu']}, {machine['usable_cores']} usable of {machine['cpu_cores']} cores, "
        f"{machine['torch_threads']} torch threads, accelerator: {machine['accelerator']}; {versions}. "
        f"Load average {machine['load_average_start']} at the start, {machine['load_average_end']} at the end.",
        "",
        f"Data: {results['data']['source']} ({results['data']['train']} training, {results['data']['validation']} validation pairs). "
        f"Model: {results['checkpoint']}. Seed {results['seed']}. fp32 matmul peak: {results['matmul_peak']['peak_gflops']} GFLOP/s.",
        "",
        "## Ratios (above 1: the candidate is better)",
        "",
        _table(
            ["section", "measure", "baseline", "value", "candidate", "value", "ratio", "note"],
            [
                [
                    row["section"],
                    row["measure"],
                    row["baseline"],
                    row["baseline_value"],
                    row["candidate"],
                    row["candidate_value"],
                    row["ratio"],
                    row["note"],
                ]
                for row in results["ratios"]
            ],
        ),
        "",
        "## Targets",
        "",
        _table(
            ["target", "goal", "measured", "met"],
            [
                [target["target"], target["goal"], target["measured"], "yes" if target["met"] else "no"]
                for target in results["targets"]
            ],
        ),
        "",
        "## hfcourse's recipe: each setting and its measurement",
        "",
        _table(
            ["setting", "chosen", "measured in this run", "why"],
            [[s["setting"], s["chosen"], s["measured"], s["why"]] for s in results["settings"]],
        ),
        "",
        "## Outputs that must agree",
        "",
        _table(["check", "passed"], [[name, "yes" if passed else "NO"] for name, passed in results["checks"].items()]),
        "",
        f"FLOPs: {results['flops_formula']}.",
    ]
    if results["notes"]:
        parts += ["", "## Notes", ""] + [f"- {note}" for note in results["notes"]]
    return "\n".join(parts) + "\n"


# --------------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------------


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1 (e.g. 2)")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m hfcourse bench [--quick] [--data-dir DIR] [--output DIR] [--seed N] [--rounds N]``."""
    parser = argparse.ArgumentParser(
        prog="hfcourse bench",
        description="Compare the course's recipes with hfcourse's defaults, side by side; write bench.json and bench.md.",
    )
    parser.add_argument("--quick", action="store_true", help="tiny slices (a couple of minutes), for tests")
    parser.add_argument(
        "--data-dir", help="a GLUE MRPC folder (train.tsv, dev.tsv); default: load_glue's default source"
    )
    parser.add_argument(
        "--output", default="build/bench", help="folder for bench.json and bench.md (default: build/bench)"
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=COURSE_RECIPE.seed,
        help="seed for models, samplers and Trainer (default: %(default)s)",
    )
    parser.add_argument(
        "--rounds",
        type=_positive_int,
        help="repeat the short comparisons this many times, keep the fastest (default 1)",
    )
    arguments = parser.parse_args(argv)

    from ..lessons.notebook import quiet
    from ..offline.data import DataFormatError

    quiet()
    try:
        results = run_benchmark(
            quick=arguments.quick,
            data_dir=arguments.data_dir,
            output_dir=arguments.output,
            seed=arguments.seed,
            rounds=arguments.rounds,
        )
    except (FileNotFoundError, NotADirectoryError, DataFormatError) as error:  # bad --data-dir or --output
        print(f"hfcourse bench: {error}", file=sys.stderr)
        return 2
    print()
    print(format_markdown(results))
    print(f"Written: {Path(arguments.output) / 'bench.json'} and {Path(arguments.output) / 'bench.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
