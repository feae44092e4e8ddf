"""What happens behind ``pipeline("sentiment-analysis")``, one step at a time (course chapter 2).

tokenizer (text -> input ids and attention mask) -> model (ids -> logits) -> softmax (logits ->
probabilities) -> ``config.id2label`` (probabilities -> labels). The helpers here run those steps
explicitly, so that a notebook can compare each one with the pipeline, and show how several sequences
of different lengths are padded into one batch and why the attention mask is needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

__all__ = [
    "COURSE_SENTENCES",
    "ClassificationSteps",
    "PaddingComparison",
    "SequenceTooLongError",
    "apply_classification_head",
    "classify_step_by_step",
    "compare_padding",
    "model_max_length",
    "pad_sequences",
    "sentence_embeddings",
]

# The sentences of the course's "Behind the pipeline" notebook (the course's two, then three short ones that show
# padding at work).
COURSE_SENTENCES: tuple[str, ...] = (
    "I've been waiting for a HuggingFace course my whole life.",
    "I hate this so much!",
    "Hey you!",
    "Aha!",
    "Bowen!",
)


class SequenceTooLongError(ValueError):
    """A text with more tokens than the model has positions for."""


def _check_texts(texts: str | Sequence[str]) -> list[str]:
    """One text or a sequence of texts -> a non-empty list of strings, or an error that says what is wrong."""
    if isinstance(texts, str):
        return [texts]
    if not isinstance(texts, Sequence) or len(texts) == 0:
        raise ValueError(f"texts must be a string or a non-empty list of strings, got {texts!r}.")
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"texts[{index}] is a {type(text).__name__}, not a string: pass the raw text.")
    return list(texts)


def _check_eval_mode(model: torch.nn.Module) -> None:
    if model.training:
        raise ValueError(
            f"The model ({type(model).__name__}) is in training mode, so dropout makes every run differ. "
            "Call model.eval() before comparing outputs."
        )


def model_max_length(tokenizer: Any, model: Any) -> int:
    """The most tokens one sequence may have: the tokenizer's ``model_max_length``, capped by the model's
    position embeddings (``config.max_position_embeddings``) when it has them."""
    limits = [int(tokenizer.model_max_length)]
    positions = getattr(model.config, "max_position_embeddings", None)
    if positions:
        limits.append(int(positions))
    return min(limits)


@dataclass
class ClassificationSteps:
    """Every intermediate result of a text classification, in the order the steps produce them.

    Attributes:
        texts: the raw input texts.
        inputs: the tokenizer's batch (``input_ids``, ``attention_mask``, ...), padded to the longest text.
        logits: the model's raw scores, shape ``[batch, num_labels]``.
        probabilities: ``softmax(logits)`` over the labels, each row sums to 1.
        id2label: the model's class names (``model.config.id2label``).
    """

    texts: list[str]
    inputs: Any
    logits: torch.Tensor
    probabilities: torch.Tensor
    id2label: dict[int, str]

    @property
    def labels(self) -> list[str]:
        """The most probable label of each text."""
        return [self.id2label[int(index)] for index in self.probabilities.argmax(dim=-1)]

    def predictions(self) -> list[dict[str, Any]]:
        """The pipeline's output format: one ``{"label": ..., "score": ...}`` per text (top label)."""
        best_scores = self.probabilities.max(dim=-1).values
        return [{"label": label, "score": float(score)} for label, score in zip(self.labels, best_scores, strict=True)]


def classify_step_by_step(
    texts: str | Sequence[str], tokenizer: Any, model: Any, *, truncation: bool = True
) -> ClassificationSteps:
    """Classify ``texts`` with the steps of the sentiment pipeline, keeping every intermediate result.

    Args:
        texts: one text or a list of texts.
        tokenizer: the tokenizer that belongs to ``model``.
        model: a sequence-classification model in eval mode.
        truncation: cut texts longer than ``model_max_length(tokenizer, model)``; with False a text that
            is too long raises SequenceTooLongError instead of a deep error inside the model.
    """
    texts = _check_texts(texts)
    _check_eval_mode(model)
    if not truncation:
        limit = model_max_length(tokenizer, model)
        for index, ids in enumerate(tokenizer(texts)["input_ids"]):
            if len(ids) > limit:
                raise SequenceTooLongError(
                    f"texts[{index}] ({texts[index][:40]!r}...) is {len(ids)} tokens long, but the model takes "
                    f"at most {limit}. Pass truncation=True to keep the first {limit} tokens, or split the text."
                )
    inputs = tokenizer(texts, padding=True, truncation=truncation, return_tensors="pt").to(model.device)
    with torch.no_grad():
        logits = model(**inputs).logits
    probabilities = torch.nn.functional.softmax(logits, dim=-1)
    return ClassificationSteps(texts, inputs, logits, probabilities, dict(model.config.id2label))


def _bert_head(model: Any, last_hidden_state: torch.Tensor) -> torch.Tensor:
    # BERT: the pooler (dense + tanh on the [CLS] vector), then a linear layer
    return model.classifier(model.base_model.pooler(last_hidden_state))


def _distilbert_head(model: Any, last_hidden_state: torch.Tensor) -> torch.Tensor:
    # DistilBERT: the [CLS] vector through a linear layer, ReLU, then a linear layer
    return model.classifier(torch.relu(model.pre_classifier(last_hidden_state[:, 0])))


def _roberta_head(model: Any, last_hidden_state: torch.Tensor) -> torch.Tensor:
    # RoBERTa: its classification head takes the hidden states and picks the <s> vector itself
    return model.classifier(last_hidden_state)


_CLASSIFICATION_HEADS = {"bert": _bert_head, "distilbert": _distilbert_head, "roberta": _roberta_head}


def apply_classification_head(model: Any, last_hidden_state: torch.Tensor) -> torch.Tensor:
    """Run only the head of a sequence-classification model on its base model's hidden states.

    ``model(**inputs).logits`` equals ``apply_classification_head(model, model.base_model(**inputs)
    .last_hidden_state)``: the head is a small network on top of the ``[batch, sequence, hidden]`` states
    that gives ``[batch, num_labels]`` logits. Dropout is skipped (eval mode). Supports the BERT,
    DistilBERT and RoBERTa families.
    """
    _check_eval_mode(model)
    model_type = getattr(model.config, "model_type", None)
    if model_type not in _CLASSIFICATION_HEADS or not hasattr(model, "classifier"):
        raise ValueError(
            f"apply_classification_head knows the heads of {', '.join(_CLASSIFICATION_HEADS)} sequence-classification "
            f"models, not {type(model).__name__} (model_type {model_type!r}). Use model(**inputs).logits for it."
        )
    if last_hidden_state.dim() != 3 or last_hidden_state.shape[-1] != model.config.hidden_size:
        raise ValueError(
            f"last_hidden_state has shape {tuple(last_hidden_state.shape)}; expected [batch, sequence, "
            f"{model.config.hidden_size}], the last_hidden_state of model.base_model(**inputs)."
        )
    with torch.no_grad():
        return _CLASSIFICATION_HEADS[model_type](model, last_hidden_state)


def pad_sequences(sequences: Sequence[Sequence[int]], pad_token_id: int | None) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-pad lists of token ids to the longest one; return ``(input_ids, attention_mask)`` tensors.

    The attention mask is 1 for real tokens and 0 for padding, as the tokenizer's ``padding=True`` makes it.
    """
    if pad_token_id is None:
        raise ValueError(
            "pad_token_id is None: this tokenizer has no padding token. Use tokenizer.pad_token_id "
            "of a tokenizer that has one, or set tokenizer.pad_token first."
        )
    if len(sequences) == 0:
        raise ValueError("sequences is empty: give at least one list of token ids.")
    for index, ids in enumerate(sequences):
        if len(ids) == 0:
            raise ValueError(f"sequences[{index}] is empty: every sequence needs at least one token id.")
    longest = max(len(ids) for ids in sequences)
    input_ids = torch.tensor([list(ids) + [pad_token_id] * (longest - len(ids)) for ids in sequences])
    attention_mask = torch.tensor([[1] * len(ids) + [0] * (longest - len(ids)) for ids in sequences])
    return input_ids, attention_mask


@dataclass
class PaddingComparison:
    """Logits of the same sequences run alone, batched without an attention mask, and batched with one.

    Attributes:
        single_logits: each sequence run on its own (no padding), stacked: ``[batch, num_labels]``.
        unmasked_logits: the padded batch without an attention mask (padding tokens are attended to).
        masked_logits: the padded batch with its attention mask.
        padded_rows: indices of the sequences that received padding.
    """

    single_logits: torch.Tensor
    unmasked_logits: torch.Tensor
    masked_logits: torch.Tensor
    padded_rows: list[int]

    @property
    def unmasked_difference(self) -> torch.Tensor:
        """Largest absolute logit difference to the single runs, per row, without the mask."""
        return (self.unmasked_logits - self.single_logits).abs().amax(dim=-1)

    @property
    def masked_difference(self) -> torch.Tensor:
        """Largest absolute logit difference to the single runs, per row, with the mask."""
        return (self.masked_logits - self.single_logits).abs().amax(dim=-1)


def compare_padding(sequences: Sequence[Sequence[int]], model: Any, pad_token_id: int | None) -> PaddingComparison:
    """Run token-id sequences one by one, then as one padded batch without and with the attention mask."""
    _check_eval_mode(model)
    input_ids, attention_mask = pad_sequences(sequences, pad_token_id)
    input_ids, attention_mask = input_ids.to(model.device), attention_mask.to(model.device)
    with torch.no_grad():
        single_logits = torch.cat(
            [model(input_ids=torch.tensor([list(ids)], device=model.device)).logits for ids in sequences]
        )
        unmasked_logits = model(input_ids=input_ids).logits
        masked_logits = model(input_ids=input_ids, attention_mask=attention_mask).logits
    padded_rows = [index for index, ids in enumerate(sequences) if len(ids) < input_ids.shape[1]]
    return PaddingComparison(single_logits, unmasked_logits, masked_logits, padded_rows)


def sentence_embeddings(texts: str | Sequence[str], tokenizer: Any, model: Any) -> torch.Tensor:
    """Unit-length sentence vectors ``[batch, hidden]``: the mean of the last hidden states over real
    tokens (padding excluded by the attention mask), as sentence-transformers' MiniLM is trained to give.

    ``model`` is a base model (``AutoModel``) or any model whose output has ``last_hidden_state``.
    """
    texts = _check_texts(texts)
    _check_eval_mode(model)
    inputs = tokenizer(texts, padding=True, truncation=True, return_tensors="pt").to(model.device)
    with torch.no_grad():
        hidden_states = model(**inputs).last_hidden_state
    mask = inputs["attention_mask"].unsqueeze(-1).to(hidden_states.dtype)
    mean = (hidden_states * mask).sum(dim=1) / mask.sum(dim=1)
    return torch.nn.functional.normalize(mean, dim=-1)
