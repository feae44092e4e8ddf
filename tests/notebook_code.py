"""Run the code a notebook teaches, so that a test can set it beside the package's copy of it.

A notebook cell whose code the package also holds carries a tag ``course:<name>`` (cell metadata, shown in
JupyterLab's property inspector, invisible in the rendered notebook). A test runs exactly those cells, from
the notebook file as committed, in a namespace it prepares (a tiny model, a few samples), and compares what
they computed with what the package's function computes from the same inputs. Changing either side on
purpose makes the test fail: neither copy can drift unnoticed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"


def tagged_sources(notebook: str, tag: str) -> list[str]:
    """The sources of the code cells of ``notebooks/<notebook>.ipynb`` tagged ``tag``, in notebook order."""
    path = NOTEBOOKS_DIR / f"{notebook}.ipynb"
    nb = nbformat.read(path, as_version=4)
    sources = [cell.source for cell in nb.cells if cell.cell_type == "code" and tag in cell.metadata.get("tags", [])]
    if not sources:
        raise LookupError(f"{path.name} has no code cell tagged {tag!r}; tag the cell that teaches it.")
    return sources


def run_tagged(notebook: str, tag: str, namespace: dict[str, Any]) -> dict[str, Any]:
    """Execute the cells tagged ``tag`` in ``namespace`` (changed in place and returned).

    The cells run as plain Python: a tagged cell uses no IPython magics.
    """
    for index, source in enumerate(tagged_sources(notebook, tag)):
        exec(compile(source, f"<{notebook}.ipynb, cell tagged {tag} #{index}>", "exec"), namespace)
    return namespace
