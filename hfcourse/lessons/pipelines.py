"""``hfcourse.pipeline``: every task of course chapter 1, with the course's call shape and output, today.

``pipeline(task, model=None, **kwargs)`` resolves the checkpoint for the task's role
(``resolve_checkpoint``: the course's checkpoint online, the offline default otherwise, or the ``model``
you name), shows it as ``pipe.checkpoint`` and returns a callable that answers like the 2024 pipeline:

Each task, what runs it, and what it returns:

- ``sentiment-analysis``: transformers ``text-classification``; ``[{'label', 'score'}]``.
- ``zero-shot-classification``: transformers (an NLI model) or MiniLM embedding similarity;
  ``{'sequence', 'labels', 'scores'}``.
- ``text-generation``: transformers ``text-generation``; ``[{'generated_text'}]``.
- ``fill-mask``: transformers (a masked LM) or a causal LM that ranks candidates;
  ``[{'score', 'token', 'token_str', 'sequence'}]``.
- ``ner``: transformers ``token-classification`` with ``aggregation_strategy="simple"``;
  ``[{'entity_group', 'score', 'word', 'start', 'end'}]``.
- ``question-answering``: span decoding on ``AutoModelForQuestionAnswering`` (removed from transformers 5.3);
  ``{'score', 'start', 'end', 'answer'}``.
- ``summarization``: seq2seq ``generate`` (removed from transformers 5.0) or a prompted instruct LM;
  ``[{'summary_text'}]``.
- ``translation``, ``translation_xx_to_yy``: as summarization; ``[{'translation_text'}]``.
- ``feature-extraction``: transformers ``feature-extraction``; nested lists ``[1][tokens][hidden]``.

The task implementations live beside this module: ``pipeline_removed`` (the tasks transformers 5 removed),
``pipeline_standins`` (offline models of another kind), ``pipeline_base`` (what they share).

Which way a task runs follows from the model's config, so a model you name works the same way: a
zero-shot model with an ``entailment`` label runs NLI, any other encoder runs embedding similarity; a
masked LM fills masks itself, a causal LM ranks candidates; an encoder-decoder summarizes and translates
with ``generate``, a causal LM is prompted through its chat template.

Arguments of the 2024 course that transformers 5 rejects raise an error that says what to write
instead (``grouped_entities=True`` -> ``aggregation_strategy="simple"``, ``num_return_sequences`` with
greedy decoding -> ``do_sample=True``). ``max_length`` is still accepted: in ``text-generation`` it counts
the prompt's tokens too (prefer ``max_new_tokens``); in summarization and translation it counts the
output's tokens, as in the course. Models run quietly (no warnings, no progress bars), in float32 on the
CPU or on the GPU when there is one; only safetensors weights load and no repository code ever runs.
"""

from __future__ import annotations

import os
import re
from typing import Any

import torch

from ..offline.catalog import resolve_checkpoint
from ..offline.checkpoints import Checkpoint
from .pipeline_base import CoursePipeline, _check_arguments, _device, _load_model, _quietly
from .pipeline_removed import DEFAULT_LANGUAGES, PromptedTextPipeline, QuestionAnsweringPipeline, Seq2SeqTextPipeline
from .pipeline_standins import CausalFillMaskPipeline, EmbeddingZeroShotPipeline

__all__ = ["TASKS", "CoursePipeline", "TransformersPipeline", "UnknownTaskError", "pipeline"]

# Task name -> catalog role. ``translation_xx_to_yy`` is accepted too.
TASKS: dict[str, str] = {
    "sentiment-analysis": "sentiment-analysis",
    "text-classification": "sentiment-analysis",
    "zero-shot-classification": "zero-shot-classification",
    "text-generation": "text-generation",
    "fill-mask": "fill-mask",
    "ner": "ner",
    "token-classification": "ner",
    "question-answering": "question-answering",
    "summarization": "summarization",
    "translation": "translation",
    "feature-extraction": "feature-extraction",
}
_TRANSLATION_TASK = re.compile(r"translation_([a-z]{2,3})_to_([a-z]{2,3})")


class UnknownTaskError(ValueError):
    """A task name that ``hfcourse.pipeline`` does not know."""


class TransformersPipeline(CoursePipeline):
    """A pipeline that transformers 5 still has, used as is (``pipe.pipeline`` is the transformers object).

    For ``ner`` with an aggregation strategy, each entity's ``word`` is the text as written in the input
    (``text[start:end]``): an uncased model would otherwise show it lower-cased.
    """

    def __init__(self, task: str, checkpoint: Checkpoint, transformers_task: str, defaults: dict[str, Any]) -> None:
        from transformers import pipeline as transformers_pipeline

        self.pipeline = transformers_pipeline(
            transformers_task,
            model=checkpoint.name_or_path,
            device=_device(),
            dtype=torch.float32,
            model_kwargs={"use_safetensors": True},
        )
        if transformers_task == "text-generation":
            # The text-generation pipeline samples unless the model's generation config says otherwise.
            self.generation_defaults = {
                "do_sample": self.pipeline.model.generation_config.to_diff_dict().get("do_sample", True)
            }
        super().__init__(task, checkpoint, self.pipeline.model, self.pipeline.tokenizer, defaults)

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        options = self._options(kwargs)
        with _quietly():
            try:
                outputs = self.pipeline(inputs, *args, **options)
            except (TypeError, ValueError) as error:
                raise type(error)(f"{self.task} ({self.checkpoint.name_or_path}): {error}") from None
        if self.pipeline.task == "token-classification":
            outputs = _entity_words_as_written(inputs, outputs)
        return outputs


def _entity_words_as_written(inputs: Any, outputs: Any) -> Any:
    if isinstance(inputs, str):
        return [
            {**entity, "word": inputs[entity["start"] : entity["end"]]}
            if "entity_group" in entity and entity.get("start") is not None
            else entity
            for entity in outputs
        ]
    if isinstance(inputs, list) and all(isinstance(text, str) for text in inputs):
        return [_entity_words_as_written(text, entities) for text, entities in zip(inputs, outputs, strict=True)]
    return outputs


# --------------------------------------------------------------------------------------------------
# pipeline()
# --------------------------------------------------------------------------------------------------


def _parse_task(task: str) -> tuple[str, tuple[str, str]]:
    """Task name -> (catalog role, (source language, target language))."""
    if not isinstance(task, str):
        raise TypeError(f"pipeline task must be a string such as 'sentiment-analysis', got {task!r}.")
    match = _TRANSLATION_TASK.fullmatch(task)
    if match:
        return "translation", (match.group(1), match.group(2))
    if task in TASKS:
        return TASKS[task], DEFAULT_LANGUAGES
    raise UnknownTaskError(
        f"Unknown task {task!r}. hfcourse.pipeline knows: {', '.join(TASKS)}, and translation_xx_to_yy "
        "(e.g. translation_fr_to_en)."
    )


def _architectures(config: Any) -> list[str]:
    return list(getattr(config, "architectures", None) or [])


def _is_causal_lm(config: Any) -> bool:
    from transformers import MODEL_FOR_CAUSAL_LM_MAPPING

    return not config.is_encoder_decoder and type(config) in MODEL_FOR_CAUSAL_LM_MAPPING


def _load_tokenizer(checkpoint: Checkpoint, padding_side: str = "right") -> Any:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(checkpoint.name_or_path)
    tokenizer.padding_side = padding_side
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def _build(
    task: str, role: str, languages: tuple[str, str], checkpoint: Checkpoint, defaults: dict[str, Any]
) -> CoursePipeline:
    from transformers import (
        AutoConfig,
        AutoModel,
        AutoModelForCausalLM,
        AutoModelForQuestionAnswering,
        AutoModelForSeq2SeqLM,
    )

    config = AutoConfig.from_pretrained(checkpoint.name_or_path)
    transformers_tasks = {
        "sentiment-analysis": "text-classification",
        "ner": "token-classification",
        "text-generation": "text-generation",
        "feature-extraction": "feature-extraction",
    }
    if role in transformers_tasks:
        return TransformersPipeline(task, checkpoint, transformers_tasks[role], defaults)
    if role == "zero-shot-classification":
        if any(label.lower().startswith("entail") for label in (config.label2id or {})):
            return TransformersPipeline(task, checkpoint, "zero-shot-classification", defaults)
        return EmbeddingZeroShotPipeline(
            task, checkpoint, _load_model(AutoModel, checkpoint), _load_tokenizer(checkpoint), defaults
        )
    if role == "fill-mask":
        if any(name.endswith("ForMaskedLM") for name in _architectures(config)):
            return TransformersPipeline(task, checkpoint, "fill-mask", defaults)
        if _is_causal_lm(config):
            return CausalFillMaskPipeline(
                task, checkpoint, _load_model(AutoModelForCausalLM, checkpoint), _load_tokenizer(checkpoint), defaults
            )
        raise ValueError(
            f"fill-mask: {checkpoint.name_or_path} has neither a masked-LM head nor a causal-LM head "
            f"(architectures {_architectures(config)}); give a model such as distilbert/distilroberta-base."
        )
    if role == "question-answering":
        return QuestionAnsweringPipeline(
            task,
            checkpoint,
            _load_model(AutoModelForQuestionAnswering, checkpoint),
            _load_tokenizer(checkpoint),
            defaults,
        )
    # summarization and translation
    if config.is_encoder_decoder:
        return Seq2SeqTextPipeline(
            task,
            checkpoint,
            _load_model(AutoModelForSeq2SeqLM, checkpoint),
            _load_tokenizer(checkpoint),
            defaults,
            languages,
        )
    if _is_causal_lm(config):
        return PromptedTextPipeline(
            task,
            checkpoint,
            _load_model(AutoModelForCausalLM, checkpoint),
            _load_tokenizer(checkpoint, "left"),
            defaults,
            languages,
        )
    raise ValueError(
        f"{task}: {checkpoint.name_or_path} is neither an encoder-decoder nor a causal LM (model type "
        f"{config.model_type!r}); give a seq2seq model such as sshleifer/distilbart-cnn-12-6 or "
        "Helsinki-NLP/opus-mt-fr-en."
    )


def pipeline(task: str, model: str | os.PathLike[str] | None = None, **kwargs: Any) -> CoursePipeline:
    """The course's ``pipeline(task)``, on today's libraries, online or offline.

    Args:
        task: ``sentiment-analysis``, ``zero-shot-classification``, ``text-generation``, ``fill-mask``,
            ``ner``, ``question-answering``, ``summarization``, ``translation`` (or
            ``translation_xx_to_yy``), ``feature-extraction`` (also ``text-classification`` and
            ``token-classification``).
        model: a Hub id or a local model folder; None: the course's checkpoint online, the offline
            default otherwise (``resolve_checkpoint``).
        **kwargs: defaults for every call, e.g. ``aggregation_strategy="simple"`` for ``ner``.

    Returns:
        A callable with the course's call shape and output; ``.checkpoint`` says what runs.

    Raises:
        UnknownTaskError: for a task it does not know, listing the known ones.
        TypeError / ValueError: for arguments transformers 5 removed or rejects, saying what to write.
    """
    role, languages = _parse_task(task)
    _check_arguments(task, kwargs)
    checkpoint = resolve_checkpoint(role, model)
    with _quietly():
        return _build(task, role, languages, checkpoint, kwargs)
