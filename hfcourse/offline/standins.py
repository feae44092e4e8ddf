"""Offline defaults for the course's pipeline roles that have no embedded model of their own.

The catalog (``hfcourse.offline.catalog.CATALOG``) names one function here per role. Each returns a
``Checkpoint`` that says honestly what runs:

- ``embedded``: a real model shipped in a Python package, used in another way than the course's model
  (zero-shot by MiniLM sentence-embedding similarity; fill-mask, summarization and translation by the
  SmolLM2-135M-Instruct causal LM). ``hfcourse.pipeline`` picks the method from the model's config.
- ``derived``: MiniLM fine-tuned here, once, into the cache folder (``build_once``): sentiment on the
  embedded SST-2-format set, named entities and extractive question answering on templated sentences
  generated below (lists of invented people, organisations, places). Real trained weights that give
  real answers on simple sentences; small models trained briefly on a CPU (minutes, once), not the
  course's checkpoints.

Every build is deterministic and versioned by its name; a second resolve only checks the cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .checkpoints import (
    Checkpoint,
    _quiet_transformers,
    build_once,
    embedded_minilm_path,
    smollm2_path,
)
from .fine_tuning import fine_tune
from .templates import SEED, ner_sentences, qa_examples

__all__ = [
    "NER_LABELS",
    "SENTIMENT_LABELS",
    "ner_checkpoint",
    "question_answering_checkpoint",
    "sentiment_checkpoint",
    "smollm2_use_checkpoint",
    "zero_shot_checkpoint",
]

# The course's classifier (distilbert-base-uncased-finetuned-sst-2-english) names its classes so.
SENTIMENT_LABELS = ("NEGATIVE", "POSITIVE")
# CoNLL-2003 tags in the order of the course's NER model (dbmdz/bert-large-cased-finetuned-conll03-english).
NER_LABELS = ("O", "B-MISC", "I-MISC", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC")


# --------------------------------------------------------------------------------------------------
# Embedded models used another way
# --------------------------------------------------------------------------------------------------

_SMOLLM2 = "SmolLM2-135M-Instruct"


def zero_shot_checkpoint(role: str) -> Checkpoint:
    """MiniLM sentence embeddings: each label scored by similarity to a hypothesis (not NLI)."""
    note = (
        "all-MiniLM-L6-v2 sentence-embedding similarity between the text and 'This text is about "
        "{label}.' (embedding similarity, not NLI like the course's bart-large-mnli)"
    )
    return Checkpoint.real_folder(role, embedded_minilm_path(), "embedded", note)


# How SmolLM2-135M-Instruct serves each role it stands in for, in one line for learners.
SMOLLM2_USES = {
    "fill-mask": f"{_SMOLLM2}, a causal LM, ranks one-token words for <mask> by the likelihood of the whole "
    "filled sentence (not a masked LM like the course's distilroberta-base)",
    "summarization": f"{_SMOLLM2} prompted to summarize: a small instruct LM, not the course's seq2seq "
    "distilbart-cnn-12-6; expect poor summaries",
    "translation": f"{_SMOLLM2} prompted to translate: a small instruct LM, not the course's seq2seq "
    "opus-mt-fr-en; expect poor translations",
}


def smollm2_use_checkpoint(role: str) -> Checkpoint:
    """SmolLM2-135M-Instruct used for ``role``: fill-mask by sentence likelihood, prompted summaries and
    translations."""
    return Checkpoint.real_folder(role, smollm2_path(), "embedded", SMOLLM2_USES[role])


# --------------------------------------------------------------------------------------------------
# Fine-tuning MiniLM (derived models)
# --------------------------------------------------------------------------------------------------


def _fine_tune_and_save(
    model: Any,
    tokenizer: Any,
    train_dataset: Any,
    data_collator: Any,
    folder: Path,
    *,
    epochs: int,
    learning_rate: float,
    batch_size: int,
) -> None:
    """Fine-tune ``model`` with the course's training step (``fine_tuning.fine_tune``), then save it and
    ``tokenizer`` to ``folder``."""
    fine_tune(
        model,
        train_dataset,
        data_collator,
        epochs=epochs,
        learning_rate=learning_rate,
        batch_size=batch_size,
        seed=SEED,
    )
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)


def _minilm(auto_class: Any, **config: Any) -> tuple[Any, Any]:
    """MiniLM's tokenizer and a new task model on its weights (head seeded, float32).

    The word embeddings stay frozen: half of MiniLM's weights, which a small fine-tuning set would only
    disturb, and most of the cost of an optimizer step.
    """
    import torch
    from transformers import AutoTokenizer, set_seed

    path = embedded_minilm_path()
    set_seed(SEED)
    model = auto_class.from_pretrained(path, dtype=torch.float32, use_safetensors=True, **config)
    model.get_input_embeddings().requires_grad_(False)
    return AutoTokenizer.from_pretrained(path), model


def _labels_config(names: tuple[str, ...]) -> dict[str, Any]:
    return {
        "num_labels": len(names),
        "id2label": dict(enumerate(names)),
        "label2id": {n: i for i, n in enumerate(names)},
    }


def _build_derived(name: str, build: Callable[[Path], None], what: str) -> Path:
    with _quiet_transformers():
        return build_once(name, build, what)


# Sentiment ------------------------------------------------------------------------------------------

SENTIMENT_EPOCHS = 3


def _sentiment_files() -> tuple[Path, Path]:
    """The embedded SST-2 set (movie-review phrases) and the everyday sentences, both in SST-2's format."""
    from .data import EMBEDDED_DIR

    return EMBEDDED_DIR / "sst2", EMBEDDED_DIR / "everyday" / "train.tsv"


def _build_sentiment(folder: Path, data_dir: Path, everyday_file: Path) -> None:
    from datasets import Dataset, concatenate_datasets
    from transformers import AutoModelForSequenceClassification, DataCollatorWithPadding

    from .data import load_glue, read_glue_tsv

    tokenizer, model = _minilm(AutoModelForSequenceClassification, **_labels_config(SENTIMENT_LABELS))
    reviews = load_glue("sst2", data_dir=data_dir)["train"]
    # Reviews alone teach a review's vocabulary; "You monster!" is not one. Everyday sentences widen it.
    everyday = Dataset.from_dict(read_glue_tsv(everyday_file, "sst2"), features=reviews.features)
    train = concatenate_datasets([reviews, everyday])
    # The course's chapter 3 preprocessing, written here because offline sits below the lessons layer.
    tokenized = train.map(
        lambda batch: tokenizer(batch["sentence"], truncation=True, max_length=64),
        batched=True,
        remove_columns=[column for column in train.column_names if column != "label"],
    ).rename_column("label", "labels")
    data_collator = DataCollatorWithPadding(tokenizer=tokenizer)
    _fine_tune_and_save(
        model, tokenizer, tokenized, data_collator, folder, epochs=SENTIMENT_EPOCHS, learning_rate=1e-4, batch_size=16
    )


def sentiment_checkpoint(role: str) -> Checkpoint:
    """MiniLM fine-tuned here on hfcourse's embedded sentiment sets (built once)."""
    data_dir, everyday_file = _sentiment_files()
    digest = hashlib.sha256((data_dir / "train.tsv").read_bytes() + everyday_file.read_bytes()).hexdigest()[:10]
    folder = _build_derived(
        f"sentiment-minilm-v3-{digest}",
        lambda target: _build_sentiment(target, data_dir, everyday_file),
        "Fine-tuning MiniLM into the offline sentiment model",
    )
    note = (
        f"all-MiniLM-L6-v2 fine-tuned here ({SENTIMENT_EPOCHS} epochs) on hfcourse's small embedded sentiment "
        "sets (movie-review phrases and everyday sentences), not the course's SST-2 DistilBERT; expect more mistakes"
    )
    return Checkpoint.real_folder(role, folder, "derived", note)


# Named entities -------------------------------------------------------------------------------------

NER_TRAIN_SENTENCES = 2400


def _token_tags(offsets: list[tuple[int, int]], entities: tuple[tuple[int, int, str], ...]) -> Iterator[int]:
    """B-/I- tag ids for each token from character spans; -100 for special tokens (no loss)."""
    label_ids = {name: index for index, name in enumerate(NER_LABELS)}
    for start, end in offsets:
        if start == end:
            yield -100
            continue
        tag = "O"
        for entity_start, entity_end, kind in entities:
            if entity_start <= start < entity_end:
                tag = ("B-" if start == entity_start else "I-") + kind
        yield label_ids[tag]


def _build_ner(folder: Path) -> None:
    from datasets import Dataset
    from transformers import AutoModelForTokenClassification, DataCollatorForTokenClassification

    tokenizer, model = _minilm(AutoModelForTokenClassification, **_labels_config(NER_LABELS))
    sentences = ner_sentences(NER_TRAIN_SENTENCES)
    encoded = tokenizer([sentence.text for sentence in sentences], return_offsets_mapping=True, truncation=True)
    encoded["labels"] = [
        list(_token_tags(offsets, sentence.entities))
        for offsets, sentence in zip(encoded.pop("offset_mapping"), sentences, strict=True)
    ]
    train = Dataset.from_dict(dict(encoded))
    _fine_tune_and_save(
        model,
        tokenizer,
        train,
        DataCollatorForTokenClassification(tokenizer),
        folder,
        epochs=1,
        learning_rate=1e-4,
        batch_size=16,
    )


def ner_checkpoint(role: str) -> Checkpoint:
    """MiniLM fine-tuned here for PER/ORG/LOC/MISC tags on templated sentences (built once)."""
    folder = _build_derived("ner-minilm-templated-v2", _build_ner, "Fine-tuning MiniLM into the offline NER model")
    note = (
        "all-MiniLM-L6-v2 fine-tuned here on hfcourse's templated sentences (PER, ORG, LOC, MISC); "
        "uncased and trained on simple sentences, not the course's CoNLL-03 BERT-large"
    )
    return Checkpoint.real_folder(role, folder, "derived", note)


# Question answering ---------------------------------------------------------------------------------

QA_TRAIN_EXAMPLES = 2400
QA_LEARNING_RATE = 1.5e-4


def _build_question_answering(folder: Path) -> None:
    from datasets import Dataset
    from transformers import AutoModelForQuestionAnswering, DataCollatorWithPadding

    tokenizer, model = _minilm(AutoModelForQuestionAnswering)
    examples = qa_examples(QA_TRAIN_EXAMPLES)
    encoded = tokenizer(
        [example.question for example in examples],
        [example.context for example in examples],
        truncation="only_second",
        max_length=128,
        return_offsets_mapping=True,
    )
    starts, ends = [], []
    for index, (example, offsets) in enumerate(zip(examples, encoded.pop("offset_mapping"), strict=True)):
        context_tokens = [i for i, sequence in enumerate(encoded.sequence_ids(index)) if sequence == 1]
        starts.append(next(i for i in context_tokens if offsets[i][1] > example.answer_start))
        ends.append(max(i for i in context_tokens if offsets[i][0] < example.answer_end))
    encoded["start_positions"], encoded["end_positions"] = starts, ends
    train = Dataset.from_dict(dict(encoded))
    _fine_tune_and_save(
        model,
        tokenizer,
        train,
        DataCollatorWithPadding(tokenizer),
        folder,
        epochs=1,
        learning_rate=QA_LEARNING_RATE,
        batch_size=16,
    )


def question_answering_checkpoint(role: str) -> Checkpoint:
    """MiniLM fine-tuned here for extractive QA on templated facts about invented people (built once)."""
    folder = _build_derived(
        "qa-minilm-templated-v2", _build_question_answering, "Fine-tuning MiniLM into the offline QA model"
    )
    note = (
        "all-MiniLM-L6-v2 fine-tuned here for extractive QA on hfcourse's templated facts about people "
        "(work, home, name, age, weight, language), not the course's SQuAD DistilBERT; simple questions only"
    )
    return Checkpoint.real_folder(role, folder, "derived", note)
