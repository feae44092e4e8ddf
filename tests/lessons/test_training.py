"""Fine-tuning helpers on tiny slices: Trainer setup and metrics, resume, the manual loop plain and with
Accelerate, history format, save/reload, seeding, SST-2 learning with only text_columns changed."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import pytest
import torch
from transformers import AutoTokenizer

from hfcourse import load_glue
from hfcourse.lessons.collation import make_collator
from hfcourse.lessons.metrics import classification_metrics
from hfcourse.lessons.tokenization import tokenize_dataset
from hfcourse.lessons.training import (
    RunSize,
    build_trainer,
    history_table,
    limit_samples,
    load_classifier,
    make_accelerator,
    run_size,
    save_finetuned,
    train_loop,
    trainer_history,
    weights_fingerprint,
)

HISTORY_KEYS = {"epoch", "loss", "accuracy", "f1", "seconds"}


def check_history(history, epochs):
    assert [record["epoch"] for record in history] == list(range(1, epochs + 1))
    for record in history:
        assert set(record) == HISTORY_KEYS
        assert isinstance(record["epoch"], int)
        assert 0.0 < record["loss"] < 5.0 and record["seconds"] > 0.0
        assert 0.0 <= record["accuracy"] <= 1.0 and 0.0 <= record["f1"] <= 1.0


# ---- data and model ---------------------------------------------------------------------------------


def test_limit_samples_keeps_the_first_rows_and_the_source():
    raw = load_glue("mrpc")
    limited = limit_samples(raw, 5, 3)
    assert (limited["train"].num_rows, limited["validation"].num_rows) == (5, 3)
    assert limited["train"]["idx"] == raw["train"]["idx"][:5]
    assert limited.source == raw.source
    assert limit_samples(raw, 10**9)["train"].num_rows == raw["train"].num_rows
    with pytest.raises(ValueError, match="max_train_samples=0"):
        limit_samples(raw, 0)


def test_run_size_fast_is_small_and_full_is_as_given():
    assert run_size(fast=True) == run_size(fast=True, epochs=5) == RunSize(1, 200, 100)
    assert run_size(fast=True, max_train_samples=50).max_train_samples == 50
    assert run_size(fast=False, epochs=2, max_train_samples=300) == RunSize(2, 300, None)
    assert str(run_size(fast=False)) == "3 epochs, all training pairs, all validation pairs"
    with pytest.raises(ValueError, match="epochs=0"):
        run_size(fast=False, epochs=0)


def test_history_table_rounds():
    table = history_table([{"epoch": 1, "loss": 0.123456, "accuracy": 0.8, "f1": 0.86666, "seconds": 12.34}])
    assert table.splitlines() == [
        "epoch     loss  accuracy      f1  seconds",
        "    1   0.1235    0.8000  0.8667     12.3",
    ]


def test_load_classifier_is_seeded_and_quiet(checkpoint, capfd):
    first, again, other = load_classifier(checkpoint), load_classifier(checkpoint), load_classifier(checkpoint, seed=7)
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""
    assert weights_fingerprint(first) == weights_fingerprint(again) != weights_fingerprint(other)
    assert first.config.num_labels == 2 and first.dtype == torch.float32


def test_saved_model_reloads_with_identical_logits(checkpoint, tokenizer, tiny_mrpc, tmp_path):
    model = load_classifier(checkpoint, label_names=["not_equivalent", "equivalent"]).eval()
    folder = save_finetuned(model, tokenizer, tmp_path / "model")
    assert (folder / "model.safetensors").is_file() and not list(folder.glob("*.bin"))
    reloaded = load_classifier(folder).eval()
    assert reloaded.config.id2label == {0: "not_equivalent", 1: "equivalent"}
    batch = make_collator(tokenizer)([tiny_mrpc["validation"].remove_columns("idx")[index] for index in range(4)])
    with torch.no_grad():
        assert torch.equal(model(**batch).logits, reloaded(**batch).logits)
    assert AutoTokenizer.from_pretrained(folder)("a b")["input_ids"] == tokenizer("a b")["input_ids"]


def test_label_names_must_match_num_labels(checkpoint):
    with pytest.raises(ValueError, match="one name per class"):
        load_classifier(checkpoint, num_labels=2, label_names=["only one"])


# ---- Trainer ------------------------------------------------------------------------------------------


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
    for record, expected in zip(resumed_history, history):
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


def test_train_loop_plain_and_with_accelerator_agree(checkpoint, tokenizer, tiny_mrpc):
    seen: list[list[int]] = []
    plain_model = load_classifier(checkpoint)
    plain = train_loop(
        plain_model,
        tokenizer,
        tiny_mrpc,
        epochs=1,
        on_batch=lambda epoch, batch: seen.append((epoch, batch["idx"].tolist())),
    )
    check_history(plain, 1)
    assert [(epoch, len(ids)) for epoch, ids in seen] == [(1, 8), (1, 8)]
    batches = [ids for _, ids in seen]
    assert sorted(sum(batches, [])) == sorted(tiny_mrpc["train"]["idx"])
    assert sum(batches, []) != sorted(sum(batches, []))  # shuffled

    accelerated_model = load_classifier(checkpoint)
    accelerated = train_loop(accelerated_model, tokenizer, tiny_mrpc, epochs=1, accelerator=make_accelerator())
    check_history(accelerated, 1)
    # One process: the same seed gives the same batches, so the same weights and numbers.
    assert weights_fingerprint(accelerated_model) == weights_fingerprint(plain_model)
    assert [(r["loss"], r["accuracy"], r["f1"]) for r in accelerated] == [
        (r["loss"], r["accuracy"], r["f1"]) for r in plain
    ]
    assert weights_fingerprint(plain_model) != weights_fingerprint(load_classifier(checkpoint))  # it trained


def test_progress_bar_is_off_in_headless_runs_unless_asked():
    from hfcourse.lessons.training import _progress_enabled

    assert not sys.stderr.isatty()  # pytest captures it, as a pipe or a file would
    assert _progress_enabled(None, None) is False
    assert _progress_enabled(True, None) is True


def test_train_loop_refuses_bad_settings(checkpoint, tokenizer, tiny_mrpc):
    model = load_classifier(checkpoint)
    with pytest.raises(ValueError, match="epochs=0"):
        train_loop(model, tokenizer, tiny_mrpc, epochs=0)
    with pytest.raises(ValueError, match="learning_rate=-1"):
        train_loop(model, tokenizer, tiny_mrpc, learning_rate=-1)


def test_sst2_learns_with_only_text_columns_changed(checkpoint, tokenizer, real_glue_dir):
    raw = limit_samples(load_glue("sst2", real_glue_dir / "sst2"), max_train_samples=256, max_eval_samples=200)
    tokenized = tokenize_dataset(raw, tokenizer, text_columns=("sentence",))
    history = train_loop(load_classifier(checkpoint), tokenizer, tokenized, epochs=2, learning_rate=2e-4, batch_size=16)
    check_history(history, 2)
    majority = max(raw["validation"]["label"].count(0), raw["validation"]["label"].count(1)) / 200
    assert majority < 0.55
    assert history[-1]["accuracy"] >= 0.70  # 0.765 measured; chance is 0.5
