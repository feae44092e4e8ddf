"""Resumable training: a run killed mid-epoch goes on from its last checkpoint and ends where an
uninterrupted run ends; checkpoints and saved models are written whole or not at all."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hfcourse.lessons.trainer import build_trainer, last_checkpoint
from hfcourse.lessons.training import load_classifier, save_finetuned

# 48 training pairs in batches of 8: 6 steps an epoch, 12 in all; a checkpoint every 3 steps, so
# checkpoint-9 is the middle of epoch 2.
TRAIN_OPTIONS = [
    "--loop",
    "trainer",
    "--epochs",
    "2",
    "--max-train-samples",
    "48",
    "--max-eval-samples",
    "32",
    "--save-steps",
    "3",
]
KILL_AT = "checkpoint-9"


def train_command(output_dir: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "hfcourse", "train", *TRAIN_OPTIONS, "--output-dir", str(output_dir), *extra]


def finished_run(output_dir: Path, *extra: str) -> tuple[dict, dict]:
    completed = subprocess.run(train_command(output_dir, *extra), capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads((output_dir / "result.json").read_text()), json.loads((output_dir / "rank-0.json").read_text())


def kill_when_saved(output_dir: Path, checkpoint_name: str) -> float:
    """Start a run, SIGKILL it as soon as ``checkpoint_name`` exists; return the seconds it ran."""
    started = time.perf_counter()
    process = subprocess.Popen(train_command(output_dir), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        while not (output_dir / "checkpoints" / checkpoint_name).is_dir():
            assert process.poll() is None, (
                f"the run ended before {checkpoint_name} was saved: {process.stderr.read()[-3000:]}"
            )
            assert time.perf_counter() - started < 600, f"no {checkpoint_name} after 600 s"
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == -signal.SIGKILL
    return time.perf_counter() - started


def test_a_run_killed_mid_epoch_resumes_to_the_uninterrupted_result(tmp_path):
    started = time.perf_counter()
    expected, expected_rank = finished_run(tmp_path / "uninterrupted")
    uninterrupted_seconds = time.perf_counter() - started

    killed_after = kill_when_saved(tmp_path / "interrupted", KILL_AT)
    assert not (tmp_path / "interrupted" / "result.json").exists()  # it really stopped before the end
    started = time.perf_counter()
    resumed, resumed_rank = finished_run(tmp_path / "interrupted", "--resume")
    resumed_seconds = time.perf_counter() - started

    assert Path(resumed["resumed_from"]).name == KILL_AT
    assert expected["resumed_from"] is None
    assert [record["epoch"] for record in resumed["history"]] == [1, 2]
    for got, want in zip(resumed["history"], expected["history"], strict=True):
        assert (got["accuracy"], got["f1"]) == (want["accuracy"], want["f1"])
    assert resumed_rank["weights_sha256"] == expected_rank["weights_sha256"]
    print(
        f"uninterrupted {uninterrupted_seconds:.1f} s; killed after {killed_after:.1f} s; "
        f"resumed in {resumed_seconds:.1f} s"
    )


def test_resume_without_a_checkpoint_starts_from_scratch(tmp_path):
    result, _ = finished_run(
        tmp_path, "--resume", "--epochs", "1", "--max-train-samples", "8", "--max-eval-samples", "8"
    )
    assert result["resumed_from"] is None and len(result["history"]) == 1


def test_resume_is_refused_for_the_manual_loop(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "hfcourse", "train", "--loop", "manual", "--resume", "--output-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 2
    assert "--resume picks up a Trainer checkpoint; it needs --loop trainer" in completed.stderr


class SaveInterrupted(RuntimeError):
    pass


def test_an_interrupted_checkpoint_save_leaves_no_checkpoint(checkpoint, tokenizer, tiny_mrpc, tmp_path, monkeypatch):
    trainer = build_trainer(load_classifier(checkpoint), tokenizer, tiny_mrpc, tmp_path, num_train_epochs=2)
    saves = []

    def save_rng_state_then_die(output_dir):
        saves.append(output_dir)
        if len(saves) == 2:  # the checkpoint after epoch 2: model and optimizer written, RNG state not
            raise SaveInterrupted

    monkeypatch.setattr(trainer, "_save_rng_state", save_rng_state_then_die)
    with pytest.raises(SaveInterrupted):
        trainer.train()
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith("checkpoint-")) == ["checkpoint-2"]
    assert last_checkpoint(tmp_path).name == "checkpoint-2"
    # The next save of the same step replaces what the interrupted one left.
    monkeypatch.undo()
    trainer._save_checkpoint(trainer.model, None)
    assert {path.name for path in tmp_path.iterdir()} >= {"checkpoint-2", "checkpoint-4"}
    assert not [path for path in tmp_path.iterdir() if path.name.startswith(".partial-")]


def test_an_interrupted_model_save_keeps_the_previous_model(checkpoint, tokenizer, tmp_path, monkeypatch):
    model = load_classifier(checkpoint)
    folder = save_finetuned(model, tokenizer, tmp_path / "finetuned")
    weights = (folder / "model.safetensors").read_bytes()

    def die(*args, **kwargs):
        raise SaveInterrupted

    monkeypatch.setattr(type(tokenizer), "save_pretrained", die)  # the model is written, the tokenizer not
    with pytest.raises(SaveInterrupted):
        save_finetuned(load_classifier(checkpoint, seed=1), tokenizer, folder)
    assert (folder / "model.safetensors").read_bytes() == weights
    assert sorted(path.name for path in tmp_path.iterdir()) == ["finetuned"]  # no partial folder left over


def test_last_checkpoint_of_a_missing_folder_is_none(tmp_path):
    assert last_checkpoint(tmp_path / "nothing-here") is None
