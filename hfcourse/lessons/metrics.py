"""Accuracy and binary F1, equal to the GLUE MRPC metric, computed offline with scikit-learn.

``evaluate.load("glue", "mrpc")`` fetches a script from the Hub and fails offline; these give the same
numbers for any binary task and take the forms that ``Trainer(compute_metrics=...)`` and a manual loop use.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, f1_score

__all__ = ["classification_metrics", "compute_metrics"]


def classification_metrics(
    predictions: Sequence[int] | np.ndarray, references: Sequence[int] | np.ndarray
) -> dict[str, float]:
    """Accuracy and binary F1 (positive class 1) of predicted class ids against references."""
    predictions = np.asarray(predictions).reshape(-1)
    references = np.asarray(references).reshape(-1)
    if predictions.shape != references.shape:
        raise ValueError(f"{predictions.shape[0]} predictions for {references.shape[0]} references.")
    if predictions.size == 0:
        raise ValueError("No predictions to score.")
    return {
        "accuracy": float(accuracy_score(references, predictions)),
        "f1": float(f1_score(references, predictions, average="binary", zero_division=0.0)),
    }


def compute_metrics(eval_prediction: Any) -> dict[str, float]:
    """``Trainer(compute_metrics=compute_metrics)``: logits and labels in, accuracy and F1 out."""
    logits, labels = eval_prediction[0], eval_prediction[1]
    if isinstance(logits, tuple):  # models that also return hidden states
        logits = logits[0]
    return classification_metrics(np.argmax(logits, axis=-1), labels)
