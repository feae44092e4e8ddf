"""torch.compile backends compared with plain PyTorch (background notebook "torch dynamo").

TorchDynamo captures the PyTorch operations of a Python function into an FX graph; a backend turns that
graph into something to run. ``eager`` runs the captured graph as is (the cost of capturing alone);
``aot_eager`` also traces the backward pass ahead of time (AOTAutograd) and still runs eagerly;
``inductor``, the default, generates and compiles C++/OpenMP kernels on CPU (so it needs a C++ compiler).
Others need hardware or packages this machine may lack; ``backend_availability`` says which and why.

The first call of a compiled module compiles; the following ones reuse the result. ``benchmark_backends``
reports the two apart, and checks that every backend gives the plain module's output.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor, nn

from ..offline.devices import synchronized_time

__all__ = ["PLAIN", "BackendTiming", "backend_availability", "benchmark_backends", "runnable_backends"]

PLAIN = "plain PyTorch"  # the row of the uncompiled module

# What each known backend needs beyond torch; a backend not listed here is reported as not tried.
_DEBUG_BACKENDS = ("eager", "aot_eager")  # listed by torch._dynamo.list_backends(exclude_tags=()) only
_PACKAGE_NEEDED = {"openxla": "torch_xla", "tvm": "tvm", "onnxrt": "onnxruntime"}


def _cpp_compiler() -> str | None:
    """The C++ compiler inductor would call on CPU, if it is installed."""
    name = os.environ.get("CXX") or "g++"
    try:
        from torch._inductor.cpp_builder import get_cpp_compiler

        name = get_cpp_compiler()
    except Exception:  # a private helper of torch: fall back on the default name
        pass
    return shutil.which(name)


def backend_availability() -> dict[str, str | None]:
    """Every backend of ``torch._dynamo.list_backends()`` plus ``eager`` and ``aot_eager`` -> None when it
    can run on this machine, else the reason it cannot."""
    import torch._dynamo

    availability: dict[str, str | None] = {name: None for name in _DEBUG_BACKENDS}
    for name in torch._dynamo.list_backends():
        if name == "inductor":
            availability[name] = None if _cpp_compiler() else "needs a C++ compiler (g++) on the PATH for CPU kernels"
        elif name == "cudagraphs":
            availability[name] = None if torch.cuda.is_available() else "needs a CUDA GPU"
        elif name in _PACKAGE_NEEDED:
            package = _PACKAGE_NEEDED[name]
            availability[name] = None if importlib.util.find_spec(package) else f"needs the {package} package"
        else:
            availability[name] = "not tried: its requirements are unknown to hfcourse"
    return availability


def runnable_backends() -> list[str]:
    """The backends that can run here, in the order eager, aot_eager, inductor, others."""
    return [name for name, reason in backend_availability().items() if reason is None]


@dataclass(frozen=True)
class BackendTiming:
    """One backend's timings on one module and input.

    Attributes:
        backend: the torch.compile backend, or ``PLAIN`` for the uncompiled module.
        first_call_seconds: the first call, compilation included.
        compile_seconds: first call minus one steady call: the one-off cost of compiling.
        steady_ms: median time of one call after the first, in milliseconds.
        max_abs_diff: largest absolute difference from the plain module's output.
    """

    backend: str
    first_call_seconds: float
    compile_seconds: float
    steady_ms: float
    max_abs_diff: float

    def calls_to_pay_back(self, plain: BackendTiming) -> float | None:
        """How many calls it takes for the time saved per call to repay the compile time; None when a
        compiled call is not faster than a ``plain`` one."""
        saved_seconds = (plain.steady_ms - self.steady_ms) / 1e3
        return self.compile_seconds / saved_seconds if saved_seconds > 0 else None

    def as_row(self, digits: int = 3) -> dict[str, Any]:
        """The timing as a table row: times rounded, the difference as text in scientific notation."""
        return {
            "backend": self.backend,
            "compile s": round(self.compile_seconds, digits),
            "steady ms": round(self.steady_ms, digits),
            "first call s": round(self.first_call_seconds, digits),
            "max abs diff": f"{self.max_abs_diff:.1e}",
        }


def _output_tensor(output: Any) -> Tensor:
    """The main tensor of a module's output: the tensor itself, or the first field of a tuple or ModelOutput."""
    if isinstance(output, Tensor):
        return output
    if isinstance(output, (tuple, list)) and output and isinstance(output[0], Tensor):
        return output[0]
    if isinstance(output, Mapping) and output:
        return next(iter(output.values()))
    raise TypeError(f"Cannot compare the module's output of type {type(output).__name__}: return a tensor.")


def _time_calls(function: Any, inputs: Mapping[str, Any], iterations: int) -> tuple[float, float, Tensor]:
    """(first call seconds, median later call seconds, first output)."""
    device = next((value.device for value in inputs.values() if isinstance(value, Tensor)), None)
    with torch.no_grad():
        start = synchronized_time(device)
        output = _output_tensor(function(**inputs))
        first_call = synchronized_time(device) - start
        durations = []
        for _ in range(iterations):
            start = synchronized_time(device)
            function(**inputs)
            durations.append(synchronized_time(device) - start)
    return first_call, statistics.median(durations), output


def benchmark_backends(
    module: nn.Module,
    inputs: Mapping[str, Any],
    backends: Sequence[str] | None = None,
    iterations: int = 10,
) -> list[BackendTiming]:
    """Time ``module(**inputs)`` uncompiled and compiled with each backend; check the outputs agree.

    Args:
        module: the model, in eval mode.
        inputs: keyword arguments of one call (a tokenizer's output, ``{"x": tensor}``...), fixed shapes.
        backends: torch.compile backends to try; default ``runnable_backends()``.
        iterations: timed calls after the first (the median is reported).

    Returns:
        One ``BackendTiming`` per backend, the plain module first. Dynamo's caches are reset before each
        backend and inductor's on-disk graph cache is off, so that each compile time is a real compile
        (kernels compiled by an earlier process may still be reused from disk).
    """
    import torch._dynamo
    import torch._inductor.config

    if module.training:
        raise ValueError("The module is in training mode (dropout on): call module.eval() first.")
    if not isinstance(inputs, Mapping):
        raise TypeError(f"inputs must be a dict of keyword arguments for the module; got {type(inputs).__name__}.")
    if not isinstance(iterations, int) or iterations < 1:
        raise ValueError(f"iterations must be a positive int; got {iterations!r}.")
    availability = backend_availability()
    chosen = list(backends) if backends is not None else runnable_backends()
    for name in chosen:
        if name not in availability:
            raise ValueError(f"Unknown torch.compile backend {name!r}. Known here: {', '.join(availability)}.")
        if availability[name] is not None:
            raise ValueError(f"Backend {name!r} cannot run on this machine: it {availability[name]}.")

    first_call, steady, reference = _time_calls(module, inputs, iterations)
    timings = [BackendTiming(PLAIN, first_call, 0.0, steady * 1e3, 0.0)]  # nothing to compile
    for name in chosen:
        torch._dynamo.reset()
        with torch._inductor.config.patch(fx_graph_cache=False):
            first_call, steady, output = _time_calls(torch.compile(module, backend=name), inputs, iterations)
        difference = (output - reference).abs().max().item()
        timings.append(BackendTiming(name, first_call, max(first_call - steady, 0.0), steady * 1e3, difference))
    torch._dynamo.reset()
    return timings
