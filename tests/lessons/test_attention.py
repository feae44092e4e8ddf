"""attention: from-scratch attention against torch's, and against the real MiniLM layers on its weights."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from hfcourse.lessons.attention import (
    EncoderLayer,
    MultiHeadAttention,
    causal_mask,
    compare_with_bert_layer,
    padding_mask,
    scaled_dot_product_attention,
    sinusoidal_positional_encoding,
)

SENTENCES = ["I've been waiting for a HuggingFace course my whole life.", "I hate this so much!"]


@pytest.fixture(scope="module")
def qkv() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    return tuple(torch.randn(2, 3, 5, 8, generator=generator) for _ in range(3))


def test_attention_matches_torch_without_mask(qkv) -> None:
    query, key, value = qkv
    output, weights = scaled_dot_product_attention(query, key, value)
    torch.testing.assert_close(output, F.scaled_dot_product_attention(query, key, value), atol=1e-6, rtol=1e-5)
    assert weights.shape == (2, 3, 5, 5)
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 3, 5))
    expected = torch.softmax(query @ key.transpose(-2, -1) / math.sqrt(8), dim=-1)
    torch.testing.assert_close(weights, expected)


def test_attention_matches_torch_with_boolean_mask(qkv) -> None:
    query, key, value = qkv
    mask = torch.rand(2, 1, 5, 5, generator=torch.Generator().manual_seed(1)) > 0.5
    mask[..., 0] = True  # every query keeps at least one key
    output, weights = scaled_dot_product_attention(query, key, value, mask)
    torch.testing.assert_close(
        output, F.scaled_dot_product_attention(query, key, value, attn_mask=mask), atol=1e-6, rtol=1e-5
    )
    assert torch.all(weights[~mask.expand_as(weights)] == 0)


def test_attention_matches_torch_with_float_mask(qkv) -> None:
    query, key, value = qkv
    bias = torch.randn(5, 5, generator=torch.Generator().manual_seed(2))
    output, _ = scaled_dot_product_attention(query, key, value, bias)
    torch.testing.assert_close(
        output, F.scaled_dot_product_attention(query, key, value, attn_mask=bias), atol=1e-6, rtol=1e-5
    )


def test_causal_mask_matches_torch_is_causal(qkv) -> None:
    query, key, value = qkv
    output, weights = scaled_dot_product_attention(query, key, value, causal_mask(5))
    torch.testing.assert_close(
        output, F.scaled_dot_product_attention(query, key, value, is_causal=True), atol=1e-6, rtol=1e-5
    )
    assert weights[0, 0, 0].tolist() == [1.0, 0.0, 0.0, 0.0, 0.0]  # the first token sees only itself
    assert causal_mask(3).tolist() == [[True, False, False], [True, True, False], [True, True, True]]


def test_attention_rejects_mismatched_shapes() -> None:
    with pytest.raises(ValueError, match="same last dimension d_k"):
        scaled_dot_product_attention(torch.zeros(1, 4, 8), torch.zeros(1, 4, 6), torch.zeros(1, 4, 6))
    with pytest.raises(ValueError, match="one row per position"):
        scaled_dot_product_attention(torch.zeros(1, 4, 8), torch.zeros(1, 4, 8), torch.zeros(1, 3, 8))
    with pytest.raises(ValueError, match="does not broadcast"):
        scaled_dot_product_attention(
            torch.zeros(1, 4, 8), torch.zeros(1, 4, 8), torch.zeros(1, 4, 8), torch.ones(3, 3, dtype=torch.bool)
        )


def test_multi_head_attention_matches_torch_multihead_attention() -> None:
    torch.manual_seed(0)
    attention = MultiHeadAttention(hidden_size=16, num_heads=4).eval()
    reference = torch.nn.MultiheadAttention(16, 4, batch_first=True).eval()
    with torch.no_grad():
        reference.in_proj_weight.copy_(
            torch.cat([attention.query.weight, attention.key.weight, attention.value.weight])
        )
        reference.in_proj_bias.copy_(torch.cat([attention.query.bias, attention.key.bias, attention.value.bias]))
        reference.out_proj.load_state_dict(attention.output.state_dict())
        hidden_states = torch.randn(2, 7, 16)
        output, weights = attention(hidden_states)
        expected_output, expected_weights = reference(
            hidden_states, hidden_states, hidden_states, average_attn_weights=False
        )
    assert output.shape == (2, 7, 16) and weights.shape == (2, 4, 7, 7)
    torch.testing.assert_close(output, expected_output, atol=1e-6, rtol=1e-5)
    torch.testing.assert_close(weights, expected_weights, atol=1e-6, rtol=1e-5)


def test_multi_head_attention_rejects_bad_sizes() -> None:
    with pytest.raises(ValueError, match=r"hidden_size \(10\) must be a multiple of num_heads \(4\)"):
        MultiHeadAttention(10, 4)
    with pytest.raises(ValueError, match=r"shape \(batch, length, 8\); got \(5, 8\)"):
        MultiHeadAttention(8, 2)(torch.zeros(5, 8))


def test_padding_mask_shape_and_values() -> None:
    mask = padding_mask(torch.tensor([[1, 1, 0], [1, 1, 1]]))
    assert mask.shape == (2, 1, 1, 3)
    assert mask[0, 0, 0].tolist() == [True, True, False]
    with pytest.raises(ValueError, match=r"\(batch, sequence length\)"):
        padding_mask(torch.ones(3))


def test_sinusoidal_positional_encoding_values() -> None:
    encoding = sinusoidal_positional_encoding(50, 16)
    assert encoding.shape == (50, 16)
    assert encoding[0].tolist() == [0.0, 1.0] * 8  # position 0: sin 0 = 0, cos 0 = 1
    for pos in (1, 7, 49):
        for i in (0, 2, 6, 14):
            assert encoding[pos, i].item() == pytest.approx(math.sin(pos / 10000 ** (i / 16)), abs=1e-6)
            assert encoding[pos, i + 1].item() == pytest.approx(math.cos(pos / 10000 ** (i / 16)), abs=1e-6)
    assert sinusoidal_positional_encoding(3, 5).shape == (3, 5)  # an odd width ends on a sine column
    with pytest.raises(ValueError, match="d_model must be a positive int"):
        sinusoidal_positional_encoding(10, 0)


@pytest.fixture(scope="module")
def minilm():
    from transformers import AutoModel, AutoTokenizer

    import hfcourse

    checkpoint = hfcourse.resolve_checkpoint("encoder")
    tokenizer = AutoTokenizer.from_pretrained(checkpoint.name_or_path)
    model = AutoModel.from_pretrained(checkpoint.name_or_path, attn_implementation="eager").eval()
    inputs = tokenizer(SENTENCES, padding=True, return_tensors="pt")
    assert inputs["attention_mask"][1].sum() < inputs["attention_mask"].shape[1]  # the second row is padded
    return model, inputs


def test_encoder_layer_reproduces_minilm_first_layer(minilm) -> None:
    model, inputs = minilm
    with torch.no_grad():
        hidden_states = model(**inputs, output_hidden_states=True).hidden_states
        layer = EncoderLayer.from_bert_layer(model.encoder.layer[0])
        output = layer(hidden_states[0], padding_mask(inputs["attention_mask"]))
    assert output.shape == (2, inputs["input_ids"].shape[1], 384)
    assert (output - hidden_states[1]).abs().max().item() < 1e-5
    assert (output - hidden_states[0]).abs().max().item() > 1e-1  # the layer really changed its input


def test_multi_head_attention_reproduces_minilm_self_attention(minilm) -> None:
    model, inputs = minilm
    bert_attention = model.encoder.layer[0].attention
    length = int(inputs["attention_mask"][0].sum())  # the first sentence has no padding
    with torch.no_grad():
        embeddings = model.embeddings(input_ids=inputs["input_ids"][:1], token_type_ids=inputs["token_type_ids"][:1])
        output, weights = MultiHeadAttention.from_bert_attention(bert_attention)(embeddings)
        context, expected_weights = bert_attention.self(embeddings)
        expected_output = bert_attention.output.dense(context)
    assert weights.shape == (1, 12, length, length)
    assert (output - expected_output).abs().max().item() < 1e-5
    assert (weights - expected_weights).abs().max().item() < 1e-5


@pytest.mark.parametrize("layer_index", [0, 5])
def test_compare_with_bert_layer_is_within_tolerance(minilm, layer_index: int) -> None:
    model, inputs = minilm
    comparison = compare_with_bert_layer(model, inputs, layer_index)
    assert comparison.attention_output_diff < 1e-5
    assert comparison.attention_weights_diff < 1e-5
    assert comparison.layer_output_diff < 1e-5
    assert comparison.attention_weights.shape == (2, 12, inputs["input_ids"].shape[1], inputs["input_ids"].shape[1])


def test_compare_with_bert_layer_explains_bad_input(minilm) -> None:
    model, inputs = minilm
    with pytest.raises(ValueError, match="between 0 and 5"):
        compare_with_bert_layer(model, inputs, 6)
    with pytest.raises(TypeError, match="Expected a transformers BertModel"):
        compare_with_bert_layer(torch.nn.Linear(2, 2), inputs)
    model.train()
    try:
        with pytest.raises(ValueError, match=r"model.eval\(\)"):
            compare_with_bert_layer(model, inputs)
    finally:
        model.eval()


def test_from_bert_layer_rejects_other_modules() -> None:
    with pytest.raises(TypeError, match="Expected a transformers BertLayer"):
        EncoderLayer.from_bert_layer(torch.nn.Linear(2, 2))
    with pytest.raises(TypeError, match="Expected a transformers BertAttention"):
        MultiHeadAttention.from_bert_attention(torch.nn.Linear(2, 2))
