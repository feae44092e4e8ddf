"""scripts/install.py, the installer that `make install` runs and Windows and conda users run by hand: the torch
build per platform, a failed step that stops it, and the lock it keeps."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def install():
    spec = importlib.util.spec_from_file_location("install", ROOT / "scripts" / "install.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _wanted(commands):
    """The torch requirement and the index (None: the configured one) of each pip command."""
    return [(command[-1], command[command.index("--index-url") + 1] if "--index-url" in command else None)
            for command in commands]  # fmt: skip


@pytest.mark.parametrize(
    ("platform", "build", "expected"),
    [
        ("linux", "cpu", [("torch==2.13.0+cpu", None), ("torch==2.13.0+cpu", "https://download.pytorch.org/whl/cpu")]),
        ("linux", "cuda", [("torch==2.13.0", None)]),  # PyPI's Linux wheel bundles CUDA
        ("darwin", "default", [("torch==2.13.0", None)]),  # CPU and MPS
        ("win32", "cpu", [("torch==2.13.0", None), ("torch==2.13.0", "https://download.pytorch.org/whl/cpu")]),
        ("win32", "cuda", [("torch==2.13.0", "https://example.org/cu")]),
    ],
)
def test_each_platform_gets_its_torch_build(install, platform, build, expected):
    commands = install.torch_commands(Path("python"), "torch==2.13.0+cpu", build, "https://example.org/cu", platform)
    assert _wanted(commands) == expected


def test_the_build_follows_the_gpu_unless_asked(install, monkeypatch):
    monkeypatch.setattr(install, "has_nvidia_gpu", lambda: True)
    assert install.torch_build("auto", "linux") == "cuda"
    assert install.torch_build("cpu", "linux") == "cpu"
    monkeypatch.setattr(install, "has_nvidia_gpu", lambda: False)
    assert install.torch_build("auto", "win32") == "cpu"
    assert install.torch_build("auto", "darwin") == "default"
    with pytest.raises(install.InstallError, match="no CUDA build for macOS"):
        install.torch_build("cuda", "darwin")


def test_a_failed_step_stops_the_install_with_a_non_zero_status(install, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(install, "create_venv", lambda venv: Path(sys.executable))
    monkeypatch.setattr(install, "torch_build", lambda choice: "cpu")
    monkeypatch.setattr(install, "torch_commands", lambda *arguments: [[sys.executable, "-c", "raise SystemExit(3)"]])
    assert install.main(["--venv", str(tmp_path / "venv")]) == 1
    assert "torch (cpu build) could not be installed" in capsys.readouterr().err
    assert not (tmp_path / "venv" / install.STAMP_NAME).exists()


def test_the_makefile_installs_through_the_script_without_pipes():
    makefile = (ROOT / "Makefile").read_text()
    assert "scripts/install.py --venv $(VENV)" in makefile
    recipe_lines = [line for line in makefile.splitlines() if line.startswith("\t") and "pip install" in line]
    assert recipe_lines == [], "pip behind a pipe loses its exit status on make 3.81 (macOS), which ignores .SHELLFLAGS"
