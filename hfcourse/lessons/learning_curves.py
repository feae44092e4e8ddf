"""Reading a learning curve aloud (course 3.5, "Understanding learning curves"; used in 03_3_trainer,
03_4a_training_loop and 03_4b_accelerate): what the per-epoch accuracy, F1 and losses of a fine-tuning run say,
set against the majority-class baseline and the course's own figures.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["MRPC_REFERENCES", "ReferenceResult", "majority_baseline", "read_learning_curve", "results_in_context"]

# Closer than this to the majority baseline, an accuracy is the baseline: a few pairs either way (half of it
# is the smallest fall in F1 worth a sentence).
BASELINE_MARGIN = 0.01
# Printed lines are wrapped to fit a notebook's output area.
LINE_WIDTH = 100
# A loss that moves less than this between epochs has flattened.
FLAT_LOSS = 0.01


@dataclass(frozen=True)
class ReferenceResult:
    """A published or measured MRPC validation result to set a run beside."""

    label: str
    accuracy: float
    f1: float


MRPC_REFERENCES: dict[str, ReferenceResult] = {
    # The course's chapter 3 output (Trainer, 3 epochs, batch 8, learning rate 5e-5).
    "course": ReferenceResult("the course: bert-base-uncased (110M parameters), real MRPC", 0.8554, 0.8988),
    # scripts/mrpc_full.py on the real GLUE MRPC, same recipe and seed (README "Results").
    "trainer": ReferenceResult("MiniLM (22.7M parameters), real MRPC, Trainer", 0.8088, 0.8704),
    "loop": ReferenceResult("MiniLM (22.7M parameters), real MRPC, this loop", 0.7990, 0.8581),
}


def majority_baseline(labels: Sequence[int]) -> ReferenceResult:
    """Always answering the commoner label (MRPC: 1, "equivalent"): its accuracy, and the F1 of class 1."""
    if not labels:
        raise ValueError("majority_baseline: no labels; give the validation set's labels.")
    positive_share = sum(1 for label in labels if label == 1) / len(labels)
    majority = max(positive_share, 1 - positive_share)
    f1 = 2 * positive_share / (1 + positive_share) if positive_share >= 0.5 else 0.0
    return ReferenceResult("always answering the commoner label", majority, f1)


def _at_baseline(accuracy: float, baseline: float) -> bool:
    return abs(accuracy - baseline) < BASELINE_MARGIN


def _above(accuracy: float, baseline: float) -> str:
    points = 100 * (accuracy - baseline)
    if _at_baseline(accuracy, baseline):
        return f"at the baseline ({baseline:.4f}, always answering the commoner label)"
    return f"{abs(points):.1f} points {'above' if points > 0 else 'below'} the baseline ({baseline:.4f})"


def read_learning_curve(history: Sequence[Mapping[str, Any]], majority_accuracy: float) -> list[str]:
    """What a per-epoch history says, in sentences: how the first and the last epoch compare with the
    majority-class baseline, whether the model peaked before the end, and what the losses do.

    Args:
        history: one mapping per epoch with ``epoch``, ``accuracy``, ``f1`` and ``loss`` (training loss);
            ``eval_loss`` too where the run logged it (the ``Trainer``).
        majority_accuracy: the accuracy of always answering the commoner label on the same validation set.
    """
    if not history:
        raise ValueError("read_learning_curve: the history is empty; train for at least one epoch first.")
    first, last = history[0], history[-1]
    opening = _above(first["accuracy"], majority_accuracy)
    lines = [f"Epoch {first['epoch']}: accuracy {first['accuracy']:.4f}, {opening}."]
    if _at_baseline(first["accuracy"], majority_accuracy):
        lines.append(
            "At the baseline the model answers (nearly) always the commoner label: it has learned how often "
            "each label comes, not yet what makes a paraphrase."
        )
    if len(history) > 1:
        lines.append(
            f"Epoch {last['epoch']}: accuracy {last['accuracy']:.4f}, {_above(last['accuracy'], majority_accuracy)}."
        )
        best = max(history, key=lambda record: record["accuracy"])
        if best is not last and best["accuracy"] - last["accuracy"] >= BASELINE_MARGIN:
            lines.append(
                f"Accuracy peaked at epoch {best['epoch']} ({best['accuracy']:.4f}) and fell after it: the later "
                "epochs fitted the training pairs at the expense of unseen ones (overfitting), or the peak was noise."
            )
        if history[-2]["f1"] - last["f1"] >= BASELINE_MARGIN / 2 and last["accuracy"] > history[-2]["accuracy"]:
            lines.append(
                f"F1 fell in the last epoch ({history[-2]['f1']:.4f} -> {last['f1']:.4f}) while accuracy rose: the "
                "model answers 'not equivalent' more often now, right more often overall but missing some paraphrases."
            )
        losses = [record["loss"] for record in history]
        if losses[0] - losses[-1] < FLAT_LOSS:
            lines.append(
                f"The training loss barely moved ({losses[0]:.4f} -> {losses[-1]:.4f}): too few steps, or a learning "
                "rate too small, to learn."
            )
        else:
            lines.append(f"The training loss fell from {losses[0]:.4f} to {losses[-1]:.4f}.")
        if all("eval_loss" in record for record in history):
            eval_losses = [record["eval_loss"] for record in history]
            rises = [history[i + 1]["epoch"] for i in range(len(history) - 1) if eval_losses[i + 1] > eval_losses[i]]
            if rises:
                lines.append(
                    f"The validation loss rose at epoch {', '.join(map(str, rises))}: on unseen pairs the model grows "
                    "more confident than it is right, the first sign of overfitting; more epochs would not help."
                )
            else:
                lines.append(
                    f"The validation loss fell every epoch ({eval_losses[0]:.4f} -> {eval_losses[-1]:.4f}): no sign "
                    "of overfitting yet, so more epochs or more data could still help."
                )
    return [textwrap.fill(line, LINE_WIDTH, subsequent_indent="  ") for line in lines]


def results_in_context(
    final: Mapping[str, float], labels: Sequence[int], references: Sequence[str] = ("course", "trainer")
) -> str:
    """A table: this run's final accuracy and F1, the majority baseline on the same validation set, and the
    reference results named by ``references`` (keys of ``MRPC_REFERENCES``)."""
    baseline = majority_baseline(labels)
    rows = [("this run", final["accuracy"], final["f1"]), (baseline.label, baseline.accuracy, baseline.f1)]
    rows += [(MRPC_REFERENCES[key].label, MRPC_REFERENCES[key].accuracy, MRPC_REFERENCES[key].f1) for key in references]
    width = max(len(label) for label, _, _ in rows)
    lines = [f"{'':{width}}  accuracy      F1"]
    lines += [f"{label:{width}}  {accuracy:>8.4f}  {f1:>6.4f}" for label, accuracy, f1 in rows]
    return "\n".join(lines)
