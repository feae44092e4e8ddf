"""Helpers for notebooks: keep output to what the lesson shows (no progress bars, no library warnings)."""

from __future__ import annotations

import logging
import os
import warnings

__all__ = ["quiet"]


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
    transformers.logging.disable_progress_bar()
    datasets.logging.set_verbosity_error()
    datasets.disable_progress_bars()
    for name in ("accelerate", "torch.distributed", "huggingface_hub"):
        logging.getLogger(name).setLevel(logging.ERROR)
