"""01_4_transformer_architecture writes attention, multi-head attention, the sinusoidal positional encoding
and a BERT encoder layer in its cells; the package keeps copies (``hfcourse.scaled_dot_product_attention``,
``hfcourse.MultiHeadAttention``, ``hfcourse.sinusoidal_positional_encoding``, ``hfcourse.EncoderLayer``).

Each test runs the notebook's tagged cells as committed and checks that both copies compute the same thing
on the same random inputs and the same weights, so that neither can drift unnoticed.
"""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

import hfcourse
from tests.notebook_code import run_tagged

NOTEBOOK = "01_4_transformer_architecture"


def notebook_code(*tags: str) -> dict:
    """The namespace after running the notebook's cells with these tags (in order), on its imports."""
    namespace = {"math": math, "torch": torch, "nn": nn}
    for tag in tags:
        run_tagged(NOTEBOOK, tag, namespace)
    return namespace


def test_scaled_dot_product_attention_matches_package() -> None:
    ours = notebook_code("course:scaled-dot-product-attention")
    generator = torch.Generator().manual_seed(0)
    query, key, value = (torch.randn(2, 3, 5, 8, generator=generator) for _ in range(3))
    keep = torch.rand(2, 1, 5, 5, generator=generator) > 0.3
    keep[..., 0] = True  # every query keeps at least one key
    for mask in (None, keep, ours["causal_mask"](5)):
        output, weights = ours["scaled_dot_product_attention"](query, key, value, mask)
        expected_output, expected_weights = hfcourse.scaled_dot_product_attention(query, key, value, mask)
        torch.testing.assert_close(output, expected_output)
        torch.testing.assert_close(weights, expected_weights)


def test_multi_head_attention_matches_package() -> None:
    ours = notebook_code("course:scaled-dot-product-attention", "course:multi-head-attention")
    torch.manual_seed(0)
    package_attention = hfcourse.MultiHeadAttention(hidden_size=12, num_heads=3).eval()
    notebook_attention = ours["MultiHeadAttention"](12, 3).eval()
    notebook_attention.load_state_dict(package_attention.state_dict())  # same weights, same names
    hidden_states = torch.randn(2, 6, 12)
    attention_mask = torch.tensor([[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0]])
    mask = attention_mask.bool()[:, None, None, :]
    with torch.no_grad():
        for m in (None, mask):
            output, weights = notebook_attention(hidden_states, m)
            expected_output, expected_weights = package_attention(hidden_states, m)
            torch.testing.assert_close(output, expected_output)
            torch.testing.assert_close(weights, expected_weights)


@pytest.mark.parametrize(("max_len", "d_model"), [(64, 128), (10, 7), (1, 2)])
def test_sinusoidal_positional_encoding_matches_package(max_len: int, d_model: int) -> None:
    ours = notebook_code("course:positional-encoding")
    encoding = ours["sinusoidal_positional_encoding"](max_len, d_model)
    torch.testing.assert_close(encoding, hfcourse.sinusoidal_positional_encoding(max_len, d_model))


def test_encoder_layer_matches_package() -> None:
    ours = notebook_code(
        "course:scaled-dot-product-attention", "course:multi-head-attention", "course:encoder-layer"
    )
    torch.manual_seed(0)
    package_layer = hfcourse.EncoderLayer(hidden_size=16, num_heads=4, intermediate_size=32).eval()
    notebook_layer = ours["EncoderLayer"](16, 4, 32).eval()
    notebook_layer.load_state_dict(package_layer.state_dict())
    hidden_states = torch.randn(2, 5, 16)
    mask = ours["padding_mask"](torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]]))
    with torch.no_grad():
        for m in (None, mask):
            torch.testing.assert_close(notebook_layer(hidden_states, m), package_layer(hidden_states, m))
