"""03_4a_training_loop's own code against the package's copy of it, ``hfcourse.train_loop``.

The notebook writes the course's data preparation (``tokenize_function``, ``map``, ``remove_columns``,
``rename_column("label", "labels")``, ``set_format("torch")``: cell ``course:loop-data``), the data loaders
(``course:dataloaders``), the model (``course:model``), ``torch.optim.AdamW`` with ``get_scheduler``
(``course:optimizer``), the evaluation loop (``course:evaluation-loop``) and the training loop
(``course:training-loop``). These tests run those cells from the committed notebook on 16 training and 8
validation pairs of the embedded MRPC set (2 epochs of 2 steps) and compare them with ``tokenize_dataset`` and
``train_loop`` on the same pairs with the same seed: same columns and token ids, the same loss of every epoch,
the same accuracy and F1, bit-identical final weights.
"""

from __future__ import annotations

import time

import pytest
import torch
from sklearn.metrics import accuracy_score, f1_score
from torch.utils.data import DataLoader
from transformers import AutoModelForSequenceClassification, DataCollatorWithPadding, get_scheduler, set_seed

import hfcourse
from tests.notebook_code import run_tagged

NOTEBOOK = "03_4a_training_loop"
EPOCHS = 2
LOOP_CELLS = ("course:loop-data", "course:dataloaders", "course:model", "course:optimizer",
              "course:evaluation-loop", "course:training-loop")


@pytest.fixture(scope="module")
def raw_datasets():
    """The first 16 training and 8 validation pairs of the embedded MRPC set: 2 batches of 8 per epoch."""
    return hfcourse.limit_samples(hfcourse.load_glue("mrpc"), 16, 8)


def notebook_namespace(checkpoint, tokenizer, raw_datasets) -> dict:
    """What the notebook's earlier cells define: its imports, the checkpoint, tokenizer, data and run size."""
    return {
        "time": time, "torch": torch, "DataLoader": DataLoader, "DataCollatorWithPadding": DataCollatorWithPadding,
        "AutoModelForSequenceClassification": AutoModelForSequenceClassification, "get_scheduler": get_scheduler,
        "set_seed": set_seed, "accuracy_score": accuracy_score, "f1_score": f1_score,
        "checkpoint": checkpoint, "tokenizer": tokenizer, "raw_datasets": raw_datasets,
        "size": hfcourse.run_size(False, EPOCHS, len(raw_datasets["train"])), "hfcourse": hfcourse,
    }


def test_the_course_preprocessing_gives_the_columns_and_token_ids_of_tokenize_dataset(checkpoint, tokenizer, raw_datasets):
    namespace = run_tagged(NOTEBOOK, "course:loop-data", notebook_namespace(checkpoint, tokenizer, raw_datasets))
    course = namespace["tokenized_datasets"]
    course.set_format(None)  # lists, as tokenize_dataset returns them
    package = hfcourse.tokenize_dataset(raw_datasets, tokenizer)
    for split in ("train", "validation"):
        assert course[split].column_names == package[split].column_names == ["labels", "input_ids", "token_type_ids", "attention_mask"]
        assert course[split].to_dict() == package[split].to_dict(), split


def test_the_notebook_loop_and_train_loop_give_identical_losses_metrics_and_weights(checkpoint, tokenizer, raw_datasets):
    namespace = notebook_namespace(checkpoint, tokenizer, raw_datasets)
    for tag in LOOP_CELLS:
        run_tagged(NOTEBOOK, tag, namespace)
    course_history, course_model = namespace["history"], namespace["model"]
    assert namespace["num_training_steps"] == EPOCHS * 2

    package_model = hfcourse.load_classifier(checkpoint)
    package_history = hfcourse.train_loop(
        package_model, tokenizer, hfcourse.tokenize_dataset(raw_datasets, tokenizer), epochs=EPOCHS, learning_rate=5e-5, batch_size=8
    )
    assert [record["epoch"] for record in course_history] == [record["epoch"] for record in package_history] == [1, 2]
    for course_record, package_record in zip(course_history, package_history):
        for key in ("loss", "accuracy", "f1"):
            assert course_record[key] == package_record[key], (course_record["epoch"], key, course_record, package_record)
    assert hfcourse.weights_fingerprint(course_model) == hfcourse.weights_fingerprint(package_model)
