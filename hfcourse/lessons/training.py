"""Fine-tuning a sequence classifier three ways, as course chapter 3 does: Trainer, a manual loop, Accelerate.

All three take the output of ``tokenize_dataset`` (a ``DatasetDict`` with ``train`` and ``validation``)
and report the same per-epoch history, one dict per epoch with exactly the keys ``epoch`` (1-based),
``loss`` (mean training loss of the epoch), ``accuracy``, ``f1`` (on ``validation``) and ``seconds``
(wall-clock time of the epoch's training steps, evaluation excluded), so that one plot serves all three
(``hfcourse.lessons.plots.plot_history``).

Reproducibility: ``load_classifier`` seeds before it builds the model, so the new classifier head starts
from the same weights for the same seed; ``train_loop`` and ``Trainer`` seed the data order and dropout.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import inspect
import math
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypedDict

import torch
from accelerate import Accelerator
from datasets import DatasetDict
from torch.utils.data import DataLoader
from transformers import (
    AutoModelForSequenceClassification,
    PreTrainedModel,
    PreTrainedTokenizerBase,
    PrinterCallback,
    Trainer,
    TrainerCallback,
    TrainingArguments,
    get_scheduler,
    set_seed,
)
from transformers.trainer_utils import PREFIX_CHECKPOINT_DIR, get_last_checkpoint, rotate_checkpoints

from ..offline.checkpoints import BrokenModelError, Checkpoint, _quiet_transformers, check_model_dir
from ..offline.validation import check_flag, check_positive_int
from .collation import make_collator
from .course_recipe import COURSE_RECIPE
from .metrics import classification_metrics, compute_metrics

__all__ = [
    "COURSE_TRAINING_ARGS",
    "CourseTrainer",
    "EpochRecord",
    "RunSize",
    "build_trainer",
    "history_table",
    "limit_samples",
    "last_checkpoint",
    "load_classifier",
    "make_accelerator",
    "run_size",
    "save_finetuned",
    "train_loop",
    "trainer_history",
    "weights_fingerprint",
]

DEFAULT_SEED = COURSE_RECIPE.seed


class EpochRecord(TypedDict):
    """One epoch of training history."""

    epoch: int
    loss: float
    accuracy: float
    f1: float
    seconds: float


# --------------------------------------------------------------------------------------------------
# Notebook run size and display
# --------------------------------------------------------------------------------------------------

FAST_TRAIN_SAMPLES = 200
FAST_EVAL_SAMPLES = 100


@dataclasses.dataclass(frozen=True)
class RunSize:
    """How much a notebook trains: epochs and how many training/validation samples (None: all)."""

    epochs: int
    max_train_samples: int | None
    max_eval_samples: int | None

    def __str__(self) -> str:
        train = "all" if self.max_train_samples is None else f"at most {self.max_train_samples}"
        evaluation = "all" if self.max_eval_samples is None else f"at most {self.max_eval_samples}"
        return f"{self.epochs} epoch{'s' if self.epochs > 1 else ''}, {train} training pairs, {evaluation} validation pairs"


def run_size(fast: bool, epochs: int = 3, max_train_samples: int | None = None) -> RunSize:
    """The chapter 3 notebooks' run size: the parameters as given, or with ``fast`` a quick check.

    ``fast`` trains 1 epoch on at most 200 training pairs (fewer if ``max_train_samples`` says so) and
    evaluates on the first 100 validation pairs: enough to run every cell, not to learn much.
    """
    check_flag("fast", fast)
    check_positive_int("epochs", epochs)
    check_positive_int("max_train_samples", max_train_samples, optional=True)
    if fast:
        limit = FAST_TRAIN_SAMPLES if max_train_samples is None else min(max_train_samples, FAST_TRAIN_SAMPLES)
        return RunSize(epochs=1, max_train_samples=limit, max_eval_samples=FAST_EVAL_SAMPLES)
    return RunSize(epochs=epochs, max_train_samples=max_train_samples, max_eval_samples=None)


def history_table(history: Sequence[Mapping[str, Any]]) -> str:
    """Per-epoch history as a fixed-width text table, numbers rounded (what the notebooks print)."""
    lines = [f"{'epoch':>5}  {'loss':>7}  {'accuracy':>8}  {'f1':>6}  {'seconds':>7}"]
    for record in history:
        lines.append(
            f"{record['epoch']:>5}  {record['loss']:>7.4f}  {record['accuracy']:>8.4f}  {record['f1']:>6.4f}  {record['seconds']:>7.1f}"
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# Data and model
# --------------------------------------------------------------------------------------------------


def limit_samples(
    raw: DatasetDict, max_train_samples: int | None = None, max_eval_samples: int | None = None
) -> DatasetDict:
    """The first ``max_train_samples`` of ``train`` and ``max_eval_samples`` of ``validation`` (None: all).

    Keeps the other splits and the ``source`` attribute that ``load_glue`` sets; a limit larger than the
    split keeps the whole split.
    """
    limits = {"train": max_train_samples, "validation": max_eval_samples}
    for (split, limit), name in zip(limits.items(), ("max_train_samples", "max_eval_samples")):
        check_positive_int(name, limit, optional=True)
        if split not in raw:
            raise ValueError(f"limit_samples: the dataset has no {split!r} split (splits: {list(raw)}).")
    limited = DatasetDict(
        {
            name: split.select(range(min(limits[name], len(split)))) if limits.get(name) else split
            for name, split in raw.items()
        }
    )
    if hasattr(raw, "source"):
        limited.source = raw.source  # type: ignore[attr-defined]
    return limited


def load_classifier(
    checkpoint: Checkpoint | str | os.PathLike[str],
    num_labels: int = 2,
    seed: int = DEFAULT_SEED,
    label_names: Sequence[str] | None = None,
) -> PreTrainedModel:
    """``AutoModelForSequenceClassification`` from a pretrained encoder, reproducibly and quietly.

    The classifier head is new (randomly initialized): seeding first makes that initialization the
    same on every run with the same ``seed``. Only safetensors weights load, in float32; the "newly
    initialized weights" report and the loading bar are silenced.

    Args:
        checkpoint: a ``Checkpoint`` (``resolve_checkpoint("encoder")``), a local model folder (a
            pretrained encoder, or a model saved with ``save_finetuned``) or a Hub id when online.
        num_labels: number of classes (2 for MRPC and SST-2).
        seed: seed set before the model is built.
        label_names: names of the classes in id order (e.g. ``raw["train"].features["label"].names``),
            stored in the config so that predictions can be read as names.
    """
    name_or_path = checkpoint.name_or_path if isinstance(checkpoint, Checkpoint) else os.fspath(checkpoint)
    if Path(name_or_path).expanduser().exists():
        name_or_path = str(check_model_dir(name_or_path, need_tokenizer=False))
    if label_names is not None and len(label_names) != num_labels:
        raise ValueError(
            f"label_names={list(label_names)} has {len(label_names)} names for num_labels={num_labels}; give one name per class."
        )
    labels = {}
    if label_names is not None:
        labels = {
            "id2label": dict(enumerate(label_names)),
            "label2id": {name: index for index, name in enumerate(label_names)},
        }
    set_seed(seed)
    with _quiet_transformers():
        try:
            model, loading = AutoModelForSequenceClassification.from_pretrained(
                name_or_path,
                num_labels=num_labels,
                use_safetensors=True,
                dtype=torch.float32,
                output_loading_info=True,
                **labels,
            )
        except Exception as error:  # a damaged file fails deep inside transformers or safetensors
            if not Path(name_or_path).exists():
                raise
            cause = (str(error).strip().splitlines() or [""])[0][:300]  # the first line of the library's message
            raise BrokenModelError(
                f"Model folder {name_or_path!r} does not load ({type(error).__name__}: {cause}). Its files are damaged "
                "or do not belong together: save the model there again with save_pretrained, or point to another folder."
            ) from None
    # Only the classifier head may be new; anything else missing would silently be random weights.
    body = f"{model.base_model_prefix}."
    not_loaded = sorted(
        key for key in loading["missing_keys"] | {key for key, *_ in loading["mismatched_keys"]} if key.startswith(body)
    )
    if not_loaded:
        raise BrokenModelError(
            f"Model at {name_or_path!r} lacks {len(not_loaded)} of the encoder's weights (e.g. {', '.join(not_loaded[:3])}) "
            "or has them in other shapes: they would be random. Save the complete model there again with save_pretrained."
        )
    return model


def save_finetuned(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, folder: str | os.PathLike[str]) -> Path:
    """Save a fine-tuned model and its tokenizer (safetensors) so ``load_classifier(folder)`` reloads them.

    Both are written into a temporary folder beside ``folder`` that then replaces it in one rename, so a
    save that is interrupted never leaves half a model behind (nor destroys the model saved there before).
    """
    folder = Path(folder).expanduser()
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".partial-{folder.name}.", dir=folder.parent))
    try:
        model.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        if folder.exists():
            previous = staging.with_name(f".previous-{folder.name}.{os.getpid()}")
            os.replace(folder, previous)
            os.replace(staging, folder)
            shutil.rmtree(previous)
        else:
            os.replace(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return check_model_dir(folder)


def weights_fingerprint(model: torch.nn.Module) -> str:
    """SHA-256 of every parameter and buffer (names, shapes, values): equal exactly when the weights are."""
    digest = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        digest.update(f"{name}:{tuple(tensor.shape)}:{tensor.dtype}".encode())
        digest.update(tensor.detach().to("cpu").contiguous().view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


def make_accelerator(**accelerator_args: Any) -> Accelerator:
    """An ``Accelerator`` that uses the GPUs when there are some and the CPU otherwise.

    ``cpu=True`` is set only without CUDA: under ``torchrun --nproc_per_node 2`` (or ``accelerate launch
    --multi_gpu --num_processes 2``) on a CPU machine the processes then train together over gloo, and
    the same command on a GPU machine uses one GPU per process.
    """
    accelerator_args.setdefault("cpu", not torch.cuda.is_available())
    return Accelerator(**accelerator_args)


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


def _check_tokenized(tokenized: Any, caller: str) -> None:
    if not isinstance(tokenized, DatasetDict) or not {"train", "validation"} <= set(tokenized):
        found = list(tokenized) if isinstance(tokenized, Mapping) else type(tokenized).__name__
        raise ValueError(
            f"{caller} needs a DatasetDict with 'train' and 'validation' splits (got {found}). "
            "Pass tokenize_dataset(load_glue(task), tokenizer)."
        )
    for split in ("train", "validation"):
        missing = [column for column in ("input_ids", "labels") if column not in tokenized[split].column_names]
        if missing:
            raise ValueError(
                f"{caller}: split {split!r} has no {' or '.join(missing)} column (columns: "
                f"{tokenized[split].column_names}). Tokenize it first with tokenize_dataset(raw, tokenizer)."
            )
        if len(tokenized[split]) == 0:
            raise ValueError(f"{caller}: split {split!r} is empty; give at least one sample.")


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
    arguments = {**COURSE_TRAINING_ARGS, "use_cpu": not torch.cuda.is_available(), **overrides}
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
    _check_tokenized(tokenized, "build_trainer")
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
                f"trainer_history: epoch {number} has no {', '.join(missing)} in the trainer's log history. It needs "
                "a trainer from build_trainer with its default eval_strategy='epoch' and logging every epoch or more often."
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


# --------------------------------------------------------------------------------------------------
# Manual loop, plain PyTorch or Accelerate
# --------------------------------------------------------------------------------------------------


def _progress_enabled(progress: bool | None, accelerator: Accelerator | None) -> bool:
    """Whether to draw the progress bar: as asked, else only where someone watches (see train_loop)."""
    from transformers.utils import logging as hf_logging

    if accelerator is not None and not accelerator.is_local_main_process:
        return False
    if progress is not None:
        return progress
    try:
        from IPython import get_ipython

        in_notebook = get_ipython() is not None
    except ImportError:
        in_notebook = False
    return hf_logging.is_progress_bar_enabled() and (in_notebook or sys.stderr.isatty())


@torch.no_grad()
def _evaluate(
    model: torch.nn.Module,
    dataloader: DataLoader,
    model_inputs: Callable[[Mapping[str, torch.Tensor]], dict[str, torch.Tensor]],
    accelerator: Accelerator | None,
) -> dict[str, float]:
    model.eval()
    predictions, references = [], []
    for batch in dataloader:
        batch_predictions = model(**model_inputs(batch)).logits.argmax(dim=-1)
        labels = batch["labels"]
        if accelerator is not None:  # every process gets all predictions, the duplicates of the last batch dropped
            batch_predictions, labels = accelerator.gather_for_metrics((batch_predictions, labels))
        predictions.append(batch_predictions.cpu())
        references.append(labels.cpu())
    return classification_metrics(torch.cat(predictions).numpy(), torch.cat(references).numpy())


def train_loop(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    tokenized: DatasetDict,
    epochs: int = COURSE_RECIPE.epochs,
    learning_rate: float = COURSE_RECIPE.learning_rate,
    batch_size: int = COURSE_RECIPE.batch_size,
    accelerator: Accelerator | None = None,
    seed: int = DEFAULT_SEED,
    *,
    progress: bool | None = None,
    on_batch: Callable[[int, Mapping[str, torch.Tensor]], None] | None = None,
) -> list[EpochRecord]:
    """The course's training loop, then accuracy and F1 on ``validation`` after each epoch.

    ``torch.optim.AdamW`` (``learning_rate``, its default weight decay 0.01, as the course's code), a linear
    schedule to zero without warmup (``get_scheduler("linear")``), shuffled batches of ``batch_size``
    padded per batch. Plain PyTorch on the GPU when there is one, else the CPU; given an
    ``Accelerator``, the model, optimizer and data loaders go through ``accelerator.prepare`` (one
    process or several: each process trains on its shard of every epoch and gradients are averaged),
    and predictions are gathered from all processes before scoring.

    Args:
        model: the classifier (``load_classifier``); trained in place.
        tokenizer: its tokenizer, for padding.
        tokenized: ``tokenize_dataset`` output with ``train`` and ``validation``.
        epochs, learning_rate, batch_size: the recipe (``COURSE_RECIPE`` by default; ``batch_size`` per
            process).
        accelerator: None for plain PyTorch, else an ``Accelerator`` (``make_accelerator()``).
        seed: seeds the shuffling and dropout.
        progress: show a progress bar over all steps (on the main process); None: only in a notebook or
            a terminal (not in headless runs whose output goes to a file or a pipe), and only when
            transformers' progress bars are on (``hfcourse.quiet()``, which every notebook calls, turns
            them off).
        on_batch: called as ``on_batch(epoch, batch)`` with every training batch this process sees (all
            its columns, ``idx`` too when ``tokenize_dataset(keep_columns=("idx",))`` kept it), before the
            forward pass.

    Returns:
        One ``EpochRecord`` per epoch (the same on every process).
    """
    from tqdm.auto import tqdm

    _check_tokenized(tokenized, "train_loop")
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"train_loop: {name}={value!r}; give a whole number of at least 1.")
    if not learning_rate > 0:
        raise ValueError(f"train_loop: learning_rate={learning_rate!r}; give a positive learning rate such as 5e-5.")

    set_seed(seed)
    accepted = set(inspect.signature(model.forward).parameters)

    def model_inputs(batch: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        return {name: value for name, value in batch.items() if name in accepted}

    data_collator = make_collator(tokenizer)
    train_dataloader = DataLoader(
        tokenized["train"],
        shuffle=True,
        batch_size=batch_size,
        collate_fn=data_collator,
        generator=torch.Generator().manual_seed(seed),
    )
    eval_dataloader = DataLoader(tokenized["validation"], batch_size=batch_size, collate_fn=data_collator)
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate)  # its default weight decay, 0.01, as the course

    if accelerator is not None:
        train_dataloader, eval_dataloader, model, optimizer = accelerator.prepare(
            train_dataloader, eval_dataloader, model, optimizer
        )
        device = accelerator.device
    else:
        device = torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")
        model.to(device)

    num_training_steps = epochs * len(train_dataloader)
    lr_scheduler = get_scheduler(
        "linear", optimizer=optimizer, num_warmup_steps=0, num_training_steps=num_training_steps
    )
    progress_bar = tqdm(total=num_training_steps, disable=not _progress_enabled(progress, accelerator))

    history: list[EpochRecord] = []
    for epoch in range(1, epochs + 1):
        model.train()
        started = time.perf_counter()
        loss_sum = torch.zeros((), device=device)
        for batch in train_dataloader:
            batch = {name: value.to(device) for name, value in batch.items()}
            if on_batch is not None:
                on_batch(epoch, batch)
            loss = model(**model_inputs(batch)).loss
            if accelerator is not None:
                accelerator.backward(loss)
            else:
                loss.backward()
            optimizer.step()
            lr_scheduler.step()
            optimizer.zero_grad()
            loss_sum += loss.detach()
            progress_bar.update(1)
        seconds = time.perf_counter() - started
        mean_loss = loss_sum / len(train_dataloader)
        if accelerator is not None:  # the mean over all processes, so every process reports the same
            mean_loss = accelerator.reduce(mean_loss, reduction="mean")
        metrics = _evaluate(model, eval_dataloader, model_inputs, accelerator)
        history.append(
            EpochRecord(
                epoch=epoch, loss=float(mean_loss), accuracy=metrics["accuracy"], f1=metrics["f1"], seconds=seconds
            )
        )
    progress_bar.close()
    model.eval()
    return history
