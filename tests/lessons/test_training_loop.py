"""The course's training loop on tiny slices: plain and with Accelerate, progress bars, bad settings, and
SST-2 learning with only the text columns changed."""

from __future__ import annotations

import sys

import pytest

from hfcourse import load_glue
from hfcourse.lessons.tokenization import tokenize_dataset
from hfcourse.lessons.training import (
    limit_samples,
    load_classifier,
    weights_fingerprint,
)
from hfcourse.lessons.training_loop import make_accelerator, train_loop
from tests.lessons.history_checks import check_history


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
    from hfcourse.lessons.training_loop import _progress_enabled

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
