"""The exercises of chapters 0 and 1 (00_setup, 01_3_pipelines, 01_4_transformer_architecture): their checks.

Each check takes what the exercise cell passes to ``hfcourse.check`` and returns a ``Verdict``; the hints
are written for the wrong answers learners give most (tests/lessons/test_exercises.py gives each one).
"""

from __future__ import annotations

from typing import Any

import torch

from ...offline.devices import default_device
from . import Verdict, correct, hint, register, returned_nothing

__all__: list[str] = []  # the checks are reached through the registry, by exercise id

# --------------------------------------------------------------------------------------------------
# Chapter 0: setup
# --------------------------------------------------------------------------------------------------


@register("0.transformers_major", "00_setup", "the major version of transformers installed here, as a number")
def check_transformers_major(answer: Any) -> Verdict:
    import transformers

    installed = int(transformers.__version__.split(".")[0])
    if isinstance(answer, str):
        return hint(
            f"you gave the text {answer!r}; give the major version as a number: "
            "int(transformers.__version__.split('.')[0])."
        )
    if answer != installed:
        return hint(f"{answer!r} is not the major version installed here: print(transformers.__version__).")
    return correct(f"transformers {transformers.__version__}: version {installed}, the one this course is written for.")


@register("0.device", "00_setup", "the device PyTorch would train on here: 'cuda', 'mps' or 'cpu'")
def check_device(answer: Any) -> Verdict:
    expected = default_device()
    if isinstance(answer, torch.device):
        answer = answer.type
    if answer not in ("cuda", "mps", "cpu"):
        return hint(f"{answer!r} is not a device name; answer 'cuda', 'mps' or 'cpu'.")
    if answer != expected:
        checks = {"cuda": "torch.cuda.is_available()", "mps": "torch.backends.mps.is_available()"}
        if answer in checks:
            return hint(f"{checks[answer]} is False on this machine, so PyTorch cannot use {answer!r} here.")
        return hint(f"this machine has a GPU that PyTorch can use ({expected!r}): ask torch which is available.")
    return correct(f"{expected!r}: {'no GPU, so the CPU' if expected == 'cpu' else 'the GPU'} runs the models.")


# --------------------------------------------------------------------------------------------------
# 1.3 Transformers, what can they do?
# --------------------------------------------------------------------------------------------------

PIPELINE_USES = {
    "find the people, places and organisations named in a text": "ner",
    "say whether a review is positive or negative": "sentiment-analysis",
    "sort a text into labels you choose at run time, with no training": "zero-shot-classification",
    "answer a question from a given paragraph": "question-answering",
    "continue a prompt": "text-generation",
    "fill in a hidden word": "fill-mask",
}
# Names of the same tasks that pipeline() also accepts.
PIPELINE_ALIASES = {"token-classification": "ner", "text-classification": "sentiment-analysis"}


@register("1.3.pipeline_tasks", "01_3_pipelines", "which pipeline task serves each use")
def check_pipeline_tasks(answer: Any) -> Verdict:
    if not isinstance(answer, dict):
        return hint("give a dict: each use (the keys of PIPELINE_USES) -> the name of a pipeline task.")
    missing = [use for use in PIPELINE_USES if answer.get(use, ...) is ...]
    if missing:
        return hint(f"no task yet for {missing[0]!r}: replace its `...` with a task name.")
    for use, expected in PIPELINE_USES.items():
        given = PIPELINE_ALIASES.get(answer[use], answer[use])
        if given != expected:
            return hint(f"{use!r}: {answer[use]!r} does something else; look again at the tasks of this notebook.")
    return correct("each use has its pipeline.")


@register("1.3.mask_token", "01_3_pipelines", "the mask token of the BERT-style encoder's tokenizer")
def check_mask_token(answer: Any) -> Verdict:
    from transformers import AutoTokenizer

    from ...offline.catalog import resolve_checkpoint

    expected = AutoTokenizer.from_pretrained(resolve_checkpoint("encoder").name_or_path).mask_token
    if answer == expected:
        return correct(f"{expected}: the token a masked language model is trained to fill in.")
    if answer == "<mask>":
        return hint(
            "<mask> is the mask token of RoBERTa-style tokenizers; this one is BERT-style: print(tokenizer.mask_token)."
        )
    return hint(f"{answer!r} is not this tokenizer's mask token: load it and print tokenizer.mask_token.")


# --------------------------------------------------------------------------------------------------
# 1.4 How do Transformers work?
# --------------------------------------------------------------------------------------------------


def _reference_split_heads(states: torch.Tensor, num_heads: int) -> torch.Tensor:
    batch, length, hidden = states.shape
    return states.view(batch, length, num_heads, hidden // num_heads).transpose(1, 2)


@register("1.4.split_heads", "01_4_transformer_architecture", "split (batch, length, hidden) into attention heads")
def check_split_heads(split_heads: Any) -> Verdict:
    states = torch.randn(2, 5, 12, generator=torch.Generator().manual_seed(0))
    expected = _reference_split_heads(states, 3)
    result = split_heads(states, 3)
    if (problem := returned_nothing(result)) is not None:
        return problem
    if not isinstance(result, torch.Tensor):
        return hint(f"return a tensor; yours returned a {type(result).__name__}.")
    if tuple(result.shape) == (2, 5, 3, 4):
        return hint(
            "shape (batch, length, heads, head size): each head must see the whole sequence, so heads come "
            "before the length: .transpose(1, 2)."
        )
    if tuple(result.shape) != tuple(expected.shape):
        return hint(f"shape {tuple(result.shape)}; for (2, 5, 12) and 3 heads it should be (2, 3, 5, 4).")
    if not torch.equal(result, expected):
        return hint(
            "the shape is right but the numbers are in the wrong places: view the hidden size as "
            "(heads, head size), then move the heads before the length (a reshape alone mixes tokens)."
        )
    return correct("(batch, heads, length, head size): each head now attends over the whole sequence.")


def _reference_sliding_window_mask(length: int, window: int) -> torch.Tensor:
    positions = torch.arange(length)
    distance = positions[:, None] - positions[None, :]
    return (distance >= 0) & (distance < window)


@register(
    "1.4.sliding_window_mask",
    "01_4_transformer_architecture",
    "a causal mask that sees only the last `window` tokens (itself included)",
)
def check_sliding_window_mask(sliding_window_mask: Any) -> Verdict:
    result = sliding_window_mask(6, 3)
    if (problem := returned_nothing(result)) is not None:
        return problem
    if not isinstance(result, torch.Tensor) or tuple(result.shape) != (6, 6):
        return hint("return a (length, length) tensor: one row per query token, one column per key token.")
    result = result.bool()
    expected = _reference_sliding_window_mask(6, 3)
    if torch.equal(result, expected):
        other = sliding_window_mask(4, 1)
        if other is not None and torch.equal(torch.as_tensor(other).bool(), torch.eye(4, dtype=torch.bool)):
            return correct("each token sees itself and the window - 1 tokens before it, nothing after.")
        return hint("right for window 3, wrong for window 1 (each token sees only itself): use `window`.")
    if result.triu(diagonal=1).any():
        return hint("some tokens see tokens after them: a decoder's mask keeps only the lower triangle.")
    if not result.diagonal().all():
        return hint("a token must see itself: the diagonal belongs in the mask.")
    if torch.equal(result, _reference_sliding_window_mask(6, 6)):
        return hint("this is the full causal mask: each token should see only the last `window` tokens.")
    if torch.equal(result, _reference_sliding_window_mask(6, 4)):
        return hint("off by one: with window 3 a token sees itself and the 2 tokens before it, not 3.")
    return hint("row i should be True exactly for columns i - window + 1 to i.")
