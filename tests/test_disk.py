"""Disk: `make clean` removes build outputs but never fine-tuned models; model files stay out of
the repository (caches live under the cache folder, runs write to build/ or outputs/)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

MODEL_SUFFIXES = {".safetensors", ".bin", ".gguf", ".pt", ".pth", ".onnx"}
# Folders where model files may legitimately be: the environments, build outputs and the user's outputs.
ALLOWED_TOP_LEVEL = {".venv", ".venv-latest", ".venv-lock", "build", "outputs", ".git"}


def make_project(tmp_path: Path) -> Path:
    """A copy of the Makefile in a tree that has every kind of file `make clean` has to tell apart."""
    shutil.copy(REPO_ROOT / "Makefile", tmp_path / "Makefile")
    files = [
        "build/report.md",
        "build/mrpc_full/trainer/checkpoints/checkpoint-3/model.safetensors",
        ".pytest_cache/v/cache/lastfailed",
        "hfcourse/__pycache__/data.cpython-311.pyc",
        "outputs/train/model/model.safetensors",
        "outputs/train/result.json",
        "notebooks/03_3_trainer.ipynb",
        ".venv/lib/python3.11/site-packages/torch/__pycache__/x.pyc",
    ]
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    return tmp_path


def make(project: Path, target: str) -> None:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    completed = subprocess.run(["make", "-s", target], cwd=project, capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr


def test_make_clean_keeps_fine_tuned_models(tmp_path):
    project = make_project(tmp_path)
    make(project, "clean")
    assert not (project / "build").exists() and not (project / ".pytest_cache").exists()
    assert not (project / "hfcourse" / "__pycache__").exists()
    assert (project / "outputs/train/model/model.safetensors").is_file()
    assert (project / "outputs/train/result.json").is_file()
    assert (project / "notebooks/03_3_trainer.ipynb").is_file()
    assert (project / ".venv/lib/python3.11/site-packages/torch/__pycache__/x.pyc").is_file()


def test_fine_tuned_models_go_only_when_asked_for(tmp_path):
    project = make_project(tmp_path)
    make(project, "clean-outputs")
    assert not (project / "outputs").exists()
    assert (project / "build/report.md").is_file()  # clean-outputs is about outputs/ only


def test_no_model_files_in_the_repository_tree():
    """Nothing this suite, `make run` or a notebook ran wrote model weights outside build/ and outputs/."""
    stray = [
        path.relative_to(REPO_ROOT)
        for top in REPO_ROOT.iterdir()
        if top.name not in ALLOWED_TOP_LEVEL
        for path in ([top] if top.is_file() else top.rglob("*"))
        if path.suffix in MODEL_SUFFIXES
    ]
    assert not stray, (
        f"model files inside the repository (they belong in the cache folder, build/ or outputs/): {stray}"
    )


def test_train_script_writes_under_outputs_by_default():
    from hfcourse.tools.train import TrainConfig

    assert Path(TrainConfig().output_dir).parts[0] == "outputs"


@pytest.mark.parametrize("outputs", [False, True])
def test_hfcourse_clean_does_what_make_clean_does_without_make(tmp_path, outputs):
    import sys

    project = make_project(tmp_path)
    (project / "pyproject.toml").write_text("")
    command = [sys.executable, "-m", "hfcourse", "clean"] + (["--outputs"] if outputs else [])
    completed = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert not (project / "build").exists() and not (project / "hfcourse" / "__pycache__").exists()
    assert (project / "outputs").exists() is not outputs
    assert (project / "notebooks/03_3_trainer.ipynb").is_file()
    assert (project / ".venv/lib/python3.11/site-packages/torch/__pycache__/x.pyc").is_file()
