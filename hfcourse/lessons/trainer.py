"""The course's ``Trainer`` (taught in 03_3_trainer): ``TrainingArguments`` as the course sets them, a ``Trainer`` that
writes its checkpoints atomically, the history of a run and the checkpoint to resume from.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import os
import shutil
import time
from pathlib import Path
from typing import Any

import torch
from datasets import DatasetDict
from transformers import (
    PreTrainedModel,
    PreTrainedTokenizerBase,
    PrinterCallback,
    Trainer,
    TrainerCallback,
    TrainingArguments,
)
from transformers.trainer_utils import PREFIX_CHECKPOINT_DIR, get_last_checkpoint, rotate_checkpoints

from ..offline.devices import default_device
from .collation import make_collator
from .course_recipe import COURSE_RECIPE
from .metrics import compute_metrics
from .training import DEFAULT_SEED, EpochRecord, check_tokenized

__all__ = [
    "COURSE_TRAINING_ARGS",
    "RENAMED_TRAINING_ARGS",
    "CourseTrainer",
    "build_trainer",
    "last_checkpoint",
    "trainer_history",
]

# --------------------------------------------------------------------------------------------------
# Trainer
# --------------------------------------------------------------------------------------------------

# The course's TrainingArguments("test-trainer", eval_strategy="epoch") with what a headless CPU run
# needs; every key can be overridden through build_trainer(**training_args).
COURSE_TRAINING_ARGS: dict[str, Any] = {
    "num_train_epochs": COURSE_RECIPE.epochs,
    "learning_rate": COURSE_RECIPE.learning_rate,
    "per_device_train_batch_size": COURSE_RECIPE.batch_size,
    "per_device_eval_batch_size": COURSE_RECIPE.batch_size,
    "eval_strategy": "epoch",
    "logging_strategy": "epoch",  # the logged loss is then the mean training loss of each epoch
    "save_strategy": "epoch",  # a checkpoint per epoch, to resume from (resume_from_checkpoint)
    "save_total_limit": 2,
    "seed": DEFAULT_SEED,
    "report_to": "none",
    "disable_tqdm": True,
}

# TrainingArguments of the 2024 course that no longer exist, and what to write instead.
RENAMED_TRAINING_ARGS = {
    "evaluation_strategy": "eval_strategy",
    "no_cuda": "use_cpu",
    "save_safetensors": "nothing (checkpoints are always safetensors now)",
    "use_ipex": "nothing (IPEX support was removed)",
    "tokenizer": "nothing (build_trainer passes the tokenizer as processing_class)",
}


class _EpochTimer(TrainerCallback):
    """Records the training time of each epoch in the trainer's log history (``epoch_seconds``)."""

    def __init__(self) -> None:
        self._started = 0.0

    def on_epoch_begin(self, args: TrainingArguments, state: Any, control: Any, **kwargs: Any) -> None:
        self._started = time.perf_counter()

    def on_epoch_end(self, args: TrainingArguments, state: Any, control: Any, **kwargs: Any) -> None:
        # Appended like Trainer.log does, so that it is saved with checkpoints and survives a resume.
        state.log_history.append(
            {"epoch_seconds": time.perf_counter() - self._started, "epoch": state.epoch, "step": state.global_step}
        )


class CourseTrainer(Trainer):
    """A ``Trainer`` whose checkpoints appear whole or not at all.

    ``Trainer`` writes ``checkpoint-N`` file by file, so a process killed while saving leaves a folder
    that ``resume_from_checkpoint=True`` would pick and fail on (or half load). Here each checkpoint is
    written into ``.partial-checkpoint-N`` beside it and renamed into place once every process has
    finished writing; ``trainer.train(resume_from_checkpoint=True)`` never sees a partial one.
    """

    _staging_dir: str | None = None

    def _get_output_dir(self, trial: Any) -> str:
        # While a checkpoint is being saved, Trainer writes it under the staging folder instead.
        return self._staging_dir or super()._get_output_dir(trial)

    def _save_checkpoint(self, model: torch.nn.Module, trial: Any) -> None:
        run_dir = self._get_output_dir(trial)
        name = f"{PREFIX_CHECKPOINT_DIR}-{self.state.global_step}"
        staging = os.path.join(run_dir, f".partial-{name}")
        if self.args.should_save:
            shutil.rmtree(staging, ignore_errors=True)  # what a killed save left behind
        self.accelerator.wait_for_everyone()
        self._staging_dir = staging
        try:
            super()._save_checkpoint(model, trial)
        finally:
            self._staging_dir = None
        self.accelerator.wait_for_everyone()  # every rank has written its RNG state
        if self.args.should_save:
            final = os.path.join(run_dir, name)
            shutil.rmtree(final, ignore_errors=True)  # a checkpoint of an earlier run into the same folder
            os.replace(os.path.join(staging, name), final)
            os.rmdir(staging)
            if self.state.best_model_checkpoint and self.state.best_model_checkpoint.startswith(staging):
                self.state.best_model_checkpoint = final
            rotate_checkpoints(run_dir, self.args.save_total_limit, self.state.best_model_checkpoint, use_mtime=True)
        self.accelerator.wait_for_everyone()


def last_checkpoint(output_dir: str | os.PathLike[str]) -> Path | None:
    """The newest complete ``checkpoint-N`` folder under a Trainer's ``output_dir`` (None if there is none)."""
    folder = Path(output_dir)
    found = get_last_checkpoint(os.fspath(folder)) if folder.is_dir() else None
    return Path(found) if found else None


def _training_arguments(output_dir: str | os.PathLike[str], overrides: dict[str, Any]) -> TrainingArguments:
    known = {field.name for field in dataclasses.fields(TrainingArguments) if field.init}
    for name in overrides:
        if name in known:
            continue
        if name in RENAMED_TRAINING_ARGS:
            fix = f"use {RENAMED_TRAINING_ARGS[name]} instead"
        else:
            close = difflib.get_close_matches(name, known, n=3)
            fix = (
                f"did you mean {' or '.join(close)}?"
                if close
                else "see the TrainingArguments documentation for the names"
            )
        raise TypeError(f"build_trainer: {name!r} is not a TrainingArguments option in transformers 5: {fix}.")
    arguments = {**COURSE_TRAINING_ARGS, "use_cpu": default_device() == "cpu", **overrides}
    try:
        return TrainingArguments(output_dir=os.fspath(output_dir), **arguments)
    except ValueError as error:
        raise ValueError(f"build_trainer: TrainingArguments rejected the settings {overrides}: {error}") from None


def build_trainer(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    tokenized: DatasetDict,
    output_dir: str | os.PathLike[str],
    **training_args: Any,
) -> Trainer:
    """A ``Trainer`` set up as the course does: evaluation with accuracy and F1 after every epoch.

    It is a ``CourseTrainer``: a ``Trainer`` whose checkpoints are written atomically (see there).

    Args:
        model: the classifier to fine-tune (``load_classifier``).
        tokenizer: its tokenizer; padding per batch (``make_collator``) and saved with checkpoints
            (passed as ``processing_class``, the name that replaced ``tokenizer=``).
        tokenized: ``tokenize_dataset`` output; trains on ``train`` and evaluates on ``validation``.
        output_dir: where checkpoints go (one per epoch, the last two kept, safetensors).
        **training_args: any ``TrainingArguments`` option, overriding ``COURSE_TRAINING_ARGS``
            (3 epochs, learning rate 5e-5, batch 8, seed 42, evaluation and loss logging each epoch, no
            progress bar unless ``disable_tqdm=False``, no reporting). ``use_cpu`` is on only without CUDA.

    Raises:
        TypeError: for an option TrainingArguments does not have, with the new name of a renamed one.
        ValueError: for settings TrainingArguments rejects, or data that is not tokenized.
    """
    check_tokenized(tokenized, "build_trainer")
    arguments = _training_arguments(output_dir, training_args)
    trainer = CourseTrainer(
        model=model,
        args=arguments,
        train_dataset=tokenized["train"],
        eval_dataset=tokenized["validation"],
        data_collator=make_collator(tokenizer),
        processing_class=tokenizer,
        compute_metrics=compute_metrics,
        callbacks=[_EpochTimer()],
    )
    if arguments.disable_tqdm:  # without a bar Trainer prints every log dict; the history shows them instead
        trainer.remove_callback(PrinterCallback)
    return trainer


def trainer_history(trainer: Trainer) -> list[EpochRecord]:
    """A Trainer's ``log_history`` as ``train_loop``'s per-epoch history (restored runs included).

    ``loss`` is the mean of the training losses logged during the epoch (one value with the default
    per-epoch logging), ``accuracy``/``f1`` the evaluation at the end of the epoch, ``seconds`` the
    epoch's training time. Needs the defaults of ``build_trainer`` (per-epoch evaluation).
    """
    epochs: dict[int, dict[str, Any]] = {}
    for entry in trainer.state.log_history:
        if "epoch" not in entry or "train_runtime" in entry:
            continue
        number = max(1, math.ceil(round(entry["epoch"], 6)))  # a step inside epoch 1 logs 0 < epoch <= 1
        record = epochs.setdefault(number, {"epoch": number, "losses": []})
        if "loss" in entry:
            record["losses"].append(entry["loss"])
        for key, name in (("eval_accuracy", "accuracy"), ("eval_f1", "f1"), ("epoch_seconds", "seconds")):
            if key in entry:
                record[name] = entry[key]
    history: list[EpochRecord] = []
    for number in sorted(epochs):
        record = epochs[number]
        missing = [name for name in ("accuracy", "f1", "seconds") if name not in record] + (
            [] if record["losses"] else ["loss"]
        )
        if missing:
            raise ValueError(
                f"trainer_history: epoch {number} has no {', '.join(missing)} in the trainer's log history. It "
                "needs a trainer from build_trainer with its default eval_strategy='epoch' and logging every epoch "
                "or more often."
            )
        history.append(
            EpochRecord(
                epoch=number,
                loss=sum(record["losses"]) / len(record["losses"]),
                accuracy=record["accuracy"],
                f1=record["f1"],
                seconds=record["seconds"],
            )
        )
    return history
