"""Which device the course's code runs on (taught in 00_setup): an NVIDIA GPU (CUDA), then Apple Silicon's GPU
(MPS), then the CPU; ``HFCOURSE_DEVICE`` overrides the choice. Every helper, pipeline, loop and benchmark of
hfcourse asks here, so one setting moves all of them.

Also here: reading a clock around GPU work (``synchronized_time``: GPU kernels run asynchronously, so a clock read
without waiting for them measures only the launch) and how several training processes fit this machine
(``plan_processes``).
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass

__all__ = ["DEVICE_VARIABLE", "DEVICES", "ProcessPlan", "default_device", "plan_processes", "synchronized_time"]

DEVICE_VARIABLE = "HFCOURSE_DEVICE"
DEVICES = ("cuda", "mps", "cpu")


def _available(device: str) -> bool:
    import torch

    if device == "cuda":
        return torch.cuda.is_available()
    if device == "mps":
        return torch.backends.mps.is_available()
    return True


def default_device() -> str:
    """``"cuda"``, ``"mps"`` or ``"cpu"``: the first this machine's PyTorch can use, or ``HFCOURSE_DEVICE``.

    Raises:
        ValueError: ``HFCOURSE_DEVICE`` names something else, or a device this PyTorch cannot use.
    """
    chosen = os.environ.get(DEVICE_VARIABLE, "").strip().lower()
    if not chosen:
        return next(device for device in DEVICES if _available(device))
    if chosen not in DEVICES:
        raise ValueError(
            f"{DEVICE_VARIABLE}={chosen!r} is not a device hfcourse knows: set it to one of {', '.join(DEVICES)}, "
            "or unset it to use the best this machine has."
        )
    if not _available(chosen):
        raise ValueError(
            f"{DEVICE_VARIABLE}={chosen} but this PyTorch cannot use {chosen} here "
            "(python -m hfcourse doctor says why): unset it, or set it to cpu."
        )
    return chosen


def synchronized_time(device: object = None) -> float:
    """``time.perf_counter()`` once the GPU work queued on ``device`` has finished (CPU: no wait).

    Take it before and after the work to time: on CUDA and MPS a kernel call returns before the kernel ran.
    ``device`` is a name or ``torch.device``; None: ``default_device()``.
    """
    import torch

    kind = torch.device(device if device is not None else default_device()).type
    if kind == "cuda":
        torch.cuda.synchronize()
    elif kind == "mps":
        torch.mps.synchronize()
    return time.perf_counter()


@dataclass(frozen=True)
class ProcessPlan:
    """How ``requested`` training processes run here (see ``plan_processes``).

    Attributes:
        num_processes: what to pass to the launcher (``notebook_launcher(..., num_processes=)``).
        cpu: what to pass as ``Accelerator(cpu=...)`` in every process.
        reason: one line that says where the processes run and why.
    """

    num_processes: int
    cpu: bool
    reason: str

    def __str__(self) -> str:
        return self.reason


def plan_processes(requested: int) -> ProcessPlan:
    """Fit ``requested`` data-parallel processes to this machine: one GPU each when there are enough GPUs,
    otherwise CPU processes that talk over gloo (a Colab T4 or a laptop has one GPU, and MPS is not shared
    between processes). On Colab without two GPUs, ``notebook_launcher`` starts one process whatever it is
    asked, and the plan says so.
    """
    import torch

    if requested < 1:
        raise ValueError(f"requested={requested}: ask for at least one process.")
    device = default_device()
    gpus = torch.cuda.device_count() if device == "cuda" else 0
    if requested == 1:
        return ProcessPlan(1, device == "cpu", f"1 process on {device}")
    if gpus >= requested:
        return ProcessPlan(requested, False, f"{requested} processes, one CUDA GPU each (of {gpus})")
    if "google.colab" in sys.modules:
        return ProcessPlan(
            1,
            device == "cpu",
            f"1 process on {device}: on Colab without {requested} GPUs, notebook_launcher runs one process "
            f"(on a machine of your own, {requested} CPU processes would run)",
        )
    why = {"cuda": f"{gpus} CUDA GPU{'s' if gpus != 1 else ''} for {requested} processes", "mps": "MPS is one GPU"}
    return ProcessPlan(
        requested, True, f"{requested} CPU processes over gloo" + (f" ({why[device]})" if device in why else "")
    )
