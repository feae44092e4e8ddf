"""End-of-chapter quizzes: one question per notebook cell (tagged ``quiz``), ``hfcourse.quiz("ch1-3")``.

In JupyterLab (or Colab) a question is a small form: choose, press *Check*, read whether it was right and
why, for each answer chosen. Headless (papermill, ``make run``), and wherever widgets cannot be shown, the
cell prints the question and its answers instead and passes. The questions are the course's end-of-chapter
ones in our words, plus what changed in transformers 5 (``quiz_questions``).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Answer", "Question", "feedback", "quiz", "quiz_text"]


@dataclass(frozen=True)
class Answer:
    """One answer to choose: its text, whether it is right, and why (shown once it is chosen)."""

    text: str
    right: bool
    why: str


@dataclass(frozen=True)
class Question:
    """A question with its answers; ``several`` when more than one answer is right (check boxes)."""

    question_id: str
    text: str
    answers: tuple[Answer, ...]

    @property
    def several(self) -> bool:
        return sum(answer.right for answer in self.answers) > 1


def _question(question_id: str) -> Question:
    from .quiz_questions import QUESTIONS

    if question_id not in QUESTIONS:
        raise KeyError(f"No quiz question {question_id!r}; the questions are: {', '.join(QUESTIONS)}.")
    return QUESTIONS[question_id]


def quiz_text(question_id: str) -> str:
    """The question and its lettered answers as plain text (what a headless run prints)."""
    question = _question(question_id)
    kind = "choose all that apply" if question.several else "choose one"
    lines = [f"Question {question.question_id} ({kind}): {question.text}"]
    lines += [f"  {chr(ord('a') + index)}. {answer.text}" for index, answer in enumerate(question.answers)]
    lines.append("  (Run this cell in JupyterLab to answer it and see why.)")
    return "\n".join(lines)


def feedback(question_id: str, chosen: Sequence[int]) -> str:
    """What a learner who chose the answers ``chosen`` (indices) reads: right or not, and why for each."""
    question = _question(question_id)
    if not chosen:
        return "Choose an answer first."
    right = {index for index, answer in enumerate(question.answers) if answer.right}
    verdict = "✅ Right." if set(chosen) == right else "❌ Not quite: try again."
    reasons = [f"{question.answers[index].text} → {question.answers[index].why}" for index in sorted(chosen)]
    if set(chosen) < right:
        reasons.append("Another answer is right too.")
    return "\n".join([verdict, *reasons])


def quiz(question_id: str) -> None:
    """Show one question: a form in a notebook front end that shows widgets, the text otherwise."""
    question = _question(question_id)
    text = quiz_text(question_id)
    try:
        import ipywidgets as widgets
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        print(text)
        return
    if get_ipython() is None:
        print(text)
        return
    labels = [answer.text for answer in question.answers]
    if question.several:
        boxes = [widgets.Checkbox(description=label, indent=False) for label in labels]
        choices = widgets.VBox(boxes)

        def chosen() -> list[int]:
            return [index for index, box in enumerate(boxes) if box.value]
    else:
        choices = widgets.RadioButtons(options=labels, value=None, layout=widgets.Layout(width="max-content"))

        def chosen() -> list[int]:
            return [] if choices.index is None else [choices.index]

    button = widgets.Button(description="Check", button_style="primary")
    result = widgets.HTML()

    def on_check(_: object) -> None:
        result.value = "<br>".join(html.escape(line) for line in feedback(question_id, chosen()).splitlines())

    button.on_click(on_check)
    title = widgets.HTML(f"<b>Question {question.question_id}.</b> {html.escape(question.text)}")
    form = widgets.VBox([title, choices, button, result])
    bundle = form._repr_mimebundle_()
    bundle = bundle[0] if isinstance(bundle, tuple) else bundle
    bundle["text/plain"] = text  # what a notebook shows where widgets are not rendered
    display(bundle, raw=True)
