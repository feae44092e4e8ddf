"""The transformer encoder, written from scratch to read like the course explains it (chapter 1).

- ``scaled_dot_product_attention``: ``softmax(Q K^T / sqrt(d_k)) V``, returning the weights too.
- ``MultiHeadAttention``: project the input into queries, keys and values, split them into heads, attend
  in each head, concatenate the heads and project back.
- ``sinusoidal_positional_encoding``: the fixed position code of "Attention Is All You Need".
- ``EncoderLayer``: self-attention -> residual -> LayerNorm -> feed-forward (GELU) -> residual ->
  LayerNorm, the post-LN layer of BERT. ``EncoderLayer.from_bert_layer`` copies a pretrained BERT layer's
  weights so that the from-scratch layer can be checked against the real one.

Everything runs in inference mode (no dropout): this code explains, transformers trains.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor, nn

__all__ = [
    "BertLayerComparison",
    "EncoderLayer",
    "MultiHeadAttention",
    "causal_mask",
    "compare_with_bert_layer",
    "padding_mask",
    "scaled_dot_product_attention",
    "sinusoidal_positional_encoding",
]


def causal_mask(length: int) -> Tensor:
    """A ``(length, length)`` boolean mask, True on and below the diagonal: token i sees tokens 0..i.

    A decoder uses it so that a position cannot look at the tokens that come after it.
    """
    if not isinstance(length, int) or length < 1:
        raise ValueError(f"length must be a positive int (the number of tokens); got {length!r}.")
    return torch.ones(length, length, dtype=torch.bool).tril()


def padding_mask(attention_mask: Tensor) -> Tensor:
    """The tokenizer's ``attention_mask`` (batch, keys; 1 = real token, 0 = padding) as a boolean mask of
    shape (batch, 1, 1, keys) that broadcasts over heads and queries: no query attends to padding."""
    if attention_mask.dim() != 2:
        raise ValueError(
            f"attention_mask must have shape (batch, sequence length), as the tokenizer returns it; got shape "
            f"{tuple(attention_mask.shape)}."
        )
    return attention_mask.bool()[:, None, None, :]


def scaled_dot_product_attention(
    query: Tensor, key: Tensor, value: Tensor, mask: Tensor | None = None
) -> tuple[Tensor, Tensor]:
    """Attention: each query scores every key, the scores become weights, the weights average the values.

    ``weights = softmax(query @ key^T / sqrt(d_k) + mask)`` and ``output = weights @ value``.

    Args:
        query: (..., queries, d_k).
        key: (..., keys, d_k).
        value: (..., keys, d_v).
        mask: optional, broadcastable to (..., queries, keys). A boolean mask keeps the positions that are
            True (as ``torch.nn.functional.scaled_dot_product_attention``'s ``attn_mask``); a float mask is
            added to the scores (0 to keep, a large negative number to drop).

    Returns:
        ``(output, weights)``: output (..., queries, d_v) and weights (..., queries, keys), each row of the
        weights summing to 1.
    """
    if query.size(-1) != key.size(-1):
        raise ValueError(
            f"query and key must have the same last dimension d_k; got query {tuple(query.shape)} and key "
            f"{tuple(key.shape)}. Project both to the same size."
        )
    if key.size(-2) != value.size(-2):
        raise ValueError(
            f"key and value must have one row per position; got key {tuple(key.shape)} and value "
            f"{tuple(value.shape)}. They come from the same tokens, so their second-to-last sizes must match."
        )
    scores = query @ key.transpose(-2, -1) / math.sqrt(query.size(-1))
    if mask is not None:
        try:
            scores = scores.masked_fill(~mask, float("-inf")) if mask.dtype == torch.bool else scores + mask
        except RuntimeError as error:
            raise ValueError(
                f"mask of shape {tuple(mask.shape)} does not broadcast to the attention scores of shape "
                f"{tuple(scores.shape)} (..., queries, keys): {error}"
            ) from None
    weights = scores.softmax(dim=-1)
    return weights @ value, weights


class MultiHeadAttention(nn.Module):
    """Multi-head self-attention with query, key, value and output projections (BERT's layout).

    The input (batch, length, hidden_size) is projected into queries, keys and values, each split into
    ``num_heads`` heads of size ``hidden_size // num_heads``. Every head attends on its own; the heads'
    outputs are concatenated back to ``hidden_size`` and mixed by the output projection.
    """

    def __init__(self, hidden_size: int, num_heads: int) -> None:
        super().__init__()
        if hidden_size % num_heads != 0:
            raise ValueError(
                f"hidden_size ({hidden_size}) must be a multiple of num_heads ({num_heads}): each head gets "
                "hidden_size // num_heads dimensions."
            )
        self.num_heads = num_heads
        self.head_size = hidden_size // num_heads
        self.query = nn.Linear(hidden_size, hidden_size)
        self.key = nn.Linear(hidden_size, hidden_size)
        self.value = nn.Linear(hidden_size, hidden_size)
        self.output = nn.Linear(hidden_size, hidden_size)

    def split_heads(self, states: Tensor) -> Tensor:
        """(batch, length, hidden) -> (batch, heads, length, head_size)."""
        batch, length, _ = states.shape
        return states.view(batch, length, self.num_heads, self.head_size).transpose(1, 2)

    def forward(self, hidden_states: Tensor, mask: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """Self-attention over ``hidden_states`` (batch, length, hidden_size).

        Args:
            hidden_states: the token vectors.
            mask: optional boolean mask broadcastable to (batch, heads, length, length), e.g.
                ``padding_mask(attention_mask)`` or ``causal_mask(length)``.

        Returns:
            ``(output, weights)``: output (batch, length, hidden_size), weights (batch, heads, length, length).
        """
        if hidden_states.dim() != 3 or hidden_states.size(-1) != self.num_heads * self.head_size:
            raise ValueError(
                f"hidden_states must have shape (batch, length, {self.num_heads * self.head_size}); got "
                f"{tuple(hidden_states.shape)}. Add a batch dimension with unsqueeze(0) for one sentence."
            )
        query = self.split_heads(self.query(hidden_states))
        key = self.split_heads(self.key(hidden_states))
        value = self.split_heads(self.value(hidden_states))
        context, weights = scaled_dot_product_attention(query, key, value, mask)
        batch, _, length, _ = context.shape
        context = context.transpose(1, 2).reshape(batch, length, self.num_heads * self.head_size)
        return self.output(context), weights

    @classmethod
    def from_bert_attention(cls, bert_attention: Any) -> MultiHeadAttention:
        """A copy of a transformers ``BertAttention`` (``bert_layer.attention``): its query, key and value
        projections and its output projection ``output.dense`` (the residual and LayerNorm that follow
        belong to ``EncoderLayer``)."""
        self_attention = getattr(bert_attention, "self", None)
        if self_attention is None or not hasattr(self_attention, "query"):
            raise TypeError(
                f"Expected a transformers BertAttention (model.encoder.layer[i].attention); got "
                f"{type(bert_attention).__name__}."
            )
        attention = cls(self_attention.query.in_features, self_attention.num_attention_heads)
        for name, source in (
            ("query", self_attention.query),
            ("key", self_attention.key),
            ("value", self_attention.value),
            ("output", bert_attention.output.dense),
        ):
            getattr(attention, name).load_state_dict(source.state_dict())
        return attention.to(self_attention.query.weight.dtype)


def sinusoidal_positional_encoding(max_len: int, d_model: int) -> Tensor:
    """The sinusoidal position code: a (max_len, d_model) matrix, one row per position.

    Column ``i`` oscillates with position ``pos`` at its own frequency: even columns hold
    ``sin(pos / 10000^(i / d_model))`` and odd columns ``cos(pos / 10000^((i - 1) / d_model))``, so each
    sine/cosine pair shares one frequency ("Attention Is All You Need", section 3.5).
    """
    for name, value in (("max_len", max_len), ("d_model", d_model)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive int; got {value!r}.")
    positions = torch.arange(max_len, dtype=torch.float64)[:, None]
    pair_start = torch.arange(0, d_model, 2, dtype=torch.float64)  # i for even i, i - 1 for odd i
    angles = positions / 10000 ** (pair_start / d_model)
    encoding = torch.zeros(max_len, d_model, dtype=torch.float64)
    encoding[:, 0::2] = torch.sin(angles)
    encoding[:, 1::2] = torch.cos(angles[:, : d_model // 2])
    return encoding.float()


class EncoderLayer(nn.Module):
    """One post-LN transformer encoder layer, as in BERT.

    ``x = LayerNorm(x + MultiHeadAttention(x))`` then ``x = LayerNorm(x + FFN(x))`` with
    ``FFN(x) = Linear(GELU(Linear(x)))``, the inner layer ``intermediate_size`` wide.
    """

    def __init__(self, hidden_size: int, num_heads: int, intermediate_size: int, layer_norm_eps: float = 1e-12) -> None:
        super().__init__()
        self.attention = MultiHeadAttention(hidden_size, num_heads)
        self.attention_norm = nn.LayerNorm(hidden_size, eps=layer_norm_eps)
        self.feed_forward = nn.Sequential(
            nn.Linear(hidden_size, intermediate_size),
            nn.GELU(),
            nn.Linear(intermediate_size, hidden_size),
        )
        self.output_norm = nn.LayerNorm(hidden_size, eps=layer_norm_eps)

    def forward(self, hidden_states: Tensor, mask: Tensor | None = None) -> Tensor:
        """(batch, length, hidden_size) -> (batch, length, hidden_size); ``mask`` as in MultiHeadAttention."""
        attended, _ = self.attention(hidden_states, mask)
        hidden_states = self.attention_norm(hidden_states + attended)  # residual, then LayerNorm
        return self.output_norm(hidden_states + self.feed_forward(hidden_states))

    @classmethod
    def from_bert_layer(cls, bert_layer: Any) -> EncoderLayer:
        """A copy of a transformers ``BertLayer`` (``model.encoder.layer[i]``) with the same weights."""
        if not all(hasattr(bert_layer, name) for name in ("attention", "intermediate", "output")):
            raise TypeError(
                f"Expected a transformers BertLayer (model.encoder.layer[i]); got {type(bert_layer).__name__}."
            )
        activation = type(bert_layer.intermediate.intermediate_act_fn).__name__
        if activation != "GELUActivation":
            raise ValueError(
                f"This BertLayer uses the {activation} activation; EncoderLayer implements BERT's exact GELU "
                "(hidden_act='gelu') only."
            )
        attention_norm = bert_layer.attention.output.LayerNorm
        layer = cls(
            hidden_size=attention_norm.normalized_shape[0],
            num_heads=bert_layer.attention.self.num_attention_heads,
            intermediate_size=bert_layer.intermediate.dense.out_features,
            layer_norm_eps=attention_norm.eps,
        )
        layer.attention = MultiHeadAttention.from_bert_attention(bert_layer.attention)
        layer.attention_norm.load_state_dict(attention_norm.state_dict())
        layer.feed_forward[0].load_state_dict(bert_layer.intermediate.dense.state_dict())
        layer.feed_forward[2].load_state_dict(bert_layer.output.dense.state_dict())
        layer.output_norm.load_state_dict(bert_layer.output.LayerNorm.state_dict())
        return layer.eval()


@dataclass(frozen=True)
class BertLayerComparison:
    """How far the from-scratch code is from one real BERT layer (largest absolute differences)."""

    layer_index: int
    attention_output_diff: float  # MultiHeadAttention vs the layer's self-attention output projection
    attention_weights_diff: float  # our softmax weights vs the model's output_attentions
    layer_output_diff: float  # EncoderLayer(hidden_states[i]) vs hidden_states[i + 1]
    attention_weights: Tensor  # the model's own weights, (batch, heads, length, length)


def compare_with_bert_layer(model: Any, inputs: Mapping[str, Tensor], layer_index: int = 0) -> BertLayerComparison:
    """Run a transformers BERT model once and rebuild its layer ``layer_index`` from scratch.

    The model's forward pass gives the layer's input ``hidden_states[i]``, its output ``hidden_states[i + 1]``
    and its attention weights; a hook records what its self-attention produced (after the output
    projection, before the residual). ``MultiHeadAttention`` and ``EncoderLayer`` copied from that layer
    then get the same input.

    Args:
        model: a ``BertModel`` loaded with ``attn_implementation="eager"`` (the only implementation that
            returns attention weights), in eval mode.
        inputs: the tokenizer's output (``input_ids``, ``attention_mask``, ...) as tensors.
        layer_index: which encoder layer to rebuild.
    """
    layers = getattr(getattr(model, "encoder", None), "layer", None)
    if layers is None:
        raise TypeError(f"Expected a transformers BertModel (with .encoder.layer); got {type(model).__name__}.")
    if not 0 <= layer_index < len(layers):
        raise ValueError(f"layer_index must be between 0 and {len(layers) - 1} for this model; got {layer_index}.")
    if model.training:
        raise ValueError("The model is in training mode (dropout on): call model.eval() first.")
    if model.config._attn_implementation != "eager":
        raise ValueError(
            f"The model uses the {model.config._attn_implementation!r} attention implementation, which returns no "
            'attention weights: load it with from_pretrained(..., attn_implementation="eager").'
        )
    bert_layer = layers[layer_index]
    captured: dict[str, Tensor] = {}
    hook = bert_layer.attention.output.dense.register_forward_hook(
        lambda module, args, output: captured.__setitem__("attention_output", output)
    )
    try:
        with torch.no_grad():
            outputs = model(**inputs, output_hidden_states=True, output_attentions=True)
    finally:
        hook.remove()
    layer_input = outputs.hidden_states[layer_index]
    mask = padding_mask(inputs["attention_mask"]) if "attention_mask" in inputs else None
    with torch.no_grad():
        attention_output, attention_weights = MultiHeadAttention.from_bert_attention(bert_layer.attention)(
            layer_input, mask
        )
        layer_output = EncoderLayer.from_bert_layer(bert_layer)(layer_input, mask)
    real_weights = outputs.attentions[layer_index]
    return BertLayerComparison(
        layer_index=layer_index,
        attention_output_diff=(attention_output - captured["attention_output"]).abs().max().item(),
        attention_weights_diff=(attention_weights - real_weights).abs().max().item(),
        layer_output_diff=(layer_output - outputs.hidden_states[layer_index + 1]).abs().max().item(),
        attention_weights=real_weights,
    )
