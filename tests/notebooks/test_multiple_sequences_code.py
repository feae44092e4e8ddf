"""02_5_multiple_sequences' padding, attention mask and padding effect, run from its cells, against the package.

The notebook pads token ids by hand with ``tokenizer.pad_token_id``, builds the attention mask by hand and
runs the sequences alone, batched without the mask and batched with it, on the trained sentiment head.
``hfcourse.pad_sequences`` and ``hfcourse.compare_padding`` hold the same code; on the same sequences and the
same model both must give the same ids, mask and logits.
"""

from __future__ import annotations

import pytest
import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

import hfcourse
from tests.notebook_code import run_tagged

NOTEBOOK = "02_5_multiple_sequences"


@pytest.fixture(scope="module")
def sentiment() -> tuple:
    checkpoint = hfcourse.resolve_checkpoint("sentiment-analysis")
    tokenizer = AutoTokenizer.from_pretrained(checkpoint.name_or_path)
    model = AutoModelForSequenceClassification.from_pretrained(checkpoint.name_or_path, use_safetensors=True)
    return tokenizer, model.eval()


@pytest.fixture(scope="module")
def notebook_padding(sentiment: tuple) -> dict:
    """The notebook's cells on the course's two sequences ([200, 200, 200] and [200, 200])."""
    tokenizer, model = sentiment
    namespace = {"torch": torch, "tokenizer": tokenizer, "model": model}
    run_tagged(NOTEBOOK, "course:pad-by-hand", namespace)
    run_tagged(NOTEBOOK, "course:padding-effect", namespace)
    return namespace


def test_padding_by_hand_equals_pad_sequences(sentiment: tuple, notebook_padding: dict) -> None:
    tokenizer, _ = sentiment
    namespace = notebook_padding
    sequences = namespace["sequences"]
    expected_ids, expected_mask = hfcourse.pad_sequences(sequences, tokenizer.pad_token_id)
    assert torch.equal(torch.tensor(namespace["batched_ids"]), expected_ids)
    assert torch.equal(torch.tensor(namespace["attention_mask"]), expected_mask)


def test_padding_effect_equals_compare_padding(sentiment: tuple, notebook_padding: dict) -> None:
    tokenizer, model = sentiment
    namespace = notebook_padding
    sequences = namespace["sequences"]
    comparison = hfcourse.compare_padding(sequences, model, tokenizer.pad_token_id)
    torch.testing.assert_close(namespace["single_logits"], comparison.single_logits, rtol=0, atol=1e-6)
    torch.testing.assert_close(namespace["unmasked_logits"], comparison.unmasked_logits, rtol=0, atol=1e-6)
    torch.testing.assert_close(namespace["masked_logits"], comparison.masked_logits, rtol=0, atol=1e-6)
    torch.testing.assert_close(namespace["unmasked_difference"], comparison.unmasked_difference, rtol=0, atol=1e-6)


def test_batch_of_one_cell_runs_and_classifies(sentiment: tuple) -> None:
    tokenizer, model = sentiment
    namespace = {"torch": torch, "tokenizer": tokenizer, "model": model}
    run_tagged(NOTEBOOK, "course:batch-of-one", namespace)
    steps = hfcourse.classify_step_by_step(namespace["sequence"], tokenizer, model)
    # the course's batch of one has no [CLS]/[SEP]; its ids are the tokenizer's without them
    assert steps.inputs["input_ids"][0, 1:-1].tolist() == namespace["ids"]
    assert tuple(namespace["output"].logits.shape) == (1, 2)


def test_longest_sequence_equals_model_max_length(sentiment: tuple) -> None:
    tokenizer, model = sentiment
    namespace = {"torch": torch, "tokenizer": tokenizer, "model": model, "hfcourse": hfcourse,
                 "sequence": "I hate this so much!"}
    run_tagged(NOTEBOOK, "course:max-length", namespace)
    assert namespace["limit"] == hfcourse.model_max_length(tokenizer, model)
