"""kv_cache: the hand-written greedy loop equals model.generate, with and without the cache."""

from __future__ import annotations

import pytest
import torch

from hfcourse.lessons.kv_cache import greedy_generate, kv_cache_bytes, time_with_and_without_cache


@pytest.fixture(scope="module")
def tiny_llama():
    """A small random Llama (same architecture as SmolLM2, grouped key/value heads), built in a second."""
    from transformers import LlamaConfig, LlamaForCausalLM, set_seed

    set_seed(0)
    config = LlamaConfig(
        vocab_size=128,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=64,
        bos_token_id=1,
        eos_token_id=2,
        pad_token_id=0,
    )
    return LlamaForCausalLM(config).eval()


PROMPT = torch.tensor([[1, 17, 42, 99, 5, 63]])


def test_cache_and_no_cache_give_the_same_tokens_as_generate(tiny_llama) -> None:
    with_cache = greedy_generate(tiny_llama, PROMPT, 12, use_cache=True)
    without_cache = greedy_generate(tiny_llama, PROMPT, 12, use_cache=False)
    with torch.no_grad():
        reference = tiny_llama.generate(PROMPT, max_new_tokens=12, do_sample=False, eos_token_id=None)
    assert with_cache.token_ids.shape == (1, 18)
    assert torch.equal(with_cache.token_ids[:, :6], PROMPT)
    assert torch.equal(with_cache.token_ids, without_cache.token_ids)
    assert torch.equal(with_cache.token_ids, reference)
    assert with_cache.new_token_ids.shape == (1, 12)
    assert len(set(with_cache.new_token_ids[0].tolist())) > 1  # a real sequence, not one token repeated


def test_runs_record_cumulative_times_and_the_cache(tiny_llama) -> None:
    runs = time_with_and_without_cache(tiny_llama, PROMPT, 5)
    assert list(runs) == ["with cache", "without cache"]
    for run in runs.values():
        assert len(run.elapsed_seconds) == 5
        assert run.elapsed_seconds == sorted(run.elapsed_seconds) and run.elapsed_seconds[0] > 0
    assert runs["without cache"].cache is None
    cache = runs["with cache"].cache
    # The last generated token is never fed back, so the cache holds prompt + new tokens - 1 positions.
    assert cache.get_seq_length() == 6 + 5 - 1
    assert len(cache.layers) == 2 and tuple(cache.layers[0].keys.shape) == (1, 2, 10, 8)
    stored = sum(layer.keys.nbytes + layer.values.nbytes for layer in cache.layers)
    assert stored == kv_cache_bytes(tiny_llama.config, sequence_length=10) == 2 * 2 * 2 * 10 * 8 * 4


def test_kv_cache_bytes_for_smollm2_sized_config() -> None:
    from transformers import LlamaConfig

    config = LlamaConfig(hidden_size=576, num_attention_heads=9, num_key_value_heads=3, num_hidden_layers=30)
    assert kv_cache_bytes(config, sequence_length=100) == 2 * 30 * 3 * 100 * 64 * 4  # 4.6 MB in float32
    assert kv_cache_bytes(config, sequence_length=100, batch_size=2, bytes_per_value=2) == 2 * 30 * 2 * 3 * 100 * 64 * 2


@pytest.mark.parametrize(
    ("input_ids", "max_new_tokens", "message"),
    [
        ([[1, 2, 3]], 3, "2-D tensor of token ids"),
        (torch.tensor([1, 2, 3]), 3, "2-D tensor of token ids"),
        (torch.tensor([[1.0, 2.0]]), 3, "2-D tensor of token ids"),
        (PROMPT, 0, "max_new_tokens must be a positive int"),
    ],
)
def test_bad_input_is_explained(tiny_llama, input_ids, max_new_tokens, message) -> None:
    with pytest.raises(ValueError, match=message):
        greedy_generate(tiny_llama, input_ids, max_new_tokens)


def test_training_mode_is_refused(tiny_llama) -> None:
    tiny_llama.train()
    try:
        with pytest.raises(ValueError, match=r"model.eval\(\)"):
            greedy_generate(tiny_llama, PROMPT, 2)
    finally:
        tiny_llama.eval()


def test_smollm2_greedy_with_cache_equals_generate() -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    import hfcourse

    checkpoint = hfcourse.resolve_checkpoint("text-generation")
    tokenizer = AutoTokenizer.from_pretrained(checkpoint.name_or_path)
    model = AutoModelForCausalLM.from_pretrained(checkpoint.name_or_path, dtype=torch.float32).eval()
    input_ids = tokenizer("In this course, we will teach you how to", return_tensors="pt").input_ids
    runs = time_with_and_without_cache(model, input_ids, 4)
    with torch.no_grad():
        reference = model.generate(input_ids, max_new_tokens=4, do_sample=False, eos_token_id=None)
    assert torch.equal(runs["with cache"].token_ids, runs["without cache"].token_ids)
    assert torch.equal(runs["with cache"].token_ids, reference)
    assert tokenizer.decode(runs["with cache"].new_token_ids[0]).strip() != ""
