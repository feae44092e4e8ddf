"""Layer normalization and batch normalization from scratch (background notebook "Layer Normalization").

Both compute ``gamma * (x - mean) / sqrt(var + eps) + beta``; they differ in which numbers the mean and
variance are taken over:

- LayerNorm: over the features of one sample (one token vector). Each sample is normalised on its own,
  the same in training and inference, whatever the batch holds. Transformers use it.
- BatchNorm: over the batch, for each feature. In training it uses the batch's statistics and keeps a
  running average of them; in inference (eval mode) it uses that running average. A sample's output
  depends on the other samples of its batch, and small batches give noisy statistics.

The classes here match ``torch.nn.LayerNorm`` and ``torch.nn.BatchNorm1d`` (checked in the tests).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

__all__ = ["BatchNormFromScratch", "LayerNormFromScratch", "batch_dependence"]


class LayerNormFromScratch(nn.Module):
    """LayerNorm over the last dimension: each sample (or token) is normalised over its own features."""

    def __init__(self, num_features: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(num_features))  # gamma
        self.bias = nn.Parameter(torch.zeros(num_features))  # beta

    def forward(self, x: Tensor) -> Tensor:
        """x: (..., num_features); the statistics are taken over the last dimension only."""
        if x.size(-1) != self.weight.numel():
            raise ValueError(
                f"The last dimension of x must be num_features={self.weight.numel()}; got shape {tuple(x.shape)}."
            )
        mean = x.mean(dim=-1, keepdim=True)
        variance = x.var(dim=-1, unbiased=False, keepdim=True)
        return self.weight * (x - mean) / torch.sqrt(variance + self.eps) + self.bias


class BatchNormFromScratch(nn.Module):
    """BatchNorm over the batch for each feature, like ``torch.nn.BatchNorm1d``.

    Input (batch, features) or (batch, features, length). In training mode the batch's mean and
    (biased) variance normalise it and update the running estimates
    ``running = (1 - momentum) * running + momentum * batch_statistic`` (the variance unbiased there);
    in eval mode the running estimates normalise it.
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1) -> None:
        super().__init__()
        self.eps = eps
        self.momentum = momentum
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() not in (2, 3) or x.size(1) != self.weight.numel():
            raise ValueError(
                f"x must have shape (batch, {self.weight.numel()}) or (batch, {self.weight.numel()}, length); got "
                f"{tuple(x.shape)}. For token vectors (batch, length, features) pass x.transpose(1, 2)."
            )
        axes = [0] if x.dim() == 2 else [0, 2]  # everything but the feature axis
        shape = [1, -1] + [1] * (x.dim() - 2)  # broadcast a per-feature vector over x
        if self.training:
            values_per_feature = x.numel() // x.size(1)
            if values_per_feature < 2:
                raise ValueError(
                    f"BatchNorm in training mode needs more than one value per feature to compute a variance; "
                    f"got shape {tuple(x.shape)}. Use a batch of at least 2 samples, or model.eval()."
                )
            mean = x.mean(dim=axes)
            variance = x.var(dim=axes, unbiased=False)
            with torch.no_grad():
                unbiased = variance * values_per_feature / (values_per_feature - 1)
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * unbiased)
        else:
            mean, variance = self.running_mean, self.running_var
        normalized = (x - mean.view(shape)) / torch.sqrt(variance.view(shape) + self.eps)
        return self.weight.view(shape) * normalized + self.bias.view(shape)


def batch_dependence(norm: nn.Module, sample: Tensor, companions_a: Tensor, companions_b: Tensor) -> float:
    """How much one sample's output changes when the rest of its batch changes (largest absolute change).

    ``sample`` (features,) is normalised once in a batch with ``companions_a`` and once with
    ``companions_b`` (each (n, features)); 0.0 means the norm treats every sample on its own. The norm's
    running statistics are restored afterwards, so the call leaves it as it was.
    """
    if sample.dim() != 1 or companions_a.dim() != 2 or companions_b.dim() != 2:
        raise ValueError(
            f"sample must be one vector (features,) and the companions batches (n, features); got shapes "
            f"{tuple(sample.shape)}, {tuple(companions_a.shape)}, {tuple(companions_b.shape)}."
        )
    saved = {name: buffer.clone() for name, buffer in norm.named_buffers()}
    try:
        with torch.no_grad():
            first = norm(torch.cat([sample[None], companions_a]))[0]
            second = norm(torch.cat([sample[None], companions_b]))[0]
    finally:
        for name, buffer in norm.named_buffers():
            buffer.copy_(saved[name])
    return (first - second).abs().max().item()
