"""Tiny random BERT configurations for tests that need a real architecture but no real weights (built in
milliseconds, a few KB saved)."""

from __future__ import annotations

from typing import Any

from transformers import BertConfig


def tiny_bert_config(**overrides: Any) -> BertConfig:
    """A one-layer BERT with hidden size 16 and 2 heads; ``overrides`` change any field (vocab_size, layers...)."""
    settings = {
        "vocab_size": 64,
        "hidden_size": 16,
        "num_hidden_layers": 1,
        "num_attention_heads": 2,
        "intermediate_size": 32,
        "max_position_embeddings": 32,
    }
    return BertConfig(**{**settings, **overrides})
