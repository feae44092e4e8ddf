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

import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from hfcourse.lessons.notebook import REPORT_MIMETYPE
from hfcourse.tools.notebook_files import (
    INJECTED_TAG,
    discover_notebooks,
    parameters_cell_problem,
    read_report_outputs,
    strip_ansi,
)
from hfcourse.tools.runner import KERNEL_NAME, RunMode, run_notebook

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = discover_notebooks(NOTEBOOKS_DIR)
CHECK_MARKER = "# NBVAL_CHECK_OUTPUT"
# Folders of the machine that ran a notebook, which committed outputs must not show (print checkpoint.name, or
# display_path(path), instead of a local path).
MACHINE_PATH = re.compile(
    "|".join(
        [r"(site|dist)-packages", r"/root/", r"/home/[^/\s\"]+/", r"/Users/[^/\s\"]+/", r"[A-Za-z]:\\\\Users"]
        + [re.escape(str(folder)) for folder in (Path(__file__).resolve().parents[1], Path.home())]
    )
)
# Words of this project's making that a learner has no use for: the notes it grew from, its issue tracker.
INTERNAL_WORDING = re.compile(r"\bseed notes?\b|\bthe seed's\b|\b(the|these|our) notes\b|\bissue #?\d+", re.IGNORECASE)
# Code lines a JupyterLab window 1400 px wide shows without a horizontal scrollbar, file browser open (13 px
# monospace, about 8 px a character).
MAX_CODE_LINE = 100
# Fast mode should take well under a minute per notebook; a cell still running after this many seconds, even
# on a machine shared by many, is a notebook that ignores `fast`: fail it instead of waiting.
FAST_CELL_TIMEOUT_S = 300

each_notebook = pytest.mark.parametrize("notebook_path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])


@dataclass(frozen=True)
class NbvalResult:
    """What nbval reported for one notebook: one test per code cell, and the failure reports."""

    tests: int
    failures: int
    report: str

    def explain(self) -> str:
        return (
            f"nbval: {self.tests} code cells ran, {self.failures} failed; nbval numbers code cells from 0, the "
            f"injected `fast = True` cell included:\n{self.report[-6000:]}"
        )


def code_cell_count(nb: nbformat.NotebookNode) -> int:
    return sum(cell.cell_type == "code" for cell in nb.cells)


def junit_text(problem: ElementTree.Element) -> str:
    """The readable text of a JUnit failure (JUnit writes the escape character of colours as "#x1B")."""
    return strip_ansi((problem.text or problem.get("message", "")).replace("#x1B", "\x1b"))


def run_nbval_fast(notebook_paths: Sequence[Path], junit_path: Path) -> dict[Path, NbvalResult]:
    """Run nbval (lax mode, this interpreter's kernel) once over ``notebook_paths`` with ``fast = True`` injected.

    nbval compares against the outputs stored in the file it runs, with the kernel's working directory set to
    that file's folder; so each parameterized copy is a hidden temporary file next to its notebook, removed
    afterwards. One pytest process runs them all (its start-up, nbformat's schema checks included, takes
    seconds). Returns each notebook's counts and failure reports, from nbval's JUnit report.
    """
    copies: dict[str, Path] = {}
    try:
        for path in notebook_paths:
            nb = parameterize_notebook(
                load_notebook_node(str(path)), {"fast": True}, kernel_name=KERNEL_NAME, language="python"
            )
            handle, copy_name = tempfile.mkstemp(prefix=f".nbval-{path.stem}-", suffix=".ipynb", dir=path.parent)
            with os.fdopen(handle, "w", encoding="utf-8") as copy:
                nbformat.write(nb, copy)
            copies[Path(copy_name).name] = path
        completed = subprocess.run(
            # --rootdir=/ : every path lies under it, so JUnit class names always name the file
            [
                sys.executable,
                "-m",
                "pytest",
                "--nbval-lax",
                "--nbval-current-env",
                "--rootdir=/",
                f"--nbval-cell-timeout={FAST_CELL_TIMEOUT_S}",
                "-q",
                "--color=no",
                "-p",
                "no:cacheprovider",
                "-W",
                "ignore::DeprecationWarning",
                f"--junitxml={junit_path}",
                *(str(path.parent / name) for name, path in copies.items()),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        for name, path in copies.items():
            (path.parent / name).unlink(missing_ok=True)
    output = strip_ansi(completed.stdout + completed.stderr)
    if not junit_path.is_file():
        pytest.fail(f"nbval wrote no report (exit {completed.returncode}):\n{output[-6000:]}")
    cases: dict[Path, list[ElementTree.Element]] = {path: [] for path in copies.values()}
    for case in ElementTree.parse(junit_path).getroot().iter("testcase"):
        # the class name is the copy's path, dotted: it ends with the copy's file name
        cases[next(path for name, path in copies.items() if case.get("classname", "").endswith(name))].append(case)
    results = {}
    for path, path_cases in cases.items():
        reports = [
            f"--- {case.get('name')}: {junit_text(problem)}"
            for case in path_cases
            for problem in case
            if problem.tag in ("failure", "error")
        ]
        results[path] = NbvalResult(len(path_cases), len(reports), "\n".join(reports) or output)
    return results


@pytest.fixture(scope="session")
def nbval_results(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[Path, NbvalResult]:
    """nbval's results for every notebook whose comparison test this session runs (one nbval process)."""
    selected = sorted(
        {
            item.callspec.params["notebook_path"]
            for item in request.session.items
            if getattr(item, "originalname", "") == "test_compared_cells_match_the_committed_outputs"
        }
    )
    return run_nbval_fast(selected, tmp_path_factory.mktemp("nbval") / "nbval.xml")


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
        if found := INTERNAL_WORDING.search(cell.source):
            problems.append(f"cell {index} speaks of {found.group()!r}, which a learner does not have")
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        if long_lines := [line for line in cell.source.splitlines() if len(line) > MAX_CODE_LINE]:
            problems.append(f"cell {index} has a line of {len(long_lines[0])} characters (at most {MAX_CODE_LINE})")
        if "hfcourse.report(" in cell.source and not (
            "report" in cell.metadata.get("tags", []) and cell.metadata.get("jupyter", {}).get("source_hidden")
        ):
            problems.append(f"cell {index} calls hfcourse.report() in view: tag it 'report' and collapse it")
        if cell.execution_count is None:
            not_run.append(index)
        checked_cells += cell.source.lstrip().startswith(CHECK_MARKER)
        for output in cell.outputs:
            if output.output_type == "error":
                problems.append(f"cell {index} has an error output: {output.ename}: {output.evalue}")
            elif output.output_type == "stream" and output.name == "stderr":
                problems.append(f"cell {index} writes to stderr: {output.text[:200]!r}")
            if REPORT_MIMETYPE in output.get("data", {}):
                report_outputs += 1
                if output["data"].get("text/plain"):
                    problems.append(f"cell {index} shows the run report's record: {output['data']['text/plain']!r}")
            elif found := INTERNAL_WORDING.search(json.dumps(output)):
                problems.append(f"cell {index} prints {found.group()!r}, which a learner does not have")
            if found := MACHINE_PATH.search(json.dumps(output)):
                problems.append(f"cell {index} shows a folder of the machine that ran it: {found.group()!r}")
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
        f"{notebook_path.name}: "
        + "; ".join(problems)
        + f". Fix the notebook, then store a full offline run: make run NOTEBOOK={notebook_path.stem} WRITE_BACK=1"
    )


@pytest.mark.notebook
@each_notebook
def test_runs_in_fast_mode(notebook_path: Path, tmp_path: Path) -> None:
    result = run_notebook(notebook_path, tmp_path, RunMode(fast=True), html=False, cell_timeout=FAST_CELL_TIMEOUT_S)
    assert result.passed, f"{notebook_path.name} failed in fast mode at {result.failure} (executed: {result.executed})"


@pytest.mark.notebook
@each_notebook
def test_compared_cells_match_the_committed_outputs(
    notebook_path: Path, nbval_results: dict[Path, NbvalResult]
) -> None:
    nbval = nbval_results[notebook_path]
    expected_tests = code_cell_count(nbformat.read(notebook_path, as_version=4)) + 1  # + the injected cell
    assert nbval.tests == expected_tests, nbval.explain()
    assert nbval.failures == 0, nbval.explain()


# --- the checks above, on the fixture notebooks ------------------------------------------------------------


def test_committed_problems_are_found(fixture_notebooks_dir: Path) -> None:
    assert committed_problems(nbformat.read(fixture_notebooks_dir / "passing.ipynb", as_version=4)) == []
    never_run = nbformat.read(fixture_notebooks_dir / "failing.ipynb", as_version=4)
    problems = committed_problems(never_run)
    assert "4 code cells were not run (cells 1, 2, 3, 4)" in problems
    assert "0 hfcourse.report() outputs; call it exactly once, near the end" in problems


@pytest.mark.parametrize("notebook", ["03_3_trainer", "03_4a_training_loop", "03_4b_accelerate"])
def test_the_committed_chapter_3_runs_learn_visibly(notebook: str) -> None:
    """Above always answering the commoner label after one epoch, and well above it at the end."""
    _, metrics = read_report_outputs(nbformat.read(NOTEBOOKS_DIR / f"{notebook}.ipynb", as_version=4))
    assert metrics["first_epoch_accuracy"] >= metrics["majority_accuracy"] + 0.05, metrics
    assert metrics["accuracy"] >= metrics["majority_accuracy"] + 0.10, metrics


def test_internal_wording_long_lines_and_a_visible_report_are_found(fixture_notebooks_dir: Path) -> None:
    nb = nbformat.read(fixture_notebooks_dir / "passing.ipynb", as_version=4)
    nb.cells[0].source += "\nAs the seed notes say (issue 15)."
    nb.cells[1].source += "\n" + "x = 1  # " + "a" * 100
    for cell in nb.cells:
        cell.metadata.pop("jupyter", None)
    problems = committed_problems(nb)
    assert "cell 0 speaks of 'seed notes', which a learner does not have" in problems
    assert "cell 1 has a line of 109 characters (at most 100)" in problems
    assert any("calls hfcourse.report() in view" in problem for problem in problems)


def test_stderr_and_fast_run_outputs_are_refused(fixture_notebooks_dir: Path) -> None:
    nb = nbformat.read(fixture_notebooks_dir / "passing.ipynb", as_version=4)
    nb.cells[2].outputs.append(nbformat.v4.new_output("stream", name="stderr", text="Map: 100%|####|\n"))
    nb.metadata["papermill"] = {"parameters": {"fast": True}}
    nb.cells[3].outputs.append(nbformat.v4.new_output("stream", name="stdout", text=f"{Path.home()}/.cache/x\n"))
    problems = committed_problems(nb)
    assert "its outputs come from a fast run" in problems
    assert any(problem.startswith("cell 3 shows a folder of the machine that ran it") for problem in problems)
    assert any(problem.startswith("cell 2 writes to stderr") for problem in problems)


@pytest.mark.notebook
def test_nbval_passes_on_the_committed_fixture_fails_on_a_changed_output_and_on_an_exception(
    fixture_notebooks_dir: Path, tmp_path: Path
) -> None:
    committed = fixture_notebooks_dir / "passing.ipynb"
    nb = nbformat.read(committed, as_version=4)
    checked = next(cell for cell in nb.cells if cell.source.startswith(CHECK_MARKER))
    assert checked.outputs[0].text == "[0, 1, 4, 9]\n"
    checked.outputs[0].text = "[0, 1, 4, 10]\n"  # what an older version of the code might have printed
    stale = tmp_path / "stale.ipynb"
    nbformat.write(nb, stale)
    failing = fixture_notebooks_dir / "failing.ipynb"

    results = run_nbval_fast([committed, stale, failing], tmp_path / "nbval.xml")
    assert (results[committed].tests, results[committed].failures) == (code_cell_count(nb) + 1, 0), results[
        committed
    ].explain()
    assert (results[stale].tests, results[stale].failures) == (code_cell_count(nb) + 1, 1), results[stale].explain()
    assert "--- Cell 3:" in results[stale].report and "[0, 1, 4, 10]" in results[stale].report
    assert results[failing].failures == 1, results[failing].explain()
    assert "--- Cell 3:" in results[failing].report and "1 + 1 gave 2, expected 3" in results[failing].report
    assert not list(fixture_notebooks_dir.glob(".nbval-*")) and not list(tmp_path.glob(".nbval-*"))
