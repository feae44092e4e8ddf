"""Comparison 1: MRPC fine-tuning with the course's recipe against ``HFCOURSE_RECIPE`` (both in the Trainer):
samples per second and the time to reach the course recipe's final F1.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .machine import ModelSize, _progress, _ratio_row

if TYPE_CHECKING:
    from datasets import DatasetDict
    from transformers import PreTrainedModel, PreTrainedTokenizerBase, Trainer

    from ...offline.checkpoints import Checkpoint
    from ..recipes import Recipe


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
    from ...lessons.trainer import COURSE_TRAINING_ARGS, build_trainer
    from ...lessons.training import load_classifier
    from ..recipes import build_recipe_trainer

    _progress(
        f"1/6 fine-tuning: course recipe ({COURSE_TRAINING_ARGS['num_train_epochs']} epochs, batch "
        f"{COURSE_TRAINING_ARGS['per_device_train_batch_size']}, {len(train_lengths)} pairs)"
    )
    course_model = load_classifier(checkpoint, seed=seed)
    course_trainer = build_trainer(
        course_model, tokenizer, tokenized, workdir / "course", save_strategy="no", seed=seed
    )
    course = train_and_clock(course_trainer, COURSE_TRAINING_ARGS["num_train_epochs"], train_lengths, size)
    del course_model, course_trainer

    _progress(
        f"1/6 fine-tuning: hfcourse recipe ({recipe.epochs} epochs, batch {recipe.batch_size}, "
        f"{'length-grouped' if recipe.length_grouped else 'random'} batches, dropout "
        f"{'as the checkpoint' if recipe.dropout is None else recipe.dropout})"
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
