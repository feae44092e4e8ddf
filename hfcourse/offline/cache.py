"""hfcourse's cache folder (``HFCOURSE_CACHE``) and the builds kept in it: built once, atomically, under a lock.

A build writes into a temporary folder beside its destination and is renamed into place when complete, with a
``.complete`` file that lists its files; a killed build's temporary folder is removed by the next build of the
same name, and a cached build whose files were deleted since is built again. An unusable cache folder is a
``CacheFolderError`` that names ``HFCOURSE_CACHE`` and the fix.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

__all__ = [
    "CacheFolderError",
    "NotBuiltError",
    "build_once",
    "builds_refused",
    "cache_dir",
    "running_in_ipython",
]


class NotBuiltError(RuntimeError):
    """A cached build that is missing while builds are refused (``builds_refused``)."""


class CacheFolderError(OSError):
    """The cache folder (``HFCOURSE_CACHE``) cannot be created or written: the message names it and the fix."""


def _cache_folder_error(root: Path, error: OSError) -> CacheFolderError:
    reason = error.strerror or type(error).__name__
    source = "HFCOURSE_CACHE" if os.environ.get("HFCOURSE_CACHE") else "the default cache folder (HFCOURSE_CACHE unset)"
    return CacheFolderError(
        f"The cache folder {root} ({source}) cannot be used: {reason}. Set HFCOURSE_CACHE to a folder you can "
        "write to, with a few GB free (e.g. export HFCOURSE_CACHE=~/hfcourse-cache)."
    )


def cache_dir() -> Path:
    """The folder for everything hfcourse converts or builds (``HFCOURSE_CACHE``, else the user's cache)."""
    configured = os.environ.get("HFCOURSE_CACHE")
    if configured:
        root = Path(configured).expanduser()
    else:
        root = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "hfcourse"
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _cache_folder_error(root, error) from None
    if not os.access(root, os.W_OK):
        raise _cache_folder_error(root, PermissionError(13, "Permission denied"))
    return root


_COMPLETE = ".complete"
_builds_allowed: contextvars.ContextVar[bool] = contextvars.ContextVar("hfcourse_builds_allowed", default=True)


@contextlib.contextmanager
def builds_refused() -> Iterator[None]:
    """Inside this block ``build_once`` returns finished builds only and raises NotBuiltError otherwise.

    For reports (``hfcourse doctor``) that must say what would run without starting a slow build.
    """
    token = _builds_allowed.set(False)
    try:
        yield
    finally:
        _builds_allowed.reset(token)


@contextlib.contextmanager
def _building(destination: Path) -> Iterator[Path]:
    """Yield a temporary folder beside ``destination`` and move it into place only if the body succeeds.

    The finished folder's ``.complete`` file lists every file with its size, so that a cached build whose
    files were deleted later is noticed (``_is_complete``) and built again.
    """
    destination.parent.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix=f".{destination.name}.", dir=destination.parent))
    try:
        yield workdir
        manifest = {
            str(path.relative_to(workdir)): path.stat().st_size for path in sorted(workdir.rglob("*")) if path.is_file()
        }
        (workdir / _COMPLETE).write_text(json.dumps({"files": manifest}, indent=1))
        try:
            os.replace(workdir, destination)
        except OSError:
            # Another process finished the same build first (its folder is complete): keep that one.
            if not _is_complete(destination):
                raise
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _is_complete(destination: Path) -> bool:
    """Whether ``destination`` is a finished build with every file it was finished with (same sizes).

    A build finished by an older hfcourse has an empty ``.complete``: it counts when its model files are
    there (``config.json`` and safetensors or GGUF weights), so that an existing cache is not rebuilt.
    """
    marker = destination / _COMPLETE
    try:
        text = marker.read_text()
    except OSError:
        return False
    if not text.strip():
        return (destination / "config.json").is_file() and any(
            path.suffix in (".safetensors", ".gguf") for path in destination.iterdir()
        )
    try:
        manifest = json.loads(text)["files"]
        return bool(manifest) and all((destination / name).stat().st_size == size for name, size in manifest.items())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False  # a damaged marker: build it again


def _remove_leftovers(destination: Path) -> None:
    """Delete the temporary folders that killed builds of ``destination`` left beside it (the lock is held)."""
    for leftover in destination.parent.glob(f".{destination.name}.*"):
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)


def running_in_ipython() -> bool:
    """Whether this process is an IPython shell or a Jupyter kernel (without importing IPython: a running
    shell has always imported it)."""
    shell = sys.modules.get("IPython")
    return shell is not None and shell.get_ipython() is not None


def _progress_stream() -> TextIO:
    """Where a build's progress line goes: the cell's output in a notebook (stderr would show as an error
    there); stderr elsewhere, so that a command's own output (``hfcourse train``'s JSON) stays clean."""
    return sys.stdout if running_in_ipython() else sys.stderr


def build_once(name: str, build: Callable[[Path], None], what: str | None = None) -> Path:
    """Return ``cache_dir()/name``, calling ``build(folder)`` first if it was never completed.

    A build prints one line, ``what`` it does and, when done, how long it took: it happens once per cache,
    and a learner waiting a minute should know why.

    The build writes into a temporary folder that is renamed into place when it returns, so an
    interrupted build never leaves a folder that later loads half a model. A lock file makes concurrent
    processes (notebooks run side by side) wait for one build instead of each doing it. Change ``name``
    (it carries a version suffix) whenever the build's output changes.
    """
    from filelock import FileLock, Timeout

    destination = cache_dir() / name
    if _is_complete(destination):
        return destination
    if not _builds_allowed.get():
        raise NotBuiltError(f"{name} is not built yet in {destination.parent}.")
    progress = _progress_stream()
    lock = FileLock(destination.parent / f".{name}.lock")
    try:
        try:
            lock.acquire(timeout=0)
        except Timeout:
            print(
                f"Waiting for another process that is building {name} (lock {lock.lock_file}) ...",
                file=progress,
                flush=True,
            )
            lock.acquire()
        if _is_complete(destination):  # another process built it while we waited
            return destination
        _remove_leftovers(destination)
        if destination.exists():  # incomplete, or files deleted since: never trust it
            shutil.rmtree(destination)
        print(
            f"{what or 'Building ' + name}, once (then it loads from the cache) ...",
            end=" ",
            file=progress,
            flush=True,
        )
        started = time.monotonic()
        with _building(destination) as workdir:
            build(workdir)
        print(f"done in {time.monotonic() - started:.0f} s.", file=progress, flush=True)
    except OSError as error:
        if isinstance(error, CacheFolderError) or not _under(error, destination.parent):
            raise
        raise _cache_folder_error(destination.parent, error) from error
    finally:  # the system releases it too if this process dies
        if lock.is_locked:
            lock.release()
    return destination


def _under(error: OSError, folder: Path) -> bool:
    """Whether ``error`` is about a path inside ``folder`` (the cache), not some other file."""
    return any(
        name is not None and str(name).startswith(str(folder)) for name in (error.filename, error.filename2)
    ) or error.errno in (28, 30)  # ENOSPC (disk full), EROFS (read-only file system)
