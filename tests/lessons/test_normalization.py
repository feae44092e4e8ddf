"""normalization: the from-scratch LayerNorm and BatchNorm equal torch.nn's, in training and in eval mode."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from hfcourse.lessons.normalization import BatchNormFromScratch, LayerNormFromScratch, batch_dependence


@pytest.fixture()
def batch() -> torch.Tensor:
    """4 samples x 6 features on very different scales, as raw features often are."""
    generator = torch.Generator().manual_seed(0)
    return torch.randn(4, 6, generator=generator) * torch.tensor([1.0, 10.0, 0.1, 5.0, 2.0, 100.0]) + 3.0


def _with_random_affine(*modules: nn.Module) -> None:
    generator = torch.Generator().manual_seed(1)
    gamma, beta = torch.randn(6, generator=generator), torch.randn(6, generator=generator)
    with torch.no_grad():
        for module in modules:
            module.weight.copy_(gamma)
            module.bias.copy_(beta)


@pytest.mark.parametrize("shape", [(4, 6), (2, 5, 6)])
def test_layer_norm_matches_torch(shape) -> None:
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(2)) * 7 + 2
    ours, reference = LayerNormFromScratch(6), nn.LayerNorm(6)
    _with_random_affine(ours, reference)
    torch.testing.assert_close(ours(x), reference(x), atol=1e-5, rtol=1e-5)


def test_layer_norm_normalises_each_sample(batch) -> None:
    output = LayerNormFromScratch(6)(batch).detach()
    torch.testing.assert_close(output.mean(dim=1), torch.zeros(4), atol=1e-5, rtol=0)
    torch.testing.assert_close(output.var(dim=1, unbiased=False), torch.ones(4), atol=1e-3, rtol=0)
    assert output.mean(dim=0).abs().max() > 0.1  # the features are not centred


def test_batch_norm_training_matches_torch_and_updates_running_statistics(batch) -> None:
    ours, reference = BatchNormFromScratch(6), nn.BatchNorm1d(6)
    _with_random_affine(ours, reference)
    for step in range(3):
        x = batch * (step + 1)
        torch.testing.assert_close(ours(x), reference(x), atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(ours.running_mean, reference.running_mean)
    torch.testing.assert_close(ours.running_var, reference.running_var)
    ours.eval(), reference.eval()
    torch.testing.assert_close(ours(batch), reference(batch), atol=1e-5, rtol=1e-5)


def test_batch_norm_normalises_each_feature_in_training(batch) -> None:
    norm = BatchNormFromScratch(6)
    output = norm(batch).detach()
    torch.testing.assert_close(output.mean(dim=0), torch.zeros(6), atol=1e-5, rtol=0)
    # eps (1e-5) in the denominator shows on the feature of scale 0.1 (variance near 1e-3).
    torch.testing.assert_close(output.var(dim=0, unbiased=False), torch.ones(6), atol=1e-2, rtol=0)
    # One step from the initial (0, 1) estimates: 10% of the batch statistics.
    torch.testing.assert_close(norm.running_mean, 0.1 * batch.mean(dim=0))
    torch.testing.assert_close(norm.running_var, 0.9 + 0.1 * batch.var(dim=0, unbiased=True))


def test_batch_norm_on_sequences_matches_torch() -> None:
    x = torch.randn(3, 6, 5, generator=torch.Generator().manual_seed(3))
    ours, reference = BatchNormFromScratch(6), nn.BatchNorm1d(6)
    torch.testing.assert_close(ours(x), reference(x), atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(ours.running_var, reference.running_var)


def test_batch_norm_explains_bad_input() -> None:
    with pytest.raises(ValueError, match="more than one value per feature"):
        BatchNormFromScratch(6)(torch.randn(1, 6))
    with pytest.raises(ValueError, match=r"x.transpose\(1, 2\)"):
        BatchNormFromScratch(6)(torch.randn(2, 5, 7))
    assert BatchNormFromScratch(6).eval()(torch.randn(1, 6)).shape == (1, 6)  # eval mode takes one sample
    with pytest.raises(ValueError, match="num_features=6"):
        LayerNormFromScratch(6)(torch.randn(2, 5))


def test_batch_dependence_zero_for_layer_norm_not_for_batch_norm(batch) -> None:
    sample, companions_a, companions_b = batch[0], batch[1:3], batch[2:4] * 2
    assert batch_dependence(LayerNormFromScratch(6), sample, companions_a, companions_b) == 0.0
    batch_norm = BatchNormFromScratch(6)
    assert batch_dependence(batch_norm, sample, companions_a, companions_b) > 0.1
    assert batch_norm.running_mean.abs().max() == 0  # the running statistics were restored
    assert batch_dependence(batch_norm.eval(), sample, companions_a, companions_b) == 0.0
    with pytest.raises(ValueError, match="one vector"):
        batch_dependence(batch_norm, batch, companions_a, companions_b)
