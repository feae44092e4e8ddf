"""Reading a learning curve aloud: the sentences follow the numbers."""

from __future__ import annotations

import pytest

from hfcourse.lessons.learning_curves import majority_baseline, read_learning_curve, results_in_context


def epochs(*rows: tuple[float, float, float, float]) -> list[dict[str, float]]:
    return [
        {"epoch": number, "loss": loss, "eval_loss": eval_loss, "accuracy": accuracy, "f1": f1}
        for number, (loss, eval_loss, accuracy, f1) in enumerate(rows, start=1)
    ]


def test_a_first_epoch_at_the_baseline_is_called_so_and_a_learning_model_is_measured_against_it() -> None:
    lines = read_learning_curve(epochs((0.65, 0.64, 0.648, 0.786), (0.55, 0.52, 0.80, 0.86)), 0.648)
    assert lines[0] == "Epoch 1: accuracy 0.6480, at the baseline (0.6480, always answering the commoner label)."
    assert "learned how often each label comes" in " ".join(lines[1].split())
    assert lines[2] == "Epoch 2: accuracy 0.8000, 15.2 points above the baseline (0.6480)."
    assert all(len(row) <= 100 for line in lines for row in line.splitlines())
    assert "The training loss fell from 0.6500 to 0.5500." in lines
    assert any(line.startswith("The validation loss fell every epoch (0.6400 -> 0.5200)") for line in lines)


def test_overfitting_a_falling_f1_and_a_flat_loss_are_read_out() -> None:
    history = epochs((0.60, 0.50, 0.70, 0.80), (0.40, 0.45, 0.78, 0.85), (0.595, 0.55, 0.74, 0.80))
    lines = read_learning_curve(history, 0.65)
    assert any("peaked at epoch 2 (0.7800)" in " ".join(line.split()) for line in lines)
    assert any("validation loss rose at epoch 3" in " ".join(line.split()) for line in lines)
    assert any("barely moved (0.6000 -> 0.5950)" in " ".join(line.split()) for line in lines)
    barely_lower_f1 = epochs((0.6, 0.5, 0.70, 0.850), (0.4, 0.4, 0.72, 0.848))
    assert not any(line.startswith("F1 fell") for line in read_learning_curve(barely_lower_f1, 0.6))
    rising_accuracy = epochs((0.6, 0.5, 0.70, 0.85), (0.4, 0.4, 0.72, 0.80))
    assert any(
        line.startswith("F1 fell in the last epoch (0.8500 -> 0.8000)")
        for line in read_learning_curve(rising_accuracy, 0.6)
    )


def test_a_history_without_validation_loss_reads_the_training_loss_only() -> None:
    history = [
        {"epoch": 1, "loss": 0.6, "accuracy": 0.7, "f1": 0.8},
        {"epoch": 2, "loss": 0.4, "accuracy": 0.75, "f1": 0.82},
    ]
    lines = read_learning_curve(history, 0.65)
    assert not any("validation loss" in " ".join(line.split()) for line in lines)
    with pytest.raises(ValueError, match="the history is empty"):
        read_learning_curve([], 0.65)


def test_the_majority_baseline_and_the_table_in_context() -> None:
    baseline = majority_baseline([1] * 279 + [0] * 129)  # the real MRPC validation set
    assert (round(baseline.accuracy, 4), round(baseline.f1, 4)) == (0.6838, 0.8122)
    assert majority_baseline([0, 0, 1]).f1 == 0.0
    table = results_in_context({"accuracy": 0.8, "f1": 0.85}, [1, 1, 0, 1])
    assert table.splitlines()[1].split()[-2:] == ["0.8000", "0.8500"]
    assert "bert-base-uncased" in table and "0.8554" in table and "0.8088" in table
    with pytest.raises(ValueError, match="no labels"):
        majority_baseline([])
