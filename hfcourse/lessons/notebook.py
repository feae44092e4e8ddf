"""Helpers for notebooks: keep output to what the lesson shows (no progress bars, no library warnings)."""

from __future__ import annotations

import logging
import os
import warnings
from typing import Any

__all__ = ["REPORT_MIMETYPE", "quiet", "report"]


def quiet() -> None:
    """Silence transformers, datasets, accelerate and Python warnings for the rest of the process.

    Notebooks call it once at the top: stderr noise would make nbval's comparisons fail and hides what
    the cell prints. Errors still raise as usual.
    """
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    warnings.filterwarnings("ignore")
    import datasets
    import transformers

    transformers.logging.set_verbosity_error()
    datasets.logging.set_verbosity_error()
    if os.environ.get("HFCOURSE_PROGRESS_BARS") != "1":  # `make lab` sets it: bars show as widgets there
        transformers.logging.disable_progress_bar()
        datasets.disable_progress_bars()
    for name in ("accelerate", "torch.distributed", "huggingface_hub"):
        logging.getLogger(name).setLevel(logging.ERROR)


REPORT_MIMETYPE = "application/vnd.hfcourse.report+json"


def report(checkpoints: Any = None, **metrics: Any) -> None:
    """Record what a notebook ran and measured, for the run report (``make run`` reads these outputs).

    Args:
        checkpoints: a ``Checkpoint`` or a list of them (what really ran).
        **metrics: key figures to show in the report (floats keep 4 significant digits).

    Displays one output of MIME type ``application/vnd.hfcourse.report+json`` whose text form is empty, so a
    learner sees nothing (the notebooks also keep the call in a collapsed cell tagged ``report``); returns
    nothing. Outside IPython it does nothing.
    """
    from ..offline.checkpoints import Checkpoint

    if isinstance(checkpoints, Checkpoint):
        checkpoints = [checkpoints]
    record = {
        "checkpoints": [{"role": c.role, "name": c.name, "kind": c.kind, "real": c.real} for c in checkpoints or []],
        "metrics": {
            key: float(f"{value:.4g}") if isinstance(value, float) else value for key, value in metrics.items()
        },
    }
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return
    if get_ipython() is not None:
        display({REPORT_MIMETYPE: record, "text/plain": ""}, raw=True)
