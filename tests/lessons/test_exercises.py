"""The exercises: every check accepts its reference solution, gives the intended hint to a typical wrong answer,
never raises, and says "not attempted" for the untouched cell; every notebook's exercise cells name registered
exercises; progress goes to HFCOURSE_DATA, never elsewhere."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pytest
import torch

from hfcourse.lessons.exercises import CORRECT, HINT, NOT_ATTEMPTED, check, evaluate, exercises_of, is_placeholder
from hfcourse.lessons.exercises.chapter1 import PIPELINE_USES
from hfcourse.lessons.exercises.progress import progress_file, read_solved
from hfcourse.lessons.exercises.solutions import early_stopping, train_one_epoch
from tests.conftest import REPO_ROOT

EXERCISES = exercises_of()
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"


@pytest.fixture(autouse=True)
def progress_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HFCOURSE_DATA", str(tmp_path / "data"))
    return tmp_path / "data"


@pytest.mark.parametrize("exercise", EXERCISES, ids=[exercise.exercise_id for exercise in EXERCISES])
def test_the_reference_solution_is_accepted(exercise: Any) -> None:
    assert exercise.solution is not None, f"{exercise.exercise_id} has no reference solution"
    verdict = evaluate(exercise.exercise_id, exercise.solution())
    assert verdict.status == CORRECT, verdict


def _wrong_epoch_without_zero_grad(model, train_dataloader, optimizer, lr_scheduler):
    model.train()
    for batch in train_dataloader:
        model(**batch).loss.backward()
        optimizer.step()
        lr_scheduler.step()


def _wrong_epoch_without_scheduler(model, train_dataloader, optimizer, lr_scheduler):
    model.train()
    for batch in train_dataloader:
        model(**batch).loss.backward()
        optimizer.step()
        optimizer.zero_grad()


def _evaluate_in_training_mode(model, eval_dataloader):
    with torch.no_grad():
        return float(
            np.mean([float((model(**b).logits.argmax(-1) == b["labels"]).float().mean()) for b in eval_dataloader])
        )


def _step_with_loss_backward(accelerator, model, optimizer, batch):
    loss = model(**batch).loss
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    return loss


def _early_stopping_keeping_the_last():
    training_args, callback = early_stopping()
    training_args.load_best_model_at_end = False
    return training_args, callback


def _by_hand_with_label_ids(texts, tokenizer, model):
    inputs = tokenizer(texts, padding=True, return_tensors="pt")
    with torch.no_grad():
        probabilities = model(**inputs).logits.softmax(dim=-1)
    return [{"label": int(row.argmax()), "score": float(row.max())} for row in probabilities]


def _ids_without_special_tokens(tokenizer, text):
    return tokenizer.convert_tokens_to_ids(tokenizer.tokenize(text))


def _split_heads_without_transpose(states, num_heads):
    batch, length, hidden = states.shape
    return states.view(batch, length, num_heads, hidden // num_heads)


def _q8_0_one_scale(weight):
    scale = weight.abs().max() / 127
    return (weight / scale).round().clamp(-127, 127) * scale


# (exercise, a typical wrong answer, a phrase of the hint it must get)
WRONG_ANSWERS = [
    ("0.transformers_major", "5", "as a number"),
    ("0.device", "tpu", "not a device name"),
    ("1.3.pipeline_tasks", {**PIPELINE_USES, "continue a prompt": "summarization"}, "'continue a prompt'"),
    ("1.3.mask_token", "<mask>", "RoBERTa"),
    ("1.4.split_heads", _split_heads_without_transpose, ".transpose(1, 2)"),
    ("1.4.sliding_window_mask", lambda length, window: torch.ones(length, length).tril(), "full causal mask"),
    ("1.4.sliding_window_mask", lambda length, window: torch.ones(length, length), "after them"),
    (
        "1.4.sliding_window_mask",
        lambda length, window: torch.ones(length, length).tril(-1) - torch.ones(length, length).tril(-window),
        "diagonal",
    ),
    ("2.2.softmax", lambda logits: logits.softmax(dim=0), "dim=0"),
    ("2.2.softmax", lambda logits: logits, "still the logits"),
    ("2.2.by_hand", _by_hand_with_label_ids, "id2label"),
    ("2.3.small_model", __import__("transformers").BertConfig(), "that is the configuration"),
    ("2.3.save_and_reload", lambda model, folder: (model.save_pretrained(folder), model)[1], "model you were given"),
    ("2.4.ids_by_hand", _ids_without_special_tokens, "also adds [CLS]"),
    ("2.4.decode", lambda tokenizer, ids: tokenizer.decode(ids), "skip_special_tokens"),
    ("2.5.as_batch", lambda ids: torch.tensor(ids), "models expect a batch"),
    ("2.5.as_batch", lambda ids: torch.tensor([ids], dtype=torch.float32), "torch.long"),
    ("2.5.attention_mask", lambda ids, pad: [[int(i == pad) for i in row] for row in ids], "inverted"),
    (
        "2.8.length_batches",
        lambda counts, size: [list(range(i, min(i + size, len(counts)))) for i in range(0, len(counts), size)],
        "sort",
    ),
    ("2.8.q8_0", _q8_0_one_scale, "one scale for the whole tensor"),
    ("3.2.labels", (0, 1), "label numbers"),
    ("3.2.sst2_tokenize", lambda example: {"input_ids": example["sentence1"]}, "'sentence'"),
    (
        "3.3.compute_metrics",
        lambda eval_preds: {"accuracy": float(np.mean(eval_preds[0].argmax(-1) == eval_preds[1]))},
        "'f1'",
    ),
    (
        "3.3.accumulation",
        __import__("transformers").TrainingArguments("unused", per_device_train_batch_size=32),
        "keep batches of 8",
    ),
    ("3.4.train_one_epoch", _wrong_epoch_without_zero_grad, "zero_grad"),
    ("3.4.train_one_epoch", _wrong_epoch_without_scheduler, "lr_scheduler.step()"),
    ("3.4.train_one_epoch", lambda model, *rest: train_one_epoch()(model, *rest) or model.eval(), "model.train()"),
    ("3.4.evaluate_accuracy", _evaluate_in_training_mode, "model.eval()"),
    (
        "3.4.prepare",
        lambda accelerator, model, optimizer, dataloader: (*accelerator.prepare(model, optimizer), dataloader),
        "dataloader was not prepared",
    ),
    ("3.4.accelerated_step", _step_with_loss_backward, "accelerator.backward(loss)"),
    ("3.5.early_stop_step", lambda curve, patience: (curve[-1]["step"], 20), "stops late"),
    ("3.5.early_stop_step", lambda curve, patience: 20, "two steps"),
    ("3.5.early_stopping", _early_stopping_keeping_the_last(), "load_best_model_at_end"),
]


def test_every_exercise_has_a_wrong_answer_test() -> None:
    assert {exercise.exercise_id for exercise in EXERCISES} == {exercise_id for exercise_id, _, _ in WRONG_ANSWERS}


@pytest.mark.parametrize(
    ("exercise_id", "answer", "phrase"), WRONG_ANSWERS, ids=[f"{e}-{i}" for i, (e, _, _) in enumerate(WRONG_ANSWERS)]
)
def test_a_typical_wrong_answer_gets_its_hint(exercise_id: str, answer: Any, phrase: str) -> None:
    verdict = evaluate(exercise_id, answer)
    assert verdict.status == HINT, verdict
    assert phrase in verdict.message, verdict


def test_an_exception_in_the_answer_is_a_hint_not_a_traceback() -> None:
    verdict = evaluate("2.2.softmax", lambda logits: logits.no_such_method())
    assert verdict.status == HINT and "AttributeError" in verdict.message, verdict


def test_a_function_without_return_is_named() -> None:
    def to_probabilities(logits):
        logits.softmax(dim=-1)

    assert "forget `return`" in evaluate("2.2.softmax", to_probabilities).message


def test_placeholders_are_not_attempted() -> None:
    def untouched(logits): ...

    assert is_placeholder(...) and is_placeholder(untouched) and is_placeholder({"a": ...})
    assert not is_placeholder(lambda logits: logits) and not is_placeholder({"a": "ner"})
    assert evaluate("2.2.softmax", untouched).status == NOT_ATTEMPTED


def _exercise_cells(path: Path) -> list[nbformat.NotebookNode]:
    nb = nbformat.read(path, as_version=4)
    return [cell for cell in nb.cells if "exercise" in cell.metadata.get("tags", [])]


def test_each_chapter_notebook_has_its_exercises_and_they_name_registered_ones() -> None:
    registered = {exercise.exercise_id: exercise.notebook for exercise in EXERCISES}
    named = {}
    for path in sorted(NOTEBOOKS_DIR.glob("0*.ipynb")):
        cells = _exercise_cells(path)
        assert len(cells) >= 2, f"{path.name} has {len(cells)} exercise cells; every chapter notebook needs two"
        for cell in cells:
            exercise_id = cell.source.split('hfcourse.check("')[1].split('"')[0]
            assert registered.get(exercise_id) == path.stem, (
                f"{path.name} checks {exercise_id!r}, registered for another"
            )
            named[exercise_id] = path.stem
    assert named == registered, "every registered exercise is asked in its notebook"


def test_the_untouched_exercise_cells_say_not_attempted(
    capsys: pytest.CaptureFixture[str], progress_folder: Path
) -> None:
    for path in sorted(NOTEBOOKS_DIR.glob("0*.ipynb")):
        for cell in _exercise_cells(path):
            namespace: dict[str, Any] = {"hfcourse": __import__("hfcourse")}
            exec(compile(cell.source, f"{path.name}:{cell.id}", "exec"), namespace)
            assert "⏳ not attempted" in capsys.readouterr().out, (path.name, cell.id)
    assert not progress_folder.exists(), "an unsolved exercise recorded progress"


def test_progress_is_recorded_in_hfcourse_data_once(capsys: pytest.CaptureFixture[str], progress_folder: Path) -> None:
    check("2.2.softmax", lambda logits: logits.softmax(dim=-1))
    check("2.2.softmax", lambda logits: logits.softmax(dim=-1))
    assert "1 of 2 exercises of this notebook solved" in capsys.readouterr().out
    assert progress_file() == progress_folder / "progress.json"
    assert list(json.loads(progress_file().read_text())["solved"]) == ["2.2.softmax"]
    assert list(read_solved()) == ["2.2.softmax"]


def test_an_unwritable_progress_folder_loses_only_the_record(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("HFCOURSE_DATA", str(blocker / "below"))
    check("2.5.as_batch", lambda ids: torch.tensor([ids]))
    output = capsys.readouterr().out
    assert "✅ correct" in output and "progress not saved" in output and "HFCOURSE_DATA" in output


def test_a_corrupt_progress_file_is_no_progress(progress_folder: Path) -> None:
    progress_folder.mkdir(parents=True)
    (progress_folder / "progress.json").write_text("{not json")
    assert read_solved() == {}


def test_an_unknown_exercise_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="2.2.softmax"):
        evaluate("9.9.nothing", 1)
