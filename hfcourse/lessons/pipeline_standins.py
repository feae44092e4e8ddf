"""Offline stand-ins for tasks whose local model is of another kind (taught in 01_3_pipelines): zero-shot
classification by sentence-embedding similarity (an encoder, not an NLI model) and mask filling by a causal LM
that ranks candidate words (not a masked LM).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import torch

from .pipeline_base import CoursePipeline, _quietly, _texts

__all__ = ["CausalFillMaskPipeline", "EmbeddingZeroShotPipeline"]


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
                f"{self.task}: hypothesis_template={template!r} has no {{}} where the label goes, "
                f"e.g. {self.DEFAULT_TEMPLATE!r}."
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
        for text, row in zip(texts, scores.tolist(), strict=True):
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Code written for transformers' pipeline reads the mask from the tokenizer
        # (`unmasker.tokenizer.mask_token`): give it the course's, which _fill_text splits on before tokenizing.
        self.tokenizer.mask_token = self.MASK

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
        ranked = sorted(zip(scores, candidates, strict=True), key=lambda item: -item[0])[:top_k]
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
            return torch.zeros(len(candidate_ids), device=self.model.device)
        input_ids = torch.tensor([[token_id] + right_ids for token_id in candidate_ids], device=self.model.device)
        past_key_values.batch_repeat_interleave(len(candidate_ids))
        logits = self.model(input_ids=input_ids, past_key_values=past_key_values).logits.float()
        log_probs = torch.log_softmax(logits[:, :-1], dim=-1).gather(-1, input_ids[:, 1:, None])[..., 0]
        return log_probs.sum(dim=1).cpu()


def _join(pieces: list[str]) -> str:
    """Text pieces around the masks that are not being filled, joined without those masks."""
    return re.sub(r"  +", " ", "".join(pieces))
