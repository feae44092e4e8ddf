"""The project's own commands without ``make`` (Windows, conda): ``hfcourse test``, ``hfcourse lab`` and
``hfcourse clean``. The Makefile's targets of the same names call these, so both always do the same thing.
Run them from the project folder (the one that holds ``notebooks/`` and ``tests/``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["clean", "lab", "test"]


def _project(command: str) -> Path:
    """The current folder, when it is the project's; else one line naming the fix."""
    here = Path.cwd()
    if not (here / "notebooks").is_dir() or not (here / "pyproject.toml").is_file():
        raise SystemExit(
            f"hfcourse {command}: {here} is not the project folder (no notebooks/ and pyproject.toml); cd there."
        )
    return here


def _run(command: list[str], env: dict[str, str] | None = None) -> int:
    return subprocess.run(command, env=env).returncode


def _passed_on(command: str, description: str | None, tool: str, argv: Sequence[str] | None) -> list[str]:
    """``argv`` less this command's own ``--help`` (which prints its usage and exits): the options for ``tool``."""
    parser = argparse.ArgumentParser(
        prog=f"hfcourse {command}",
        description=description,
        epilog=f"Any other option is passed on to {tool}.",
        allow_abbrev=False,  # so that no option meant for the tool is taken for an abbreviation of one here
    )
    return parser.parse_known_args(argv)[1]


def test(argv: Sequence[str] | None = None) -> int:
    """``hfcourse test [pytest options]``: ruff, every exercise's reference solution, then pytest (what CI runs)."""
    pytest_options = _passed_on("test", test.__doc__, "pytest", argv)
    project = _project("test")
    steps = [
        [sys.executable, "-m", "ruff", "check", str(project)],
        [sys.executable, "-m", "hfcourse", "solutions"],
        [sys.executable, "-m", "pytest", *pytest_options],
    ]
    env = {**os.environ, "HFCOURSE_OFFLINE": os.environ.get("HFCOURSE_OFFLINE", "1")}
    for step in steps:
        status = _run(step, env)
        if status != 0:
            return status
    return 0


def lab(argv: Sequence[str] | None = None) -> int:
    """``hfcourse lab [jupyter lab options]``: JupyterLab on notebooks/ with this environment's kernel, registered
    inside the environment (a learner's own Jupyter set-up is left alone), without the news prompt."""
    lab_options = _passed_on("lab", lab.__doc__, "jupyter lab", argv)
    project = _project("lab")
    _run([sys.executable, "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3"])
    jupyter = [sys.executable, "-m", "jupyterlab"]
    subprocess.run(
        [sys.executable, "-m", "jupyter", "labextension", "disable", "--level=sys_prefix",
         "@jupyterlab/apputils-extension:announcements"],
        capture_output=True,
    )  # fmt: skip
    env = {**os.environ, "JUPYTER_PREFER_ENV_PATH": "1", "HFCOURSE_PROGRESS_BARS": "1"}
    options = [
        f"--notebook-dir={project / 'notebooks'}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        options.append("--allow-root")
    return _run([*jupyter, *options, *lab_options], env)


def clean(argv: Sequence[str] | None = None) -> int:
    """``hfcourse clean [--outputs]``: remove build outputs; with --outputs also outputs/, the fine-tuned models."""
    parser = argparse.ArgumentParser(prog="hfcourse clean", description=clean.__doc__)
    parser.add_argument("--outputs", action="store_true", help="also remove outputs/ (what hfcourse train saved)")
    arguments = parser.parse_args(argv)
    project = _project("clean")
    venvs = {project / ".venv", project / ".venv-latest"}
    removed = [project / "build", project / ".pytest_cache"] + ([project / "outputs"] if arguments.outputs else [])
    removed += [path for path in project.rglob("__pycache__") if not any(venv in path.parents for venv in venvs)]
    for path in removed:
        if path.is_dir():
            shutil.rmtree(path)
    print(f"hfcourse clean: removed build outputs{' and outputs/' if arguments.outputs else ''} in {project}")
    return 0
