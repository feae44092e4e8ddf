"""Hostile notebook parameters. Papermill passes whatever a user typed to the helpers that a
notebook's first cells call with its parameters (``run_size``, ``limit_samples``, ``resolve_checkpoint``,
``load_glue``, ``pipeline``, ``train_tokenizer``); each value is either used as meant or refused at once with
an error that names the parameter (or the value) and the fix: no deep traceback, no silent other run."""

from __future__ import annotations

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from hfcourse import data_source, load_glue, pipeline, resolve_checkpoint
from hfcourse.lessons.pipelines import UnknownTaskError
from hfcourse.lessons.subwords import train_tokenizer
from hfcourse.lessons.training import FAST_EVAL_SAMPLES, FAST_TRAIN_SAMPLES, limit_samples, run_size
from hfcourse.offline.checkpoints import ModelNotFoundError, UnknownRoleError

# What a user can put on papermill's command line (-p parses YAML, -r keeps the raw string) or in the cell.
ANY_VALUE = (
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["False", "True", "3", "-1", "none", "", " ", "\x00"])
    | st.lists(st.integers(), max_size=2)
    | st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)
)
USER_ERRORS = (TypeError, ValueError, FileNotFoundError, NotADirectoryError, ModelNotFoundError)


def is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def refused(call, *names: str) -> str:
    """Call, expect a user error whose message names one of ``names``; return the message."""
    with pytest.raises(USER_ERRORS) as caught:
        call()
    message = str(caught.value)
    assert any(name in message for name in names), f"{type(caught.value).__name__}: {message!r} names none of {names}"
    assert "\n" not in message.strip()
    return message


@settings(max_examples=300, deadline=None)
@given(fast=ANY_VALUE, epochs=ANY_VALUE | st.integers(1, 5), max_train_samples=ANY_VALUE | st.integers(1, 500))
def test_run_size_parameters(fast, epochs, max_train_samples):
    valid = isinstance(fast, bool) and is_count(epochs) and (max_train_samples is None or is_count(max_train_samples))
    if not valid:
        refused(lambda: run_size(fast, epochs, max_train_samples), "fast=", "epochs=", "max_train_samples=")
        event("refused")
        return
    size = run_size(fast, epochs, max_train_samples)
    if fast:
        assert size.epochs == 1 and size.max_eval_samples == FAST_EVAL_SAMPLES
        assert size.max_train_samples == min(max_train_samples or FAST_TRAIN_SAMPLES, FAST_TRAIN_SAMPLES)
    else:
        assert (size.epochs, size.max_train_samples, size.max_eval_samples) == (epochs, max_train_samples, None)
    event("used")


@pytest.fixture(scope="module")
def embedded_mrpc():
    return load_glue("mrpc")


@settings(max_examples=150, deadline=None)
@given(max_train_samples=ANY_VALUE | st.integers(1, 2000), max_eval_samples=ANY_VALUE | st.integers(1, 2000))
def test_limit_samples_parameters(embedded_mrpc, max_train_samples, max_eval_samples):
    valid = all(value is None or is_count(value) for value in (max_train_samples, max_eval_samples))
    if not valid:
        refused(
            lambda: limit_samples(embedded_mrpc, max_train_samples, max_eval_samples),
            "max_train_samples=",
            "max_eval_samples=",
        )
        return
    limited = limit_samples(embedded_mrpc, max_train_samples, max_eval_samples)
    for split, limit in (("train", max_train_samples), ("validation", max_eval_samples)):
        whole = len(embedded_mrpc[split])
        assert len(limited[split]) == (whole if limit is None else min(limit, whole))
    assert data_source(limited) == data_source(embedded_mrpc)


@settings(max_examples=150, deadline=None)
@given(checkpoint=ANY_VALUE.filter(lambda value: value is not None))
def test_checkpoint_parameter(checkpoint):
    refused(
        lambda: resolve_checkpoint("encoder", checkpoint), "checkpoint=", "Model ", "Model folder", "Local model path"
    )


@settings(max_examples=150, deadline=None)
@given(data_dir=ANY_VALUE.filter(lambda value: value is not None))
def test_data_dir_parameter(data_dir):
    refused(lambda: load_glue("mrpc", data_dir), "data_dir", "GLUE folder", "No GLUE mrpc files")


@settings(max_examples=100, deadline=None)
@given(task=ANY_VALUE | st.sampled_from(["mrpc", "MRPC", "sst-2", "cola", "glue"]))
def test_task_parameter(task):
    if isinstance(task, str) and task.lower().replace("-", "") in ("mrpc", "sst2"):
        assert set(load_glue(task)) >= {"train", "validation"}
        return
    refused(lambda: load_glue(task), "Unknown GLUE task")


@settings(max_examples=100, deadline=None)
@given(task=ANY_VALUE)
def test_pipeline_task_parameter(task):
    with pytest.raises((UnknownTaskError, TypeError)) as caught:
        pipeline(task)
    assert "sentiment-analysis" in str(caught.value)


@settings(max_examples=100, deadline=None)
@given(vocab_size=ANY_VALUE | st.integers(300, 400))
def test_vocab_size_parameter(vocab_size):
    texts = ["the cat sat on the mat", "a dog ran in the park"] * 5
    if is_count(vocab_size):
        assert train_tokenizer("wordpiece", texts, vocab_size).get_vocab_size() <= max(vocab_size, 64)
        return
    if vocab_size is None:
        refused(lambda: train_tokenizer("wordpiece", texts, vocab_size), "needs vocab_size")
        return
    refused(lambda: train_tokenizer("wordpiece", texts, vocab_size), "vocab_size=")


def test_unknown_role_lists_the_known_ones():
    for role in (None, 3, "encoders", ""):
        with pytest.raises(UnknownRoleError, match="Known roles: "):
            resolve_checkpoint(role)


def test_a_file_given_as_data_dir_is_named(tmp_path):
    (tmp_path / "train.tsv").write_text("x")
    message = refused(lambda: load_glue("mrpc", tmp_path / "train.tsv"), "is a file")
    assert str(tmp_path / "train.tsv") in message


def test_no_value_above_is_silently_fast():
    # The string "False" is true in Python: a run given -r fast False would silently be the quick one.
    with pytest.raises(TypeError, match="give True or False"):
        run_size("False")
