"""The notebooks' index and navigation: in course order, every notebook linked, the committed files current."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest

from hfcourse.tools import course_index
from hfcourse.tools.course_index import NAVIGATION_TAG, NOTEBOOKS, update_index

PROJECT = Path(__file__).resolve().parents[2]
NOTEBOOKS_DIR = PROJECT / "notebooks"
MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_file_names_sort_in_course_order_and_every_notebook_is_in_the_index() -> None:
    on_disk = sorted(path.stem for path in NOTEBOOKS_DIR.glob("*.ipynb"))
    assert [entry.notebook for entry in NOTEBOOKS] == on_disk


def test_the_committed_index_and_navigation_are_current() -> None:
    stale = update_index(PROJECT, check=True)
    assert not stale, f"out of date: {[str(path) for path in stale]}; run `python -m hfcourse index`"


@pytest.mark.parametrize("index_file", ["README.md", "notebooks/README.md"])
def test_each_index_links_every_notebook_and_only_files_that_exist(index_file: str) -> None:
    path = PROJECT / index_file
    found = [link for link in MARKDOWN_LINK.findall(path.read_text(encoding="utf-8")) if link.endswith(".ipynb")]
    links = [link for link in found if not link.startswith("https://")]
    colab = [link for link in found if link.startswith("https://colab.research.google.com/github/")]
    assert sorted(Path(link).stem for link in links) == sorted(entry.notebook for entry in NOTEBOOKS)
    assert sorted(Path(link).stem for link in colab) == sorted(entry.notebook for entry in NOTEBOOKS)
    for link in links:
        assert (path.parent / link).is_file(), link


@pytest.mark.parametrize("entry", NOTEBOOKS, ids=[entry.notebook for entry in NOTEBOOKS])
def test_each_notebook_opens_with_its_goals_and_ends_with_a_summary_and_the_next_one(
    entry: course_index.IndexEntry,
) -> None:
    nb = nbformat.read(NOTEBOOKS_DIR / entry.file_name, as_version=4)
    title, top, last = nb.cells[0], nb.cells[1], nb.cells[-1]
    assert title.source.startswith("# ") and "**You will**" in title.source
    assert NAVIGATION_TAG in top.metadata.get("tags", []) and entry.reference[1] in top.source
    assert NAVIGATION_TAG in last.metadata.get("tags", [])
    position = NOTEBOOKS.index(entry)
    if position + 1 < len(NOTEBOOKS):
        assert f"({NOTEBOOKS[position + 1].file_name})" in last.source
    summaries = [cell for cell in nb.cells if cell.cell_type == "markdown" and cell.source.startswith("## Summary")]
    assert len(summaries) == 1
    for cell in nb.cells:
        for link in MARKDOWN_LINK.findall(cell.source) if cell.cell_type == "markdown" else []:
            if not link.startswith(("http://", "https://", "#")):
                assert (NOTEBOOKS_DIR / link.split("#")[0]).exists(), f"{entry.file_name} links {link}"


def test_index_check_names_the_stale_files_and_writing_fixes_them(tmp_path: Path) -> None:
    shutil.copytree(NOTEBOOKS_DIR, tmp_path / "notebooks")
    shutil.copy(PROJECT / "README.md", tmp_path / "README.md")
    path = tmp_path / "notebooks" / "02_3_models.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells = nb.cells[:-1]  # the "Next" cell deleted by hand
    nbformat.write(nb, path)
    assert update_index(tmp_path, check=True) == [path]
    assert course_index.main(["--check", "--project", str(tmp_path)]) == 1
    assert update_index(tmp_path) == [path]
    assert update_index(tmp_path, check=True) == []
    assert "(02_4_tokenizers.ipynb)" in nbformat.read(path, as_version=4).cells[-1].source


def test_run_times_come_from_the_notebooks_metadata(tmp_path: Path) -> None:
    shutil.copytree(NOTEBOOKS_DIR, tmp_path / "notebooks")
    shutil.copy(PROJECT / "README.md", tmp_path / "README.md")
    path = tmp_path / "notebooks" / "03_3_trainer.ipynb"
    nb = nbformat.read(path, as_version=4)
    course_index.record_run(nb, 186.4, "2 CPU cores, no GPU")
    nbformat.write(nb, path)
    update_index(tmp_path)
    row = next(
        line
        for line in (tmp_path / "notebooks" / "README.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("| [03_3_trainer]")
    )
    assert "| 3.1 min |" in row
    assert "2 CPU cores, no GPU" in (tmp_path / "README.md").read_text(encoding="utf-8")


def test_a_readme_without_the_index_markers_is_an_error_that_says_where(tmp_path: Path) -> None:
    shutil.copytree(NOTEBOOKS_DIR, tmp_path / "notebooks")
    (tmp_path / "README.md").write_text("# my project\n", encoding="utf-8")
    with pytest.raises(ValueError, match="README.md has no index markers"):
        update_index(tmp_path)
