"""03_3_trainer's own code against the package's copies of it.

The notebook writes the course's ``compute_metrics`` (cell ``course:compute-metrics``, scikit-learn instead of
``evaluate.load``, which needs the Hub), its ``TrainingArguments`` (``course:training-args``), the model
(``course:model``) and the ``Trainer`` (``course:trainer``). The package holds ``hfcourse.compute_metrics``
and ``hfcourse.build_trainer`` (whose defaults are the course's recipe). These tests run the tagged cells from
the committed notebook and compare: the same metrics on the same predictions, the same training arguments
(every field but the output folder), and the same evaluation of the same model on a few pairs.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.metrics import accuracy_score, f1_score
from transformers import AutoModelForSequenceClassification, EvalPrediction, Trainer, TrainingArguments, set_seed

import hfcourse
from tests.notebook_code import run_tagged

NOTEBOOK = "03_3_trainer"
# what differs between two runs by design: where they write
PLACES = {"output_dir", "logging_dir"}


def metrics_namespace() -> dict:
    return {"np": np, "accuracy_score": accuracy_score, "f1_score": f1_score}


def notebook_compute_metrics():
    return run_tagged(NOTEBOOK, "course:compute-metrics", metrics_namespace())["compute_metrics"]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_compute_metrics_equals_the_package_on_the_same_predictions(seed):
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(57, 2)).astype(np.float32)
    labels = rng.integers(0, 2, size=57)
    course = notebook_compute_metrics()((logits, labels))
    package = hfcourse.compute_metrics(EvalPrediction(predictions=logits, label_ids=labels))
    assert course == package
    assert set(course) == {"accuracy", "f1"} and all(type(value) is float for value in course.values())


def test_compute_metrics_agrees_when_every_prediction_is_one_class():
    labels = np.array([0, 1, 1, 0, 1])
    for logits in (np.tile([2.0, -1.0], (5, 1)), np.tile([-1.0, 2.0], (5, 1))):  # always 0, always 1
        assert notebook_compute_metrics()((logits, labels)) == hfcourse.compute_metrics((logits, labels))


@pytest.fixture(scope="module")
def tiny(tokenizer):
    return hfcourse.tokenize_dataset(hfcourse.limit_samples(hfcourse.load_glue("mrpc"), 16, 8), tokenizer)


def notebook_trainer_namespace(checkpoint, tokenizer, tokenized, output_dir) -> dict:
    from transformers import DataCollatorWithPadding

    namespace = {
        **metrics_namespace(), "torch": torch, "TrainingArguments": TrainingArguments, "Trainer": Trainer,
        "AutoModelForSequenceClassification": AutoModelForSequenceClassification, "set_seed": set_seed,
        "checkpoint": checkpoint, "tokenizer": tokenizer, "tokenized_datasets": tokenized,
        "data_collator": DataCollatorWithPadding(tokenizer=tokenizer),
        "size": hfcourse.run_size(False), "output_dir": output_dir,
    }
    for tag in ("course:training-args", "course:model", "course:compute-metrics", "course:trainer"):
        run_tagged(NOTEBOOK, tag, namespace)
    return namespace


def test_training_arguments_match_build_trainer_defaults_for_the_course_recipe(checkpoint, tokenizer, tiny, tmp_path):
    namespace = notebook_trainer_namespace(checkpoint, tokenizer, tiny, tmp_path / "notebook")
    course = namespace["training_args"].to_dict()
    package_trainer = hfcourse.build_trainer(hfcourse.load_classifier(checkpoint), tokenizer, tiny, tmp_path / "package")
    package = package_trainer.args.to_dict()
    assert sorted(course) == sorted(package)
    differing = {name: (course[name], package[name]) for name in course if name not in PLACES and course[name] != package[name]}
    assert not differing, f"notebook vs build_trainer: {differing}"
    recipe = {"num_train_epochs": 3, "learning_rate": 5e-5, "per_device_train_batch_size": 8, "seed": 42, "eval_strategy": "epoch"}
    assert {name: course[name] for name in recipe} == recipe


def test_the_notebook_trainer_evaluates_like_build_trainer(checkpoint, tokenizer, tiny, tmp_path):
    namespace = notebook_trainer_namespace(checkpoint, tokenizer, tiny, tmp_path / "notebook")
    course = namespace["trainer"].evaluate()
    package = hfcourse.build_trainer(hfcourse.load_classifier(checkpoint), tokenizer, tiny, tmp_path / "package").evaluate()
    for key in ("eval_loss", "eval_accuracy", "eval_f1"):
        assert course[key] == package[key], key
