"""03_2_processing_data's own code against the package's copies of it.

The notebook writes the course's ``tokenize_function`` with ``raw_datasets.map(tokenize_function,
batched=True)`` (cell tagged ``course:tokenize-function``) and builds a ``DataCollatorWithPadding`` batch from
the first 8 pairs (``course:data-collator``). ``hfcourse.tokenize_dataset`` and ``hfcourse.make_collator``
hold the same code for the later notebooks. These tests run the tagged cells from the committed notebook on a
few pairs of the embedded MRPC set and compare token ids, columns and padded batches exactly.
"""

from __future__ import annotations

import pytest
import torch
from transformers import DataCollatorWithPadding

import hfcourse
from tests.notebook_code import run_tagged

NOTEBOOK = "03_2_processing_data"
MODEL_COLUMNS = ["input_ids", "token_type_ids", "attention_mask"]


@pytest.fixture(scope="module")
def raw_datasets():
    """The first 16 training and 8 validation pairs of the embedded MRPC set."""
    return hfcourse.limit_samples(hfcourse.load_glue("mrpc"), 16, 8)


def notebook_tokenized(raw_datasets, tokenizer):
    namespace = run_tagged(NOTEBOOK, "course:tokenize-function", {"raw_datasets": raw_datasets, "tokenizer": tokenizer})
    return namespace["tokenized_datasets"]


def test_tokenize_function_and_map_give_the_token_ids_of_tokenize_dataset(raw_datasets, tokenizer):
    course = notebook_tokenized(raw_datasets, tokenizer)
    package = hfcourse.tokenize_dataset(raw_datasets, tokenizer)
    assert list(course) == list(package) == ["train", "validation"]
    for split in package:
        # the map adds the tokenizer's columns to the raw ones; the package also drops the text and idx
        assert course[split].column_names == raw_datasets[split].column_names + MODEL_COLUMNS
        assert package[split].column_names == ["labels", *MODEL_COLUMNS]
        for column in MODEL_COLUMNS:
            assert course[split][column] == package[split][column], (split, column)
        assert course[split]["label"] == package[split]["labels"]


def test_the_course_cleanup_of_the_mapped_dataset_gives_tokenize_dataset(raw_datasets, tokenizer):
    """The clean-up the manual loop does (drop the text and idx, rename label) turns one into the other."""
    course = notebook_tokenized(raw_datasets, tokenizer)
    cleaned = course.remove_columns(["sentence1", "sentence2", "idx"]).rename_column("label", "labels")
    package = hfcourse.tokenize_dataset(raw_datasets, tokenizer)
    for split in package:
        assert cleaned[split].column_names == package[split].column_names
        assert cleaned[split].to_dict() == package[split].to_dict()


def test_the_notebook_collator_pads_like_make_collator(raw_datasets, tokenizer):
    namespace = run_tagged(NOTEBOOK, "course:tokenize-function", {"raw_datasets": raw_datasets, "tokenizer": tokenizer})
    namespace["DataCollatorWithPadding"] = DataCollatorWithPadding  # the notebook's import
    run_tagged(NOTEBOOK, "course:data-collator", namespace)
    course_batch = namespace["batch"]

    package_data = hfcourse.tokenize_dataset(raw_datasets, tokenizer)["train"]
    package_batch = hfcourse.make_collator(tokenizer)([package_data[index] for index in range(8)])
    assert sorted(course_batch) == sorted(package_batch)
    for name in package_batch:
        torch.testing.assert_close(course_batch[name], package_batch[name], rtol=0, atol=0, msg=name)
