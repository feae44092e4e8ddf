"""Every notebook in notebooks/ (found on disk, so a new one is covered without editing this file).

For each notebook:
- its parameters cell is well formed (exactly one cell tagged ``parameters``, setting ``fast``);
- it is committed with the outputs of a full run: every code cell ran, no errors, no stderr, no papermill
  leftovers, one ``hfcourse.report()`` output, at least one cell compared by nbval;
- it runs top to bottom in fast mode under papermill (any exception fails it: the notebook's own
  assertions are the checks);
- nbval (``--nbval-lax``) re-runs it in fast mode and the cells marked ``# NBVAL_CHECK_OUTPUT`` print
  exactly what is committed: a committed output from an older code version fails here.

The nbval check itself is tested on the fixture notebooks (a changed output and an exception both fail).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from hfcourse.notebook import REPORT_MIMETYPE
from hfcourse.runner import (
    INJECTED_TAG,
    KERNEL_NAME,
    RunMode,
    discover_notebooks,
    parameters_cell_problem,
    run_notebook,
    strip_ansi,
)

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = discover_notebooks(NOTEBOOKS_DIR)
CHECK_MARKER = "# NBVAL_CHECK_OUTPUT"
# Fast mode should take well under a minute per notebook; a cell still running after this many seconds, even
# on a machine shared by many, is a notebook that ignores `fast`: fail it instead of waiting.
FAST_CELL_TIMEOUT_S = 300

each_notebook = pytest.mark.parametrize("notebook_path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])


@dataclass(frozen=True)
class NbvalRun:
    """What one nbval run reported: one test per code cell."""

    returncode: int
    tests: int
    failures: int
    output: str

    def explain(self) -> str:
        return (
            f"nbval: {self.tests} code cells, {self.failures} failed (exit {self.returncode}); nbval numbers code "
            f"cells from 0, the injected `fast = True` cell included:\n{self.output[-6000:]}"
        )


def code_cell_count(nb: nbformat.NotebookNode) -> int:
    return sum(cell.cell_type == "code" for cell in nb.cells)


def run_nbval_fast(notebook_path: Path, junit_path: Path) -> NbvalRun:
    """Run nbval (lax mode, this interpreter's kernel) on ``notebook_path`` with ``fast = True`` injected.

    nbval compares against the outputs stored in the file it runs, in the kernel's working directory set to
    that file's folder; so the parameterized copy is a hidden temporary file next to the notebook, removed
    afterwards. Returns the counts from nbval's JUnit report.
    """
    nb = parameterize_notebook(
        load_notebook_node(str(notebook_path)), {"fast": True}, kernel_name=KERNEL_NAME, language="python"
    )
    handle, copy_name = tempfile.mkstemp(prefix=f".nbval-{notebook_path.stem}-", suffix=".ipynb", dir=notebook_path.parent)
    copy_path = Path(copy_name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as copy:
            nbformat.write(nb, copy)
        completed = subprocess.run(
            [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", f"--nbval-cell-timeout={FAST_CELL_TIMEOUT_S}",
             "-q", "-p", "no:cacheprovider",
             "-W", "ignore::DeprecationWarning", f"--junitxml={junit_path}", copy_path.name],
            cwd=copy_path.parent, capture_output=True, text=True, check=False,
        )
    finally:
        copy_path.unlink(missing_ok=True)
    output = strip_ansi(completed.stdout + completed.stderr)
    if not junit_path.is_file():
        pytest.fail(f"nbval wrote no report for {notebook_path.name} (exit {completed.returncode}):\n{output[-6000:]}")
    suites = ElementTree.parse(junit_path).getroot().iter("testsuite")
    tests = failures = 0
    for suite in suites:
        tests += int(suite.get("tests", 0))
        failures += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
    return NbvalRun(completed.returncode, tests, failures, output)


def committed_problems(nb: nbformat.NotebookNode) -> list[str]:
    """Why ``nb`` is not committed as a full run should leave it (empty when it is)."""
    problems = []
    if any(INJECTED_TAG in cell.metadata.get("tags", []) for cell in nb.cells):
        problems.append("it holds papermill's injected parameters cell (outputs of a papermill -p run)")
    if nb.metadata.get("papermill", {}).get("parameters", {}).get("fast"):
        problems.append("its outputs come from a fast run")
    report_outputs = 0
    checked_cells = 0
    not_run = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        if cell.execution_count is None:
            not_run.append(index)
        checked_cells += cell.source.lstrip().startswith(CHECK_MARKER)
        for output in cell.outputs:
            if output.output_type == "error":
                problems.append(f"cell {index} has an error output: {output.ename}: {output.evalue}")
            elif output.output_type == "stream" and output.name == "stderr":
                problems.append(f"cell {index} writes to stderr: {output.text[:200]!r}")
            report_outputs += REPORT_MIMETYPE in output.get("data", {})
    if not_run:
        problems.append(f"{len(not_run)} code cells were not run (cells {', '.join(map(str, not_run))})")
    if report_outputs != 1:
        problems.append(f"{report_outputs} hfcourse.report() outputs; call it exactly once, near the end")
    if checked_cells == 0:
        problems.append(f"no cell is marked {CHECK_MARKER!r}, so nbval compares nothing")
    return problems


@each_notebook
def test_parameters_cell(notebook_path: Path) -> None:
    problem = parameters_cell_problem(nbformat.read(notebook_path, as_version=4))
    assert problem is None, f"{notebook_path.name}: {problem}"


@each_notebook
def test_committed_with_the_outputs_of_a_full_run(notebook_path: Path) -> None:
    problems = committed_problems(nbformat.read(notebook_path, as_version=4))
    assert not problems, (
        f"{notebook_path.name}: " + "; ".join(problems)
        + f". Fix the notebook, then store a full offline run: make run NOTEBOOK={notebook_path.stem} WRITE_BACK=1"
    )


@pytest.mark.notebook
@each_notebook
def test_runs_in_fast_mode(notebook_path: Path, tmp_path: Path) -> None:
    result = run_notebook(notebook_path, tmp_path, RunMode(fast=True), html=False, cell_timeout=FAST_CELL_TIMEOUT_S)
    assert result.passed, f"{notebook_path.name} failed in fast mode at {result.failure} (executed: {result.executed})"


@pytest.mark.notebook
@each_notebook
def test_compared_cells_match_the_committed_outputs(notebook_path: Path, tmp_path: Path) -> None:
    nbval = run_nbval_fast(notebook_path, tmp_path / "nbval.xml")
    expected_tests = code_cell_count(nbformat.read(notebook_path, as_version=4)) + 1  # + the injected cell
    assert nbval.tests == expected_tests, nbval.explain()
    assert nbval.returncode == 0 and nbval.failures == 0, nbval.explain()


# --- the checks above, on the fixture notebooks ------------------------------------------------------------


def test_committed_problems_are_found(fixture_notebooks_dir: Path) -> None:
    assert committed_problems(nbformat.read(fixture_notebooks_dir / "passing.ipynb", as_version=4)) == []
    never_run = nbformat.read(fixture_notebooks_dir / "failing.ipynb", as_version=4)
    problems = committed_problems(never_run)
    assert "4 code cells were not run (cells 1, 2, 3, 4)" in problems
    assert "0 hfcourse.report() outputs; call it exactly once, near the end" in problems


def test_stderr_and_fast_run_outputs_are_refused(fixture_notebooks_dir: Path) -> None:
    nb = nbformat.read(fixture_notebooks_dir / "passing.ipynb", as_version=4)
    nb.cells[2].outputs.append(nbformat.v4.new_output("stream", name="stderr", text="Map: 100%|####|\n"))
    nb.metadata["papermill"] = {"parameters": {"fast": True}}
    problems = committed_problems(nb)
    assert "its outputs come from a fast run" in problems
    assert any(problem.startswith("cell 2 writes to stderr") for problem in problems)


@pytest.mark.notebook
def test_nbval_passes_on_the_committed_fixture_and_fails_on_a_changed_output(
    fixture_notebooks_dir: Path, tmp_path: Path
) -> None:
    committed = fixture_notebooks_dir / "passing.ipynb"
    nb = nbformat.read(committed, as_version=4)
    nbval = run_nbval_fast(committed, tmp_path / "committed.xml")
    assert (nbval.returncode, nbval.tests, nbval.failures) == (0, code_cell_count(nb) + 1, 0), nbval.explain()

    checked = next(cell for cell in nb.cells if cell.source.startswith(CHECK_MARKER))
    assert checked.outputs[0].text == "[0, 1, 4, 9]\n"
    checked.outputs[0].text = "[0, 1, 4, 10]\n"  # what an older version of the code might have printed
    stale = tmp_path / "stale.ipynb"
    nbformat.write(nb, stale)
    nbval = run_nbval_fast(stale, tmp_path / "stale.xml")
    assert nbval.returncode != 0 and nbval.failures == 1, nbval.explain()
    assert "[0, 1, 4, 10]" in nbval.output


@pytest.mark.notebook
def test_nbval_fails_on_an_exception_in_an_unmarked_cell(fixture_notebooks_dir: Path, tmp_path: Path) -> None:
    nbval = run_nbval_fast(fixture_notebooks_dir / "failing.ipynb", tmp_path / "failing.xml")
    assert nbval.returncode != 0 and nbval.failures == 1, nbval.explain()
    assert "Cell 3" in nbval.output and "1 + 1 gave 2, expected 3" in nbval.output

