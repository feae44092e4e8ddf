"""Full-size MRPC numbers (issue 3): the course recipe through the Trainer, the manual loop and Accelerate.

    python scripts/mrpc_full.py ../shared/data/glue/mrpc
    python scripts/mrpc_full.py ../shared/data/glue/mrpc --max-train-samples 64 --max-eval-samples 32 --epochs 1

Each loop fine-tunes the catalog's encoder (offline: the embedded MiniLM) with the course's recipe (3 epochs,
batch 8, learning rate 5e-5, seed 42) on the MRPC training set of the GLUE folder given, and is scored on its
validation set. Writes ``OUTPUT_DIR/mrpc_full.json`` and ``OUTPUT_DIR/mrpc_full.md`` (a Markdown table of
accuracy, F1 and training seconds per loop, with the versions that ran) and prints the table.

Targets, checked on full-size runs only (no sample limits, 3 epochs): the Trainer reaches accuracy >= 0.80 and
F1 >= 0.86, and the manual and Accelerate loops land within 1.5 points of its accuracy and F1. The exit status
is 1 when a checked target is missed. Training time depends on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from collections.abc import Sequence
from dataclasses import asdict
from importlib import metadata
from pathlib import Path
from typing import Any

from hfcourse import COURSE_RECIPE
from hfcourse.tools.train import LOOPS, TrainConfig, run

TRAINER_MIN_ACCURACY = 0.80
TRAINER_MIN_F1 = 0.86
MAX_GAP = 0.015  # 1.5 points


def check_targets(results: dict[str, dict[str, Any]]) -> list[tuple[str, bool]]:
    """The issue's targets as (description, met) pairs, for the loops that ran."""
    checks = []
    trainer = results.get("trainer")
    if trainer is not None:
        checks.append(
            (
                f"trainer accuracy {trainer['accuracy']:.4f} >= {TRAINER_MIN_ACCURACY}",
                trainer["accuracy"] >= TRAINER_MIN_ACCURACY,
            )
        )
        checks.append((f"trainer F1 {trainer['f1']:.4f} >= {TRAINER_MIN_F1}", trainer["f1"] >= TRAINER_MIN_F1))
        for loop in ("manual", "accelerate"):
            if loop in results:
                for metric in ("accuracy", "f1"):
                    gap = abs(results[loop][metric] - trainer[metric])
                    checks.append(
                        (
                            f"{loop} {metric} within {MAX_GAP * 100:.1f} points of the trainer's (gap {gap * 100:.2f})",
                            gap <= MAX_GAP,
                        )
                    )
    return checks


def markdown_table(results: dict[str, dict[str, Any]]) -> str:
    lines = ["| loop | accuracy | F1 | training seconds |", "|---|---|---|---|"]
    for loop, result in results.items():
        lines.append(f"| {loop} | {result['accuracy']:.4f} | {result['f1']:.4f} | {result['seconds']:.0f} |")
    return "\n".join(lines)


def environment() -> dict[str, str]:
    import torch

    versions = {name: metadata.version(name) for name in ("transformers", "datasets", "accelerate", "torch")}
    device = (
        torch.cuda.get_device_name(0)
        if torch.cuda.is_available()
        else f"CPU ({platform.processor() or platform.machine()}, {torch.get_num_threads()} threads)"
    )
    return {**versions, "python": platform.python_version(), "device": device}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", help="GLUE MRPC folder (train.tsv, dev.tsv) or a GLUE root holding mrpc/")
    parser.add_argument("--loops", nargs="+", choices=LOOPS, default=list(LOOPS))
    parser.add_argument("--checkpoint", help="model folder or Hub id (default: the catalog's encoder)")
    parser.add_argument("--epochs", type=int, default=COURSE_RECIPE.epochs)
    parser.add_argument("--max-train-samples", type=int)
    parser.add_argument("--max-eval-samples", type=int)
    parser.add_argument("--output-dir", default="build/mrpc_full")
    arguments = parser.parse_args(argv)
    if not Path(arguments.data_dir).is_dir():
        parser.error(
            f"data_dir {arguments.data_dir!r} is not a folder; give the GLUE MRPC folder (with train.tsv and dev.tsv)."
        )

    from hfcourse.lessons.notebook import quiet

    quiet()
    output_dir = Path(arguments.output_dir)
    results: dict[str, dict[str, Any]] = {}
    for loop in arguments.loops:
        config = TrainConfig(
            task="mrpc",
            data_dir=arguments.data_dir,
            checkpoint=arguments.checkpoint,
            loop=loop,
            epochs=arguments.epochs,
            max_train_samples=arguments.max_train_samples,
            max_eval_samples=arguments.max_eval_samples,
            output_dir=str(output_dir / loop),
        )
        print(f"{loop}: training...", flush=True)
        results[loop] = run(config)
        result = results[loop]
        print(
            f"{loop}: accuracy {result['accuracy']:.4f}, F1 {result['f1']:.4f}, {result['seconds']:.0f} s", flush=True
        )

    first = next(iter(results.values()))
    full_size = (
        arguments.max_train_samples is None
        and arguments.max_eval_samples is None
        and arguments.epochs == COURSE_RECIPE.epochs
    )
    checks = check_targets(results) if full_size else []
    summary = {
        "checkpoint": first["checkpoint"],
        "data_source": first["data_source"],
        "train_samples": first["train_samples"],
        "eval_samples": first["eval_samples"],
        "recipe": {**asdict(COURSE_RECIPE), "epochs": arguments.epochs},
        "environment": environment(),
        "results": results,
        "targets": [{"check": description, "met": met} for description, met in checks],
    }
    table = markdown_table(results)
    notes = [
        f"Checkpoint: {first['checkpoint']}",
        f"Data: {first['data_source']} ({first['train_samples']} training, {first['eval_samples']} validation pairs)",
        f"Recipe: {arguments.epochs} epoch{'s' if arguments.epochs != 1 else ''}, batch 8, learning rate 5e-5, seed 42",
        "Environment: " + ", ".join(f"{name} {value}" for name, value in summary["environment"].items()),
    ]
    verdicts = [f"- {'met' if met else 'MISSED'}: {description}" for description, met in checks] or [
        "- targets not checked: not a full-size run (sample limits or epochs other than 3)"
    ]
    markdown = "\n".join(
        ["# MRPC, full course recipe", "", table, "", *[f"{note}  " for note in notes], "", *verdicts, ""]
    )
    output_dir.mkdir(parents=True, exist_ok=True)
    (output_dir / "mrpc_full.json").write_text(json.dumps(summary, indent=2))
    (output_dir / "mrpc_full.md").write_text(markdown)
    print(markdown)
    print(f"written: {output_dir / 'mrpc_full.json'}, {output_dir / 'mrpc_full.md'}")
    return 0 if all(met for _, met in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
