"""The templated training sentences of the derived NER and QA models: reproducible, typed, answerable."""

from __future__ import annotations

from hfcourse.offline import templates


def test_ner_sentences_are_reproducible_and_their_spans_are_typed() -> None:
    sentences = templates.ner_sentences(300)
    assert sentences == templates.ner_sentences(300)
    assert sentences != templates.ner_sentences(300, seed=1)
    values = {kind: set() for kind in ("PER", "ORG", "LOC", "MISC")}
    for values_of_slot, kind in templates._SLOTS.values():
        values[kind].update(values_of_slot)
    for sentence in sentences:
        for start, end, kind in sentence.entities:
            assert sentence.text[start:end] in values[kind]
    assert sum(1 for sentence in sentences if not sentence.entities) == 30


def test_qa_examples_answer_inside_their_context() -> None:
    examples = templates.qa_examples(200)
    assert examples == templates.qa_examples(200)
    for example in examples:
        assert example.answer and example.answer == example.answer.strip()
        assert example.context[example.answer_start : example.answer_end] == example.answer
    first_person = [example for example in examples if example.question == "Where do I work?"]
    assert first_person and all(example.answer in templates.ORGANISATIONS for example in first_person)
