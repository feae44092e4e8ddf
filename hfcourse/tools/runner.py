"""Run the course notebooks headlessly and write a report: ``python -m hfcourse run`` (``make run``).

Every notebook in ``notebooks/`` (sorted, ``background_*`` included) runs top to bottom with papermill on the
project's ``python3`` kernel, in its own folder, offline on the embedded defaults unless ``--online``. The
runner always passes ``fast`` explicitly, so a notebook runs in the mode asked for whatever its parameters
cell says. It goes on past a failing notebook and writes under ``build/``:

- ``notebooks/NAME.ipynb``: each executed notebook (papermill's error markers included when it failed);
- ``html/NAME.html``: each executed notebook as a web page, plots included;
- ``report.md`` and ``report.json``: notebook, status, seconds, the checkpoints that ran (and whether they
  are real models) and key metrics, read from the outputs of ``hfcourse.report()``; for a failure, the
  cell that failed and why.

``--write-back`` stores the outputs of a full offline run back into ``notebooks/`` (how committed notebooks
get their outputs), without papermill's injected parameters cell or its run-specific metadata, so that
re-running an unchanged notebook leaves the file unchanged. The exit status is 1 if any notebook failed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from ..offline.validation import check_existing_folder, check_writable_folder
from .course_index import describe_machine, holds_the_index, record_run, update_index
from .notebook_files import (
    CellFailure,
    authored_cells,
    clean_for_commit,
    discover_notebooks,
    locate_failure,
    parameters_cell_problem,
    read_report_outputs,
)

__all__ = [
    "NotebookResult",
    "RunMode",
    "export_html",
    "kernel_environment",
    "main",
    "run_notebook",
    "write_back",
    "write_report",
]

KERNEL_NAME = "python3"
# Environment switches that make the Hugging Face libraries offline; an online run must not inherit them.
HUB_OFFLINE_SWITCHES = ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE")
# ipykernel warns on stderr at every start that its local TCP transport is unencrypted, and logs an ERROR when
# the kernel is interrupted while it shuts down (seen now and then after a failing notebook): the cells' own
# errors reach the executed notebook, so the kernel's log stays quiet.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]
REPORTED_VERSIONS = ("torch", "transformers", "datasets", "accelerate", "papermill")


@dataclass(frozen=True)
class RunMode:
    """How the notebooks run: ``fast`` is passed to each notebook; ``offline`` sets ``HFCOURSE_OFFLINE``."""

    fast: bool = False
    offline: bool = True

    def __str__(self) -> str:
        checkpoints = "offline, embedded defaults" if self.offline else "online, course checkpoints"
        return f"{'fast' if self.fast else 'full'} mode, {checkpoints}"


@dataclass
class NotebookResult:
    """What one notebook run gave: the row of the report."""

    notebook: str
    status: str  # "passed" or "failed"
    seconds: float
    checkpoints: list[dict[str, Any]] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    failure: CellFailure | None = None
    executed: str | None = None
    html: str | None = None
    written_back: bool = False

    @property
    def passed(self) -> bool:
        return self.status == "passed"


# --------------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def kernel_environment(offline: bool) -> Iterator[None]:
    """Set the environment that kernels started inside this block inherit, and restore it afterwards.

    Offline sets ``HFCOURSE_OFFLINE=1``; online sets ``HFCOURSE_OFFLINE=0`` and removes the Hub's offline
    switches (this process may have set them when it imported hfcourse).
    """
    changes: dict[str, str | None] = {"HFCOURSE_OFFLINE": "1" if offline else "0"}
    if not offline:
        changes.update(dict.fromkeys(HUB_OFFLINE_SWITCHES))
    saved = {name: os.environ.get(name) for name in changes}

    def apply(values: dict[str, str | None]) -> None:
        for name, value in values.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    apply(changes)
    try:
        yield
    finally:
        apply(saved)


def export_html(nb: NotebookNode, html_path: Path) -> None:
    """Write ``nb`` as a standalone web page (plots embedded) to ``html_path``."""
    from nbconvert import HTMLExporter

    quiet_log = logging.getLogger("hfcourse.tools.runner.html")
    quiet_log.setLevel(logging.ERROR)  # nbconvert warns about every plot without alt text
    exporter = HTMLExporter(log=quiet_log)
    body, _ = exporter.from_notebook_node(nb)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(body, encoding="utf-8")


def run_notebook(
    notebook_path: str | os.PathLike[str],
    build_dir: str | os.PathLike[str],
    mode: RunMode = RunMode(),
    *,
    html: bool = True,
    cell_timeout: float | None = None,
) -> NotebookResult:
    """Execute one notebook with papermill in its own folder and return what happened; never raises for a
    notebook that fails (the result says where and why).

    The executed notebook goes to ``build_dir/notebooks/``, its web page to ``build_dir/html/`` (``html=False``
    skips it). ``cell_timeout`` (seconds) stops a cell that runs longer; None waits for ever.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    source_path = Path(notebook_path).resolve()
    name = source_path.stem
    executed_path = Path(build_dir).resolve() / "notebooks" / source_path.name
    executed_path.parent.mkdir(parents=True, exist_ok=True)
    executed_path.unlink(missing_ok=True)
    result = NotebookResult(notebook=name, status="failed", seconds=0.0)
    try:
        problem = parameters_cell_problem(nbformat.read(source_path, as_version=4))
    except ValueError as error:  # nbformat's NotJSONError: a file being edited, or broken by a merge
        result.failure = CellFailure(ename="NotebookFormatError", evalue=f"{error}; fix {source_path.name}")
        return result
    if problem:
        result.failure = CellFailure(ename="ParametersCellError", evalue=problem)
        return result
    started = time.monotonic()
    try:
        with kernel_environment(mode.offline):
            papermill.execute_notebook(
                str(source_path),
                str(executed_path),
                parameters={"fast": mode.fast},
                kernel_name=KERNEL_NAME,
                language="python",
                cwd=str(source_path.parent),
                progress_bar=False,
                execution_timeout=cell_timeout,
                extra_arguments=KERNEL_ARGUMENTS,
            )
        result.status = "passed"
    except PapermillExecutionError as error:
        result.failure = CellFailure(ename=error.ename, evalue=error.evalue)
    except Exception as error:  # the kernel died or a cell timed out: the executed file shows how far it got
        result.failure = CellFailure(ename=type(error).__name__, evalue=str(error).strip().split("\n")[0])
    result.seconds = round(time.monotonic() - started, 1)
    if not executed_path.is_file():
        return result
    executed = nbformat.read(executed_path, as_version=4)
    result.executed = str(executed_path)
    result.checkpoints, result.metrics = read_report_outputs(executed)
    if result.failure is not None:
        result.failure = locate_failure(executed, result.failure)
    if html:
        html_path = executed_path.parent.parent / "html" / f"{name}.html"
        export_html(executed, html_path)
        result.html = str(html_path)
    return result


def write_back(result: NotebookResult, notebook_path: Path, machine: str) -> str | None:
    """Store the executed outputs of a passed notebook into ``notebook_path``, with its run time on ``machine``
    (for the index); return why not, or None.

    Refuses when the notebook on disk was edited while it ran (its cells differ from those that ran).
    """
    if not result.passed or result.executed is None:
        return "it failed"
    executed = nbformat.read(result.executed, as_version=4)
    if authored_cells(executed) != authored_cells(nbformat.read(notebook_path, as_version=4)):
        return f"{notebook_path} was edited while it ran; run it again"
    committed = clean_for_commit(executed)
    record_run(committed, result.seconds, machine)
    nbformat.write(committed, notebook_path)
    result.written_back = True
    return None


# --------------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------------


def _versions() -> dict[str, str]:
    versions = {"python": sys.version.split()[0]}
    for package in REPORTED_VERSIONS:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def _cell_text(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _checkpoint_text(checkpoint: dict[str, Any]) -> str:
    real = "real" if checkpoint.get("real") else "stand-in"
    name = checkpoint.get("name", checkpoint.get("name_or_path"))  # notebooks run before Checkpoint.name
    return f"{checkpoint.get('role')}: {name} [{checkpoint.get('kind')}, {real}]"


def write_report(
    results: Sequence[NotebookResult], build_dir: str | os.PathLike[str], mode: RunMode
) -> tuple[Path, Path]:
    """Write ``report.json`` and ``report.md`` for ``results`` into ``build_dir``; return their paths."""
    folder = Path(build_dir)
    folder.mkdir(parents=True, exist_ok=True)
    failed = [result for result in results if not result.passed]
    summary = {
        "mode": {"fast": mode.fast, "offline": mode.offline},
        "versions": _versions(),
        "passed": len(results) - len(failed),
        "failed": len(failed),
        "seconds": round(sum(result.seconds for result in results), 1),
        "notebooks": [
            {
                **asdict(result),
                "failure": {"message": str(result.failure), **asdict(result.failure)} if result.failure else None,
            }
            for result in results
        ],
    }
    json_path = folder / "report.json"
    json_path.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")

    versions = ", ".join(f"{package} {version}" for package, version in summary["versions"].items())
    lines = [
        "# Notebook run report",
        "",
        f"{len(results)} notebooks, {mode}: {summary['passed']} passed, {summary['failed']} failed, "
        f"{summary['seconds']} s in all.",
        "",
        f"Versions: {versions}.",
        "",
        "| notebook | status | seconds | checkpoints that ran | key metrics |",
        "|---|---|---:|---|---|",
    ]
    for result in results:
        checkpoints = "<br>".join(_cell_text(_checkpoint_text(c)) for c in result.checkpoints) or "none reported"
        metrics = ", ".join(f"{key}={value}" for key, value in result.metrics.items()) or "-"
        lines.append(
            f"| {result.notebook} | {result.status} | {result.seconds} | {checkpoints} | {_cell_text(metrics)} |"
        )
    if failed:
        lines += ["", "## Failures", ""]
        for result in failed:
            lines.append(f"- **{result.notebook}**: {_cell_text(str(result.failure))}")
            if result.executed:
                lines.append(f"  (executed notebook: {result.executed}; page: {result.html})")
    md_path = folder / "report.md"
    md_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return md_path, json_path


# --------------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hfcourse run",
        description="Execute the course notebooks headlessly (papermill) and write build/report.md.",
    )
    parser.add_argument(
        "--notebook",
        nargs="+",
        action="extend",
        metavar="NAME",
        help="run only these notebooks (file name, with or without .ipynb)",
    )
    parser.add_argument("--fast", action="store_true", help="pass fast=True: small slices, a few steps")
    parser.add_argument(
        "--online",
        action="store_true",
        help="run online with the course checkpoints (HFCOURSE_OFFLINE=0) instead of offline",
    )
    parser.add_argument(
        "--write-back",
        action="store_true",
        help="store the outputs of passed notebooks back into the notebook files (full offline runs only)",
    )
    parser.add_argument(
        "--cell-timeout",
        type=float,
        metavar="SECONDS",
        help="fail a notebook when one of its cells runs longer than this (default: no limit)",
    )
    parser.add_argument("--notebooks-dir", type=Path, default=Path("notebooks"), help="default: notebooks")
    parser.add_argument("--build-dir", type=Path, default=Path("build"), help="default: build")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the notebooks, print one line per notebook, write the report; 0 if all passed, else 1."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.write_back and (args.fast or args.online):
        parser.error("--write-back stores the outputs of a full offline run only: drop --fast and --online.")
    try:
        check_existing_folder("--notebooks-dir", args.notebooks_dir, "the course notebooks (run from the project root)")
        check_writable_folder("--build-dir", args.build_dir)
        notebooks = discover_notebooks(args.notebooks_dir, args.notebook)
    except (FileNotFoundError, ValueError) as error:
        print(f"hfcourse run: {error}", file=sys.stderr)
        return 2
    if not notebooks:
        parser.error(f"no notebooks in {str(args.notebooks_dir)!r}.")
    mode = RunMode(fast=args.fast, offline=not args.online)
    print(f"Running {len(notebooks)} notebook{'s' if len(notebooks) != 1 else ''}, {mode}.", flush=True)
    results = []
    machine = describe_machine() if args.write_back else ""
    for number, path in enumerate(notebooks, start=1):
        print(f"[{number}/{len(notebooks)}] {path.stem} ...", end=" ", flush=True)
        result = run_notebook(path, args.build_dir, mode, cell_timeout=args.cell_timeout)
        results.append(result)
        outcome = f"{result.status} ({result.seconds} s)"
        if result.failure:
            outcome += f"\n    {result.failure}"
        if args.write_back:
            refused = write_back(result, path, machine)
            outcome += f"\n    not written back: {refused}" if refused else f"; outputs written to {path}"
        print(outcome, flush=True)
    md_path, _ = write_report(results, args.build_dir, mode)
    project = Path(args.notebooks_dir).resolve().parent
    if args.write_back and holds_the_index(project):  # the index shows the run times just written
        for index_file in update_index(project):
            print(f"Index updated: {index_file}", flush=True)
    failed = [result.notebook for result in results if not result.passed]
    print(f"Report: {md_path}" + (f"\nFAILED: {', '.join(failed)}" if failed else ""), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
