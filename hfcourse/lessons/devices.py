"""Which device the course's code runs on: an NVIDIA GPU (CUDA), then Apple Silicon's GPU (MPS), then the CPU."""

from __future__ import annotations

__all__ = ["default_device"]


def default_device() -> str:
    """``"cuda"``, ``"mps"`` or ``"cpu"``: the first this machine's PyTorch can use."""
    import torch

    if torch.cuda.is_available():
        return "cuda"
    if torch.backends.mps.is_available():
        return "mps"
    return "cpu"
