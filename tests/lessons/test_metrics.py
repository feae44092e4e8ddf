"""Accuracy and F1 equal to the GLUE MRPC metric, for Trainer and for a manual loop."""

from __future__ import annotations

import numpy as np
import pytest
from transformers import EvalPrediction

from hfcourse.lessons.metrics import classification_metrics, compute_metrics


def test_known_values():
    # 3 of 5 right; positives: tp=2, fp=1, fn=1 -> precision 2/3, recall 2/3, F1 2/3
    metrics = classification_metrics([1, 1, 0, 1, 0], [1, 1, 1, 0, 0])
    assert metrics == pytest.approx({"accuracy": 0.6, "f1": 2 / 3})


def test_seed_course_numbers_shape():
    # The course's MRPC result is reported as {'accuracy': ..., 'f1': ...}
    assert set(classification_metrics([0, 1], [0, 1])) == {"accuracy", "f1"}


def test_trainer_form_takes_logits():
    logits = np.array([[2.0, -1.0], [0.1, 0.3], [-3.0, 3.0], [1.0, 0.0]])
    labels = np.array([0, 1, 0, 0])
    metrics = compute_metrics(EvalPrediction(predictions=logits, label_ids=labels))
    assert metrics == pytest.approx({"accuracy": 0.75, "f1": 2 / 3})
    assert compute_metrics((logits, labels)) == metrics
    assert compute_metrics(((logits, np.zeros((4, 3))), labels)) == metrics  # logits plus extra outputs


def test_no_positive_prediction_gives_zero_f1_without_warning(recwarn):
    assert classification_metrics([0, 0], [1, 0]) == {"accuracy": 0.5, "f1": 0.0}
    assert not [w for w in recwarn if "F-score" in str(w.message)]


def test_length_mismatch_and_empty_input():
    with pytest.raises(ValueError, match="3 predictions for 2 references"):
        classification_metrics([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="No predictions"):
        classification_metrics([], [])
