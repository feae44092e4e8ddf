"""Comparisons 2 and 3: the manual loop's step (``training_step``) before and after each optimisation (fused
AdamW, length-grouped batches, no dropout, the recipe's batch size), thread counts, ``torch.compile``, and
dynamic against fixed-length padding.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

from ...lessons.course_recipe import COURSE_RECIPE
from .machine import FIXED_LENGTH, BenchSizes, ModelSize, _progress, _ratio_row

if TYPE_CHECKING:
    import torch
    from datasets import Dataset, DatasetDict
    from transformers import PreTrainedTokenizerBase

    from ...offline.checkpoints import Checkpoint
    from ..recipes import Recipe


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

    The steps are ``training_step``, those of ``train_loop`` (without its learning-rate schedule and evaluation);
    one untimed step first allocates the optimizer state. A compiled variant makes two passes: the first compiles.
    """
    import torch
    from torch.utils.data import DataLoader, RandomSampler
    from transformers import DataCollatorWithPadding
    from transformers.trainer_pt_utils import LengthGroupedSampler

    from ...lessons.collation import make_collator
    from ...lessons.training import load_classifier
    from ...lessons.training_loop import training_step
    from ...offline.devices import default_device, synchronized_time
    from ..recipes import set_dropout

    device = torch.device(default_device())
    model = load_classifier(checkpoint, seed=seed).to(device)
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
        # the loop's own step, without its schedule
        training_step(runnable, {name: value.to(device) for name, value in batch.items()}, optimizer)

    threads_before = torch.get_num_threads()
    if variant.threads is not None:
        torch.set_num_threads(variant.threads)
    try:
        started = synchronized_time(device)
        step(collator([train_set[index] for index in range(min(variant.batch_size, len(train_set)))]))
        first_step_seconds = synchronized_time(device) - started
        passes = []
        for _ in range(2 if variant.compile else 1):
            real_tokens = padded_tokens = 0
            real_flops = padded_flops = 0.0
            started = synchronized_time(device)
            for batch in loader:
                step(batch)
                sample_lengths = batch["attention_mask"].sum(dim=1).tolist()
                padded_length = batch["input_ids"].shape[1]
                real_tokens += sum(sample_lengths)
                padded_tokens += padded_length * len(sample_lengths)
                real_flops += size.training_flops(sample_lengths)
                padded_flops += size.training_flops([padded_length] * len(sample_lengths))
            passes.append(synchronized_time(device) - started)
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
    """Run every variant ``rounds`` times, interleaved (so a burst of other work hits them alike); keep each one's
    fastest.

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

    from ...lessons.collation import make_collator
    from ...lessons.training import load_classifier

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

    from ...lessons.tokenization import token_lengths, tokenize_dataset

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
