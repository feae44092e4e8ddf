"""Exercises that check themselves: the notebooks' cells tagged ``exercise`` call ``hfcourse.check``.

Each exercise has an id (``"2.2.softmax"``: the course section, then a name), the notebook it belongs to, a
check (``chapter0`` ... ``chapter3``) and a reference solution (``solutions``, which no exercise cell prints).
A check takes the learner's answer (a value, or a function it calls on inputs of its own) and answers with a
``Verdict``: *correct*, a hint that names what is wrong, or *not attempted* while the cell still holds its
``...`` placeholder. It never raises: an exception from the learner's code becomes a hint that names it.

``check`` (for notebooks) prints the verdict in one line and records a solved exercise in the progress file
(``progress``); ``evaluate`` (for tests and ``hfcourse solutions``) only returns it.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "EXERCISES",
    "Exercise",
    "Verdict",
    "check",
    "correct",
    "evaluate",
    "exercises_of",
    "hint",
    "is_placeholder",
    "reference_solution",
    "register",
    "returned_nothing",
]

CORRECT, HINT, NOT_ATTEMPTED = "correct", "hint", "not attempted"
_CHAPTER_MODULES = ("chapter1", "chapter2", "chapter3")  # chapter1 holds chapter 0 too


@dataclass(frozen=True)
class Verdict:
    """What a check found: ``status`` is ``correct``, ``hint`` or ``not attempted``; ``message`` says why."""

    status: str
    message: str

    @property
    def solved(self) -> bool:
        return self.status == CORRECT

    def __str__(self) -> str:
        marks = {CORRECT: "✅ correct", HINT: "❌ not yet", NOT_ATTEMPTED: "⏳ not attempted"}
        return f"{marks[self.status]}: {self.message}"


def correct(message: str = "well done.") -> Verdict:
    return Verdict(CORRECT, message)


def hint(message: str) -> Verdict:
    return Verdict(HINT, message)


def returned_nothing(result: Any) -> Verdict | None:
    """The hint for a learner's function that returned None (a forgotten ``return``), else None."""
    return hint("your function returned None: did you forget `return`?") if result is None else None


@dataclass(frozen=True)
class Exercise:
    """One exercise: where it is taught, what it asks, how it is checked and its reference solution."""

    exercise_id: str
    notebook: str
    title: str
    check: Callable[[Any], Verdict]
    solution: Callable[[], Any] | None = None


EXERCISES: dict[str, Exercise] = {}


def register(exercise_id: str, notebook: str, title: str) -> Callable[[Callable[[Any], Verdict]], Callable]:
    """Decorator for a check function: ``@register("2.2.softmax", "02_2_behind_the_pipeline", "...")``."""

    def decorate(check_function: Callable[[Any], Verdict]) -> Callable[[Any], Verdict]:
        if exercise_id in EXERCISES:
            raise ValueError(f"Exercise {exercise_id!r} is registered twice.")
        EXERCISES[exercise_id] = Exercise(exercise_id, notebook, title, check_function)
        return check_function

    return decorate


def reference_solution(exercise_id: str) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    """Decorator that attaches a reference solution (a function returning a correct answer) to an exercise."""

    def decorate(solution_function: Callable[[], Any]) -> Callable[[], Any]:
        if exercise_id not in EXERCISES:
            raise KeyError(f"reference_solution: no exercise {exercise_id!r} is registered.")
        EXERCISES[exercise_id] = dataclasses.replace(EXERCISES[exercise_id], solution=solution_function)
        return solution_function

    return decorate


def _load_all() -> dict[str, Exercise]:
    """Every exercise with its reference solution attached (the modules register on import)."""
    for name in (*_CHAPTER_MODULES, "solutions"):
        importlib.import_module(f"{__name__}.{name}")
    return EXERCISES


def exercises_of(notebook: str | None = None) -> list[Exercise]:
    """The exercises of ``notebook`` (a file stem such as ``02_2_behind_the_pipeline``), or all of them."""
    return [exercise for exercise in _load_all().values() if notebook in (None, exercise.notebook)]


def _placeholder(*arguments: Any, **keywords: Any) -> Any: ...


def is_placeholder(answer: Any) -> bool:
    """True for ``...`` itself, a dict whose values are all still ``...``, and a function whose body is
    still only ``...`` (or ``pass``)."""
    if answer is Ellipsis:
        return True
    if isinstance(answer, dict) and answer and all(value is Ellipsis for value in answer.values()):
        return True
    code = getattr(answer, "__code__", None)
    return code is not None and code.co_code == _placeholder.__code__.co_code


def _lookup(exercise_id: str) -> Exercise:
    exercises = _load_all()
    if exercise_id not in exercises:
        known = ", ".join(sorted(exercises))
        raise KeyError(f"No exercise {exercise_id!r}; the exercises are: {known}.")
    return exercises[exercise_id]


def evaluate(exercise_id: str, answer: Any) -> Verdict:
    """Check ``answer`` for exercise ``exercise_id`` and return the verdict (nothing printed or recorded)."""
    exercise = _lookup(exercise_id)
    if is_placeholder(answer):
        return Verdict(NOT_ATTEMPTED, "replace the `...` in the cell with your code, then run the cell again.")
    try:
        return exercise.check(answer)
    except Exception as error:  # the learner's code failed inside the check: name it, no traceback
        return hint(f"running your answer raised {type(error).__name__}: {error}")


def check(exercise_id: str, answer: Any) -> None:
    """Check ``answer``, print the verdict in one line and, when it is correct, record it as solved."""
    from .progress import record_solved, solved_count

    verdict = evaluate(exercise_id, answer)
    exercise = _lookup(exercise_id)
    line = f"{exercise_id} {verdict}"
    if verdict.solved:
        record_solved(exercise_id)
        solved, total = solved_count(exercise.notebook)
        line += f" ({solved} of {total} exercises of this notebook solved; `python -m hfcourse progress`)"
    print(line)
