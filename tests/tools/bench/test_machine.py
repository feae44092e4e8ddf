"""The benchmark's model of the machine and the model: FLOPs per token, parameters, the matmul peak."""

from __future__ import annotations

import pytest

from hfcourse.tools.bench import ModelSize, measure_matmul_peak, model_size
from tests.tiny_models import tiny_bert_config


def test_training_flops_count_weights_and_attention_per_real_token():
    size = ModelSize(nonembedding_parameters=1000, layers=2, hidden=8)
    # one sequence of 10 tokens: 6 * 1000 * 10 weight FLOPs + 12 * 2 * 8 * 10**2 attention FLOPs
    assert size.training_flops([10]) == 60_000 + 19_200
    assert size.training_flops([10, 10]) == 2 * size.training_flops([10])
    assert size.training_flops([]) == 0


def test_model_size_leaves_out_embedding_tables():
    from transformers import BertForSequenceClassification

    config = tiny_bert_config(vocab_size=100, num_hidden_layers=2, max_position_embeddings=64)
    model = BertForSequenceClassification(config)
    size = model_size(model)
    embedding_tables = (100 + 64 + config.type_vocab_size) * 16
    assert size.nonembedding_parameters == sum(p.numel() for p in model.parameters()) - embedding_tables
    assert (size.layers, size.hidden) == (2, 16)
    with pytest.raises(ValueError, match="num_hidden_layers and hidden_size.*got Linear"):
        model_size(model.classifier)


def test_matmul_peak_is_the_best_size():
    peak = measure_matmul_peak(sizes=(64, 128), repeats=1)
    assert set(peak["gflops_by_size"]) == {64, 128}
    assert peak["peak_gflops"] == max(peak["gflops_by_size"].values()) > 0
    with pytest.raises(ValueError, match="sizes=\\[0\\]"):
        measure_matmul_peak(sizes=(0,))
