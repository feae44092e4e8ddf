"""The course notebooks as files, without a kernel: finding them, checking their parameters cell, reading what an
executed one reported (``hfcourse.report``) and where it failed, and the form it is committed in.

Used by the runner (``hfcourse run``) and by the tests of the committed notebooks.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nbformat import NotebookNode

from ..lessons.notebook import REPORT_MIMETYPE

__all__ = [
    "INJECTED_TAG",
    "PARAMETERS_TAG",
    "CellFailure",
    "authored_cells",
    "clean_for_commit",
    "discover_notebooks",
    "locate_failure",
    "parameters_cell_problem",
    "read_report_outputs",
    "strip_ansi",
]

PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"
PAPERMILL_ERROR_TAG = "papermill-error-cell-tag"  # the markers papermill adds around a failure
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class CellFailure:
    """Where and why a notebook stopped.

    ``cell_index`` counts every cell of the notebook as written (markdown included) from 0, as nbformat does;
    ``line`` is the source line that raised, when the traceback shows it.
    """

    ename: str
    evalue: str
    cell_index: int | None = None
    execution_count: int | None = None
    cell_title: str = ""
    line: str = ""

    def __str__(self) -> str:
        if self.cell_index is None:
            where = "before any cell ran"
        else:
            where = f"cell {self.cell_index}"
            if self.execution_count is not None:
                where += f" (In [{self.execution_count}])"
            if self.cell_title:
                where += f" `{self.cell_title}`"
            if self.line and self.line != self.cell_title:
                where += f", at `{self.line}`"
        reason = f"{self.ename}: {self.evalue}" if self.evalue else self.ename
        return f"{where}: {reason}"


# --------------------------------------------------------------------------------------------------
# Finding and checking notebooks
# --------------------------------------------------------------------------------------------------


def discover_notebooks(notebooks_dir: str | os.PathLike[str], names: Sequence[str] | None = None) -> list[Path]:
    """The notebooks to run, sorted by file name: all of ``notebooks_dir`` or the ones named.

    Hidden files (such as temporary copies) are skipped. A name may be given with or without ``.ipynb``.
    Raises ``FileNotFoundError`` for a missing folder or an unknown name, listing what exists.
    """
    folder = Path(notebooks_dir)
    if not folder.is_dir():
        raise FileNotFoundError(
            f"Notebook folder {str(folder)!r} does not exist: run from the project root or pass --notebooks-dir."
        )
    available = sorted(path for path in folder.glob("*.ipynb") if not path.name.startswith("."))
    if not names:
        return available
    by_stem = {path.stem: path for path in available}
    chosen = []
    for name in names:
        stem = name.removesuffix(".ipynb")
        if stem not in by_stem:
            known = ", ".join(by_stem) or "none"
            raise FileNotFoundError(f"No notebook {name!r} in {str(folder)!r}; the notebooks there: {known}.")
        chosen.append(by_stem[stem])
    return chosen


def _assigned_names(source: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        names.update(target.id for target in targets if isinstance(target, ast.Name))
    return names


def parameters_cell_problem(nb: NotebookNode) -> str | None:
    """Why ``nb`` cannot be parameterized, or None: it needs exactly one cell tagged ``parameters`` setting ``fast``."""
    cells = [cell for cell in nb.cells if PARAMETERS_TAG in cell.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        return (
            f"{len(cells)} cells are tagged {PARAMETERS_TAG!r}; exactly one must be (the cell that sets "
            "`fast = False` and the checkpoint/data overrides)."
        )
    try:
        assigned = _assigned_names(cells[0].source)
    except SyntaxError as error:
        return f"the {PARAMETERS_TAG!r} cell is not valid Python ({error.msg}, line {error.lineno}): fix its source."
    if "fast" not in assigned:
        return f"the {PARAMETERS_TAG!r} cell does not set `fast`: add `fast = False` to it."
    return None


# --------------------------------------------------------------------------------------------------
# Reading and cleaning executed notebooks
# --------------------------------------------------------------------------------------------------


def read_report_outputs(nb: NotebookNode) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The checkpoints and metrics that ``hfcourse.report()`` displayed in ``nb`` (merged, in cell order)."""
    checkpoints: list[dict[str, Any]] = []
    metrics: dict[str, Any] = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            record = output.get("data", {}).get(REPORT_MIMETYPE)
            if record is None:
                continue
            checkpoints.extend(c for c in record.get("checkpoints", []) if c not in checkpoints)
            metrics.update(record.get("metrics", {}))
    return checkpoints, metrics


def _is_injected(cell: NotebookNode) -> bool:
    return INJECTED_TAG in cell.get("metadata", {}).get("tags", [])


WIDGET_VIEW_MIMETYPE = "application/vnd.jupyter.widget-view+json"


def clean_for_commit(nb: NotebookNode) -> NotebookNode:
    """``nb`` as it should be committed: what the author wrote plus the outputs, nothing run-specific.

    Removes papermill's injected parameters cell, papermill's notebook and cell metadata (paths, times,
    durations) and nbclient's per-cell execution timestamps, and numbers the executed code cells 1, 2, ...
    as a top-to-bottom run in Jupyter would. Widgets (the quizzes) keep only their text: a stored widget
    needs its kernel, so a learner who opens the notebook reads the question until the cell runs again.
    Modifies and returns ``nb``.
    """
    nb.cells = [cell for cell in nb.cells if not _is_injected(cell)]
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    execution_count = 0
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.metadata.get("tags") == []:
            del cell.metadata["tags"]  # papermill adds an empty tag list to every cell
        if cell.cell_type != "code" or cell.execution_count is None:
            continue
        execution_count += 1
        cell.execution_count = execution_count
        for output in cell.outputs:
            if output.output_type == "execute_result":
                output.execution_count = execution_count
            output.get("data", {}).pop(WIDGET_VIEW_MIMETYPE, None)
    return nb


def authored_cells(nb: NotebookNode) -> list[tuple[str, str]]:
    """``(cell type, source)`` of every cell the author wrote (papermill's injected cell left out)."""
    return [(cell.cell_type, cell.source) for cell in nb.cells if not _is_injected(cell)]


def _cell_title(source: str) -> str:
    """The first line of a cell that says what it does (not an nbval marker)."""
    for line in source.splitlines():
        line = line.strip()
        if line and not line.startswith("# NBVAL_"):
            return line
    return ""


def strip_ansi(text: str) -> str:
    """``text`` without terminal colour codes (IPython tracebacks and nbval reports carry them)."""
    return _ANSI.sub("", text)


def _raising_line(traceback: Sequence[str]) -> str:
    """The source line of the notebook cell that raised, from an IPython traceback."""
    cell_frames = [frame for frame in map(strip_ansi, traceback) if "Cell In[" in frame]
    for line in cell_frames[0].splitlines() if cell_frames else []:
        match = re.match(r"\s*-+>\s*\d+\s(.*)", line)
        if match:
            return match.group(1).strip()
    return ""


def locate_failure(nb: NotebookNode, failure: CellFailure) -> CellFailure:
    """``failure`` with the cell it happened in: the first cell of the executed ``nb`` with an error output
    (a cell stopped by a timeout shows the interrupt), else the one papermill marked as raising."""
    authored_index = -1
    for cell in nb.cells:
        if _is_injected(cell) or PAPERMILL_ERROR_TAG in cell.metadata.get("tags", []):
            continue
        authored_index += 1
        errors = [output for output in cell.get("outputs", []) if output.output_type == "error"]
        if errors or cell.metadata.get("papermill", {}).get("exception"):
            return CellFailure(
                ename=failure.ename,
                evalue=failure.evalue,
                cell_index=authored_index,
                execution_count=cell.get("execution_count"),
                cell_title=_cell_title(cell.source),
                line=_raising_line(errors[0].traceback) if errors else "",
            )
    return failure
