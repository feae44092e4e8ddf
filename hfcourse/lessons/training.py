"""What the three ways of fine-tuning share (course chapter 3): the per-epoch history, the notebooks' run size,
a sample limit, loading, saving and fingerprinting the classifier. The Trainer is in ``trainer`` (taught in
03_3_trainer), the manual and Accelerate loops in ``training_loop`` (03_4a_training_loop, 03_4b_accelerate).

All three report the same per-epoch history, one dict per epoch with exactly the keys ``epoch`` (1-based),
``loss`` (mean training loss of the epoch), ``accuracy``, ``f1`` (on ``validation``) and ``seconds``
(wall-clock time of the epoch's training steps, evaluation excluded), so that one plot serves all three
(``hfcourse.lessons.plots.plot_history``).

Reproducibility: ``load_classifier`` seeds before it builds the model, so the new classifier head starts
from the same weights for the same seed; ``train_loop`` and ``Trainer`` seed the data order and dropout.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypedDict

import torch
from datasets import DatasetDict
from transformers import (
    AutoModelForSequenceClassification,
    PreTrainedModel,
    PreTrainedTokenizerBase,
    set_seed,
)

from ..offline.checkpoints import BrokenModelError, Checkpoint, _quiet_transformers, check_model_dir
from ..offline.validation import check_flag, check_positive_int
from .course_recipe import COURSE_RECIPE

__all__ = [
    "DEFAULT_SEED",
    "EpochRecord",
    "RunSize",
    "check_tokenized",
    "history_table",
    "limit_samples",
    "load_classifier",
    "run_size",
    "check_save_folder",
    "save_finetuned",
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
        epochs = f"{self.epochs} epoch{'s' if self.epochs > 1 else ''}"
        return f"{epochs}, {train} training pairs, {evaluation} validation pairs"


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
            f"{record['epoch']:>5}  {record['loss']:>7.4f}  {record['accuracy']:>8.4f}  {record['f1']:>6.4f}  "
            f"{record['seconds']:>7.1f}"
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# Data and model
# --------------------------------------------------------------------------------------------------


def limit_samples(
    raw: DatasetDict, max_train_samples: int | None = None, max_eval_samples: int | None = None
) -> DatasetDict:
    """The first ``max_train_samples`` of ``train`` and ``max_eval_samples`` of ``validation`` (None: all).

    Keeps the other splits and where the data came from (``data_source``); a limit larger than the
    split keeps the whole split.
    """
    limits = {"train": max_train_samples, "validation": max_eval_samples}
    for (split, limit), name in zip(limits.items(), ("max_train_samples", "max_eval_samples"), strict=True):
        check_positive_int(name, limit, optional=True)
        if split not in raw:
            raise ValueError(f"limit_samples: the dataset has no {split!r} split (splits: {list(raw)}).")
    limited = DatasetDict(
        {
            name: split.select(range(min(limits[name], len(split)))) if limits.get(name) else split
            for name, split in raw.items()
        }
    )
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
            f"label_names={list(label_names)} has {len(label_names)} names for num_labels={num_labels}; "
            "give one name per class."
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
                f"Model folder {name_or_path!r} does not load ({type(error).__name__}: {cause}). Its files are "
                "damaged or do not belong together: save the model there again with save_pretrained, or point to "
                "another folder."
            ) from None
    # Only the classifier head may be new; anything else missing would silently be random weights.
    body = f"{model.base_model_prefix}."
    not_loaded = sorted(
        key for key in loading["missing_keys"] | {key for key, *_ in loading["mismatched_keys"]} if key.startswith(body)
    )
    if not_loaded:
        raise BrokenModelError(
            f"Model at {name_or_path!r} lacks {len(not_loaded)} of the encoder's weights "
            f"(e.g. {', '.join(not_loaded[:3])}) or has them in other shapes: they would be random. Save the complete "
            "model there again with save_pretrained."
        )
    return model


# What save_pretrained writes for a model and its tokenizer. An existing folder that holds nothing else is a
# model folder, which a new save may replace; anything else in it is the user's, and is never deleted.
MODEL_FOLDER_FILES = frozenset(
    {
        "config.json",
        "generation_config.json",
        "model.safetensors",
        "model.safetensors.index.json",
        "tokenizer.json",
        "tokenizer_config.json",
        "special_tokens_map.json",
        "added_tokens.json",
        "vocab.txt",
        "vocab.json",
        "merges.txt",
        "spiece.model",
        "tokenizer.model",
        "sentencepiece.bpe.model",
        "chat_template.jinja",
        "chat_template.json",
    }
)


def _is_model_file(name: str) -> bool:
    return name in MODEL_FOLDER_FILES or (name.startswith("model-") and name.endswith(".safetensors"))


def check_save_folder(folder: str | os.PathLike[str]) -> Path:
    """Where ``save_finetuned(..., folder)`` would write (a symbolic link followed), or ``FileExistsError`` when
    it would refuse: ``folder`` is a file, or a folder holding files that are not a saved model. Nothing is
    written; callers check before long work, so that a save at the end cannot fail."""
    requested = Path(folder).expanduser()
    target = requested.resolve() if requested.is_symlink() else requested
    if target.exists() and not target.is_dir():
        raise FileExistsError(f"{requested} is a file, not a folder: give a folder for the model (it is created).")
    if target.is_dir():
        foreign = sorted(entry.name for entry in target.iterdir() if not _is_model_file(entry.name))
        if foreign:
            shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
            raise FileExistsError(
                f"{requested} holds files that are not a saved model ({shown}); nothing was changed. Save into a "
                "new or empty folder, or move those files away first."
            )
    return target


def save_finetuned(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, folder: str | os.PathLike[str]) -> Path:
    """Save a fine-tuned model and its tokenizer (safetensors) so ``load_classifier(folder)`` reloads them.

    Both are written into a temporary folder beside ``folder`` that then replaces it in one rename, so a
    save that is interrupted never leaves half a model behind (nor destroys the model saved there before).
    ``folder`` may be new, empty, or a model folder saved before (it is replaced); a folder holding anything
    else is refused with ``FileExistsError`` and left as it is. A symbolic link is followed: the model goes
    where it points, and the link stays.
    """
    folder = check_save_folder(folder)
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


def check_tokenized(tokenized: Any, caller: str) -> None:
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
