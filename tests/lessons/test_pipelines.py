"""hfcourse.pipeline: the course's call shapes and outputs for every task, offline, and the replacements
of the pipelines transformers 5 removed (checked on tiny random models, so every line of them runs)."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("HFCOURSE_OFFLINE", "1")

import pytest
import torch

import hfcourse
from hfcourse.lessons.pipeline_removed import PromptedTextPipeline, QuestionAnsweringPipeline, Seq2SeqTextPipeline
from hfcourse.lessons.pipeline_standins import CausalFillMaskPipeline, EmbeddingZeroShotPipeline
from hfcourse.lessons.pipelines import UnknownTaskError, pipeline
from hfcourse.offline import checkpoints

offline_only = pytest.mark.skipif(not checkpoints.is_offline(), reason="checks the offline defaults")
COURSE_SENTENCE = "My name is Sylvain and I work at Hugging Face in Brooklyn."


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A tiny random BART (seq2seq) and a tiny random BERT QA model, both with MiniLM's tokenizer."""
    from transformers import (
        AutoTokenizer,
        BartConfig,
        BartForConditionalGeneration,
        BertConfig,
        BertForQuestionAnswering,
        set_seed,
    )

    tokenizer = AutoTokenizer.from_pretrained(checkpoints.embedded_minilm_path())
    folders = {name: tmp_path_factory.mktemp(name) for name in ("seq2seq", "qa")}
    set_seed(0)
    bart = BartForConditionalGeneration(
        BartConfig(
            vocab_size=len(tokenizer),
            d_model=16,
            encoder_layers=1,
            decoder_layers=1,
            encoder_attention_heads=2,
            decoder_attention_heads=2,
            encoder_ffn_dim=32,
            decoder_ffn_dim=32,
            max_position_embeddings=128,
            pad_token_id=tokenizer.pad_token_id,
            bos_token_id=tokenizer.cls_token_id,
            eos_token_id=tokenizer.sep_token_id,
            decoder_start_token_id=tokenizer.sep_token_id,
            forced_eos_token_id=None,
        )
    )
    bart.generation_config.max_length = 12
    bert = BertForQuestionAnswering(
        BertConfig(
            vocab_size=len(tokenizer), hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32
        )
    )
    for name, model in (("seq2seq", bart), ("qa", bert)):
        model.save_pretrained(folders[name])
        tokenizer.save_pretrained(folders[name])
    return folders


# --------------------------------------------------------------------------------------------------
# Task names and arguments
# --------------------------------------------------------------------------------------------------


def test_unknown_task_lists_the_known_ones() -> None:
    with pytest.raises(
        UnknownTaskError, match=r"'sentiment'.*sentiment-analysis.*feature-extraction.*translation_xx_to_yy"
    ):
        pipeline("sentiment")


@pytest.mark.parametrize(
    ("task", "arguments", "fix"),
    [
        ("ner", {"grouped_entities": True}, 'aggregation_strategy="simple"'),
        ("sentiment-analysis", {"torch_dtype": "float16"}, "dtype"),
        ("text-generation", {"trust_remote_code": True}, "runs no code"),
    ],
)
def test_removed_arguments_say_what_to_write(task: str, arguments: dict, fix: str) -> None:
    with pytest.raises(TypeError, match=fix):
        pipeline(task, **arguments)


def test_translation_task_names_carry_the_languages(tiny_models: dict[str, Path]) -> None:
    # A seq2seq model does not need language names; the prompted one does (see below).
    translator = pipeline("translation_xx_to_en", model=str(tiny_models["seq2seq"]))
    assert translator.languages == ("xx", "en")


# --------------------------------------------------------------------------------------------------
# The removed pipelines, rebuilt on the Auto classes (tiny random models)
# --------------------------------------------------------------------------------------------------


def test_seq2seq_summarization_and_translation_keep_the_course_format(tiny_models: dict[str, Path]) -> None:
    summarizer = pipeline("summarization", model=str(tiny_models["seq2seq"]))
    assert isinstance(summarizer, Seq2SeqTextPipeline) and summarizer.checkpoint.kind == "user"
    single = summarizer("A long text about engineering.", max_length=8)
    assert len(single) == 1 and set(single[0]) == {"summary_text"} and isinstance(single[0]["summary_text"], str)
    batch = summarizer(["One text.", "Another, longer text to shorten."], max_length=8)
    assert len(batch) == 2 and all(set(item) == {"summary_text"} for item in batch)
    beams = summarizer(["One text.", "Two texts."], max_length=8, num_beams=2, num_return_sequences=2)
    assert [len(item) for item in beams] == [2, 2]
    translator = pipeline("translation_fr_to_en", model=str(tiny_models["seq2seq"]))
    assert set(translator("Ce cours est produit par Hugging Face.")[0]) == {"translation_text"}


def test_greedy_decoding_cannot_return_several_sequences(tiny_models: dict[str, Path]) -> None:
    summarizer = pipeline("summarization", model=str(tiny_models["seq2seq"]))
    with pytest.raises(ValueError, match="do_sample=True"):
        summarizer("Some text.", num_return_sequences=2)
    with pytest.raises(ValueError, match="summarization .*not_a_generate_flag"):
        summarizer("Some text.", not_a_generate_flag=1)


def test_question_answering_spans_come_from_the_context(tiny_models: dict[str, Path]) -> None:
    question_answerer = pipeline("question-answering", model=str(tiny_models["qa"]))
    assert isinstance(question_answerer, QuestionAnsweringPipeline)
    context = "My name is Sylvain and I work at Hugging Face in Brooklyn"
    answer = question_answerer(question="Where do I work?", context=context)
    assert set(answer) == {"score", "start", "end", "answer"}
    assert 0 <= answer["start"] < answer["end"] <= len(context) and 0 < answer["score"] <= 1
    assert answer["answer"] == context[answer["start"] : answer["end"]]
    top = question_answerer(question="Where do I work?", context=context, top_k=3)
    assert len(top) == 3 and top[0] == answer
    assert [item["score"] for item in top] == sorted((item["score"] for item in top), reverse=True)
    assert all(
        len(question_answerer.tokenizer(item["answer"], add_special_tokens=False)["input_ids"]) <= 15 for item in top
    )


def test_question_answering_takes_batches_dicts_and_long_contexts(tiny_models: dict[str, Path]) -> None:
    question_answerer = pipeline("question-answering", model=str(tiny_models["qa"]))
    contexts = ["My weight is too high", "My weight is too high, which is 85kg."]
    batch = question_answerer(question=["What should I do?", "What is my weight?"], context=contexts)
    assert len(batch) == 2 and all(
        item["answer"] == context[item["start"] : item["end"]] for item, context in zip(batch, contexts, strict=True)
    )
    as_dicts = question_answerer(
        [
            {"question": "What should I do?", "context": contexts[0]},
            {"question": "What is my weight?", "context": contexts[1]},
        ]
    )
    assert as_dicts == batch
    assert question_answerer({"question": "What should I do?", "context": contexts[0]}) == batch[0]
    long_context = " ".join(f"Sentence number {i} says nothing at all." for i in range(40))
    windowed = question_answerer(question="What?", context=long_context, max_seq_len=32, doc_stride=8)
    assert windowed["answer"] == long_context[windowed["start"] : windowed["end"]]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"question": ["a", "b"], "context": ["c"]}, "2 questions and 1 contexts"),
        ({"question": "Where?"}, "context is missing"),
        ({"question": "Where?", "context": "  "}, "empty context"),
        ({"question": "Where?", "context": "Here.", "top_k": 0}, "top_k=0"),
        ({"question": "Where?", "context": "Here.", "topk": 2}, "unknown argument.*topk"),
    ],
)
def test_question_answering_bad_input(tiny_models: dict[str, Path], arguments: dict, message: str) -> None:
    question_answerer = pipeline("question-answering", model=str(tiny_models["qa"]))
    with pytest.raises((TypeError, ValueError), match=message):
        question_answerer(**arguments)


# --------------------------------------------------------------------------------------------------
# Every task offline, with real answers where the offline model can give them
# --------------------------------------------------------------------------------------------------


@offline_only
def test_sentiment_analysis_gets_obvious_cases_right() -> None:
    classifier = pipeline("sentiment-analysis")
    assert classifier.checkpoint.kind == "derived"
    outputs = classifier(["I love this wonderful, moving film.", "A boring, stupid and ugly mess."])
    assert [output["label"] for output in outputs] == ["POSITIVE", "NEGATIVE"]
    assert all(0.5 < output["score"] <= 1 for output in outputs)
    assert set(classifier("You monster!")[0]) == {"label", "score"}


@offline_only
def test_zero_shot_by_embeddings_picks_the_obvious_label() -> None:
    classifier = pipeline("zero-shot-classification")
    assert isinstance(classifier, EmbeddingZeroShotPipeline)
    result = classifier(
        "This is a course about the Transformers library", candidate_labels=["education", "politics", "business"]
    )
    assert result["sequence"] == "This is a course about the Transformers library"
    assert result["labels"][0] == "education" and sorted(result["labels"]) == ["business", "education", "politics"]
    assert result["scores"] == sorted(result["scores"], reverse=True) and sum(result["scores"]) == pytest.approx(1.0)
    batch = classifier(
        ["Add two cups of flour and bake it.", "The striker scored twice."], ["cooking", "sports", "politics"]
    )
    assert [item["labels"][0] for item in batch] == ["cooking", "sports"]
    several = classifier("The striker scored twice and the club made millions.", "sports, cooking", multi_label=True)
    assert several["labels"] == ["sports", "cooking"] and several["scores"][0] > 0.5 > several["scores"][1]
    with pytest.raises(ValueError, match="candidate_labels"):
        classifier("Some text")
    with pytest.raises(ValueError, match="hypothesis_template"):
        classifier("Some text", ["a", "b"], hypothesis_template="no slot")


@offline_only
def test_text_generation_samples_several_continuations() -> None:
    generator = pipeline("text-generation")
    assert generator.checkpoint.kind == "embedded"
    torch.manual_seed(0)
    outputs = generator(
        "In this course, we will teach you how to", max_new_tokens=5, num_return_sequences=2, do_sample=True
    )
    assert len(outputs) == 2 and all(
        output["generated_text"].startswith("In this course, we will teach you how to") for output in outputs
    )
    with pytest.raises(ValueError, match="num_beams=2"):
        generator("Hello", max_new_tokens=2, num_return_sequences=2, do_sample=False)


@offline_only
def test_causal_fill_mask_gives_real_answers() -> None:
    unmasker = pipeline("fill-mask")
    assert isinstance(unmasker, CausalFillMaskPipeline) and unmasker.mask_token == "<mask>"
    assert unmasker.tokenizer.mask_token == "<mask>"  # code written for transformers' pipeline reads it there
    outputs = unmasker("The capital of France is <mask>.", top_k=2)
    assert len(outputs) == 2 and set(outputs[0]) == {"score", "token", "token_str", "sequence"}
    assert outputs[0]["token_str"] == " Paris" and outputs[0]["sequence"] == "The capital of France is Paris."
    assert outputs[0]["score"] >= outputs[1]["score"] and unmasker.tokenizer.decode([outputs[0]["token"]]) == " Paris"
    two_masks = unmasker("This course will teach you all about <mask> models <mask>.", top_k=2)
    assert len(two_masks) == 2 and all(len(fills) == 2 for fills in two_masks)
    assert two_masks[0][0]["sequence"].endswith("models <mask>.")
    with pytest.raises(ValueError, match=r"\[MASK\] is another model's mask token"):
        unmasker("The capital of France is [MASK].")


@offline_only
def test_ner_finds_the_course_entities_as_written() -> None:
    ner = pipeline("ner", aggregation_strategy="simple")
    entities = ner(COURSE_SENTENCE)
    assert [(entity["entity_group"], entity["word"], entity["start"], entity["end"]) for entity in entities] == [
        ("PER", "Sylvain", 11, 18),
        ("ORG", "Hugging Face", 33, 45),
        ("LOC", "Brooklyn", 49, 57),
    ]
    batch = ner([COURSE_SENTENCE, "Nothing to see here."])
    assert batch[0] == entities and batch[1] == []


@offline_only
def test_question_answering_offline_answers_the_course_question() -> None:
    question_answerer = pipeline("question-answering")
    answer = question_answerer(
        question="Where do I work?", context="My name is Sylvain and I work at Hugging Face in Brooklyn"
    )
    assert (answer["answer"], answer["start"], answer["end"]) == ("Hugging Face", 33, 45)


@offline_only
def test_prompted_summarization_and_translation_keep_the_course_format() -> None:
    translator = pipeline("translation")
    assert isinstance(translator, PromptedTextPipeline)
    translated = translator("Ce cours est produit par Hugging Face.", max_length=16)
    assert len(translated) == 1 and set(translated[0]) == {"translation_text"}
    english = translated[0]["translation_text"]  # a 135M model translates poorly, but not by echoing the French
    assert "Hugging Face" in english and "est produit" not in english
    with pytest.raises(ValueError, match="unknown language code 'xx'"):
        translator("Bonjour.", src_lang="xx")
    summarizer = pipeline("summarization")
    summaries = summarizer(
        ["The meeting moved from Monday to Friday because the room was booked.", "It rained all day."], max_length=8
    )
    assert len(summaries) == 2 and all(set(item) == {"summary_text"} and item["summary_text"] for item in summaries)


def test_a_prompted_summary_keeps_whole_sentences_only() -> None:
    from hfcourse.lessons.pipeline_removed import _whole_sentences

    assert _whole_sentences("It fell. Then the number of graduates") == "It fell."
    assert _whole_sentences("Costs rose 2.5 percent! Why? Because") == "Costs rose 2.5 percent! Why?"
    assert _whole_sentences("No sentence ends here") == "No sentence ends here"


@offline_only
def test_feature_extraction_gives_hidden_states_per_token() -> None:
    extractor = pipeline("feature-extraction")
    features = torch.tensor(extractor("Hello world!"))
    assert features.shape == (1, 5, 384)  # [CLS] hello world ! [SEP]


def test_pipeline_is_exported() -> None:
    assert hfcourse.pipeline is pipeline
