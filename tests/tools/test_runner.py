"""hfcourse.tools.runner: ``hfcourse run`` on the fixture notebooks, and its parts without a kernel."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from hfcourse.lessons.notebook import REPORT_MIMETYPE
from hfcourse.tools.notebook_files import (
    CellFailure,
    clean_for_commit,
    discover_notebooks,
    parameters_cell_problem,
    read_report_outputs,
)
from hfcourse.tools.runner import HUB_OFFLINE_SWITCHES, RunMode, kernel_environment, main, run_notebook


@dataclass(frozen=True)
class CliRun:
    returncode: int
    stdout: str
    notebooks_dir: Path
    build_dir: Path

    @property
    def report(self) -> dict:
        return json.loads((self.build_dir / "report.json").read_text(encoding="utf-8"))

    def row(self, notebook: str) -> dict:
        return next(row for row in self.report["notebooks"] if row["notebook"] == notebook)


@pytest.fixture(scope="module")
def cli_run(fixture_notebooks_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> CliRun:
    """One ``hfcourse run --write-back`` on copies of both fixture notebooks."""
    root = tmp_path_factory.mktemp("runner")
    notebooks_dir = root / "notebooks"
    shutil.copytree(fixture_notebooks_dir, notebooks_dir)
    build_dir = root / "build"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "hfcourse",
            "run",
            "--write-back",
            "--notebooks-dir",
            str(notebooks_dir),
            "--build-dir",
            str(build_dir),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.stderr == "", f"the runner wrote to stderr:\n{completed.stderr}"
    return CliRun(completed.returncode, completed.stdout, notebooks_dir, build_dir)


def without_images(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``nb`` without PNG data (its bytes depend on the matplotlib version, not on the runner)."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            output.get("data", {}).pop("image/png", None)
    return nb


# --- the command line, end to end ------------------------------------------------------------------


@pytest.mark.notebook
def test_exit_status_is_non_zero_and_the_failing_cell_is_named(cli_run: CliRun) -> None:
    assert cli_run.returncode == 1
    assert "[1/2] failing ... failed" in cli_run.stdout
    assert "[2/2] passing ... passed" in cli_run.stdout
    assert "cell 3 (In [4]) `# check the arithmetic`" in cli_run.stdout
    assert "AssertionError: 1 + 1 gave 2, expected 3" in cli_run.stdout
    assert cli_run.stdout.rstrip().endswith("FAILED: failing")


@pytest.mark.notebook
def test_report_json(cli_run: CliRun) -> None:
    report = cli_run.report
    assert report["mode"] == {"fast": False, "offline": True}
    assert (report["passed"], report["failed"]) == (1, 1)
    assert [row["notebook"] for row in report["notebooks"]] == ["failing", "passing"]

    passing = cli_run.row("passing")
    assert passing["status"] == "passed" and passing["failure"] is None and passing["seconds"] > 0
    assert passing["checkpoints"] == [
        {"role": "encoder", "name": "fixtures/tiny-encoder", "kind": "fixture", "real": False}
    ]
    assert passing["metrics"] == {"accuracy": 0.75, "f1": 0.6667, "rows": 8}  # rows=8: the full run

    failure = cli_run.row("failing")["failure"]
    assert {key: failure[key] for key in ("cell_index", "execution_count", "cell_title", "ename", "evalue")} == {
        "cell_index": 3,
        "execution_count": 4,
        "cell_title": "# check the arithmetic",
        "ename": "AssertionError",
        "evalue": "1 + 1 gave 2, expected 3",
    }
    assert failure["line"] == 'assert total == expected, f"1 + 1 gave {total}, expected {expected}"'


@pytest.mark.notebook
def test_report_markdown(cli_run: CliRun) -> None:
    markdown = (cli_run.build_dir / "report.md").read_text(encoding="utf-8")
    assert "2 notebooks, full mode, offline, embedded defaults: 1 passed, 1 failed" in markdown
    assert "| passing | passed |" in markdown
    assert "encoder: fixtures/tiny-encoder [fixture, stand-in] | accuracy=0.75, f1=0.6667, rows=8 |" in markdown
    assert "| failing | failed |" in markdown
    assert "- **failing**: cell 3 (In [4]) `# check the arithmetic`" in markdown


@pytest.mark.notebook
def test_executed_notebooks_and_html_pages(cli_run: CliRun) -> None:
    for name in ("passing", "failing"):
        assert (cli_run.build_dir / "notebooks" / f"{name}.ipynb").is_file()
        assert cli_run.row(name)["html"] == str(cli_run.build_dir / "html" / f"{name}.html")
    page = (cli_run.build_dir / "html" / "passing.html").read_text(encoding="utf-8")
    assert page.count('src="data:image/png;base64,') == 1  # the fixture's one plot, embedded
    executed = nbformat.read(cli_run.build_dir / "notebooks" / "passing.ipynb", as_version=4)
    injected = [cell for cell in executed.cells if "injected-parameters" in cell.metadata.get("tags", [])]
    assert [cell.source for cell in injected] == ["# Parameters\nfast = False\n"]  # the mode is always explicit


@pytest.mark.notebook
def test_write_back_stores_a_stable_clean_run(cli_run: CliRun, fixture_notebooks_dir: Path) -> None:
    written = nbformat.read(cli_run.notebooks_dir / "passing.ipynb", as_version=4)
    assert "papermill" not in written.metadata
    assert all("injected-parameters" not in cell.metadata.get("tags", []) for cell in written.cells)
    assert all(not {"papermill", "execution"} & set(cell.metadata) for cell in written.cells)
    assert [cell.execution_count for cell in written.cells if cell.cell_type == "code"] == [1, 2, 3, 4, 5]
    # The run time (for the index) is the one thing that changes from run to run.
    assert set(written.metadata.pop("hfcourse")) == {"run_seconds", "run_machine"}
    # The committed fixture was written back by an earlier run: an unchanged notebook stays byte-stable.
    committed = nbformat.read(fixture_notebooks_dir / "passing.ipynb", as_version=4)
    assert without_images(written) == without_images(committed)
    assert "not written back: it failed" in cli_run.stdout
    assert (cli_run.notebooks_dir / "failing.ipynb").read_bytes() == (
        fixture_notebooks_dir / "failing.ipynb"
    ).read_bytes()
    assert cli_run.row("passing")["written_back"] and not cli_run.row("failing")["written_back"]


# --- options and bad input ---------------------------------------------------------------------------


def test_write_back_needs_a_full_offline_run(capsys: pytest.CaptureFixture[str]) -> None:
    for flag in ("--fast", "--online"):
        with pytest.raises(SystemExit) as exit_info:
            main(["--write-back", flag])
        assert exit_info.value.code == 2
        assert "--write-back stores the outputs of a full offline run only" in capsys.readouterr().err


def test_unknown_notebook_name_lists_the_notebooks(
    fixture_notebooks_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--notebooks-dir", str(fixture_notebooks_dir), "--notebook", "01_missing"]) == 2
    error = capsys.readouterr().err
    assert "No notebook '01_missing'" in error and "the notebooks there: failing, passing." in error


def test_discovery_sorts_skips_hidden_files_and_accepts_names_with_suffix(tmp_path: Path) -> None:
    for name in ("02_b.ipynb", "background_x.ipynb", "01_a.ipynb", ".nbval-copy.ipynb", "notes.md"):
        (tmp_path / name).write_text("{}", encoding="utf-8")
    assert [path.name for path in discover_notebooks(tmp_path)] == ["01_a.ipynb", "02_b.ipynb", "background_x.ipynb"]
    assert [path.name for path in discover_notebooks(tmp_path, ["background_x", "01_a.ipynb"])] == [
        "background_x.ipynb",
        "01_a.ipynb",
    ]
    with pytest.raises(FileNotFoundError, match="run from the project root or pass --notebooks-dir"):
        discover_notebooks(tmp_path / "missing")


def parameters_cell(source: str) -> nbformat.NotebookNode:
    cell = new_code_cell(source)
    cell.metadata["tags"] = ["parameters"]
    return cell


@pytest.mark.parametrize(
    ("cells", "problem"),
    [
        ([new_code_cell("fast = False")], "0 cells are tagged 'parameters'"),
        ([parameters_cell("fast = False"), parameters_cell("checkpoint = None")], "2 cells are tagged 'parameters'"),
        ([parameters_cell("checkpoint = None")], "does not set `fast`: add `fast = False` to it"),
        ([parameters_cell("fast = = False")], "is not valid Python"),
    ],
)
def test_parameters_cell_problems(cells: list, problem: str) -> None:
    assert problem in parameters_cell_problem(new_notebook(cells=cells))


def test_parameters_cell_accepted() -> None:
    nb = new_notebook(cells=[new_markdown_cell("# x"), parameters_cell("fast: bool = False\ncheckpoint = None")])
    assert parameters_cell_problem(nb) is None


def test_a_notebook_without_parameters_cell_fails_before_running(tmp_path: Path) -> None:
    notebook = tmp_path / "no_parameters.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("print('hi')")]), notebook)
    result = run_notebook(notebook, tmp_path / "build", RunMode(fast=True))
    assert not result.passed and result.executed is None
    assert str(result.failure) == (
        "before any cell ran: ParametersCellError: 0 cells are tagged 'parameters'; exactly one must be "
        "(the cell that sets `fast = False` and the checkpoint/data overrides)."
    )


def test_a_broken_notebook_file_fails_before_running(tmp_path: Path) -> None:
    notebook = tmp_path / "broken.ipynb"
    notebook.write_text('{"cells": [', encoding="utf-8")
    result = run_notebook(notebook, tmp_path / "build")
    assert not result.passed and result.failure.ename == "NotebookFormatError"
    assert result.failure.evalue.endswith("; fix broken.ipynb")


@pytest.mark.notebook
def test_a_cell_over_the_timeout_is_named(tmp_path: Path) -> None:
    notebook = tmp_path / "slow.ipynb"
    nbformat.write(
        new_notebook(cells=[parameters_cell("fast = False"), new_code_cell("# wait\nimport time\ntime.sleep(120)")]),
        notebook,
    )
    result = run_notebook(notebook, tmp_path / "build", html=False, cell_timeout=2)
    assert not result.passed and result.seconds < 60
    assert str(result.failure) == (
        "cell 1 (In [3]) `# wait`, at `time.sleep(120)`: CellTimeoutError: A cell timed out while it was being "
        "executed, after 2 seconds."
    )


def test_clean_for_commit_removes_run_specific_data() -> None:
    injected = new_code_cell("fast = True", execution_count=2)
    injected.metadata["tags"] = ["injected-parameters"]
    later = new_code_cell("1 + 1", execution_count=3)
    later.outputs = [new_output("execute_result", data={"text/plain": "2"}, execution_count=3)]
    later.metadata.update(tags=[], papermill={"duration": 0.1}, execution={"iopub.status.busy": "2026-01-01"})
    nb = new_notebook(cells=[parameters_cell("fast = False"), injected, later])
    nb.cells[0].execution_count = 1
    nb.metadata["papermill"] = {"start_time": "2026-01-01", "parameters": {"fast": True}}

    cleaned = clean_for_commit(nb)
    assert [cell.source for cell in cleaned.cells] == ["fast = False", "1 + 1"]
    assert "papermill" not in cleaned.metadata
    assert cleaned.cells[1].metadata == {}
    assert [cell.execution_count for cell in cleaned.cells] == [1, 2]
    assert cleaned.cells[1].outputs[0].execution_count == 2


def test_report_outputs_are_merged_in_cell_order() -> None:
    checkpoint = {"role": "encoder", "name_or_path": "m", "kind": "k", "real": True}

    def report_cell(record: dict) -> nbformat.NotebookNode:
        cell = new_code_cell("hfcourse.report(...)")
        cell.outputs = [new_output("display_data", data={REPORT_MIMETYPE: record, "text/plain": "report"})]
        return cell

    nb = new_notebook(
        cells=[
            report_cell({"checkpoints": [checkpoint], "metrics": {"accuracy": 0.5}}),
            report_cell({"checkpoints": [checkpoint], "metrics": {"accuracy": 0.8, "f1": 0.7}}),
        ]
    )
    assert read_report_outputs(nb) == ([checkpoint], {"accuracy": 0.8, "f1": 0.7})
    assert read_report_outputs(new_notebook(cells=[new_code_cell("x = 1")])) == ([], {})


def test_kernel_environment_sets_and_restores_the_offline_switches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HFCOURSE_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with kernel_environment(offline=False):
        assert os.environ["HFCOURSE_OFFLINE"] == "0"
        assert not set(HUB_OFFLINE_SWITCHES) & set(os.environ)
    assert (os.environ["HFCOURSE_OFFLINE"], os.environ["HF_HUB_OFFLINE"]) == ("1", "1")
    with kernel_environment(offline=True):
        assert os.environ["HFCOURSE_OFFLINE"] == "1"


def test_failure_text() -> None:
    failure = CellFailure(
        "ValueError", "bad shape", cell_index=5, execution_count=4, cell_title="# shapes", line="check(x)"
    )
    assert str(failure) == "cell 5 (In [4]) `# shapes`, at `check(x)`: ValueError: bad shape"
    assert str(CellFailure("DeadKernelError", "")) == "before any cell ran: DeadKernelError"
