"""Checks of the values that notebook parameters and helper arguments pass in, with errors that name the fix.

Papermill hands notebooks whatever a user typed (``-p epochs three``, ``-r fast False`` gives the *string*
``"False"``, which is true); these checks turn such values into one clear error at the first helper that
takes them, instead of a traceback deep inside a library or a run that silently does something else.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

__all__ = ["check_existing_folder", "check_flag", "check_path", "check_positive_int", "check_writable_folder"]


def check_flag(name: str, value: Any) -> bool:
    """``value`` if it is True or False; otherwise a TypeError (a string such as ``"False"`` is refused)."""
    if not isinstance(value, bool):
        raise TypeError(f"{name}={value!r}: give True or False (with papermill: -p {name} True, not -r).")
    return value


def check_positive_int(name: str, value: Any, *, optional: bool = False, none_means: str = "all") -> int | None:
    """``value`` if it is a whole number of at least 1 (or None when ``optional``); otherwise a ValueError.

    ``none_means`` says what None stands for, in the error message.
    """
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        allowed = "a whole number of at least 1" + (f", or None for {none_means}" if optional else "")
        raise ValueError(f"{name}={value!r}: give {allowed}.")
    return value


def check_path(name: str, value: Any) -> str:
    """``value`` as a string path if it is a non-empty string or path; otherwise an error naming ``name``."""
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name}={value!r}: give a folder path or name as a string (or None for the default).")
    path = os.fspath(value)
    if not isinstance(path, str) or not path.strip():
        raise ValueError(f"{name}={value!r} is empty: give a folder path or name, or None for the default.")
    if "\x00" in path:
        raise ValueError(f"{name}={value!r} contains a NUL character, which no path can hold.")
    if path.startswith("~"):
        try:
            Path(path).expanduser()  # every caller expands it; an unknown "~user" would raise RuntimeError there
        except RuntimeError:
            user = path[1:].split("/")[0].split("\\")[0]
            raise ValueError(
                f"{name}={value!r}: this machine has no user {user!r} whose home folder '~{user}' could stand for; "
                "give the full path."
            ) from None
    return path


def check_existing_folder(option: str, value: Any, holds: str) -> Path:
    """``value`` as an existing folder; otherwise a ValueError naming ``option``, the problem and what the
    folder should hold (``holds``, e.g. "train.tsv and dev.tsv")."""
    folder = Path(check_path(option, value)).expanduser()
    if not folder.exists():
        raise ValueError(f"{option} {value}: no such folder; give the folder that holds {holds}.")
    if not folder.is_dir():
        raise ValueError(f"{option} {value} is a file; give the folder that holds {holds}.")
    return folder


def check_writable_folder(option: str, value: Any) -> Path:
    """``value`` as a folder this process can write into, created if missing (with a test file written and
    removed); otherwise a ValueError naming ``option``, the reason and the fix. Checked before long work, so
    that a run never fails at its end for want of a place to put its results."""
    folder = Path(check_path(option, value)).expanduser()
    existing = next((path for path in (folder, *folder.parents) if path.exists()), None)
    if existing is not None and not existing.is_dir():
        where = "is a file" if existing == folder else f"is below {existing}, which is a file"
        raise ValueError(f"{option} {value} {where}; give a folder you can write to.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".write-test-{os.getpid()}"
        probe.write_text("")
        probe.unlink()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ValueError(f"{option} {value} cannot be written ({reason}); give a folder you can write to.") from None
    return folder
