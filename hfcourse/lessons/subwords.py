"""Word, character and subword tokenization trained on one corpus and compared (course chapter 2, "Tokenizers").

Five tokenizers are trained with the ``tokenizers`` library on the same texts and measured on held-out
texts:

- ``word``: every whitespace/punctuation-separated word of the corpus is one token (huge vocabulary,
  unseen words become ``[UNK]``);
- ``character``: every character is one token (tiny vocabulary, many tokens per word);
- ``bpe``: byte-level Byte-Pair Encoding as in GPT-2 (its 256-byte alphabet means no unknown tokens);
- ``wordpiece``: WordPiece as in BERT (``##`` marks a piece that continues a word);
- ``unigram``: the Unigram model of SentencePiece (``▁`` marks the start of a word), as in T5 or XLNet.

All five share one normalizer (NFKC, lowercased by default) so that the comparison is about the
splitting alone. The measures are computed over the held-out texts' whitespace-separated words, which
are the same words for every tokenizer.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

from ..offline.validation import check_positive_int

if TYPE_CHECKING:
    import pandas

__all__ = [
    "KINDS",
    "UNKNOWN_TOKEN",
    "Corpus",
    "TokenizerStats",
    "compare_tokenizers",
    "glue_corpus",
    "measure_tokenizer",
    "tokenize_examples",
    "train_tokenizer",
    "train_tokenizers",
]

UNKNOWN_TOKEN = "[UNK]"

# kind -> what it is and who uses it, for the comparison table
KINDS: dict[str, str] = {
    "word": "word-level: one token per word",
    "character": "character-level: one token per character",
    "bpe": "byte-level BPE (GPT-2, RoBERTa)",
    "wordpiece": "WordPiece (BERT, DistilBERT)",
    "unigram": "Unigram / SentencePiece (T5, XLNet, ALBERT)",
}

# A word-level vocabulary keeps every word seen in training (a cap far above any corpus used here).
_UNLIMITED_VOCABULARY = 10_000_000
_BYTE_ALPHABET_SIZE = len(pre_tokenizers.ByteLevel.alphabet())  # 256: byte-level BPE's starting vocabulary


@dataclass(frozen=True)
class Corpus:
    """Texts to train tokenizers on, texts to measure them on, and where both came from."""

    train: list[str]
    heldout: list[str]
    source: str


def glue_corpus(
    task: str = "mrpc", data_dir: str | os.PathLike[str] | None = None, max_texts: int | None = None
) -> Corpus:
    """Sentences of a GLUE task as a tokenizer corpus: its train split to train, its validation split held out.

    Args:
        task: ``mrpc`` (news sentences, both sentences of every pair) or ``sst2`` (movie review phrases).
        data_dir: a folder of GLUE TSV files; None uses ``hfcourse.load_glue``'s default source (the Hub
            online, the embedded sets offline).
        max_texts: keep at most this many sentences of each split (None keeps all).
    """
    from ..offline.data import data_source, load_glue

    if max_texts is not None and (not isinstance(max_texts, int) or max_texts < 1):
        raise ValueError(f"max_texts={max_texts!r}: give a positive number of sentences, or None for all.")
    raw = load_glue(task, data_dir=data_dir)

    def sentences(split_name: str) -> list[str]:
        split = raw[split_name]
        columns = [name for name, feature in split.features.items() if getattr(feature, "dtype", None) == "string"]
        texts = [text for row in zip(*(split[name] for name in columns), strict=True) for text in row]
        return texts[:max_texts]

    return Corpus(train=sentences("train"), heldout=sentences("validation"), source=data_source(raw))


def _normalizer(lowercase: bool) -> normalizers.Normalizer:
    steps = [normalizers.NFKC()] + ([normalizers.Lowercase()] if lowercase else [])
    return normalizers.Sequence(steps)


def _word_tokenizer(vocab_size: int | None) -> tuple[Tokenizer, trainers.Trainer]:
    tokenizer = Tokenizer(models.WordLevel(unk_token=UNKNOWN_TOKEN))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    trainer = trainers.WordLevelTrainer(
        vocab_size=vocab_size or _UNLIMITED_VOCABULARY, special_tokens=[UNKNOWN_TOKEN], show_progress=False
    )
    return tokenizer, trainer


def _character_tokenizer(vocab_size: int | None) -> tuple[Tokenizer, trainers.Trainer]:
    tokenizer = Tokenizer(models.WordLevel(unk_token=UNKNOWN_TOKEN))
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Split(Regex("."), behavior="isolated")]
    )
    trainer = trainers.WordLevelTrainer(
        vocab_size=vocab_size or _UNLIMITED_VOCABULARY, special_tokens=[UNKNOWN_TOKEN], show_progress=False
    )
    return tokenizer, trainer


def _bpe_tokenizer(vocab_size: int | None) -> tuple[Tokenizer, trainers.Trainer]:
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False
    )
    return tokenizer, trainer


def _wordpiece_tokenizer(vocab_size: int | None) -> tuple[Tokenizer, trainers.Trainer]:
    tokenizer = Tokenizer(models.WordPiece(unk_token=UNKNOWN_TOKEN))
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.decoder = decoders.WordPiece()
    trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=[UNKNOWN_TOKEN], show_progress=False)
    return tokenizer, trainer


def _unigram_tokenizer(vocab_size: int | None) -> tuple[Tokenizer, trainers.Trainer]:
    tokenizer = Tokenizer(models.Unigram())
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace()
    tokenizer.decoder = decoders.Metaspace()
    trainer = trainers.UnigramTrainer(
        vocab_size=vocab_size, special_tokens=[UNKNOWN_TOKEN], unk_token=UNKNOWN_TOKEN, show_progress=False
    )
    return tokenizer, trainer


_BUILDERS: dict[str, Callable[[int | None], tuple[Tokenizer, trainers.Trainer]]] = {
    "word": _word_tokenizer,
    "character": _character_tokenizer,
    "bpe": _bpe_tokenizer,
    "wordpiece": _wordpiece_tokenizer,
    "unigram": _unigram_tokenizer,
}
_SUBWORD_KINDS = ("bpe", "wordpiece", "unigram")


def _check_corpus(texts: Iterable[str], name: str) -> list[str]:
    if isinstance(texts, str):
        raise TypeError(f"{name} is one string: pass a list of texts (e.g. [text] or text.splitlines()).")
    texts = list(texts)
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"{name}[{index}] is a {type(text).__name__}, not a string: pass raw texts.")
    if not any(text.split() for text in texts):
        raise ValueError(f"{name} holds no words ({len(texts)} texts, all empty): give texts with words in them.")
    return texts


def train_tokenizer(
    kind: str, texts: Iterable[str], vocab_size: int | None = None, *, lowercase: bool = True
) -> Tokenizer:
    """Train one tokenizer of ``kind`` (see ``KINDS``) on ``texts``.

    Args:
        kind: ``word``, ``character``, ``bpe``, ``wordpiece`` or ``unigram``.
        texts: the training corpus, a list of texts.
        vocab_size: target vocabulary size; required for the subword kinds, optional for ``word`` and
            ``character`` (None keeps every word or character seen). A small corpus may give fewer.
        lowercase: lowercase the texts first (all kinds share the same normalizer).
    """
    if kind not in _BUILDERS:
        raise ValueError(f"Unknown tokenizer kind {kind!r}. Choose one of: {', '.join(KINDS)}.")
    if vocab_size is None and kind in _SUBWORD_KINDS:
        raise ValueError(f"A {kind} tokenizer needs vocab_size (how many tokens to learn), e.g. vocab_size=2000.")
    check_positive_int("vocab_size", vocab_size, optional=True, none_means="no limit (word and character kinds)")
    if kind == "bpe" and vocab_size <= _BYTE_ALPHABET_SIZE:
        raise ValueError(
            f"vocab_size={vocab_size} leaves byte-level BPE no merges: it starts from {_BYTE_ALPHABET_SIZE} byte "
            f"tokens. Give vocab_size above {_BYTE_ALPHABET_SIZE} (e.g. 1000)."
        )
    texts = _check_corpus(texts, "texts")
    tokenizer, trainer = _BUILDERS[kind](vocab_size)
    tokenizer.normalizer = _normalizer(lowercase)
    tokenizer.train_from_iterator(texts, trainer=trainer)
    return tokenizer


def train_tokenizers(texts: Iterable[str], vocab_size: int, *, lowercase: bool = True) -> dict[str, Tokenizer]:
    """Train all five kinds on the same texts: word and character keep every item seen, the subword
    kinds learn ``vocab_size`` tokens. Returns ``{kind: tokenizer}`` in the order of ``KINDS``."""
    texts = _check_corpus(texts, "texts")
    return {
        kind: train_tokenizer(kind, texts, vocab_size if kind in _SUBWORD_KINDS else None, lowercase=lowercase)
        for kind in KINDS
    }


@dataclass(frozen=True)
class TokenizerStats:
    """How a tokenizer splits held-out texts.

    Attributes:
        vocab_size: tokens in the vocabulary (special tokens included).
        words: whitespace-separated words in the held-out texts.
        tokens: tokens produced for them.
        tokens_per_word: ``tokens / words``.
        unknown_rate: share of the produced tokens that are the unknown token.
        words_with_unknown: share of the words with at least one unknown token (information lost).
    """

    vocab_size: int
    words: int
    tokens: int
    tokens_per_word: float
    unknown_rate: float
    words_with_unknown: float


def measure_tokenizer(tokenizer: Tokenizer, texts: Iterable[str]) -> TokenizerStats:
    """Tokenize ``texts`` word by word and count tokens per word and unknown tokens."""
    word_lists = [text.split() for text in _check_corpus(texts, "texts")]
    word_lists = [words for words in word_lists if words]
    unknown_id = tokenizer.token_to_id(UNKNOWN_TOKEN)
    words = sum(len(word_list) for word_list in word_lists)
    tokens = unknown_tokens = words_with_unknown = 0
    for encoding in tokenizer.encode_batch(word_lists, is_pretokenized=True):
        unknown_positions = [index for index, token in enumerate(encoding.ids) if token == unknown_id]
        tokens += len(encoding.ids)
        unknown_tokens += len(unknown_positions)
        words_with_unknown += len({encoding.word_ids[index] for index in unknown_positions})
    return TokenizerStats(
        vocab_size=tokenizer.get_vocab_size(),
        words=words,
        tokens=tokens,
        tokens_per_word=tokens / words,
        unknown_rate=unknown_tokens / tokens,
        words_with_unknown=words_with_unknown / words,
    )


def compare_tokenizers(
    tokenizers: dict[str, Tokenizer], heldout_texts: Iterable[str], digits: int = 4
) -> pandas.DataFrame:
    """One row per tokenizer: vocabulary size, tokens per word, unknown rates (a ``pandas.DataFrame``).

    ``tokenizers`` is what ``train_tokenizers`` returns; floats are rounded to ``digits`` places.
    """
    import pandas as pd  # imported here: only the table needs it

    heldout_texts = _check_corpus(heldout_texts, "heldout_texts")
    rows = []
    for kind, tokenizer in tokenizers.items():
        stats = measure_tokenizer(tokenizer, heldout_texts)
        rows.append(
            {
                "tokenizer": kind,
                "algorithm": KINDS.get(kind, kind),
                "vocab_size": stats.vocab_size,
                "tokens_per_word": round(stats.tokens_per_word, digits),
                "unknown_rate": round(stats.unknown_rate, digits),
                "words_with_unknown": round(stats.words_with_unknown, digits),
            }
        )
    return pd.DataFrame(rows).set_index("tokenizer")


def tokenize_examples(tokenizers: dict[str, Tokenizer], text: str) -> dict[str, list[str]]:
    """The tokens each tokenizer gives for ``text``: ``{kind: tokens}``."""
    if not isinstance(text, str) or not text.split():
        raise ValueError(f"text={text!r}: give one non-empty string to tokenize.")
    return {kind: tokenizer.encode(text).tokens for kind, tokenizer in tokenizers.items()}
