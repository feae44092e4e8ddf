"""The course's chapter 1 tasks that transformers 5 removed, kept with the course's call and output (taught in
01_3_pipelines): extractive question answering on ``AutoModelForQuestionAnswering``, summarization and
translation by a seq2seq model's ``generate`` or, offline, by a prompted instruct LM.
"""

from __future__ import annotations

import math
import re
from typing import Any

import torch

from ..offline.checkpoints import Checkpoint
from .pipeline_base import CoursePipeline, _quietly, _texts

__all__ = [
    "DEFAULT_LANGUAGES",
    "LANGUAGE_NAMES",
    "PromptedTextPipeline",
    "QuestionAnsweringPipeline",
    "Seq2SeqTextPipeline",
]

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
            for score, flat in zip(best.values.tolist(), best.indices.tolist(), strict=True):
                start_token, end_token = divmod(flat, spans.shape[1])
                if score <= 0:
                    continue
                span = (offsets[feature][start_token][0], offsets[feature][end_token][1])
                candidates[example][span] = max(score, candidates[example].get(span, 0.0))
        answers = []
        for (_, context), found in zip(pairs, candidates, strict=True):
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
    usage = (
        "question-answering takes question=..., context=... (strings, or lists of equal length), "
        'or {"question": ..., "context": ...} dicts.'
    )
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
            f"question-answering got {len(questions)} questions and {len(contexts)} contexts; "
            "give one context per question."
        )
    for text, name in [(q, "question") for q in questions] + [(c, "context") for c in contexts]:
        if not text.strip():
            raise ValueError(f"question-answering: an empty {name}; give text to answer from.")
    return list(zip(questions, contexts, strict=True)), single


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
        else:  # a summary cut by max_new_tokens ends mid-sentence: keep the whole sentences
            answers = [_whole_sentences(answer.strip()) for answer in answers]
        return [answer.strip() for answer in answers]


def _whole_sentences(text: str) -> str:
    """``text`` up to its last sentence end (``.``, ``!`` or ``?`` before a space or the end); all of it if none."""
    ends = [match.end() for match in re.finditer(r"[.!?](?=\s|$)", text)]
    return text[: ends[-1]] if ends else text


def _language_name(code: str) -> str:
    if code not in LANGUAGE_NAMES:
        raise ValueError(f"translation: unknown language code {code!r}; known: {', '.join(sorted(LANGUAGE_NAMES))}.")
    return LANGUAGE_NAMES[code]
