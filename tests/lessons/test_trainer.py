"""The course's Trainer on tiny slices: its arguments and metrics, option errors, history and resuming."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch

from hfcourse import load_glue
from hfcourse.lessons.metrics import classification_metrics
from hfcourse.lessons.trainer import build_trainer, trainer_history
from hfcourse.lessons.training import (
    load_classifier,
    weights_fingerprint,
)
from hfcourse.lessons.training_loop import train_loop
from tests.lessons.history_checks import check_history


def test_build_trainer_sets_up_the_course_recipe_and_its_metrics(checkpoint, tokenizer, tiny_mrpc, tmp_path):
    trainer = build_trainer(load_classifier(checkpoint), tokenizer, tiny_mrpc, tmp_path, learning_rate=3e-5)
    args = trainer.args
    assert (args.eval_strategy, args.logging_strategy, args.save_strategy) == ("epoch", "epoch", "epoch")
    assert (args.num_train_epochs, args.per_device_train_batch_size, args.seed, args.learning_rate) == (3, 8, 42, 3e-5)
    assert args.report_to == []  # report_to="none"
    assert args.disable_tqdm and args.use_cpu == (not torch.cuda.is_available())
    assert trainer.processing_class is tokenizer
    metrics = trainer.evaluate()
    prediction = trainer.predict(tiny_mrpc["validation"])
    assert prediction.predictions.shape == (16, 2) and prediction.label_ids.shape == (16,)
    expected = classification_metrics(prediction.predictions.argmax(-1), tiny_mrpc["validation"]["labels"])
    assert metrics["eval_accuracy"] == pytest.approx(expected["accuracy"])
    assert metrics["eval_f1"] == pytest.approx(expected["f1"])


@pytest.mark.parametrize(
    "override, hint",
    [
        ({"evaluation_strategy": "epoch"}, "use eval_strategy instead"),
        ({"learning_rat": 1e-5}, "did you mean learning_rate"),
    ],
)
def test_unknown_trainer_option_names_the_fix(checkpoint, tokenizer, tiny_mrpc, tmp_path, override, hint):
    with pytest.raises(TypeError, match=hint):
        build_trainer(load_classifier(checkpoint), tokenizer, tiny_mrpc, tmp_path, **override)


def test_untokenized_data_is_refused(checkpoint, tokenizer, tmp_path):
    with pytest.raises(ValueError, match="tokenize_dataset"):
        build_trainer(load_classifier(checkpoint), tokenizer, load_glue("mrpc"), tmp_path)
    with pytest.raises(ValueError, match="'train' and 'validation'"):
        train_loop(load_classifier(checkpoint), tokenizer, {"train": None})


def test_trainer_history_and_resume_from_checkpoint(checkpoint, tokenizer, tiny_mrpc, tmp_path):
    settings = {"num_train_epochs": 2, "save_total_limit": None}
    trainer = build_trainer(load_classifier(checkpoint), tokenizer, tiny_mrpc, tmp_path / "full", **settings)
    trainer.train()
    history = trainer_history(trainer)
    check_history(history, 2)
    after_epoch_1 = tmp_path / "full" / "checkpoint-2"  # 16 samples / batch 8 = 2 steps per epoch
    assert (after_epoch_1 / "model.safetensors").is_file()

    # An interrupted run picks up after epoch 1 and ends exactly where the uninterrupted run did.
    resumed = build_trainer(load_classifier(checkpoint, seed=0), tokenizer, tiny_mrpc, tmp_path / "resumed", **settings)
    resumed.train(resume_from_checkpoint=str(after_epoch_1))
    assert resumed.state.global_step == trainer.state.global_step == 4
    assert weights_fingerprint(resumed.model) == weights_fingerprint(trainer.model)
    resumed_history = trainer_history(resumed)
    check_history(resumed_history, 2)
    for record, expected in zip(resumed_history, history, strict=True):
        assert record["loss"] == pytest.approx(expected["loss"], rel=1e-4)
        assert (record["accuracy"], record["f1"]) == (expected["accuracy"], expected["f1"])


def test_trainer_history_reads_step_and_epoch_logs():
    log_history = [
        {"loss": 0.7, "epoch": 0.5, "step": 1},
        {"epoch_seconds": 2.0, "epoch": 1.0, "step": 2},
        {"loss": 0.5, "epoch": 1.0, "step": 2},
        {"eval_loss": 0.6, "eval_accuracy": 0.75, "eval_f1": 0.8, "epoch": 1.0, "step": 2},
        {"loss": 0.3, "epoch": 1.5, "step": 3},
        {"epoch_seconds": 3.0, "epoch": 2.0, "step": 4},
        {"eval_loss": 0.5, "eval_accuracy": 0.875, "eval_f1": 0.9, "epoch": 2.0, "step": 4},
        {"train_runtime": 9.0, "train_loss": 0.5, "epoch": 2.0, "step": 4},
    ]
    history = trainer_history(SimpleNamespace(state=SimpleNamespace(log_history=log_history)))
    assert history == [
        {"epoch": 1, "loss": pytest.approx(0.6), "accuracy": 0.75, "f1": 0.8, "seconds": 2.0},
        {"epoch": 2, "loss": 0.3, "accuracy": 0.875, "f1": 0.9, "seconds": 3.0},
    ]
    without_eval = [entry for entry in log_history if "eval_f1" not in entry]
    with pytest.raises(ValueError, match="epoch 1 has no accuracy, f1.*eval_strategy='epoch'"):
        trainer_history(SimpleNamespace(state=SimpleNamespace(log_history=without_eval)))


# ---- manual loop ----------------------------------------------------------------------------------
