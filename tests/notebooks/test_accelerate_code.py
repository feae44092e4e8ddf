"""03_4b_accelerate's own code against the package's copy of it, ``hfcourse.train_loop(..., accelerator=...)``.

The notebook writes the course's loop with the Accelerate changes as one ``training_function`` (cell
``course:accelerate-training-function``): ``Accelerator``, ``accelerator.prepare(...)``,
``accelerator.backward(loss)``, ``accelerator.gather_for_metrics`` for the metrics. The notebook launches it on
two processes with ``notebook_launcher`` and runs it on one. This test runs the cell from the committed notebook
on one process, on 16 training and 8 validation pairs of the embedded MRPC set (2 epochs of 2 steps), beside
``train_loop`` with an ``Accelerator`` on the same pairs and seed: the same loss, accuracy and F1 of every
epoch and bit-identical final weights.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import torch
from accelerate import Accelerator
from sklearn.metrics import accuracy_score, f1_score
from torch.utils.data import DataLoader
from transformers import AutoModelForSequenceClassification, DataCollatorWithPadding, get_scheduler, set_seed

import hfcourse
from tests.notebook_code import run_tagged

NOTEBOOK = "03_4b_accelerate"
EPOCHS = 2


def test_the_notebook_training_function_and_train_loop_with_an_accelerator_agree(checkpoint, tokenizer, tmp_path):
    raw_datasets = hfcourse.limit_samples(hfcourse.load_glue("mrpc"), 16, 8)
    tokenized_datasets = hfcourse.tokenize_dataset(raw_datasets, tokenizer)
    tokenized_datasets.set_format("torch")  # as the notebook's data cell does
    namespace = {
        "json": json, "time": time, "Path": Path, "torch": torch, "Accelerator": Accelerator,
        "accuracy_score": accuracy_score, "f1_score": f1_score, "DataLoader": DataLoader,
        "AutoModelForSequenceClassification": AutoModelForSequenceClassification,
        "get_scheduler": get_scheduler, "set_seed": set_seed, "hfcourse": hfcourse,
        "checkpoint": checkpoint, "tokenized_datasets": tokenized_datasets,
        "data_collator": DataCollatorWithPadding(tokenizer=tokenizer), "size": hfcourse.run_size(False, EPOCHS),
    }
    run_tagged(NOTEBOOK, "course:accelerate-training-function", namespace)
    course_history, course_model = namespace["training_function"](EPOCHS, tmp_path)
    report = json.loads((tmp_path / "rank-0.json").read_text())
    assert (report["world_size"], report["batches_per_epoch"]) == (1, 2)

    package_model = hfcourse.load_classifier(checkpoint)
    package_history = hfcourse.train_loop(
        package_model, tokenizer, hfcourse.tokenize_dataset(raw_datasets, tokenizer), epochs=EPOCHS, learning_rate=5e-5,
        batch_size=8, accelerator=hfcourse.make_accelerator(),
    )
    assert [record["epoch"] for record in course_history] == [record["epoch"] for record in package_history] == [1, 2]
    for course_record, package_record in zip(course_history, package_history):
        for key in ("loss", "accuracy", "f1"):
            assert course_record[key] == package_record[key], (course_record["epoch"], key, course_record, package_record)
    assert hfcourse.weights_fingerprint(course_model) == hfcourse.weights_fingerprint(package_model)
    assert report["weights_sha256"] == hfcourse.weights_fingerprint(package_model)
