"""tokenize_dataset: pairs and single sentences, model-ready columns, truncation, clear errors."""

from __future__ import annotations

import pytest
from datasets import ClassLabel, Dataset, DatasetDict, Features, Value
from transformers import AutoTokenizer

from hfcourse import load_glue, resolve_checkpoint
from hfcourse.lessons.tokenization import tokenize_dataset

MODEL_COLUMNS = ["labels", "input_ids", "token_type_ids", "attention_mask"]


@pytest.fixture(scope="module")
def tokenizer():
    return AutoTokenizer.from_pretrained(resolve_checkpoint("encoder").name_or_path)


@pytest.fixture(scope="module")
def pairs() -> DatasetDict:
    features = Features(
        {
            "sentence1": Value("string"),
            "sentence2": Value("string"),
            "label": ClassLabel(names=["not_equivalent", "equivalent"]),
            "idx": Value("int32"),
        }
    )
    train = Dataset.from_dict(
        {
            "sentence1": [
                "This is the first sentence.",
                "A much longer first sentence with quite a few more words in it.",
            ],
            "sentence2": ["This is the second one.", "Short."],
            "label": [1, 0],
            "idx": [0, 1],
        },
        features=features,
    )
    return DatasetDict(train=train, validation=train.select([1]))


def test_pairs_become_model_columns_in_the_courses_order(tokenizer, pairs):
    tokenized = tokenize_dataset(pairs, tokenizer)
    assert isinstance(tokenized, DatasetDict) and set(tokenized) == {"train", "validation"}
    assert tokenized["train"].column_names == MODEL_COLUMNS
    assert tokenized["train"]["labels"] == [1, 0] and tokenized["validation"]["labels"] == [0]
    first = tokenized["train"][0]
    assert first["input_ids"] == tokenizer("This is the first sentence.", "This is the second one.")["input_ids"]


def test_pair_marks_the_second_sentence_with_token_type_one(tokenizer, pairs):
    first = tokenize_dataset(pairs, tokenizer)["train"][0]
    tokens = tokenizer.convert_ids_to_tokens(first["input_ids"])
    assert tokens == "[CLS] this is the first sentence . [SEP] this is the second one . [SEP]".split()
    assert first["token_type_ids"] == [0] * 8 + [1] * 7


def test_no_padding_each_sample_keeps_its_length(tokenizer, pairs):
    lengths = [len(ids) for ids in tokenize_dataset(pairs, tokenizer)["train"]["input_ids"]]
    assert lengths[0] != lengths[1]
    assert tokenizer.pad_token_id not in tokenize_dataset(pairs, tokenizer)["train"][0]["input_ids"]


def test_single_sentences_have_one_segment(tokenizer, pairs):
    tokenized = tokenize_dataset(pairs["train"], tokenizer, text_columns=("sentence2",))
    assert isinstance(tokenized, Dataset)
    assert tokenized.column_names == MODEL_COLUMNS
    assert tokenizer.convert_ids_to_tokens(tokenized[0]["input_ids"]) == "[CLS] this is the second one . [SEP]".split()
    assert set(tokenized[0]["token_type_ids"]) == {0}


def test_max_length_truncates(tokenizer, pairs):
    tokenized = tokenize_dataset(pairs, tokenizer, max_length=8)
    assert [len(ids) for ids in tokenized["train"]["input_ids"]] == [8, 8]
    assert tokenized["train"][1]["input_ids"][-1] == tokenizer.sep_token_id


def test_keep_columns_keeps_idx(tokenizer, pairs):
    tokenized = tokenize_dataset(pairs, tokenizer, keep_columns=("idx",))
    assert tokenized["train"]["idx"] == [0, 1]
    assert set(tokenized["train"].column_names) == {*MODEL_COLUMNS, "idx"}


def test_embedded_sst2_tokenizes_with_only_text_columns_changed(tokenizer):
    raw = load_glue("sst2")
    tokenized = tokenize_dataset(raw, tokenizer, text_columns=("sentence",))
    assert tokenized["train"].column_names == MODEL_COLUMNS
    assert tokenized["train"].num_rows == raw["train"].num_rows
    assert tokenized["train"]["labels"] == raw["train"]["label"]


def test_real_mrpc_lengths_match_the_course(tokenizer, real_glue_dir):
    # The course prints these lengths for the first 8 training pairs with bert-base-uncased's vocabulary,
    # which MiniLM shares.
    tokenized = tokenize_dataset(load_glue("mrpc", real_glue_dir / "mrpc"), tokenizer)
    assert [len(ids) for ids in tokenized["train"][:8]["input_ids"]] == [50, 59, 47, 67, 59, 50, 62, 32]
    assert (tokenized["train"].num_rows, tokenized["validation"].num_rows) == (3668, 408)


def test_missing_column_is_named_with_the_columns_that_exist(tokenizer):
    with pytest.raises(ValueError) as error:
        tokenize_dataset(load_glue("sst2"), tokenizer)
    message = str(error.value)
    assert "'sentence1'" in message and "['sentence', 'label', 'idx']" in message and "text_columns" in message


def test_three_text_columns_are_refused(tokenizer, pairs):
    with pytest.raises(ValueError, match="give one column name"):
        tokenize_dataset(pairs, tokenizer, text_columns=("sentence1", "sentence2", "idx"))


def test_tokenizing_twice_is_refused(tokenizer, pairs):
    tokenized = tokenize_dataset(pairs, tokenizer, keep_columns=())
    with pytest.raises(ValueError, match="already has input_ids"):
        tokenize_dataset(tokenized, tokenizer, text_columns=("labels",))


def test_token_lengths_count_each_samples_tokens_and_refuse_raw_text(tokenizer):
    from hfcourse.lessons.tokenization import token_lengths

    raw = Dataset.from_dict(
        {"sentence1": ["a cat sat", "dogs"], "sentence2": ["a cat", "dogs run very fast in the park"], "label": [1, 0]}
    )
    tokenized = tokenize_dataset(raw, tokenizer)
    lengths = token_lengths(tokenized)
    assert lengths == [sum(mask) for mask in tokenized["attention_mask"]]  # unpadded: every token is real
    assert lengths[0] < lengths[1]  # the second pair has more words
    with pytest.raises(ValueError, match=r"input_ids column.*tokenize_dataset"):
        token_lengths(raw)
