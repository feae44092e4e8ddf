"""The whole benchmark run: every comparison in order, the targets, the settings table, ``bench.json``."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...lessons.course_recipe import COURSE_RECIPE
from .finetuning import _bench_finetuning, _finetuning_rows
from .inference import _bench_generation, _bench_pipeline, _bench_tokenization
from .loop import _bench_loop
from .machine import (
    FIXED_LENGTH,
    FLOPS_TARGET,
    FULL,
    QUICK,
    TIME_TARGET,
    _load_average,
    _progress,
    _ratio_row,
    machine_info,
    measure_matmul_peak,
    model_size,
)
from .report import format_markdown

if TYPE_CHECKING:
    from ..recipes import Recipe


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
                f"F1 {reached['f1']} >= {clock['target_f1']} after {reached['epoch']} epochs "
                f"({reached['elapsed_seconds']} s); "
                if reached
                else ""
            )
            + f"final accuracy {trained['final_accuracy']}, F1 {trained['final_f1']}",
        },
        {"setting": "precision", "chosen": recipe.precision, "measured": f"{precision}"},
        {
            "setting": "length-grouped batches",
            "chosen": "yes" if recipe.length_grouped else "no",
            "measured": f"{grouped_row['ratio']}x samples/s; padding {random_variant['padding_fraction']} -> "
            f"{grouped_variant['padding_fraction']}",
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
            "measured": f"{batch_row['candidate']}: {batch_row['ratio']}x the samples/s of batch {recipe.batch_size} "
            "(otherwise as the recipe)",
        },
        {
            "setting": "max_length truncation",
            "chosen": "none (the tokenizer's limit)",
            "measured": f"pair lengths p99 {length_tail['p99']}, max {length_tail['max']}: truncating at p99 would "
            f"drop {length_tail['tokens_beyond_p99_fraction']} of the tokens",
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
        compile_measured = (
            f"compiling took {compiled['compile_seconds']} s; "
            f"then {compiled['samples_per_second']} samples/s against {eager} eager"
        )
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
    from datasets import DatasetDict
    from transformers import AutoTokenizer

    from ...lessons.tokenization import token_lengths, tokenize_dataset
    from ...lessons.training import load_classifier, save_finetuned
    from ...offline.catalog import resolve_checkpoint
    from ...offline.data import load_glue
    from ..accelerate_setup import measure_mixed_precision
    from ..recipes import default_recipe

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
        f"{sizes.mode} run on {machine['cpu']}, {machine['usable_cores']} usable cores, {machine['torch_threads']} "
        "torch threads"
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
    precision = measure_mixed_precision()
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
        "flops_formula": "per sequence of s real tokens: 6 * N * s + 12 * layers * hidden * s^2 (N: parameters outside "
        "embeddings)",
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
            f"The machine was busy (load average {machine['load_average_start']} at the start, "
            f"{machine['load_average_end']} at the end, "
            f"{machine['usable_cores']} cores): every timing is noisy."
        )
    if quick:
        notes.append("--quick: tiny slices, to check that the benchmark works; run without --quick for the figures.")
    results["notes"] = notes

    output.mkdir(parents=True, exist_ok=True)
    (output / "bench.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (output / "bench.md").write_text(format_markdown(results), encoding="utf-8")
    return results
