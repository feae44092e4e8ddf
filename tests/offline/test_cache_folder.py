"""The cache folder (HFCOURSE_CACHE) when things go wrong: an unusable folder is an error that names
HFCOURSE_CACHE (and a problem in ``hfcourse doctor``, not a crash); a killed build's temporary folder is removed
by the next build; a cached model whose files were deleted is built again; a build started by an older
hfcourse (an empty ``.complete``) is kept when its model files are there."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from hfcourse.offline import checkpoints
from hfcourse.offline.checkpoints import CacheFolderError, build_once


@pytest.fixture
def cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("HFCOURSE_CACHE", str(folder))
    return folder


def _model(folder: Path) -> None:
    (folder / "config.json").write_text("{}")
    (folder / "model.safetensors").write_text("weights")


def test_a_cache_below_a_file_names_hfcourse_cache(monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("HFCOURSE_CACHE", str(blocker / "cache"))
    with pytest.raises(CacheFolderError, match="HFCOURSE_CACHE") as raised:
        checkpoints.cache_dir()
    assert "Set HFCOURSE_CACHE to a folder you can write to" in str(raised.value)


def test_the_doctor_reports_an_unusable_cache_as_a_problem(monkeypatch, tmp_path):
    from hfcourse.tools.doctor import run_doctor

    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("HFCOURSE_CACHE", str(blocker / "cache"))
    report = run_doctor()
    assert not report.ok
    assert any("HFCOURSE_CACHE" in problem.what and "HFCOURSE_CACHE" in problem.fix for problem in report.problems)
    assert "UNUSABLE" in report.render()


def test_a_full_disk_during_a_build_names_hfcourse_cache(cache):
    def build(folder: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(folder / "model.safetensors"))

    with pytest.raises(CacheFolderError, match="No space left on device.*HFCOURSE_CACHE"):
        build_once("full-v1", build)


def test_an_error_of_the_build_itself_is_not_blamed_on_the_cache(cache, tmp_path):
    def build(folder: Path) -> None:
        raise FileNotFoundError(errno.ENOENT, "No such file or directory", str(tmp_path / "source.gguf"))

    with pytest.raises(FileNotFoundError) as raised:
        build_once("source-v1", build)
    assert not isinstance(raised.value, CacheFolderError)


def test_a_killed_builds_leftovers_are_removed_by_the_next_build(cache):
    cache.mkdir()
    leftover = cache / ".thing-v1.k1ll3d"
    leftover.mkdir()
    (leftover / "model.safetensors").write_bytes(b"\0" * 1000)
    other = cache / ".other-v1.k1ll3d"  # another build's: not this one's to remove
    other.mkdir()
    build_once("thing-v1", _model)
    assert not leftover.exists() and other.exists()


def test_a_cached_model_whose_weights_were_deleted_is_built_again(cache):
    builds = []

    def build(folder: Path) -> None:
        builds.append(folder)
        _model(folder)

    folder = build_once("thing-v1", build)
    (folder / "model.safetensors").unlink()
    assert build_once("thing-v1", build) == folder
    assert len(builds) == 2 and (folder / "model.safetensors").read_text() == "weights"
    (folder / "model.safetensors").write_text("truncated")  # a different size: damaged
    build_once("thing-v1", build)
    assert len(builds) == 3


def test_an_older_complete_build_with_its_files_is_kept(cache):
    folder = cache / "old-v1"
    folder.mkdir(parents=True)
    _model(folder)
    (folder / ".complete").write_text("")  # what hfcourse wrote before the file list
    assert build_once("old-v1", pytest.fail) == folder
    (folder / "model.safetensors").unlink()
    assert build_once("old-v1", _model) == folder and (folder / "model.safetensors").is_file()


def test_offline_detection_is_bounded_when_name_lookup_hangs(monkeypatch):
    """A resolver that hangs (captive Wi-Fi) for 12 s: offline is decided within HUB_PROBE_SECONDS."""
    import socket
    import time

    def hanging_lookup(*args, **kwargs):
        time.sleep(12)
        raise socket.gaierror("timed out")

    monkeypatch.delenv("HFCOURSE_OFFLINE", raising=False)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "https://hub.invalid")
    monkeypatch.setattr(socket, "getaddrinfo", hanging_lookup)
    checkpoints.is_offline.cache_clear()
    try:
        started = time.monotonic()
        assert checkpoints.is_offline() is True
        seconds = time.monotonic() - started
    finally:
        checkpoints.is_offline.cache_clear()
    assert seconds < checkpoints.HUB_PROBE_SECONDS + 0.5, seconds
    print(f"offline decided in {seconds:.2f} s with a 12 s resolver")
