"""Word, character and subword tokenizers: what they learn and how they are measured."""

from __future__ import annotations

from pathlib import Path

import pytest

from hfcourse.lessons.subwords import (
    KINDS,
    UNKNOWN_TOKEN,
    compare_tokenizers,
    glue_corpus,
    measure_tokenizer,
    tokenize_examples,
    train_tokenizer,
    train_tokenizers,
)

REAL_MRPC = Path("/work/shared/data/glue/mrpc")

CORPUS = [
    "the cat sat on the mat",
    "the dog sat on the log",
    "a cat and a dog ran",
    "running dogs and sitting cats",
] * 5


def test_word_level_keeps_every_word_and_misses_new_ones() -> None:
    tokenizer = train_tokenizer("word", ["the cat sat", "the dog sat"])
    assert tokenizer.get_vocab_size() == 4 + 1  # the, cat, sat, dog + [UNK]
    assert tokenizer.encode("the bird sat").tokens == ["the", UNKNOWN_TOKEN, "sat"]
    stats = measure_tokenizer(tokenizer, ["the bird sat"])
    assert (stats.words, stats.tokens) == (3, 3)
    assert stats.unknown_rate == pytest.approx(1 / 3)
    assert stats.words_with_unknown == pytest.approx(1 / 3)
    assert stats.tokens_per_word == 1.0


def test_character_level_splits_every_character() -> None:
    tokenizer = train_tokenizer("character", ["abba", "cab"])
    assert sorted(tokenizer.get_vocab()) == sorted(["a", "b", "c", UNKNOWN_TOKEN])
    assert tokenizer.encode("Bad cab").tokens == ["b", "a", UNKNOWN_TOKEN, "c", "a", "b"]  # lowercased, no spaces
    stats = measure_tokenizer(tokenizer, ["bad cab"])
    assert (stats.words, stats.tokens) == (2, 6)
    assert stats.tokens_per_word == 3.0
    assert stats.unknown_rate == pytest.approx(1 / 6)
    assert stats.words_with_unknown == pytest.approx(1 / 2)


def test_lowercase_can_be_switched_off() -> None:
    tokenizer = train_tokenizer("word", ["The cat"], lowercase=False)
    assert tokenizer.encode("The the").tokens == ["The", UNKNOWN_TOKEN]


def test_byte_level_bpe_never_needs_an_unknown_token() -> None:
    tokenizer = train_tokenizer("bpe", CORPUS, vocab_size=300)
    unseen = "日本 über naïve 🤗"
    stats = measure_tokenizer(tokenizer, [unseen])
    assert stats.unknown_rate == 0.0
    assert tokenizer.decode(tokenizer.encode(unseen).ids).strip() == unseen.lower()
    assert tokenizer.get_vocab_size() <= 300


def test_subword_tokenizers_split_unseen_words_into_known_pieces() -> None:
    trained = train_tokenizers(CORPUS, vocab_size=300)
    assert list(trained) == list(KINDS)
    examples = tokenize_examples(trained, "catsat")
    assert examples["word"] == [UNKNOWN_TOKEN]
    assert examples["character"] == list("catsat")
    for kind in ("bpe", "wordpiece", "unigram"):
        pieces = examples[kind]
        assert UNKNOWN_TOKEN not in pieces, kind
        assert 1 < len(pieces) < 6, (kind, pieces)  # fewer pieces than characters, more than one word
        assert trained[kind].get_vocab_size() <= 300
    assert examples["wordpiece"][1].startswith("##")  # BERT marks a piece that continues a word
    assert examples["unigram"][0].startswith("▁")  # SentencePiece marks the start of a word


def test_wordpiece_marks_a_word_with_an_unseen_character_unknown() -> None:
    tokenizer = train_tokenizer("wordpiece", CORPUS, vocab_size=60)
    assert tokenizer.encode("cat zebra").tokens[-1] == UNKNOWN_TOKEN  # 'z' never appears in CORPUS
    stats = measure_tokenizer(tokenizer, ["cat zebra"])
    assert stats.words_with_unknown == 0.5


def test_comparison_table_has_one_row_per_kind() -> None:
    table = compare_tokenizers(train_tokenizers(CORPUS, vocab_size=300), ["the cat ran on the log", "a zebra"])
    assert list(table.index) == list(KINDS)
    assert list(table.columns) == ["algorithm", "vocab_size", "tokens_per_word", "unknown_rate", "words_with_unknown"]
    assert table.loc["word", "tokens_per_word"] == 1.0
    assert table.loc["word", "unknown_rate"] == round(1 / 8, 4)  # 'zebra'
    assert table.loc["bpe", "unknown_rate"] == 0.0
    assert table.loc["character", "tokens_per_word"] == round(23 / 8, 4)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: train_tokenizer("sentencepiece", CORPUS, 100), ValueError, "Unknown tokenizer kind 'sentencepiece'"),
        (lambda: train_tokenizer("bpe", CORPUS), ValueError, "needs vocab_size"),
        (
            lambda: train_tokenizer("bpe", CORPUS, vocab_size=0),
            ValueError,
            "vocab_size=0: give a whole number of at least 1",
        ),
        (lambda: train_tokenizer("bpe", CORPUS, vocab_size=200), ValueError, "above 256"),
        (lambda: train_tokenizer("word", "the cat sat"), TypeError, "one string"),
        (lambda: train_tokenizer("word", ["", "  "]), ValueError, "no words"),
        (lambda: train_tokenizer("word", ["ok", None]), TypeError, r"texts\[1\] is a NoneType"),
        (lambda: tokenize_examples({}, " "), ValueError, "non-empty string"),
        (lambda: glue_corpus("mrpc", max_texts=0), ValueError, "positive number of sentences"),
    ],
)
def test_bad_input_names_the_problem(call, error, message) -> None:
    with pytest.raises(error, match=message):
        call()


def test_embedded_corpus_uses_both_sentences_of_every_pair() -> None:
    corpus = glue_corpus("mrpc", max_texts=10)
    assert len(corpus.train) == len(corpus.heldout) == 10
    assert all(isinstance(text, str) and text.split() for text in corpus.train + corpus.heldout)
    assert corpus.source


@pytest.mark.skipif(not REAL_MRPC.is_dir(), reason="real GLUE MRPC files are not on this machine")
def test_real_mrpc_shows_the_course_trade_offs() -> None:
    corpus = glue_corpus("mrpc", data_dir=REAL_MRPC)
    assert (len(corpus.train), len(corpus.heldout)) == (2 * 3668, 2 * 408)
    assert corpus.train[:2] == [
        'Amrozi accused his brother , whom he called " the witness " , of deliberately distorting his evidence .',
        'Referring to him as only " the witness " , Amrozi accused his brother of deliberately distorting his '
        "evidence .",
    ]
    table = compare_tokenizers(train_tokenizers(corpus.train[:3000], vocab_size=2000), corpus.heldout)
    subwords = table.loc[["bpe", "wordpiece", "unigram"]]
    assert table.loc["word", "vocab_size"] > 3 * 2000  # a word vocabulary is large ...
    assert table.loc["word", "words_with_unknown"] > 0.03  # ... and still misses words of new text
    assert table.loc["character", "vocab_size"] < 150
    assert (subwords["words_with_unknown"] < 0.01).all()
    assert table.loc["word", "tokens_per_word"] < subwords["tokens_per_word"].min()
    assert subwords["tokens_per_word"].max() < 2.5 < table.loc["character", "tokens_per_word"]
