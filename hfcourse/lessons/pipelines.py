"""``hfcourse.pipeline``: every task of course chapter 1, with the course's call shape and output, today.

``pipeline(task, model=None, **kwargs)`` resolves the checkpoint for the task's role
(``resolve_checkpoint``: the course's checkpoint online, the offline default otherwise, or the ``model``
you name), shows it as ``pipe.checkpoint`` and returns a callable that answers like the 2024 pipeline:

| task | runs | output |
|---|---|---|
| ``sentiment-analysis`` | transformers ``text-classification`` | ``[{'label', 'score'}]`` |
| ``zero-shot-classification`` | transformers (an NLI model) or MiniLM embedding similarity | ``{'sequence', 'labels', 'scores'}`` |
| ``text-generation`` | transformers ``text-generation`` | ``[{'generated_text'}]`` |
| ``fill-mask`` | transformers (a masked LM) or a causal LM that ranks candidates | ``[{'score', 'token', 'token_str', 'sequence'}]`` |
| ``ner`` | transformers ``token-classification`` | ``[{'entity_group', 'score', 'word', 'start', 'end'}]`` with ``aggregation_strategy="simple"`` |
| ``question-answering`` | span decoding on ``AutoModelForQuestionAnswering`` (removed from transformers 5.3) | ``{'score', 'start', 'end', 'answer'}`` |
| ``summarization`` | seq2seq ``generate`` (removed from transformers 5.0) or a prompted instruct LM | ``[{'summary_text'}]`` |
| ``translation``, ``translation_xx_to_yy`` | seq2seq ``generate`` (removed from transformers 5.0) or a prompted instruct LM | ``[{'translation_text'}]`` |
| ``feature-extraction`` | transformers ``feature-extraction`` | nested lists ``[1][tokens][hidden]`` |

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

import contextlib
import math
import os
import re
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

import torch

from ..offline.catalog import resolve_checkpoint
from ..offline.checkpoints import Checkpoint, _quiet_transformers

__all__ = [
    "LANGUAGE_NAMES",
    "TASKS",
    "CausalFillMaskPipeline",
    "CoursePipeline",
    "EmbeddingZeroShotPipeline",
    "PromptedTextPipeline",
    "QuestionAnsweringPipeline",
    "Seq2SeqTextPipeline",
    "TransformersPipeline",
    "UnknownTaskError",
    "pipeline",
]

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
# The catalog's translation model (Helsinki-NLP/opus-mt-fr-en) goes from French to English.
DEFAULT_LANGUAGES = ("fr", "en")
LANGUAGE_NAMES = {
    "ar": "Arabic",
    "de": "German",
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "hi": "Hindi",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "nl": "Dutch",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "sv": "Swedish",
    "zh": "Chinese",
}

# Keyword arguments that hfcourse.pipeline refuses, with what to write instead.
REFUSED_ARGUMENTS = {
    "grouped_entities": 'was removed in transformers 5; use aggregation_strategy="simple" (for grouped_entities=True) '
    'or aggregation_strategy="none"',
    "ignore_subwords": 'was removed in transformers 5; use aggregation_strategy="first", "average" or "max"',
    "torch_dtype": "is called dtype in transformers 5 (and hfcourse.pipeline loads float32 itself)",
    "trust_remote_code": "is never enabled: hfcourse runs no code from a model repository",
}


class UnknownTaskError(ValueError):
    """A task name that ``hfcourse.pipeline`` does not know."""


# --------------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _quietly() -> Iterator[None]:
    """No transformers warnings, progress bars or Python warnings while a model loads or runs."""
    with _quiet_transformers(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _load_model(auto_class: Any, checkpoint: Checkpoint) -> Any:
    """``auto_class.from_pretrained`` on the checkpoint: safetensors only, float32, eval mode, on the device."""
    model = auto_class.from_pretrained(checkpoint.name_or_path, dtype=torch.float32, use_safetensors=True)
    return model.to(_device()).eval()


def _texts(inputs: Any, name: str) -> tuple[list[str], bool]:
    """One text or a list of texts -> (the list, whether a single text was given)."""
    if isinstance(inputs, str):
        return [inputs], True
    if isinstance(inputs, Sequence) and inputs and all(isinstance(text, str) for text in inputs):
        return list(inputs), False
    raise TypeError(f"{name} takes a string or a non-empty list of strings, got {inputs!r:.80}.")


def _check_arguments(task: str, arguments: dict[str, Any], accepted: frozenset[str] | None = None) -> None:
    """Reject the course's removed arguments (with their replacement) and, given ``accepted``, unknown ones."""
    for name in arguments:
        if name in REFUSED_ARGUMENTS:
            raise TypeError(f"{task}: {name}= {REFUSED_ARGUMENTS[name]}.")
    if accepted is not None:
        unknown = sorted(set(arguments) - accepted)
        if unknown:
            raise TypeError(
                f"{task}: unknown argument(s) {', '.join(unknown)}; this pipeline takes {', '.join(sorted(accepted))}."
            )
    returns = arguments.get("num_return_sequences", 1)
    if returns > 1 and not arguments.get("do_sample", False) and arguments.get("num_beams", 1) < returns:
        raise ValueError(
            f"{task}: num_return_sequences={returns} with greedy decoding would return {returns} identical "
            f"texts, which transformers 5 refuses. Add do_sample=True (random samples) or num_beams={returns} (beam search)."
        )


# --------------------------------------------------------------------------------------------------
# Pipelines
# --------------------------------------------------------------------------------------------------


class CoursePipeline:
    """A task pipeline that knows which checkpoint runs (``print(pipe.checkpoint)``).

    Attributes:
        task: the task name it was built for.
        checkpoint: the ``Checkpoint`` that runs.
        model, tokenizer: the loaded model and its tokenizer.
        defaults: keyword arguments given to ``pipeline(...)``, used by every call unless overridden.
    """

    # Call arguments the pipeline takes; None: checked by the underlying transformers pipeline.
    accepted: frozenset[str] | None = None
    # Defaults for do_sample / num_beams, used by the num_return_sequences check.
    generation_defaults: dict[str, Any] = {}

    def __init__(self, task: str, checkpoint: Checkpoint, model: Any, tokenizer: Any, defaults: dict[str, Any]) -> None:
        self.task = task
        self.checkpoint = checkpoint
        self.model = model
        self.tokenizer = tokenizer
        self.defaults = dict(defaults)
        self._options({})  # bad defaults fail now, not at the first call

    @property
    def mask_token(self) -> str | None:
        """The token that marks the word to fill (``<mask>`` for RoBERTa, ``[MASK]`` for BERT), if any."""
        return getattr(self.tokenizer, "mask_token", None)

    def _options(self, arguments: dict[str, Any]) -> dict[str, Any]:
        options = {**self.defaults, **arguments}
        _check_arguments(self.task, {**self.generation_defaults, **options}, self.accepted)
        return options

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.task!r} running {self.checkpoint}>"


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
        return [_entity_words_as_written(text, entities) for text, entities in zip(inputs, outputs)]
    return outputs


class EmbeddingZeroShotPipeline(CoursePipeline):
    """Zero-shot classification by sentence-embedding similarity (MiniLM), not NLI.

    The text and one hypothesis per label (``hypothesis_template``, default "This text is about {}.")
    become unit-length mean-pooled sentence embeddings; their cosine similarities, times ``SCALE`` (20, the
    default scale of the contrastive loss sentence-transformers trains such models with), are softmaxed
    over the labels. With
    ``multi_label=True`` each label is scored on its own: ``sigmoid(SCALE * (similarity - THRESHOLD))``, a
    rough rule (0.5 at a similarity of 0.1), not a calibrated probability.
    """

    accepted = frozenset({"candidate_labels", "hypothesis_template", "multi_label"})
    DEFAULT_TEMPLATE = "This text is about {}."
    SCALE = 20.0
    THRESHOLD = 0.1

    def __call__(
        self, sequences: str | list[str], candidate_labels: str | Sequence[str] | None = None, **kwargs: Any
    ) -> Any:
        from .inference import sentence_embeddings

        options = self._options(
            kwargs if candidate_labels is None else {**kwargs, "candidate_labels": candidate_labels}
        )
        texts, single = _texts(sequences, self.task)
        labels = _candidate_labels(options.get("candidate_labels"))
        template = options.get("hypothesis_template", self.DEFAULT_TEMPLATE)
        if "{}" not in template:
            raise ValueError(
                f"{self.task}: hypothesis_template={template!r} has no {{}} where the label goes, e.g. {self.DEFAULT_TEMPLATE!r}."
            )
        with _quietly():
            text_vectors = sentence_embeddings(texts, self.tokenizer, self.model)
            label_vectors = sentence_embeddings(
                [template.format(label) for label in labels], self.tokenizer, self.model
            )
        similarities = (text_vectors @ label_vectors.T).cpu()
        if options.get("multi_label", False):
            scores = torch.sigmoid(self.SCALE * (similarities - self.THRESHOLD))
        else:
            scores = torch.softmax(self.SCALE * similarities, dim=-1)
        results = []
        for text, row in zip(texts, scores.tolist()):
            order = sorted(range(len(labels)), key=lambda index: -row[index])
            results.append({"sequence": text, "labels": [labels[i] for i in order], "scores": [row[i] for i in order]})
        return results[0] if single else results


def _candidate_labels(labels: Any) -> list[str]:
    if isinstance(labels, str):  # transformers also takes "a, b, c"
        labels = [label.strip() for label in labels.split(",") if label.strip()]
    if not labels or not all(isinstance(label, str) and label for label in labels):
        raise ValueError(
            f"zero-shot-classification needs candidate_labels, a non-empty list of label names, got {labels!r}; "
            'e.g. candidate_labels=["education", "politics", "business"].'
        )
    return list(labels)


class CausalFillMaskPipeline(CoursePipeline):
    """Fill-mask with a causal language model, which has no mask token of its own.

    For a text with ``<mask>``: the ``CANDIDATES`` most likely next tokens after the text on the left that
    are whole words (or word pieces where the mask is glued to a word) are the candidates; each filled
    sentence is scored by its log-likelihood under the model (so the text on the right counts too) and the
    scores are softmaxed over the candidates. Only one-token words can come out, as with a masked LM. With
    several masks, each gets its own list (the others are left out while it is scored, and kept as
    ``<mask>`` in its ``sequence``), like transformers' fill-mask.
    """

    accepted = frozenset({"top_k"})
    MASK = "<mask>"  # the course's (RoBERTa's) mask token; a causal LM has none of its own
    CANDIDATES = 50

    @property
    def mask_token(self) -> str:
        return self.MASK

    def __call__(self, inputs: str | list[str], **kwargs: Any) -> Any:
        options = self._options(kwargs)
        top_k = options.get("top_k", 5)
        if not isinstance(top_k, int) or top_k < 1:
            raise ValueError(f"{self.task}: top_k={top_k!r}; give a whole number of at least 1.")
        texts, single = _texts(inputs, self.task)
        with _quietly(), torch.no_grad():
            results = [self._fill_text(text, top_k) for text in texts]
        return results[0] if single else results

    def _fill_text(self, text: str, top_k: int) -> list[dict[str, Any]] | list[list[dict[str, Any]]]:
        pieces = text.split(self.mask_token)
        if len(pieces) == 1:
            other = next((token for token in ("[MASK]", "<mask>", "<MASK>") if token in text), None)
            hint = f" ({other} is another model's mask token)" if other else ""
            raise ValueError(
                f"{self.task}: no {self.mask_token} in {text!r}{hint}; write {self.mask_token} where the word goes."
            )
        fills = []
        for index in range(len(pieces) - 1):
            left = _join(pieces[: index + 1])
            right = _join(pieces[index + 1 :])
            fills.append(self._fill_one(left, right, pieces, index, top_k))
        return fills[0] if len(fills) == 1 else fills

    def _fill_one(self, left: str, right: str, pieces: list[str], index: int, top_k: int) -> list[dict[str, Any]]:
        word_start = not left or left[-1].isspace()
        bos = self.tokenizer.bos_token_id if self.tokenizer.bos_token_id is not None else self.tokenizer.eos_token_id
        context = [bos] + self.tokenizer(left.rstrip() if word_start else left, add_special_tokens=False)["input_ids"]
        output = self.model(torch.tensor([context], device=self.model.device), use_cache=True)
        next_log_probs = torch.log_softmax(output.logits[0, -1].float(), dim=-1)
        candidates = self._candidates(next_log_probs, word_start, max(self.CANDIDATES, top_k))
        if not candidates:
            raise ValueError(
                f"{self.task}: the model proposes no word for the mask after {left!r}; put a space before {self.MASK}."
            )
        right_log_probs = self._right_log_probs(output.past_key_values, [token_id for token_id, _ in candidates], right)
        log_likelihoods = torch.stack([next_log_probs[token_id].cpu() for token_id, _ in candidates]) + right_log_probs
        scores = torch.softmax(log_likelihoods, dim=0).tolist()
        ranked = sorted(zip(scores, candidates), key=lambda item: -item[0])[:top_k]
        results = []
        for score, (token_id, token_str) in ranked:
            word = token_str[1:] if word_start else token_str
            sequence = self.mask_token.join(pieces[: index + 1]) + word + self.mask_token.join(pieces[index + 1 :])
            results.append({"score": score, "token": token_id, "token_str": token_str, "sequence": sequence})
        return results

    def _candidates(self, next_log_probs: torch.Tensor, word_start: bool, count: int) -> list[tuple[int, str]]:
        """The ``count`` most likely next tokens that are a word (with its leading space) or a word piece."""
        candidates = []
        for token_id in torch.argsort(next_log_probs, descending=True)[: 20 * count].tolist():
            token_str = self.tokenizer.decode([token_id])
            word = token_str[1:] if word_start else token_str
            if (token_str.startswith(" ") or not word_start) and word.isalnum():
                candidates.append((token_id, token_str))
                if len(candidates) == count:
                    break
        return candidates

    def _right_log_probs(self, past_key_values: Any, candidate_ids: list[int], right: str) -> torch.Tensor:
        """Log-probability of the text on the right after each candidate, given the cached left context."""
        right_ids = self.tokenizer(right, add_special_tokens=False)["input_ids"]
        if not right_ids:
            return torch.zeros(len(candidate_ids))
        input_ids = torch.tensor([[token_id] + right_ids for token_id in candidate_ids], device=self.model.device)
        past_key_values.batch_repeat_interleave(len(candidate_ids))
        logits = self.model(input_ids=input_ids, past_key_values=past_key_values).logits.float()
        log_probs = torch.log_softmax(logits[:, :-1], dim=-1).gather(-1, input_ids[:, 1:, None])[..., 0]
        return log_probs.sum(dim=1).cpu()


def _join(pieces: list[str]) -> str:
    """Text pieces around the masks that are not being filled, joined without those masks."""
    return re.sub(r"  +", " ", "".join(pieces))


class QuestionAnsweringPipeline(CoursePipeline):
    """Extractive question answering on ``AutoModelForQuestionAnswering`` (the pipeline transformers 5.3 removed).

    The question and context are tokenized together (long contexts in overlapping windows of
    ``max_seq_len`` tokens, ``doc_stride`` apart); start and end probabilities are softmaxed over the
    context's tokens, a span scores ``p(start) * p(end)`` (``start <= end``, at most ``max_answer_len``
    tokens), and the best span of all windows is mapped back to characters with the offset mapping, so
    ``answer == context[start:end]``.

    Call as the course does: ``qa(question=..., context=...)``; lists of questions and contexts (or a list
    of ``{"question", "context"}`` dicts) give a list of answers; ``top_k > 1`` gives lists of answers.
    """

    accepted = frozenset({"top_k", "max_answer_len", "max_seq_len", "doc_stride"})

    def __call__(
        self, *args: Any, question: str | list[str] | None = None, context: str | list[str] | None = None, **kwargs: Any
    ) -> Any:
        options = self._options(kwargs)
        pairs, single = _question_context_pairs(args, question, context)
        top_k = options.get("top_k", 1)
        max_answer_len = options.get("max_answer_len", 15)
        for name, value in (("top_k", top_k), ("max_answer_len", max_answer_len)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"question-answering: {name}={value!r}; give a whole number of at least 1.")
        max_seq_len = min(options.get("max_seq_len", 384), self.tokenizer.model_max_length)
        doc_stride = min(options.get("doc_stride", 128), max_seq_len // 2)
        with _quietly(), torch.no_grad():
            answers = self._answer(pairs, top_k, max_answer_len, max_seq_len, doc_stride)
        results = [found[0] if top_k == 1 else found for found in answers]
        return results[0] if single else results

    def _answer(
        self, pairs: list[tuple[str, str]], top_k: int, max_answer_len: int, max_seq_len: int, doc_stride: int
    ) -> list[list[dict[str, Any]]]:
        encoded = self.tokenizer(
            [question for question, _ in pairs],
            [context for _, context in pairs],
            truncation="only_second",
            max_length=max_seq_len,
            stride=doc_stride,
            return_overflowing_tokens=True,
            return_offsets_mapping=True,
            padding=True,
            return_tensors="pt",
        )
        offsets = encoded.pop("offset_mapping").tolist()
        example_of = encoded.pop("overflow_to_sample_mapping").tolist()
        inputs = {name: value.to(self.model.device) for name, value in encoded.items()}
        outputs = self.model(**inputs)
        candidates: list[dict[tuple[int, int], float]] = [{} for _ in pairs]
        for feature, example in enumerate(example_of):
            in_context = torch.tensor([sequence == 1 for sequence in encoded.sequence_ids(feature)])
            start_probs = _masked_softmax(outputs.start_logits[feature].cpu(), in_context)
            end_probs = _masked_softmax(outputs.end_logits[feature].cpu(), in_context)
            spans = torch.triu(torch.outer(start_probs, end_probs))
            spans = torch.tril(spans, diagonal=max_answer_len - 1)
            best = torch.topk(spans.flatten(), k=min(top_k, spans.numel()))
            for score, flat in zip(best.values.tolist(), best.indices.tolist()):
                start_token, end_token = divmod(flat, spans.shape[1])
                if score <= 0:
                    continue
                span = (offsets[feature][start_token][0], offsets[feature][end_token][1])
                candidates[example][span] = max(score, candidates[example].get(span, 0.0))
        answers = []
        for (_, context), found in zip(pairs, candidates):
            ranked = sorted(found.items(), key=lambda item: -item[1])[:top_k]
            answers.append(
                [
                    {"score": score, "start": start, "end": end, "answer": context[start:end]}
                    for (start, end), score in ranked
                ]
            )
        return answers


def _masked_softmax(logits: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
    return torch.softmax(logits.float().masked_fill(~keep, -math.inf), dim=-1)


def _question_context_pairs(args: tuple[Any, ...], question: Any, context: Any) -> tuple[list[tuple[str, str]], bool]:
    """Every way the course's pipeline took its inputs -> (question, context) pairs and whether one was given."""
    usage = 'question-answering takes question=..., context=... (strings, or lists of equal length), or {"question": ..., "context": ...} dicts.'
    if args:
        if question is not None or context is not None or len(args) != 1:
            raise TypeError(f"{usage} Got positional {args!r:.80} as well.")
        items, single = ([args[0]], True) if isinstance(args[0], dict) else (args[0], False)
        if not isinstance(items, list) or not all(
            isinstance(item, dict) and {"question", "context"} <= set(item) for item in items
        ):
            raise TypeError(f"{usage} Got {args[0]!r:.80}.")
        question, context = [item["question"] for item in items], [item["context"] for item in items]
    else:
        if question is None or context is None:
            raise TypeError(f"{usage} {'question' if question is None else 'context'} is missing.")
        single = isinstance(question, str) and isinstance(context, str)
        if isinstance(question, str) and not single:
            question = [question] * len(context)
        if isinstance(context, str) and not single:
            context = [context] * len(question)
    questions, _ = _texts(question, "question-answering question")
    contexts, _ = _texts(context, "question-answering context")
    if len(questions) != len(contexts):
        raise ValueError(
            f"question-answering got {len(questions)} questions and {len(contexts)} contexts; give one context per question."
        )
    for text, name in [(q, "question") for q in questions] + [(c, "context") for c in contexts]:
        if not text.strip():
            raise ValueError(f"question-answering: an empty {name}; give text to answer from.")
    return list(zip(questions, contexts)), single


class _TextToTextPipeline(CoursePipeline):
    """Summarization / translation: texts in, ``[{'summary_text'}]`` or ``[{'translation_text'}]`` out.

    Like the course's pipelines: one text -> a list with ``num_return_sequences`` dicts; a list of texts
    -> one dict per text (a list per text when ``num_return_sequences > 1``). Other keyword arguments go
    to ``generate`` (``max_length``, ``min_length``, ``num_beams``, ``do_sample``, ...).
    """

    def __init__(
        self,
        task: str,
        checkpoint: Checkpoint,
        model: Any,
        tokenizer: Any,
        defaults: dict[str, Any],
        languages: tuple[str, str],
    ) -> None:
        self.output_key = "summary_text" if task == "summarization" else "translation_text"
        self.languages = languages
        super().__init__(task, checkpoint, model, tokenizer, defaults)

    def __call__(self, inputs: str | list[str], **kwargs: Any) -> Any:
        options = self._options(kwargs)
        languages = (options.pop("src_lang", self.languages[0]), options.pop("tgt_lang", self.languages[1]))
        texts, single = _texts(inputs, self.task)
        returns = options.get("num_return_sequences", 1)
        with _quietly(), torch.no_grad():
            try:
                generated = self._generate(texts, languages, options)
            except (TypeError, ValueError) as error:
                raise type(error)(f"{self.task} ({self.checkpoint.name_or_path}): {error}") from None
        results = [
            [{self.output_key: text} for text in generated[i * returns : (i + 1) * returns]] for i in range(len(texts))
        ]
        if single:
            return results[0]
        return [result[0] for result in results] if returns == 1 else results

    def _generate(self, texts: list[str], languages: tuple[str, str], options: dict[str, Any]) -> list[str]:
        raise NotImplementedError


class Seq2SeqTextPipeline(_TextToTextPipeline):
    """Summarization / translation with an encoder-decoder model's ``generate`` (the course's models)."""

    def _generate(self, texts: list[str], languages: tuple[str, str], options: dict[str, Any]) -> list[str]:
        key = self.task if self.task == "summarization" else f"translation_{languages[0]}_to_{languages[1]}"
        prefix = (getattr(self.model.config, "task_specific_params", None) or {}).get(key, {}).get("prefix", "")  # T5
        encoded = self.tokenizer(
            [prefix + text for text in texts],
            padding=True,
            truncation=True,
            return_tensors="pt",
            return_token_type_ids=False,
        )
        output_ids = self.model.generate(**encoded.to(self.model.device), **options)
        return [text.strip() for text in self.tokenizer.batch_decode(output_ids, skip_special_tokens=True)]


class PromptedTextPipeline(_TextToTextPipeline):
    """Summarization / translation by prompting a causal instruct LM through its chat template.

    Translation starts the answer with ``In English: "`` (the target language) and keeps the text up to
    the closing quote: SmolLM2-135M otherwise tends to repeat the French. ``max_length`` / ``min_length``
    count the output's tokens, as in the course's seq2seq pipelines (they become ``max_new_tokens`` /
    ``min_new_tokens``); greedy decoding, 64 new tokens by default.
    """

    SUMMARY_PROMPT = "Summarize the following text in one or two sentences.\n\n{text}"
    TRANSLATION_PROMPT = "Translate this {source} sentence to {target}: {text}"
    TRANSLATION_ANSWER = 'In {target}: "'
    MAX_NEW_TOKENS = 64

    def _prompt(self, text: str, languages: tuple[str, str]) -> str:
        if self.task == "summarization":
            request, answer = self.SUMMARY_PROMPT.format(text=text.strip()), ""
        else:
            source, target = (_language_name(code) for code in languages)
            request = self.TRANSLATION_PROMPT.format(source=source, target=target, text=text.strip())
            answer = self.TRANSLATION_ANSWER.format(target=target)
        if self.tokenizer.chat_template is None:
            return f"{request}\n{answer}"
        messages = [{"role": "user", "content": request}]
        return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True) + answer

    def _generate(self, texts: list[str], languages: tuple[str, str], options: dict[str, Any]) -> list[str]:
        for course_name, name in (("max_length", "max_new_tokens"), ("min_length", "min_new_tokens")):
            if course_name in options:
                options[name] = options.pop(course_name)
        options.setdefault("max_new_tokens", self.MAX_NEW_TOKENS)
        options.setdefault("do_sample", False)
        prompts = [self._prompt(text, languages) for text in texts]
        encoded = self.tokenizer(
            prompts, padding=True, return_tensors="pt", add_special_tokens=False, return_token_type_ids=False
        )
        encoded = encoded.to(self.model.device)
        output_ids = self.model.generate(**encoded, pad_token_id=self.tokenizer.pad_token_id, **options)
        answers = self.tokenizer.batch_decode(output_ids[:, encoded["input_ids"].shape[1] :], skip_special_tokens=True)
        if self.task != "summarization":
            answers = [answer.split('"')[0] for answer in answers]
        return [answer.strip() for answer in answers]


def _language_name(code: str) -> str:
    if code not in LANGUAGE_NAMES:
        raise ValueError(f"translation: unknown language code {code!r}; known: {', '.join(sorted(LANGUAGE_NAMES))}.")
    return LANGUAGE_NAMES[code]


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
        f"Unknown task {task!r}. hfcourse.pipeline knows: {', '.join(TASKS)}, and translation_xx_to_yy (e.g. translation_fr_to_en)."
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
        f"{config.model_type!r}); give a seq2seq model such as sshleifer/distilbart-cnn-12-6 or Helsinki-NLP/opus-mt-fr-en."
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
