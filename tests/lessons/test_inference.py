"""The step-by-step classification equals the pipeline; padding and attention masks behave as the course says."""

from __future__ import annotations

import pytest
import torch
import transformers
from transformers import AutoModel, AutoModelForSequenceClassification, AutoTokenizer

import hfcourse
from hfcourse.lessons.inference import (
    COURSE_SENTENCES,
    SequenceTooLongError,
    apply_classification_head,
    classify_step_by_step,
    compare_padding,
    model_max_length,
    pad_sequences,
    sentence_embeddings,
)

LONG_TEXT = "word " * 600


@pytest.fixture(scope="module")
def classifier_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A MiniLM encoder with a seeded random two-class head and named labels, saved like a Hub model."""
    hfcourse.quiet()
    encoder = hfcourse.resolve_checkpoint("encoder").name_or_path
    transformers.set_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(encoder)
    model = AutoModelForSequenceClassification.from_pretrained(
        encoder, use_safetensors=True, id2label={0: "NEGATIVE", 1: "POSITIVE"}, label2id={"NEGATIVE": 0, "POSITIVE": 1}
    )
    folder = tmp_path_factory.mktemp("classifier")
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)


@pytest.fixture(scope="module")
def classifier(classifier_dir: str):
    """The saved classifier's tokenizer and model, loaded back (in eval mode)."""
    return AutoTokenizer.from_pretrained(classifier_dir), AutoModelForSequenceClassification.from_pretrained(
        classifier_dir, use_safetensors=True
    )


def test_step_by_step_reproduces_the_pipeline(classifier_dir: str, classifier) -> None:
    tokenizer, model = classifier
    classify = transformers.pipeline("text-classification", model=classifier_dir)
    expected = classify(list(COURSE_SENTENCES))
    steps = classify_step_by_step(COURSE_SENTENCES, tokenizer, model)
    predictions = steps.predictions()
    assert [p["label"] for p in predictions] == [e["label"] for e in expected]
    assert torch.allclose(
        torch.tensor([p["score"] for p in predictions]), torch.tensor([e["score"] for e in expected]), atol=1e-6
    )
    assert steps.labels == [e["label"] for e in expected]


def test_steps_have_the_course_shapes(classifier) -> None:
    tokenizer, model = classifier
    steps = classify_step_by_step(COURSE_SENTENCES, tokenizer, model)
    # The seed prints [5, 16] inputs for these sentences with the (same) uncased BERT vocabulary.
    assert tuple(steps.inputs["input_ids"].shape) == (5, 16)
    assert steps.inputs["attention_mask"].sum(dim=1).tolist() == [16, 8, 5, 5, 4]
    assert tuple(steps.logits.shape) == (5, 2)
    assert torch.allclose(steps.probabilities.sum(dim=-1), torch.ones(5))
    assert torch.equal(steps.probabilities, torch.softmax(steps.logits, dim=-1))


def test_one_text_is_a_batch_of_one(classifier) -> None:
    tokenizer, model = classifier
    single = classify_step_by_step(COURSE_SENTENCES[1], tokenizer, model)
    batch = classify_step_by_step(COURSE_SENTENCES, tokenizer, model)
    assert single.texts == [COURSE_SENTENCES[1]]
    assert torch.allclose(single.logits[0], batch.logits[1], atol=1e-5)


def test_head_on_real_hidden_states_gives_the_logits(classifier) -> None:
    tokenizer, model = classifier
    inputs = tokenizer(list(COURSE_SENTENCES), padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden_states = model.base_model(**inputs).last_hidden_state
    assert tuple(hidden_states.shape) == (5, 16, 384)
    steps = classify_step_by_step(COURSE_SENTENCES, tokenizer, model)
    assert torch.allclose(apply_classification_head(model, hidden_states), steps.logits, atol=1e-6)


def test_too_long_text_names_the_fix(classifier) -> None:
    tokenizer, model = classifier
    with pytest.raises(SequenceTooLongError, match=r"texts\[1\].*602 tokens.*at most 512.*truncation=True"):
        classify_step_by_step(["short", LONG_TEXT], tokenizer, model, truncation=False)
    truncated = classify_step_by_step(["short", LONG_TEXT], tokenizer, model)
    assert tuple(truncated.inputs["input_ids"].shape) == (2, 512)


def test_bad_texts_and_training_mode_are_refused(classifier) -> None:
    tokenizer, model = classifier
    with pytest.raises(ValueError, match="non-empty list of strings"):
        classify_step_by_step([], tokenizer, model)
    with pytest.raises(TypeError, match=r"texts\[1\] is a int"):
        classify_step_by_step(["fine", 3], tokenizer, model)
    model.train()
    try:
        with pytest.raises(ValueError, match=r"training mode.*model\.eval\(\)"):
            classify_step_by_step("fine", tokenizer, model)
    finally:
        model.eval()


def test_model_max_length_takes_the_smaller_limit(classifier) -> None:
    tokenizer, model = classifier
    assert model_max_length(tokenizer, model) == 512
    tokenizer_limit = tokenizer.model_max_length
    tokenizer.model_max_length = int(1e30)  # what a tokenizer without a configured limit reports
    try:
        assert model_max_length(tokenizer, model) == model.config.max_position_embeddings == 512
    finally:
        tokenizer.model_max_length = tokenizer_limit


def test_pad_sequences_pads_right_and_masks_padding() -> None:
    input_ids, attention_mask = pad_sequences([[200, 200, 200], [200, 200]], pad_token_id=0)
    assert input_ids.tolist() == [[200, 200, 200], [200, 200, 0]]
    assert attention_mask.tolist() == [[1, 1, 1], [1, 1, 0]]
    with pytest.raises(ValueError, match="no padding token"):
        pad_sequences([[1]], pad_token_id=None)
    with pytest.raises(ValueError, match=r"sequences\[1\] is empty"):
        pad_sequences([[1], []], pad_token_id=0)
    with pytest.raises(ValueError, match="sequences is empty"):
        pad_sequences([], pad_token_id=0)


def test_padding_changes_logits_unless_masked(classifier) -> None:
    tokenizer, model = classifier
    comparison = compare_padding([[200, 200, 200], [200, 200]], model, tokenizer.pad_token_id)
    assert comparison.padded_rows == [1]
    assert comparison.unmasked_difference[0] < 1e-5  # the unpadded row is the same either way
    assert comparison.unmasked_difference[1] > 1e-3  # attending to the padding token changes the row
    assert torch.all(comparison.masked_difference < 1e-5)
    assert torch.allclose(comparison.masked_logits, comparison.single_logits, atol=1e-5)


def test_padding_comparison_on_real_sentences(classifier) -> None:
    tokenizer, model = classifier
    comparison = compare_padding(tokenizer(list(COURSE_SENTENCES))["input_ids"], model, tokenizer.pad_token_id)
    assert comparison.padded_rows == [1, 2, 3, 4]
    assert torch.all(comparison.unmasked_difference[1:] > 1e-3)
    assert torch.allclose(comparison.masked_logits, comparison.single_logits, atol=1e-5)


def test_pretrained_embeddings_rank_paraphrases_first() -> None:
    checkpoint = hfcourse.resolve_checkpoint("encoder")
    tokenizer = AutoTokenizer.from_pretrained(checkpoint.name_or_path)
    model = AutoModel.from_pretrained(checkpoint.name_or_path, use_safetensors=True)
    embeddings = sentence_embeddings(
        ["I love this course.", "This class is wonderful, I really like it.", "The train leaves at noon."],
        tokenizer,
        model,
    )
    assert tuple(embeddings.shape) == (3, 384)
    assert torch.allclose(embeddings.norm(dim=-1), torch.ones(3), atol=1e-5)
    similarities = embeddings @ embeddings.T
    assert similarities[0, 1] > similarities[0, 2] + 0.2


@pytest.mark.parametrize("config_class", ["BertConfig", "DistilBertConfig", "RobertaConfig"])
def test_head_on_base_hidden_states_gives_the_logits(config_class: str) -> None:
    """A tiny random model of each supported family: base model -> head == the full model's logits."""
    small = dict(vocab_size=100, max_position_embeddings=64, num_labels=3)
    sizes = {
        "BertConfig": dict(hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32),
        "DistilBertConfig": dict(dim=16, n_layers=1, n_heads=2, hidden_dim=32),
        "RobertaConfig": dict(
            hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32, pad_token_id=1
        ),
    }[config_class]
    transformers.set_seed(0)
    config = getattr(transformers, config_class)(**small, **sizes)
    model = AutoModelForSequenceClassification.from_config(config).eval()
    input_ids = torch.tensor([[5, 6, 7, 8], [9, 10, 11, 12]])
    with torch.no_grad():
        expected = model(input_ids=input_ids).logits
        hidden_states = model.base_model(input_ids=input_ids).last_hidden_state
    logits = apply_classification_head(model, hidden_states)
    assert tuple(logits.shape) == (2, 3)
    assert torch.allclose(logits, expected, atol=1e-6)


def test_head_refuses_unknown_models_and_wrong_shapes(classifier) -> None:
    _, model = classifier
    with pytest.raises(ValueError, match=r"expected \[batch, sequence, 384\]"):
        apply_classification_head(model, torch.zeros(2, 384))
    gpt2 = AutoModelForSequenceClassification.from_config(
        transformers.GPT2Config(n_embd=16, n_layer=1, n_head=2, vocab_size=100, n_positions=32)
    ).eval()
    with pytest.raises(ValueError, match=r"not GPT2ForSequenceClassification.*model\(\*\*inputs\)\.logits"):
        apply_classification_head(gpt2, torch.zeros(1, 4, 16))
