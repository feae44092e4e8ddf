"""make_collator: each batch padded to its own longest sample; batch_shapes."""

from __future__ import annotations

import pytest
import torch
from transformers import AutoTokenizer

from hfcourse import load_glue, resolve_checkpoint
from hfcourse.lessons.collation import batch_shapes, make_collator
from hfcourse.lessons.tokenization import tokenize_dataset


@pytest.fixture(scope="module")
def tokenizer():
    return AutoTokenizer.from_pretrained(resolve_checkpoint("encoder").name_or_path)


@pytest.fixture(scope="module")
def train_samples(tokenizer) -> list[dict]:
    train = tokenize_dataset(load_glue("mrpc"), tokenizer)["train"]
    return [train[index] for index in range(8)]


def test_batch_is_padded_to_its_longest_sample(tokenizer, train_samples):
    lengths = [len(sample["input_ids"]) for sample in train_samples]
    batch = make_collator(tokenizer)(train_samples)
    longest = max(lengths)
    assert batch_shapes(batch) == {
        "labels": (8,),
        "input_ids": (8, longest),
        "token_type_ids": (8, longest),
        "attention_mask": (8, longest),
    }
    assert batch["attention_mask"].sum(dim=1).tolist() == lengths
    assert all(isinstance(value, torch.Tensor) for value in batch.values())
    shortest = lengths.index(min(lengths))
    assert set(batch["input_ids"][shortest, min(lengths) :].tolist()) <= {tokenizer.pad_token_id}
    assert batch["labels"].tolist() == [sample["labels"] for sample in train_samples]


def test_a_batch_of_shorter_samples_is_shorter(tokenizer, train_samples):
    by_length = sorted(train_samples, key=lambda sample: len(sample["input_ids"]))
    collator = make_collator(tokenizer)
    short, long = collator(by_length[:4]), collator(by_length[4:])
    assert short["input_ids"].shape[1] == len(by_length[3]["input_ids"]) < long["input_ids"].shape[1]


def test_real_mrpc_batch_shapes_match_the_course(tokenizer, real_glue_dir):
    train = tokenize_dataset(load_glue("mrpc", real_glue_dir / "mrpc"), tokenizer)["train"]
    batch = make_collator(tokenizer)([train[index] for index in range(8)])
    assert batch_shapes(batch) == {
        "labels": (8,),
        "input_ids": (8, 67),
        "token_type_ids": (8, 67),
        "attention_mask": (8, 67),
    }


def test_a_tokenizer_without_padding_token_is_refused_with_the_fix(tokenizer):
    no_padding = AutoTokenizer.from_pretrained(tokenizer.name_or_path)
    no_padding.pad_token = None
    with pytest.raises(ValueError, match="tokenizer.pad_token = tokenizer.eos_token"):
        make_collator(no_padding)


def test_something_else_than_a_tokenizer_is_refused():
    with pytest.raises(TypeError, match="AutoTokenizer"):
        make_collator("bert-base-uncased")
