"""Search hfcourse's fine-tuning recipe on GLUE MRPC: train candidates, time every evaluation.

    python scripts/recipe_search.py ../shared/data/glue/mrpc --candidate batch_size=16 learning_rate=1e-4 epochs=2
    python scripts/recipe_search.py DATA --candidate learning_rate=8e-5 \\
        --candidate learning_rate=6e-5 freeze_word_embeddings=true

Each ``--candidate`` is ``HFCOURSE_RECIPE`` with the settings given (any ``Recipe`` field), trained with
``build_recipe_trainer`` on the catalog's encoder (offline: the embedded MiniLM), seed 42. One JSON line per
candidate is appended to ``OUTPUT`` (default ``build/recipe_search/results.jsonl``): the settings, wall and
training seconds, training samples/s, GFLOP/s on real tokens, every evaluation (elapsed seconds, accuracy,
F1) and the first time F1 reached ``--target-f1`` (default: the course recipe's final F1 measured by
``make bench`` on the real MRPC, 0.8704). Candidates run one after another: time them on a quiet machine, with
the thread count the benchmark uses (a run on one thread takes a different path from the same run on two, since
floating-point sums are ordered differently; on MRPC's 408 validation pairs the F1 after 2 epochs of the same
recipe was 0.8826 on one thread and 0.8521 on two).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

COURSE_FINAL_F1 = 0.8704  # build/bench/bench.json, 2026-11-25: course recipe on the real MRPC, seed 42


def parse_candidate(settings: Sequence[str]) -> dict[str, Any]:
    """``["batch_size=16", "learning_rate=1e-4"]`` -> typed ``Recipe`` overrides (errors name the field)."""
    from hfcourse.tools.recipes import HFCOURSE_RECIPE, Recipe

    fields = {field.name: field for field in dataclasses.fields(Recipe) if field.name not in ("name", "why")}
    overrides: dict[str, Any] = {}
    for setting in settings:
        name, _, text = setting.partition("=")
        if name not in fields or not text:
            raise ValueError(f"--candidate {setting!r}: write field=value with a field of {', '.join(fields)}.")
        current = getattr(HFCOURSE_RECIPE, name)
        if isinstance(current, bool):
            if text.lower() not in ("true", "false"):
                raise ValueError(f"--candidate {setting!r}: {name} takes true or false.")
            overrides[name] = text.lower() == "true"
        elif fields[name].type == "float | None":
            overrides[name] = None if text.lower() == "none" else float(text)
        else:
            overrides[name] = type(current)(text)
    return overrides


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", help="GLUE MRPC folder (train.tsv, dev.tsv)")
    parser.add_argument(
        "--candidate", nargs="+", action="append", required=True, metavar="FIELD=VALUE", help="one recipe to try"
    )
    parser.add_argument("--target-f1", type=float, default=COURSE_FINAL_F1)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--max-train-samples", type=int, help="train on the first N pairs (a quick check of the script)"
    )
    parser.add_argument("--output", default="build/recipe_search/results.jsonl")
    arguments = parser.parse_args(argv)
    try:
        candidates = [parse_candidate(settings) for settings in arguments.candidate]
    except ValueError as error:
        parser.error(str(error))

    from transformers import AutoTokenizer

    from hfcourse import load_glue, resolve_checkpoint
    from hfcourse.lessons.notebook import quiet
    from hfcourse.lessons.tokenization import token_lengths, tokenize_dataset
    from hfcourse.lessons.training import limit_samples, load_classifier
    from hfcourse.tools.bench import machine_info, model_size, train_and_clock
    from hfcourse.tools.recipes import HFCOURSE_RECIPE, build_recipe_trainer

    quiet()
    checkpoint = resolve_checkpoint("encoder")
    tokenizer = AutoTokenizer.from_pretrained(checkpoint.name_or_path)
    raw = limit_samples(load_glue("mrpc", arguments.data_dir), arguments.max_train_samples)
    tokenized = tokenize_dataset(raw, tokenizer)
    train_lengths = token_lengths(tokenized["train"])
    output = Path(arguments.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    for overrides in candidates:
        recipe = dataclasses.replace(HFCOURSE_RECIPE, name="candidate", **overrides)
        model = load_classifier(checkpoint, seed=arguments.seed)
        with tempfile.TemporaryDirectory(prefix="hfcourse-recipe-") as scratch:
            trainer = build_recipe_trainer(model, tokenizer, tokenized, scratch, recipe=recipe, seed=arguments.seed)
            started = time.strftime("%Y-%m-%d %H:%M:%S")
            clocked = train_and_clock(trainer, recipe.epochs, train_lengths, model_size(model))
        reached = next((e for e in clocked["evaluations"] if e["f1"] >= arguments.target_f1), None)
        record = {
            "started": started,
            "overrides": overrides,
            "recipe": recipe.describe(),
            "data": {"source": raw.source, "train": len(raw["train"]), "validation": len(raw["validation"])},
            "seed": arguments.seed,
            "target_f1": arguments.target_f1,
            "reached_seconds": reached["elapsed_seconds"] if reached else None,
            "load_average_end": machine_info()["load_average_start"],
            **clocked,
        }
        with output.open("a", encoding="utf-8") as results:
            results.write(json.dumps(record) + "\n")
        trajectory = ", ".join(
            f"{e['elapsed_seconds']:.0f}s {e['accuracy']:.4f}/{e['f1']:.4f}" for e in clocked["evaluations"]
        )
        print(
            f"{overrides}: final {clocked['final_accuracy']:.4f}/{clocked['final_f1']:.4f}, wall "
            f"{clocked['wall_seconds']:.0f} s, "
            f"{clocked['train_samples_per_second']:.1f} samples/s, {clocked['real_token_gflops']:.1f} GFLOP/s, "
            f"F1 >= {arguments.target_f1} at {record['reached_seconds']} s\n  {trajectory}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
