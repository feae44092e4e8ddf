"""What the three ways of fine-tuning share: sample limits, run size, the history table, loading, saving and
seeding the classifier."""

from __future__ import annotations

import pytest
import torch
from transformers import AutoTokenizer

from hfcourse import data_source, load_glue
from hfcourse.lessons.collation import make_collator
from hfcourse.lessons.training import (
    RunSize,
    history_table,
    limit_samples,
    load_classifier,
    run_size,
    save_finetuned,
    weights_fingerprint,
)


def test_limit_samples_keeps_the_first_rows_and_the_source():
    raw = load_glue("mrpc")
    limited = limit_samples(raw, 5, 3)
    assert (limited["train"].num_rows, limited["validation"].num_rows) == (5, 3)
    assert limited["train"]["idx"] == raw["train"]["idx"][:5]
    assert data_source(limited) == data_source(raw)
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
