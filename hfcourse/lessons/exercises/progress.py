"""Which exercises a learner has solved: a small JSON file in the user's data folder, never in the repository.

The folder is ``HFCOURSE_DATA`` when set, else the platform's data folder for applications
(``platformdirs.user_data_dir("hfcourse")``: ``~/.local/share/hfcourse`` on Linux, ``~/Library/Application
Support/hfcourse`` on macOS, ``%LOCALAPPDATA%\\hfcourse`` on Windows). ``python -m hfcourse progress`` prints it.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["progress_file", "read_solved", "record_solved", "solved_count"]

PROGRESS_FILE_NAME = "progress.json"


def progress_file() -> Path:
    """Where the progress is kept (the file may not exist yet)."""
    folder = os.environ.get("HFCOURSE_DATA")
    if folder:
        return Path(folder).expanduser() / PROGRESS_FILE_NAME
    from platformdirs import user_data_dir

    return Path(user_data_dir("hfcourse", appauthor=False)) / PROGRESS_FILE_NAME


def read_solved() -> dict[str, str]:
    """Exercise id -> when it was first solved (ISO time). A missing or unreadable file is no progress yet."""
    try:
        solved = json.loads(progress_file().read_text(encoding="utf-8")).get("solved", {})
    except (OSError, ValueError, AttributeError):
        return {}
    return {str(key): str(value) for key, value in solved.items()} if isinstance(solved, dict) else {}


def record_solved(exercise_id: str) -> None:
    """Add ``exercise_id`` to the solved exercises. A folder that cannot be written loses only the record:
    the learner is told, and the check's verdict stands."""
    solved = read_solved()
    if exercise_id in solved:
        return
    solved[exercise_id] = datetime.now(UTC).isoformat(timespec="seconds")
    path = progress_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"solved": solved}, indent=1, sort_keys=True), encoding="utf-8")
        temporary.replace(path)  # atomic: a crash never leaves half a file
    except OSError as error:
        print(f"(progress not saved: {path} cannot be written: {error}; set HFCOURSE_DATA to a writable folder)")


def solved_count(notebook: str) -> tuple[int, int]:
    """``(solved, total)`` exercises of ``notebook``."""
    from . import exercises_of

    ids = [exercise.exercise_id for exercise in exercises_of(notebook)]
    solved = read_solved()
    return sum(exercise_id in solved for exercise_id in ids), len(ids)
