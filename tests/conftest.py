"""Settings and fixtures shared by every test.

The whole session runs offline on the embedded defaults: ``HFCOURSE_OFFLINE=1`` is set here and the Hub's own
switches with it (``configure_offline``, what a notebook's first resolve does), before any test module imports
a Hub client; kernels and processes started by the tests inherit them. Exercise progress goes to a temporary
``HFCOURSE_DATA``, never to the user's own progress file.
The real GLUE files are optional: tests that need them take the ``real_glue_dir`` fixture and are skipped
where the files are absent.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from hfcourse.offline.checkpoints import configure_offline

os.environ["HFCOURSE_OFFLINE"] = "1"
configure_offline()
os.environ["HFCOURSE_DATA"] = tempfile.mkdtemp(prefix="hfcourse-test-data-")

REPO_ROOT = Path(__file__).resolve().parents[1]
# The original GLUE TSV files (mrpc/, sst2/) next to the checkout, or where HFCOURSE_TEST_GLUE_DIR points.
REAL_GLUE_DIR = Path(os.environ.get("HFCOURSE_TEST_GLUE_DIR", REPO_ROOT.parent / "shared" / "data" / "glue"))


@pytest.fixture(scope="session")
def real_glue_dir() -> Path:
    """The folder of the real GLUE files (``mrpc/``, ``sst2/``, each with train.tsv and dev.tsv).

    Skips the test when this machine does not have them (set ``HFCOURSE_TEST_GLUE_DIR`` to point at them).
    """
    if not (REAL_GLUE_DIR / "mrpc" / "train.tsv").is_file():
        pytest.skip(f"real GLUE files not found in {REAL_GLUE_DIR} (set HFCOURSE_TEST_GLUE_DIR)")
    return REAL_GLUE_DIR


@pytest.fixture(scope="session")
def fixture_notebooks_dir() -> Path:
    """The runner's fixture notebooks: ``passing.ipynb`` (with a plot and a report) and ``failing.ipynb``."""
    return REPO_ROOT / "tests" / "fixtures"


@pytest.fixture(scope="session")
def checkpoint():
    """The catalog's encoder (offline: the embedded MiniLM)."""
    from hfcourse import resolve_checkpoint

    return resolve_checkpoint("encoder")


@pytest.fixture(scope="session")
def tokenizer(checkpoint):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(checkpoint.name_or_path)


@pytest.fixture(scope="session")
def tiny_mrpc(tokenizer):
    """16 training and 16 validation pairs of the embedded MRPC set, tokenized, with idx kept."""
    from hfcourse import load_glue
    from hfcourse.lessons.tokenization import tokenize_dataset
    from hfcourse.lessons.training import limit_samples

    return tokenize_dataset(limit_samples(load_glue("mrpc"), 16, 16), tokenizer, keep_columns=("idx",))
