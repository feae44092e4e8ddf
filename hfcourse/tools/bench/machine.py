"""The machine the benchmark runs on and what it can do: CPU, cores and load, the fp32 matmul peak, the
model's training FLOPs per token; the run sizes (full, quick) and the ratio rows every comparison reports.
"""

from __future__ import annotations

import math
import os
import platform
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...offline.devices import default_device, synchronized_time

if TYPE_CHECKING:
    import torch


FIXED_LENGTH = 128  # the fixed-length padding the course compares dynamic padding against
GENERATION_PROMPT = "In this course, we will teach you how to"
FLOPS_TARGET = 0.6  # training FLOP/s on real tokens, as a fraction of the measured fp32 matmul peak
TIME_TARGET = 0.5  # the recipe reaches the course's final F1 within this fraction of the course's wall time


@dataclass(frozen=True)
class BenchSizes:
    """How much work each part of the benchmark does (``None``: the whole split)."""

    mode: str
    train_samples: int | None
    validation_samples: int | None
    loop_samples: int
    tokenize_pairs: int | None
    pipeline_texts: int
    padding_check_samples: int
    new_tokens: int
    rounds: int
    matmul_sizes: tuple[int, ...]
    measure_compile: bool


# The loop runs on 1,024 pairs in a full run: on fewer, length grouping sorts smaller mega-batches and pads more
# than on the whole training set (batch 32: 7% padding on 1,024 MRPC pairs, 12% on 512, 3% on all 3,668).
FULL = BenchSizes("full", None, None, 1024, None, 200, 64, 64, 1, (1024, 2048), True)
QUICK = BenchSizes("quick", 64, 32, 64, 256, 24, 16, 8, 1, (512, 1024), False)


# --------------------------------------------------------------------------------------------------
# Machine, peak and FLOPs
# --------------------------------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_info() -> dict[str, Any]:
    """CPU model, cores, torch threads, accelerator, memory, library versions and the load average now."""
    import torch

    from ..doctor import hardware, library_versions

    machine = hardware()
    return {
        "cpu": _cpu_model(),
        "cpu_cores": machine.cpu_cores,
        "usable_cores": machine.usable_cores,
        "torch_threads": torch.get_num_threads(),
        "accelerator": machine.accelerator,
        "memory_gib": machine.memory_gib,
        "python": platform.python_version(),
        "versions": {
            library.name: library.installed
            for library in library_versions(("torch", "transformers", "datasets", "accelerate", "tokenizers"))
        },
        "load_average_start": _load_average(),
    }


def _load_average() -> float | None:
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None


def measure_matmul_peak(sizes: Sequence[int] = (1024, 2048), repeats: int = 5) -> dict[str, Any]:
    """The fp32 matmul peak of ``default_device()``: best-of-``repeats`` GFLOP/s of square ``torch.matmul`` per size.

    A ``size`` x ``size`` matmul does ``2 * size**3`` floating-point operations. The first run of each size
    warms up and is not counted. Returns ``{"gflops_by_size": {size: GFLOP/s}, "peak_gflops": best}``.
    """
    import torch

    if not sizes or any(size < 1 for size in sizes) or repeats < 1:
        raise ValueError(
            f"sizes={list(sizes)} and repeats={repeats}: give positive sizes (e.g. 1024, 2048) and repeats >= 1."
        )
    device = default_device()
    generator = torch.Generator().manual_seed(0)
    gflops_by_size = {}
    for size in sizes:
        left = torch.randn(size, size, generator=generator).to(device)
        right = torch.randn(size, size, generator=generator).to(device)
        best = math.inf
        for attempt in range(repeats + 1):
            started = synchronized_time(device)
            torch.matmul(left, right)
            if attempt:
                best = min(best, synchronized_time(device) - started)
        gflops_by_size[size] = round(2 * size**3 / best / 1e9, 2)
    return {"gflops_by_size": gflops_by_size, "peak_gflops": max(gflops_by_size.values())}


@dataclass(frozen=True)
class ModelSize:
    """What the training FLOP count of a transformer encoder needs.

    ``nonembedding_parameters`` counts every parameter outside ``nn.Embedding`` modules (those are table
    look-ups, not matmuls).
    """

    nonembedding_parameters: int
    layers: int
    hidden: int

    def training_flops(self, lengths: Sequence[int]) -> float:
        """FLOPs of one forward and backward pass over sequences of ``lengths`` tokens.

        ``6 * N * s`` for the weight matmuls (2 per parameter and token forward, 4 backward) plus
        ``12 * layers * hidden * s**2`` for attention (``Q K^T`` and ``A V``: ``4 * s**2 * hidden`` per
        layer forward, twice that backward), summed over the sequences.
        """
        return float(
            sum(
                6 * self.nonembedding_parameters * length + 12 * self.layers * self.hidden * length**2
                for length in lengths
            )
        )


def model_size(model: torch.nn.Module) -> ModelSize:
    """``ModelSize`` of a transformers model (its config's ``num_hidden_layers`` and ``hidden_size``)."""
    import torch

    config = getattr(model, "config", None)
    if config is None or not hasattr(config, "num_hidden_layers") or not hasattr(config, "hidden_size"):
        raise ValueError(
            "model_size needs a transformers model whose config has num_hidden_layers and hidden_size; got "
            f"{type(model).__name__}."
        )
    embedding = {
        id(parameter)
        for module in model.modules()
        if isinstance(module, torch.nn.Embedding)
        for parameter in module.parameters()
    }
    nonembedding = sum(parameter.numel() for parameter in model.parameters() if id(parameter) not in embedding)
    return ModelSize(nonembedding, config.num_hidden_layers, config.hidden_size)


# --------------------------------------------------------------------------------------------------
# Result rows
# --------------------------------------------------------------------------------------------------


def _ratio_row(
    section: str,
    measure: str,
    baseline: str,
    baseline_value: float,
    candidate: str,
    candidate_value: float,
    *,
    higher_is_better: bool = True,
    note: str = "",
) -> dict[str, Any]:
    """One comparison; ``ratio`` above 1 means the candidate is better (faster, or more per second)."""
    ratio = candidate_value / baseline_value if higher_is_better else baseline_value / candidate_value
    return {
        "section": section,
        "measure": measure,
        "baseline": baseline,
        "baseline_value": round(baseline_value, 4),
        "candidate": candidate,
        "candidate_value": round(candidate_value, 4),
        "ratio": round(ratio, 3),
        "note": note,
    }


def _progress(message: str) -> None:
    print(f"[bench] {message}", flush=True)
