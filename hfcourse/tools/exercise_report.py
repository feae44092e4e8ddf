"""``hfcourse solutions`` (every reference solution through its own check) and ``hfcourse progress`` (what a
learner has solved), for ``python -m hfcourse`` and ``make solutions`` / ``make progress``."""

from __future__ import annotations

import time

from ..lessons.exercises import evaluate, exercises_of
from ..lessons.exercises.progress import progress_file, read_solved
from ..lessons.notebook import quiet

__all__ = ["run_solutions", "show_progress"]


def run_solutions() -> int:
    """Check every exercise's reference solution; print one line each; 1 when one is not accepted."""
    quiet()
    failures = []
    start = time.perf_counter()
    exercises = exercises_of()
    for exercise in exercises:
        if exercise.solution is None:
            verdict_text, solved = "no reference solution", False
        else:
            verdict = evaluate(exercise.exercise_id, exercise.solution())
            verdict_text, solved = str(verdict), verdict.solved
        print(f"{exercise.exercise_id:24} {exercise.notebook:30} {verdict_text}")
        if not solved:
            failures.append(exercise.exercise_id)
    seconds = time.perf_counter() - start
    if failures:
        print(f"\n{len(failures)} of {len(exercises)} reference solutions not accepted: {', '.join(failures)}")
        return 1
    print(f"\nAll {len(exercises)} reference solutions accepted by their checks ({seconds:.1f} s).")
    return 0


def show_progress() -> int:
    """Print the exercises solved, notebook by notebook, and where the record is kept."""
    solved = read_solved()
    notebooks: dict[str, list[str]] = {}
    for exercise in exercises_of():
        notebooks.setdefault(exercise.notebook, []).append(exercise.exercise_id)
    for notebook, ids in notebooks.items():
        done = [exercise_id for exercise_id in ids if exercise_id in solved]
        marks = " ".join(("✅ " if exercise_id in solved else "·  ") + exercise_id for exercise_id in ids)
        print(f"{notebook:32} {len(done)}/{len(ids)}  {marks}")
    total = sum(len(ids) for ids in notebooks.values())
    print(f"\n{sum(exercise_id in solved for ids in notebooks.values() for exercise_id in ids)} of {total} solved")
    print(f"(kept in {progress_file()}; set HFCOURSE_DATA to keep it elsewhere)")
    return 0
