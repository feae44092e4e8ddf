"""Turn a raw GLUE dataset into the columns a sequence classifier takes (course chapter 3, "Processing the data").

``tokenize_dataset`` is the course's ``raw_datasets.map(tokenize_function, batched=True)`` followed by the
clean-up the manual loop needs: it tokenizes one or two text columns with truncation and no padding
(padding happens per batch, see ``hfcourse.lessons.collation``), drops the text columns and ``idx``, and renames
``label`` to ``labels``, the name the model's ``forward`` takes. The result works unchanged with
``Trainer``, with the manual loop and with Accelerate.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from datasets import Dataset, DatasetDict
from transformers import PreTrainedTokenizerBase

__all__ = ["token_lengths", "tokenize_dataset"]

RawData = TypeVar("RawData", Dataset, DatasetDict)


def _check_text_columns(
    splits: dict[str, Dataset], text_columns: tuple[str, ...], keep_columns: tuple[str, ...]
) -> None:
    if len(text_columns) not in (1, 2) or not all(isinstance(name, str) for name in text_columns):
        raise ValueError(
            f"text_columns={text_columns!r}: give one column name (single sentences, e.g. ('sentence',) for "
            "SST-2) or two (sentence pairs, e.g. ('sentence1', 'sentence2') for MRPC)."
        )
    for split_name, split in splits.items():
        for column in (*text_columns, *keep_columns):
            if column not in split.column_names:
                role = "text column" if column in text_columns else "column to keep"
                raise ValueError(
                    f"tokenize_dataset: {role} {column!r} is not in split {split_name!r}, whose columns are "
                    f"{split.column_names}. Pass text_columns= the names of the text columns "
                    "(('sentence1', 'sentence2') for MRPC, ('sentence',) for SST-2)."
                )
        if "input_ids" in split.column_names:
            raise ValueError(
                f"tokenize_dataset: split {split_name!r} already has input_ids (columns {split.column_names}); "
                "it is tokenized already. Pass the raw dataset that load_glue returns."
            )


def tokenize_dataset(
    raw: RawData,
    tokenizer: PreTrainedTokenizerBase,
    text_columns: Sequence[str] = ("sentence1", "sentence2"),
    max_length: int | None = None,
    keep_columns: Sequence[str] = (),
) -> RawData:
    """Tokenize every split with a batched ``map``: truncation on, no padding, model-ready columns.

    Args:
        raw: a ``DatasetDict`` (all splits are tokenized) or a single ``Dataset``, e.g. from ``load_glue``.
        tokenizer: the checkpoint's tokenizer.
        text_columns: one column (single sentences, ``("sentence",)`` for SST-2) or two (sentence pairs,
            the default, MRPC's ``sentence1``/``sentence2``; the tokenizer joins them with ``[SEP]`` and
            marks the second with ``token_type_ids`` 1).
        max_length: truncate longer inputs to this many tokens; None: the tokenizer's ``model_max_length``.
        keep_columns: other columns to keep (e.g. ``("idx",)`` to trace which samples a process saw);
            ``Trainer`` and ``train_loop`` do not pass them to the model.

    Returns:
        The same kind of object with the tokenizer's columns (``input_ids``, ``attention_mask`` and, for
        BERT, ``token_type_ids``), ``labels`` (renamed from ``label``) and ``keep_columns``; every other
        column (the text columns, ``idx``) is dropped. The rows keep their order and number.

    Raises:
        ValueError: naming the missing column and the columns that exist, or a dataset tokenized already.
    """
    text_columns = tuple(text_columns)
    keep_columns = tuple(keep_columns)
    splits = dict(raw) if isinstance(raw, DatasetDict) else {raw.split or "dataset": raw}
    if not all(isinstance(split, Dataset) for split in splits.values()):
        raise TypeError(
            f"raw must be a datasets Dataset or DatasetDict (e.g. from load_glue); got {type(raw).__name__}."
        )
    _check_text_columns(splits, text_columns, keep_columns)
    if max_length is not None and (not isinstance(max_length, int) or max_length < 2):
        raise ValueError(
            f"max_length={max_length!r}: give a number of tokens of at least 2, or None for the tokenizer's limit."
        )

    def tokenize_batch(batch: dict[str, list[Any]]) -> Any:
        return tokenizer(*(batch[column] for column in text_columns), truncation=True, max_length=max_length)

    def clean(split: Dataset) -> Dataset:
        dropped = [column for column in split.column_names if column not in ("label", "labels", *keep_columns)]
        tokenized = split.map(tokenize_batch, batched=True, remove_columns=dropped)
        if "label" in tokenized.column_names and "labels" not in tokenized.column_names:
            tokenized = tokenized.rename_column("label", "labels")
        return tokenized

    if isinstance(raw, DatasetDict):
        return DatasetDict({name: clean(split) for name, split in raw.items()})
    return clean(raw)


def token_lengths(dataset: Dataset) -> list[int]:
    """The number of tokens of each sample of a tokenized ``dataset`` (its ``input_ids``), in row order.

    What length-grouped batching, sorted evaluation and FLOP counts on real tokens need.

    Raises:
        ValueError: for a dataset without ``input_ids`` (not tokenized yet).
    """
    if "input_ids" not in dataset.column_names:
        raise ValueError(
            f"token_lengths needs a tokenized dataset with an input_ids column (columns: {dataset.column_names}); "
            "tokenize it first with tokenize_dataset(raw, tokenizer)."
        )
    return [len(input_ids) for input_ids in dataset["input_ids"]]
