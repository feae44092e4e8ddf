"""compilation: backends that run here are found, timed apart from their compile, and agree with eager."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from hfcourse.lessons.compilation import PLAIN, backend_availability, benchmark_backends, runnable_backends


class TupleOutput(nn.Module):
    """A tiny module that returns a tuple, as transformers models do."""

    def __init__(self) -> None:
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(16, 32), nn.GELU(), nn.Linear(32, 16))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        hidden = self.layers(x)
        return hidden, hidden.sum()


@pytest.fixture()
def module_and_inputs() -> tuple[nn.Module, dict[str, torch.Tensor]]:
    torch.manual_seed(0)
    return TupleOutput().eval(), {"x": torch.randn(4, 16)}


def test_availability_lists_debug_backends_and_explains_the_rest() -> None:
    availability = backend_availability()
    assert availability["eager"] is None and availability["aot_eager"] is None
    assert "inductor" in availability
    if not torch.cuda.is_available():
        assert availability["cudagraphs"] == "needs a CUDA GPU"
    assert runnable_backends()[:2] == ["eager", "aot_eager"]
    assert all(availability[name] is None for name in runnable_backends())


def test_benchmark_times_each_backend_and_matches_eager(module_and_inputs) -> None:
    module, inputs = module_and_inputs
    timings = benchmark_backends(module, inputs, backends=["eager", "aot_eager"], iterations=3)
    assert [timing.backend for timing in timings] == [PLAIN, "eager", "aot_eager"]
    assert timings[0].compile_seconds == 0.0
    for timing in timings:
        assert timing.steady_ms > 0 and timing.first_call_seconds > 0
        assert timing.max_abs_diff == 0.0  # these backends run the same eager kernels
    for timing in timings[1:]:
        # Compiling (tracing the graph) costs more than one call of this tiny module.
        assert timing.compile_seconds > timing.steady_ms / 1e3
    row = timings[1].as_row()
    assert list(row) == ["backend", "compile s", "steady ms", "first call s", "max abs diff"]
    assert row["backend"] == "eager" and row["max abs diff"] == "0.0e+00"


@pytest.mark.skipif(backend_availability().get("inductor") is not None, reason="inductor needs a C++ compiler")
def test_inductor_agrees_within_tolerance(module_and_inputs) -> None:
    module, inputs = module_and_inputs
    plain, inductor = benchmark_backends(module, inputs, backends=["inductor"], iterations=2)
    assert inductor.backend == "inductor"
    assert inductor.max_abs_diff < 1e-5


def test_bad_backend_or_state_is_explained(module_and_inputs) -> None:
    module, inputs = module_and_inputs
    with pytest.raises(ValueError, match="Unknown torch.compile backend 'fastest'"):
        benchmark_backends(module, inputs, backends=["fastest"])
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="'cudagraphs' cannot run on this machine: it needs a CUDA GPU"):
            benchmark_backends(module, inputs, backends=["cudagraphs"])
    with pytest.raises(ValueError, match="iterations must be a positive int"):
        benchmark_backends(module, inputs, backends=["eager"], iterations=0)
    with pytest.raises(TypeError, match="dict of keyword arguments"):
        benchmark_backends(module, [torch.randn(4, 16)])
    module.train()
    with pytest.raises(ValueError, match=r"module.eval\(\)"):
        benchmark_backends(module, inputs)


def test_calls_to_pay_back() -> None:
    from hfcourse.lessons.compilation import BackendTiming

    plain = BackendTiming(PLAIN, first_call_seconds=0.1, compile_seconds=0.0, steady_ms=50.0, max_abs_diff=0.0)
    faster = BackendTiming("inductor", first_call_seconds=20.0, compile_seconds=20.0, steady_ms=40.0, max_abs_diff=1e-6)
    slower = BackendTiming("eager", first_call_seconds=2.0, compile_seconds=2.0, steady_ms=55.0, max_abs_diff=0.0)
    assert faster.calls_to_pay_back(plain) == pytest.approx(2000)  # 20 s / 10 ms saved per call
    assert slower.calls_to_pay_back(plain) is None
