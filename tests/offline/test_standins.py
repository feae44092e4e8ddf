"""Offline defaults of the pipeline roles: honest labels, cached atomic builds, original training data."""

from __future__ import annotations

import os
import time
from pathlib import Path

os.environ.setdefault("HFCOURSE_OFFLINE", "1")

import pytest

from hfcourse.offline import checkpoints, standins, templates
from hfcourse.offline.catalog import CATALOG, resolve_checkpoint

pytestmark = pytest.mark.skipif(not checkpoints.is_offline(), reason="the offline defaults run only offline")

PIPELINE_ROLES = [role for role, entry in CATALOG.items() if entry.offline.__module__ == standins.__name__]
COURSE_SENTENCE = "My name is Sylvain and I work at Hugging Face in Brooklyn."


@pytest.fixture(scope="module")
def resolved() -> dict[str, checkpoints.Checkpoint]:
    """Every role resolved once (this builds the derived models into the cache the first time)."""
    return {role: resolve_checkpoint(role) for role in CATALOG}


def test_catalog_points_here_for_every_pipeline_role() -> None:
    assert sorted(PIPELINE_ROLES) == sorted(
        [
            "sentiment-analysis",
            "zero-shot-classification",
            "fill-mask",
            "ner",
            "question-answering",
            "summarization",
            "translation",
        ]
    )


def test_every_role_resolves_honestly(resolved: dict[str, checkpoints.Checkpoint]) -> None:
    kinds = {role: (checkpoint.kind, checkpoint.real) for role, checkpoint in resolved.items()}
    assert kinds["sentiment-analysis"] == ("derived", True)
    assert kinds["ner"] == ("derived", True)
    assert kinds["question-answering"] == ("derived", True)
    for role in ("zero-shot-classification", "fill-mask", "summarization", "translation"):
        assert kinds[role] == ("embedded", True), role
    assert "not NLI" in resolved["zero-shot-classification"].note
    assert "not the course's SST-2" in resolved["sentiment-analysis"].note
    for role in ("summarization", "translation"):
        assert "small instruct LM" in resolved[role].note and "poor" in resolved[role].note
    for role in PIPELINE_ROLES:
        checkpoints.check_model_dir(resolved[role].name_or_path)


def test_resolving_every_role_is_fast_once_built(resolved: dict[str, checkpoints.Checkpoint]) -> None:
    started = time.perf_counter()
    again = {role: resolve_checkpoint(role) for role in CATALOG}
    seconds = time.perf_counter() - started
    assert again == resolved
    assert seconds < 5, f"resolving every role took {seconds:.1f} s"


def test_derived_models_carry_the_course_labels(resolved: dict[str, checkpoints.Checkpoint]) -> None:
    from transformers import AutoConfig

    sentiment = AutoConfig.from_pretrained(resolved["sentiment-analysis"].name_or_path)
    assert sentiment.id2label == {0: "NEGATIVE", 1: "POSITIVE"}
    ner = AutoConfig.from_pretrained(resolved["ner"].name_or_path)
    assert [ner.id2label[i] for i in range(len(ner.id2label))] == list(standins.NER_LABELS)


COURSE_SENTIMENT = {  # the course's chapter 1 examples and the labels its model gave
    "I've been waiting for a HuggingFace course my whole life.": "POSITIVE",
    "You monster!": "NEGATIVE",
    "You clever monster!": "POSITIVE",
    "I hate this so much!": "NEGATIVE",
}
HELD_OUT_SENTIMENT = Path(__file__).parents[1] / "fixtures" / "sentiment_heldout.tsv"


@pytest.fixture(scope="module")
def sentiment_classifier(resolved: dict[str, checkpoints.Checkpoint]):
    from transformers import pipeline

    return pipeline("sentiment-analysis", model=resolved["sentiment-analysis"].name_or_path)


def test_the_offline_sentiment_model_gets_the_course_examples_right(sentiment_classifier) -> None:
    results = sentiment_classifier(list(COURSE_SENTIMENT))
    predicted = {text: result["label"] for text, result in zip(COURSE_SENTIMENT, results, strict=True)}
    assert predicted == COURSE_SENTIMENT


def test_the_offline_sentiment_model_gets_unseen_everyday_sentences_right(sentiment_classifier) -> None:
    """160 everyday sentences written apart from the training sets (none of them, nor the course's, is trained on)."""
    rows = [line.split("\t") for line in HELD_OUT_SENTIMENT.read_text(encoding="utf-8").splitlines()[1:]]
    reviews_dir, everyday_file = standins._sentiment_files()
    training = "\n" + "".join(
        path.read_text(encoding="utf-8").lower() for path in (reviews_dir / "train.tsv", everyday_file)
    )
    assert not [text for text, _ in rows if f"\n{text.lower()}\t" in training], "a held-out sentence is trained on"
    assert not [text for text in COURSE_SENTIMENT if text.lower() in training], "a course example is trained on"
    names = {"0": "NEGATIVE", "1": "POSITIVE"}
    results = sentiment_classifier([text for text, _ in rows])
    wrong = [text for (text, label), result in zip(rows, results, strict=True) if result["label"] != names[label]]
    assert len(wrong) <= len(rows) * 0.05, f"{len(wrong)} of {len(rows)} wrong: {wrong}"


def test_a_failed_build_leaves_nothing_and_a_finished_one_is_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HFCOURSE_CACHE", str(tmp_path))

    def broken_build(folder: Path) -> None:
        (folder / "config.json").write_text("{}")
        raise RuntimeError("interrupted")

    monkeypatch.setattr(standins, "_build_ner", broken_build)
    with pytest.raises(RuntimeError, match="interrupted"):
        standins.ner_checkpoint("ner")
    assert [path for path in tmp_path.iterdir() if path.is_dir()] == []  # no half-written model folder

    calls = []

    def tiny_build(folder: Path) -> None:
        calls.append(folder)
        (folder / "marker").write_text("built")

    monkeypatch.setattr(standins, "_build_ner", tiny_build)
    first = standins.ner_checkpoint("ner")
    second = standins.ner_checkpoint("ner")
    assert first == second and len(calls) == 1
    assert (Path(first.name_or_path) / "marker").read_text() == "built"


def test_training_data_leaves_out_the_course_examples() -> None:
    texts = [sentence.text for sentence in templates.ner_sentences(standins.NER_TRAIN_SENTENCES)]
    texts += [example.context for example in templates.qa_examples(standins.QA_TRAIN_EXAMPLES)]
    assert COURSE_SENTENCE not in texts
    for name in ("sylvain", "hugging face", "brooklyn"):
        assert not any(name in text.lower() for text in texts), name


def test_token_tags_mark_entity_starts_and_insides() -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(checkpoints.embedded_minilm_path())
    text = "Lucas Martin works at Blue Harbor Labs in New York."
    entities = ((0, 12, "PER"), (22, 38, "ORG"), (42, 50, "LOC"))
    encoded = tokenizer(text, return_offsets_mapping=True)
    tags = [
        standins.NER_LABELS[i] if i >= 0 else None for i in standins._token_tags(encoded["offset_mapping"], entities)
    ]
    tokens = tokenizer.convert_ids_to_tokens(encoded["input_ids"])
    assert list(zip(tokens, tags, strict=True)) == [
        ("[CLS]", None),
        ("lucas", "B-PER"),
        ("martin", "I-PER"),
        ("works", "O"),
        ("at", "O"),
        ("blue", "B-ORG"),
        ("harbor", "I-ORG"),
        ("labs", "I-ORG"),
        ("in", "O"),
        ("new", "B-LOC"),
        ("york", "I-LOC"),
        (".", "O"),
        ("[SEP]", None),
    ]
