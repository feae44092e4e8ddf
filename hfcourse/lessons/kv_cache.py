"""Greedy generation by hand, with and without the KV cache (background notebook "KV Cache").

A decoder generates one token per forward pass and appends it to its input (autoregression). Without a
cache every pass recomputes the keys and values of the whole sequence; with the cache each pass feeds
only the newest token, and every layer appends that token's key and value to the ones it kept. The
tokens are the same; the work per step stays flat instead of growing with the length. The price is
memory: ``kv_cache_bytes`` says how much.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor

from ..offline.devices import synchronized_time

__all__ = ["GreedyRun", "greedy_generate", "kv_cache_bytes", "time_with_and_without_cache"]


@dataclass(frozen=True)
class GreedyRun:
    """One greedy generation.

    Attributes:
        token_ids: the prompt followed by the generated tokens, (batch, prompt length + new tokens).
        elapsed_seconds: ``elapsed_seconds[k]`` is the time taken to generate the first ``k + 1`` tokens.
        use_cache: whether the KV cache was used.
        cache: the KV cache after the last step (a transformers ``Cache``), or None without the cache.
    """

    token_ids: Tensor
    elapsed_seconds: list[float]
    use_cache: bool
    cache: Any = None

    @property
    def new_token_ids(self) -> Tensor:
        """The generated tokens only, (batch, new tokens)."""
        return self.token_ids[:, self.token_ids.shape[1] - len(self.elapsed_seconds) :]


def _check_generation_input(model: Any, input_ids: Any, max_new_tokens: int) -> None:
    if (
        not isinstance(input_ids, Tensor)
        or input_ids.dim() != 2
        or input_ids.dtype != torch.long
        or input_ids.numel() == 0
    ):
        raise ValueError(
            "input_ids must be a non-empty 2-D tensor of token ids (batch, length), as "
            f"tokenizer(text, return_tensors='pt').input_ids gives; got {type(input_ids).__name__} "
            f"{tuple(getattr(input_ids, 'shape', ()))}."
        )
    if not isinstance(max_new_tokens, int) or isinstance(max_new_tokens, bool) or max_new_tokens < 1:
        raise ValueError(f"max_new_tokens must be a positive int; got {max_new_tokens!r}.")
    if not hasattr(model, "config") or not callable(model):
        raise TypeError(f"model must be a transformers causal language model; got {type(model).__name__}.")
    if model.training:
        raise ValueError("The model is in training mode (dropout on): call model.eval() first.")


def _cache_keyword(model: Any) -> str:
    """The name of the forward argument that takes the cache: ``cache`` since transformers 5.x renamed
    ``past_key_values`` (deprecated, removed in 5.40)."""
    return "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"


def greedy_generate(model: Any, input_ids: Tensor, max_new_tokens: int, *, use_cache: bool = True) -> GreedyRun:
    """Generate exactly ``max_new_tokens`` tokens greedily (the most likely token at every step).

    With ``use_cache`` the first pass reads the prompt and fills the cache, then each pass feeds only the
    newest token. Without it each pass feeds the whole sequence so far. The generation does not stop at
    the end-of-sequence token, so both variants always produce the same number of tokens; the result
    equals ``model.generate(input_ids, max_new_tokens=n, do_sample=False, eos_token_id=None)``.

    Args:
        model: a transformers causal LM (``AutoModelForCausalLM``) in eval mode.
        input_ids: the prompt's token ids, (batch, length), all rows the same length (no padding).
        max_new_tokens: how many tokens to generate.
        use_cache: keep the keys and values of past tokens instead of recomputing them.
    """
    from transformers import DynamicCache

    _check_generation_input(model, input_ids, max_new_tokens)
    cache = DynamicCache(config=model.config) if use_cache else None
    cache_argument = {_cache_keyword(model): cache} if use_cache else {}
    token_ids = input_ids
    step_input = input_ids
    elapsed_seconds = []
    with torch.inference_mode():
        start = synchronized_time(input_ids.device)
        for _ in range(max_new_tokens):
            # With the cache, the model appends this step's keys and values to `cache` in place.
            logits = model(step_input, use_cache=use_cache, **cache_argument).logits
            next_token = logits[:, -1].argmax(dim=-1, keepdim=True)
            token_ids = torch.cat([token_ids, next_token], dim=1)
            step_input = next_token if use_cache else token_ids
            elapsed_seconds.append(synchronized_time(input_ids.device) - start)
    return GreedyRun(token_ids=token_ids, elapsed_seconds=elapsed_seconds, use_cache=use_cache, cache=cache)


def time_with_and_without_cache(model: Any, input_ids: Tensor, max_new_tokens: int) -> dict[str, GreedyRun]:
    """Greedy generation of ``max_new_tokens`` tokens twice: ``{"with cache": ..., "without cache": ...}``.

    One untimed forward pass on the prompt comes first, so that one-off start-up costs fall on neither.
    """
    _check_generation_input(model, input_ids, max_new_tokens)
    with torch.inference_mode():
        model(input_ids, use_cache=False)
    return {
        "with cache": greedy_generate(model, input_ids, max_new_tokens, use_cache=True),
        "without cache": greedy_generate(model, input_ids, max_new_tokens, use_cache=False),
    }


def kv_cache_bytes(config: Any, sequence_length: int, batch_size: int = 1, bytes_per_value: int = 4) -> int:
    """Memory the KV cache needs: keys and values (2) for every layer, key/value head, position and head
    dimension. ``bytes_per_value`` is 4 for float32, 2 for bfloat16."""
    num_key_value_heads = getattr(config, "num_key_value_heads", None) or config.num_attention_heads
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads
    return (
        2 * config.num_hidden_layers * batch_size * num_key_value_heads * sequence_length * head_dim * bytes_per_value
    )
