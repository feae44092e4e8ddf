"""Dynamic padding: pad each batch to its own longest sample, not the whole dataset to the longest one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from transformers import DataCollatorWithPadding, PreTrainedTokenizerBase

__all__ = ["batch_shapes", "make_collator"]


def make_collator(tokenizer: PreTrainedTokenizerBase) -> DataCollatorWithPadding:
    """The course's ``DataCollatorWithPadding``: lists of samples in, a dict of padded tensors out.

    Each batch is padded to the length of its longest sample (``tokenize_dataset`` does not pad), so a
    batch of short pairs costs less than one padded to the longest pair of the dataset.

    Raises:
        ValueError: when the tokenizer has no padding token (GPT-style tokenizers), with the fix.
    """
    if not isinstance(tokenizer, PreTrainedTokenizerBase):
        raise TypeError(
            "make_collator needs the checkpoint's tokenizer (AutoTokenizer.from_pretrained); "
            f"got {type(tokenizer).__name__}."
        )
    if tokenizer.pad_token is None:
        raise ValueError(
            f"The tokenizer of {tokenizer.name_or_path!r} has no padding token, so batches cannot be padded. "
            "Set one first, e.g. tokenizer.pad_token = tokenizer.eos_token."
        )
    return DataCollatorWithPadding(tokenizer=tokenizer)


def batch_shapes(batch: Mapping[str, Any]) -> dict[str, tuple[int, ...]]:
    """``{column: shape}`` of a collated batch, the view the course prints instead of raw tensors."""
    return {name: tuple(value.shape) for name, value in batch.items()}
