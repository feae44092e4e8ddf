"""Answer ``accelerate config``'s questions by measuring this machine, and write the answers.

The 2024 course ran ``accelerate config`` and copied its answers (bf16, the inductor dynamo backend, IPEX)
from a machine with a 4th-generation Xeon. Here every answer comes from this machine:

- the distributed type from the hardware (``NO`` on one GPU or on CPU, ``MULTI_GPU`` with several GPUs,
  ``MULTI_CPU`` only when asked for);
- mixed precision only where it is faster here: a short fp32 / bf16 (and, on CUDA, fp16) matmul under
  ``torch.autocast`` decides, because that is what accelerate's mixed precision does to every matmul;
- a dynamo backend only where compiling pays: measured when asked (it takes a minute or more on a CPU),
  otherwise "no", with the reason.

The configuration is written through accelerate's own ``ClusterConfig`` to a project-local file
(``build/accelerate/default_config.yaml``), never over an existing file unless ``overwrite=True``, and it
loads back with accelerate's ``load_config_from_file``: ``accelerate launch --config_file PATH`` uses it.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..offline.devices import default_device, synchronized_time

if TYPE_CHECKING:
    from accelerate.commands.config.config_args import ClusterConfig

__all__ = [
    "AccelerateSetup",
    "CompileDecision",
    "PrecisionTiming",
    "decide_dynamo_backend",
    "default_config_path",
    "load_accelerate_config",
    "measure_mixed_precision",
    "plan_accelerate_setup",
    "write_accelerate_config",
]

# accelerate's names for the precisions it autocasts to ("no" is plain fp32).
_AUTOCAST_DTYPES = {"bf16": "bfloat16", "fp16": "float16"}
# Steps of the course's longest fine-tuning run (chapter 3: MRPC, 3 epochs of 3,668 pairs at batch size 8).
COURSE_TRAINING_STEPS = 1377


# --------------------------------------------------------------------------------------------------
# Mixed precision: measured
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrecisionTiming:
    """Best-of-``repeats`` seconds of one ``size`` x ``size`` matmul per precision on ``device``.

    ``seconds`` maps accelerate's precision names (``no`` = fp32, ``bf16``, ``fp16``) to the time
    measured; ``fastest`` is the precision with the smallest time.
    """

    device: str
    size: int
    seconds: dict[str, float]

    @property
    def fastest(self) -> str:
        return min(self.seconds, key=self.seconds.__getitem__)

    def speedup(self, precision: str) -> float:
        """How many times faster ``precision`` ran than fp32 (below 1: slower)."""
        if precision not in self.seconds:
            raise KeyError(f"Precision {precision!r} was not measured; measured: {', '.join(self.seconds)}.")
        return self.seconds["no"] / self.seconds[precision]

    def __str__(self) -> str:
        timings = ", ".join(
            f"{_precision_label(name)} {seconds * 1000:.1f} ms" for name, seconds in self.seconds.items()
        )
        return (
            f"{self.size}x{self.size} matmul on {self.device}: {timings} -> fastest: {_precision_label(self.fastest)}"
        )


def _precision_label(precision: str) -> str:
    return "fp32" if precision == "no" else precision


def _candidate_precisions(device: str) -> list[str]:
    """The precisions accelerate can autocast to on ``device``, fp32 (``no``) first."""
    import torch

    if device == "cuda":
        return ["no", "fp16"] + (["bf16"] if torch.cuda.is_bf16_supported() else [])
    if device == "mps":
        return ["no", "fp16"]
    return ["no", "bf16"]  # CPU autocast: bf16 (accelerate's only mixed precision for CPU training)


def _matmul_seconds(precision: str, device: str, size: int, repeats: int) -> float:
    """Best-of-``repeats`` seconds of one fp32 matmul, autocast to ``precision`` unless it is ``no``."""
    import torch

    generator = torch.Generator().manual_seed(0)
    left = torch.randn(size, size, generator=generator).to(device)
    right = torch.randn(size, size, generator=generator).to(device)
    autocast_dtype = getattr(torch, _AUTOCAST_DTYPES[precision]) if precision != "no" else None
    best = float("inf")
    for attempt in range(repeats + 1):  # the first run warms up kernels and caches and is not counted
        start = synchronized_time(device)
        with torch.autocast(device_type=device, dtype=autocast_dtype, enabled=autocast_dtype is not None):
            torch.matmul(left, right)
        if attempt:
            best = min(best, synchronized_time(device) - start)
    return best


def measure_mixed_precision(device: str | None = None, *, size: int = 512, repeats: int = 3) -> PrecisionTiming:
    """Time one matmul in fp32 and in each mixed precision ``device`` supports (about a second on a CPU).

    Args:
        device: ``cpu``, ``cuda`` or ``mps``; default: the accelerator if there is one, else the CPU.
        size: side of the square matrices (512: big enough that the kernels, not Python, dominate).
        repeats: timed runs per precision; the best one counts (the least disturbed by other processes).
    """
    if size < 1 or repeats < 1:
        raise ValueError(f"size={size} and repeats={repeats} must both be at least 1, e.g. size=512, repeats=3.")
    device = device or default_device()
    if device not in ("cpu", "cuda", "mps"):
        raise ValueError(f"device={device!r} is not one of 'cpu', 'cuda', 'mps'. Leave it unset to use this machine's.")
    seconds = {
        precision: _matmul_seconds(precision, device, size, repeats) for precision in _candidate_precisions(device)
    }
    return PrecisionTiming(device=device, size=size, seconds=seconds)


# --------------------------------------------------------------------------------------------------
# Dynamo backend: only where compiling pays
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompileDecision:
    """Whether accelerate should compile the model with torch dynamo, and why.

    ``backend`` is ``no`` or ``inductor``; the timings are set when compiling was measured.
    """

    backend: str
    reason: str
    compile_seconds: float | None = None
    eager_step_seconds: float | None = None
    compiled_step_seconds: float | None = None

    @property
    def measured(self) -> bool:
        return self.compile_seconds is not None


def _training_step_seconds(device: str, steps: int) -> tuple[float, float, float]:
    """(compile seconds, eager seconds per step, compiled seconds per step) of a small MLP training step."""
    import torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(256, 1024), torch.nn.GELU(), torch.nn.Linear(1024, 256)).to(device)
    batch = torch.randn(32, 256, device=device)

    def step(module: torch.nn.Module) -> None:
        module(batch).square().mean().backward()

    def seconds_per_step(module: torch.nn.Module) -> float:
        start = synchronized_time(device)
        for _ in range(steps):
            step(module)
        return (synchronized_time(device) - start) / steps

    step(model)  # warm-up
    eager = seconds_per_step(model)
    compiled = torch.compile(model, backend="inductor")
    start = synchronized_time(device)
    step(compiled)  # the first call compiles the forward and the backward
    compile_seconds = synchronized_time(device) - start
    compiled_step = seconds_per_step(compiled)
    torch._dynamo.reset()
    return compile_seconds, eager, compiled_step


def decide_dynamo_backend(
    device: str | None = None, *, measure: bool = False, training_steps: int = COURSE_TRAINING_STEPS
) -> CompileDecision:
    """Decide ``dynamo_backend``: ``inductor`` only if compiling is measured to pay back within a training run.

    Args:
        device: ``cpu``, ``cuda`` or ``mps``; default: this machine's accelerator, else the CPU.
        measure: compile a small MLP training step and time it (a minute or more on a CPU). Without it the
            answer is ``no``: compiling costs that time before the first step, and the course's runs are short.
        training_steps: steps a run has to win the compile time back (default: the course's longest run).

    Compiling pays when ``(eager - compiled) * training_steps`` exceeds the compile time.
    """
    if training_steps < 1:
        raise ValueError(f"training_steps={training_steps} must be at least 1 (the steps of a training run).")
    device = device or default_device()
    if device == "mps":
        return CompileDecision("no", "torch.compile's inductor backend does not target Apple GPUs (mps).")
    if device == "cpu":
        from ..lessons import compilation

        missing = compilation.backend_availability().get("inductor", "is not among torch's dynamo backends")
        if missing is not None:
            return CompileDecision("no", f"inductor cannot run here: it {missing}.")
    if not measure:
        return CompileDecision(
            "no",
            "not measured (measure_compile=True measures it; it takes a minute or more on a CPU): torch.compile "
            "spends that long before the first step, more than the course's short fine-tuning runs win back.",
        )
    compile_seconds, eager, compiled = _training_step_seconds(device, steps=10)
    saved = (eager - compiled) * training_steps
    pays = saved > compile_seconds
    timings = (
        f"compiling took {compile_seconds:.0f} s; "
        f"a step took {eager * 1000:.1f} ms eager, {compiled * 1000:.1f} ms compiled"
    )
    if compiled >= eager:
        reason = f"{timings}: compiled steps are slower here, so compiling never pays."
    else:
        verdict = "more" if pays else "less"
        reason = f"{timings}: {training_steps} steps save {saved:.0f} s, {verdict} than the compile time."
    return CompileDecision("inductor" if pays else "no", reason, compile_seconds, eager, compiled)


# --------------------------------------------------------------------------------------------------
# The whole configuration
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccelerateSetup:
    """accelerate's configuration for this machine, with the measurements behind each answer."""

    distributed_type: str
    num_processes: int
    use_cpu: bool
    mixed_precision: str
    precision_timing: PrecisionTiming
    compile_decision: CompileDecision
    hardware_summary: str

    @property
    def dynamo_backend(self) -> str:
        return self.compile_decision.backend

    def answers(self) -> list[tuple[str, str, str]]:
        """``accelerate config``'s questions (those of the 2024 course) as (question, answer, why) rows."""
        timing = self.precision_timing
        precision_why = str(timing)
        if self.mixed_precision != "no":
            precision_why += f" ({timing.speedup(self.mixed_precision):.1f}x fp32)"
        else:
            precision_why += "; " + ", ".join(
                f"{_precision_label(name)} is {1 / timing.speedup(name):.1f}x slower"
                for name in timing.seconds
                if name != "no"
            )
        return [
            ("In which compute environment are you running?", "LOCAL_MACHINE", "this machine, not a cloud service"),
            ("Which type of machine are you using?", self.distributed_type, self.hardware_summary),
            ("How many processes?", str(self.num_processes), "accelerate launch starts this many processes"),
            ("Do you want to run your training on CPU only?", "yes" if self.use_cpu else "no", self.hardware_summary),
            ("Do you want to use IPEX?", "(no longer asked)", "accelerate and transformers removed IPEX support"),
            (
                "Do you wish to optimize your script with torch dynamo?",
                self.dynamo_backend,
                self.compile_decision.reason,
            ),
            ("Do you want to use DeepSpeed?", "no", "the course fine-tunes models that fit on one device"),
            ("Do you wish to use mixed precision?", self.mixed_precision, precision_why),
        ]

    def to_cluster_config(self) -> ClusterConfig:
        """The same answers as accelerate's own ``ClusterConfig`` (what ``accelerate config`` writes)."""
        from accelerate.commands.config.config_args import ClusterConfig

        dynamo_config = {}
        if self.dynamo_backend != "no":
            dynamo_config = {
                "dynamo_backend": self.dynamo_backend.upper(),
                "dynamo_mode": "default",
                "dynamo_use_dynamic": False,
                "dynamo_use_fullgraph": False,
            }
        return ClusterConfig(
            compute_environment="LOCAL_MACHINE",
            distributed_type=self.distributed_type,
            mixed_precision=self.mixed_precision,
            use_cpu=self.use_cpu,
            debug=False,
            num_processes=self.num_processes,
            dynamo_config=dynamo_config,
        )


def _distributed_answer(multi_cpu: bool, num_cpu_processes: int | None) -> tuple[str, int, bool, str]:
    """(distributed_type, num_processes, use_cpu, why) from the hardware."""
    from .doctor import hardware

    machine = hardware()
    if num_cpu_processes is not None and not multi_cpu:
        raise ValueError("num_cpu_processes is only used with multi_cpu=True; pass both, or neither.")
    if machine.cuda_devices and not multi_cpu:
        count = len(machine.cuda_devices)
        return (
            ("MULTI_GPU" if count > 1 else "NO"),
            count,
            False,
            f"{count} CUDA GPU(s): {', '.join(machine.cuda_devices)}",
        )
    if machine.mps and not multi_cpu:
        return "NO", 1, False, "one Apple GPU (mps)"
    if not multi_cpu:
        return "NO", 1, True, f"no GPU; {machine.usable_cores} CPU cores in one process"
    processes = num_cpu_processes if num_cpu_processes is not None else machine.usable_cores
    if processes < 2:
        raise ValueError(
            f"multi_cpu needs at least 2 processes, got {processes} (usable CPU cores: {machine.usable_cores}). "
            "Pass num_cpu_processes=2 or more, or multi_cpu=False."
        )
    return "MULTI_CPU", processes, True, f"{processes} CPU processes, as asked ({machine.usable_cores} usable cores)"


def plan_accelerate_setup(
    *,
    multi_cpu: bool = False,
    num_cpu_processes: int | None = None,
    measure_compile: bool = False,
    training_steps: int = COURSE_TRAINING_STEPS,
    repeats: int = 3,
) -> AccelerateSetup:
    """Answer accelerate's configuration questions for this machine by measurement (about a second).

    Args:
        multi_cpu: several CPU processes (``MULTI_CPU``) instead of one process; default off, because on
            one machine the processes share the same cores.
        num_cpu_processes: with ``multi_cpu``, how many processes (default: the usable cores).
        measure_compile: measure whether torch.compile pays (a minute or more on a CPU); see
            ``decide_dynamo_backend``.
        training_steps: the length of run that compiling must pay back within.
        repeats: timed matmuls per precision (the best counts; more repeats, steadier under load).
    """
    distributed_type, num_processes, use_cpu, why = _distributed_answer(multi_cpu, num_cpu_processes)
    device = "cpu" if use_cpu else default_device()
    timing = measure_mixed_precision(device, repeats=repeats)
    return AccelerateSetup(
        distributed_type=distributed_type,
        num_processes=num_processes,
        use_cpu=use_cpu,
        mixed_precision=timing.fastest,
        precision_timing=timing,
        compile_decision=decide_dynamo_backend(device, measure=measure_compile, training_steps=training_steps),
        hardware_summary=why,
    )


# --------------------------------------------------------------------------------------------------
# Writing and loading
# --------------------------------------------------------------------------------------------------


def default_config_path() -> Path:
    """``build/accelerate/default_config.yaml`` in the project (the folder of ``pyproject.toml`` above
    this package); for an installed, non-editable hfcourse, under the current folder."""
    project = Path(__file__).resolve().parents[2]
    root = project if (project / "pyproject.toml").is_file() else Path.cwd()
    return root / "build" / "accelerate" / "default_config.yaml"


def check_config_path(path: str | os.PathLike[str] | None, *, overwrite: bool = False) -> Path:
    """Where ``write_accelerate_config`` would write, its folder created and writable; otherwise the error
    it would raise (ValueError for a wrong suffix or an unwritable folder, IsADirectoryError, FileExistsError
    for an existing file without ``overwrite``). The command line checks this before measuring anything."""
    from ..offline.validation import check_writable_folder

    target = Path(path).expanduser() if path is not None else default_config_path()
    if target.suffix not in (".yaml", ".yml", ".json"):
        raise ValueError(f"Config path {str(target)!r} must end in .yaml, .yml or .json (accelerate reads those).")
    if target.is_dir():
        raise IsADirectoryError(f"Config path {str(target)!r} is a folder; give a file path ending in .yaml.")
    if target.exists() and not overwrite:
        raise FileExistsError(
            f"An accelerate configuration already exists at {str(target)!r} and was left unchanged. "
            "Pass overwrite=True (command line: --overwrite) to replace it, or choose another path."
        )
    check_writable_folder("the folder of the config path", target.parent)
    return target


def write_accelerate_config(
    setup: AccelerateSetup, path: str | os.PathLike[str] | None = None, *, overwrite: bool = False
) -> Path:
    """Write ``setup`` with accelerate's ``ClusterConfig`` (YAML, or JSON for a ``.json`` path); return the path.

    Args:
        setup: from ``plan_accelerate_setup()``.
        path: where to write; default ``default_config_path()``, never accelerate's global default file.
        overwrite: replace an existing file; without it an existing configuration is left untouched and
            ``FileExistsError`` says so.
    """
    target = check_config_path(path, overwrite=overwrite)
    config = setup.to_cluster_config()
    # Written beside the target and renamed into place: an interrupted write never leaves half a file.
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent)
    os.close(handle)
    try:
        if target.suffix == ".json":
            config.to_json_file(temporary)
        else:
            config.to_yaml_file(temporary)
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return target


def load_accelerate_config(path: str | os.PathLike[str] | None = None) -> ClusterConfig:
    """Load a configuration file through accelerate's own ``load_config_from_file`` (what ``accelerate
    launch --config_file`` does); default: ``default_config_path()``."""
    from accelerate.commands.config.config_args import load_config_from_file

    target = Path(path).expanduser() if path is not None else default_config_path()
    if not target.is_file():
        raise FileNotFoundError(
            f"No accelerate configuration at {str(target)!r}. Write one with "
            "hfcourse.tools.accelerate_setup.write_accelerate_config(plan_accelerate_setup()) or "
            "`python -m hfcourse accelerate-config`."
        )
    return load_config_from_file(str(target))
