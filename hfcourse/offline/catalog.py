"""The catalog: for each model role of the course, the course's checkpoint and the offline default.

``resolve_checkpoint(role)`` says what runs here: the course's checkpoint online (or when it is in the Hugging
Face cache), otherwise the offline default the catalog names: an embedded model (``checkpoints``) or a model
derived from one (``standins``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import standins
from .checkpoints import (
    Checkpoint,
    ModelNotFoundError,
    UnknownRoleError,
    _in_hub_cache,
    _looks_like_path,
    check_model_dir,
    configure_offline,
    go_offline,
    hub_failure,
    hub_problem,
    is_offline,
    minilm_checkpoint,
    smollm2_checkpoint,
)
from .validation import check_path

__all__ = ["CATALOG", "CatalogEntry", "resolve_checkpoint"]


@dataclass(frozen=True)
class CatalogEntry:
    """One model role: the course's checkpoint and how to get a model offline."""

    course: str
    offline: Callable[[str], Checkpoint]  # builds or finds the offline model for a role
    description: str


# The course's checkpoints are the ones the course's chapters 1-3 use; each offline default is the function
# that provides a model for the role without a network.
CATALOG: dict[str, CatalogEntry] = {
    "sentiment-analysis": CatalogEntry(
        "distilbert/distilbert-base-uncased-finetuned-sst-2-english",
        standins.sentiment_checkpoint,
        "binary sentiment classifier",
    ),
    "zero-shot-classification": CatalogEntry(
        "facebook/bart-large-mnli",
        standins.zero_shot_checkpoint,
        "labels a text with candidate labels it was never trained on",
    ),
    "text-generation": CatalogEntry(
        "distilbert/distilgpt2",
        smollm2_checkpoint,
        "causal language model that continues a prompt",
    ),
    "fill-mask": CatalogEntry(
        "distilbert/distilroberta-base",
        standins.smollm2_use_checkpoint,
        "predicts the word behind a mask token",
    ),
    "ner": CatalogEntry(
        "dbmdz/bert-large-cased-finetuned-conll03-english",
        standins.ner_checkpoint,
        "named entity recognition (persons, organisations, locations)",
    ),
    "question-answering": CatalogEntry(
        "distilbert/distilbert-base-cased-distilled-squad",
        standins.question_answering_checkpoint,
        "extracts the answer span to a question from a context",
    ),
    "summarization": CatalogEntry(
        "sshleifer/distilbart-cnn-12-6",
        standins.smollm2_use_checkpoint,
        "shortens a text",
    ),
    "translation": CatalogEntry(
        "Helsinki-NLP/opus-mt-fr-en",
        standins.smollm2_use_checkpoint,
        "translates French to English",
    ),
    "feature-extraction": CatalogEntry(
        "distilbert/distilbert-base-cased",
        minilm_checkpoint,
        "hidden states of an encoder",
    ),
    "encoder": CatalogEntry(
        "google-bert/bert-base-uncased",
        minilm_checkpoint,
        "pretrained encoder that chapters 2 and 3 fine-tune",
    ),
}


# --------------------------------------------------------------------------------------------------
# Resolution
# --------------------------------------------------------------------------------------------------


def resolve_checkpoint(role: str, model: str | os.PathLike[str] | None = None) -> Checkpoint:
    """Return the checkpoint that will run for ``role`` on this machine.

    Args:
        role: a catalog role (``sentiment-analysis``, ..., ``encoder``); see ``CATALOG``.
        model: optional model to use instead: a local folder, or a Hub id (used online, or offline when
            it is in the Hugging Face cache).

    Online, or with the course checkpoint in the Hugging Face cache, the course checkpoint wins; offline
    the embedded default (possibly built once into the cache folder).
    """
    if not isinstance(role, str) or role not in CATALOG:
        raise UnknownRoleError(f"Unknown model role {role!r}. Known roles: {', '.join(CATALOG)}.")
    entry = CATALOG[role]
    configure_offline()
    if model is not None:
        name = check_path("checkpoint", model)
        if Path(name).expanduser().is_dir() or _looks_like_path(name):
            folder = check_model_dir(name)
            return Checkpoint(role, str(folder), True, "user", f"local model folder you gave for {role}")
        if not is_offline():
            problem = hub_problem(name)
            if problem is None:
                return Checkpoint(role, name, True, "user", f"Hub checkpoint you gave for {role}")
            if not problem.startswith("did not answer") or not _in_hub_cache(name):
                raise ModelNotFoundError(f"Model {name!r} {problem}.")
            go_offline(f"{problem}, and {name} is in the Hugging Face cache")
        if _in_hub_cache(name):
            return Checkpoint(role, name, True, "user", f"Hub checkpoint you gave for {role}")
        raise ModelNotFoundError(
            f"Model {name!r} is not a local folder and not in the Hugging Face cache, and hfcourse is "
            "offline (no Hub). Give a local model folder, download the model while online, or leave "
            "model unset to use the offline default."
        )
    if not is_offline():
        problem = hub_problem(entry.course)
        if problem is None:
            return Checkpoint(role, entry.course, True, "course", f"the course's checkpoint: {entry.description}")
        go_offline(hub_failure(entry.course, problem))
    if _in_hub_cache(entry.course):
        return Checkpoint(role, entry.course, True, "course", f"the course's checkpoint: {entry.description}")
    return entry.offline(role)
