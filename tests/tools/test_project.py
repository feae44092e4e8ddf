"""``hfcourse test``, ``lab`` and ``clean``: what they run, what they pass on, what they remove."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from hfcourse.tools import project


@pytest.fixture
def project_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder that looks like the project's (notebooks/ and pyproject.toml), the current one."""
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'hfcourse'\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def commands(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The commands the subcommands would run, recorded instead of run; each one succeeds."""
    recorded: list[list[str]] = []

    def record(command, *args, **kwargs):
        recorded.append(list(command))
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(project.subprocess, "run", record)
    return recorded


def test_test_runs_ruff_then_the_solutions_then_pytest_with_the_options_given(project_dir, commands):
    assert project.test(["-k", "doctor", "-x", "--tb=short"]) == 0
    steps = [command[2:] for command in commands]
    assert steps == [
        ["ruff", "check", str(project_dir)],
        ["hfcourse", "solutions"],
        ["pytest", "-k", "doctor", "-x", "--tb=short"],
    ]


def test_test_stops_at_the_first_step_that_fails(project_dir, monkeypatch):
    ran = []

    def fail_ruff(command, *args, **kwargs):
        ran.append(command[2])
        return subprocess.CompletedProcess(command, 1 if command[2] == "ruff" else 0)

    monkeypatch.setattr(project.subprocess, "run", fail_ruff)
    assert project.test([]) == 1
    assert ran == ["ruff"]


def test_lab_passes_its_options_to_jupyterlab_on_the_notebooks_folder(project_dir, commands):
    assert project.lab(["--port", "8890"]) == 0
    lab_command = commands[-1]
    assert lab_command[1:3] == ["-m", "jupyterlab"]
    assert f"--notebook-dir={project_dir / 'notebooks'}" in lab_command
    assert lab_command[-2:] == ["--port", "8890"]


@pytest.mark.parametrize("command", ["test", "lab", "clean"])
def test_outside_the_project_folder_is_one_line_that_says_where_to_go(tmp_path, monkeypatch, command, commands):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stopped:
        getattr(project, command)([])
    assert "is not the project folder" in str(stopped.value) and "cd there" in str(stopped.value)
    assert commands == []


def test_clean_keeps_outputs_and_the_environments_unless_told(project_dir):
    kept = [project_dir / "outputs" / "model.safetensors", project_dir / ".venv" / "lib" / "__pycache__" / "a.pyc"]
    removed = [project_dir / "build" / "report.md", project_dir / "hfcourse" / "__pycache__" / "b.pyc"]
    for path in kept + removed:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    assert project.clean([]) == 0
    assert all(path.exists() for path in kept)
    assert not any(path.exists() for path in removed)
    assert project.clean(["--outputs"]) == 0
    assert not (project_dir / "outputs").exists()
    assert (project_dir / ".venv" / "lib" / "__pycache__" / "a.pyc").exists()
