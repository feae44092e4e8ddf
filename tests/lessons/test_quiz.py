"""The quizzes: enough questions per chapter, each with a right answer and a reason for every answer; the text a
headless run prints; the feedback a choice gets; every question asked in the notebook that ends its chapter.
(tests/test_browser.py answers one by clicking in JupyterLab.)"""

from __future__ import annotations

import nbformat
import pytest

from hfcourse.lessons.quiz import feedback, quiz, quiz_text
from hfcourse.lessons.quiz_questions import QUESTIONS, chapter_questions
from tests.conftest import REPO_ROOT

CHAPTER_END = {1: "01_4_transformer_architecture", 2: "02_8_optimized_inference", 3: "03_5_learning_curves"}


@pytest.mark.parametrize("chapter", [1, 2, 3])
def test_each_chapter_has_at_least_five_questions(chapter: int) -> None:
    assert len(chapter_questions(chapter)) >= 5


@pytest.mark.parametrize("question_id", list(QUESTIONS))
def test_a_question_has_a_right_answer_and_a_reason_for_each(question_id: str) -> None:
    question = QUESTIONS[question_id]
    assert any(answer.right for answer in question.answers)
    assert len(question.answers) >= 3 and all(answer.why for answer in question.answers)
    assert len({answer.text for answer in question.answers}) == len(question.answers)


def test_the_headless_text_shows_the_question_and_lettered_answers(capsys: pytest.CaptureFixture[str]) -> None:
    text = quiz_text("ch1-2")
    assert text.startswith("Question ch1-2 (choose one):") and "  a. This man works as a [MASK]." in text
    assert "choose all that apply" in quiz_text("ch1-7")
    quiz("ch1-2")  # outside IPython: printed
    assert capsys.readouterr().out.strip() == text


def test_feedback_says_right_or_not_and_why() -> None:
    right = [index for index, answer in enumerate(QUESTIONS["ch2-3"].answers) if answer.right]
    assert feedback("ch2-3", right).startswith("✅ Right.")
    partial = feedback("ch2-3", right[:1])
    assert partial.startswith("❌ Not quite") and "Another answer is right too." in partial
    wrong = feedback("ch1-2", [1])
    assert wrong.startswith("❌ Not quite") and "RoBERTa" in wrong
    assert feedback("ch1-2", []) == "Choose an answer first."


def test_an_unknown_question_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="ch1-1"):
        quiz_text("ch9-9")


@pytest.mark.parametrize(("chapter", "notebook"), CHAPTER_END.items())
def test_the_notebook_that_ends_a_chapter_asks_its_questions(chapter: int, notebook: str) -> None:
    nb = nbformat.read(REPO_ROOT / "notebooks" / f"{notebook}.ipynb", as_version=4)
    asked = [cell.source for cell in nb.cells if "quiz" in cell.metadata.get("tags", [])]
    assert asked == [f'hfcourse.quiz("{question.question_id}")' for question in chapter_questions(chapter)]
