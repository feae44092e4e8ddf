"""python -m hfcourse train: one process in-process, two CPU processes under torchrun, launch commands, errors."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from hfcourse.lessons.training import load_classifier
from hfcourse.tools.train import launch_command, main


def test_manual_loop_prints_checkpoint_source_and_json(tmp_path, capsys):
    status = main(
        [
            "--loop",
            "manual",
            "--epochs",
            "1",
            "--max-train-samples",
            "8",
            "--max-eval-samples",
            "8",
            "--output-dir",
            str(tmp_path),
            "--save-model",
        ]
    )
    assert status == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("encoder: ") and "[embedded]" in lines[0]
    assert lines[1] == "data: embedded: hfcourse's own mrpc set (written for this project)"
    result = json.loads(lines[2])
    assert (result["loop"], result["world_size"], result["train_samples"], result["eval_samples"]) == (
        "manual",
        1,
        8,
        8,
    )
    assert [record["epoch"] for record in result["history"]] == [1]
    assert result["accuracy"] == result["history"][-1]["accuracy"]
    assert json.loads((tmp_path / "result.json").read_text()) == result
    rank = json.loads((tmp_path / "rank-0.json").read_text())
    assert (rank["rank"], rank["world_size"]) == (0, 1) and [sorted(ids) for ids in rank["sample_ids"]] == [
        list(range(8))
    ]
    assert load_classifier(result["model_dir"]).config.id2label == {0: "not_equivalent", 1: "equivalent"}


def run_two_ranks(loop: str, output_dir: Path) -> tuple[dict, list[dict]]:
    """Train on 32 embedded MRPC pairs for 1 epoch with 2 CPU processes under torchrun."""
    command = launch_command(
        2, "torchrun", loop=loop, epochs=1, max_train_samples=32, max_eval_samples=16, output_dir=output_dir
    )
    completed = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert completed.stdout.count('"world_size"') == 1  # the result is printed once, by rank 0
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    return result, [json.loads((output_dir / f"rank-{rank}.json").read_text()) for rank in (0, 1)]


def test_two_cpu_processes_train_together(tmp_path):
    result, ranks = run_two_ranks("accelerate", tmp_path)
    assert result["world_size"] == 2 and [report["world_size"] for report in ranks] == [2, 2]
    shards = [set(report["sample_ids"][0]) for report in ranks]  # epoch 1
    assert [len(report["sample_ids"][0]) for report in ranks] == [16, 16]  # 32 samples, batches of 8, 2 ranks
    assert not shards[0] & shards[1] and shards[0] | shards[1] == set(range(32))
    assert ranks[0]["weights_sha256"] == ranks[1]["weights_sha256"]


def test_two_cpu_processes_train_together_with_the_trainer(tmp_path):
    result, ranks = run_two_ranks("trainer", tmp_path)
    assert result["world_size"] == 2 and [report["world_size"] for report in ranks] == [2, 2]
    assert ranks[0]["weights_sha256"] == ranks[1]["weights_sha256"]
    assert [record["epoch"] for record in result["history"]] == [1]


def test_launch_commands_start_two_processes():
    torchrun = launch_command(2, "torchrun", loop="accelerate", max_train_samples=100, save_model=True, data_dir=None)
    assert torchrun[:5] == [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2"]
    assert torchrun[5:] == [
        "-m",
        "hfcourse",
        "train",
        "--loop",
        "accelerate",
        "--max-train-samples",
        "100",
        "--save-model",
    ]
    accelerate = launch_command(2, "accelerate", loop="accelerate")
    assert accelerate[2:5] == ["accelerate.commands.launch", "--multi_gpu", "--num_processes=2"]
    assert "--cpu" not in accelerate  # `accelerate launch --cpu --num_processes 2` starts only one process
    with pytest.raises(TypeError, match="'max_samples' is not an option"):
        launch_command(2, loop="accelerate", max_samples=10)
    with pytest.raises(ValueError, match="'torchrun' or 'accelerate'"):
        launch_command(2, "mpirun")


def test_manual_loop_refuses_several_processes(monkeypatch, capsys):
    monkeypatch.setenv("WORLD_SIZE", "2")
    assert main(["--loop", "manual"]) == 2
    assert "use --loop accelerate" in capsys.readouterr().err


def test_bad_options_exit_with_a_message(capsys):
    assert main(["--task", "cola"]) == 2
    assert "task 'cola' is not supported; choose one of mrpc, sst2" in capsys.readouterr().err
    assert main(["--epochs", "0"]) == 2
    assert "--epochs 0" in capsys.readouterr().err


def load_mrpc_full():
    path = Path(__file__).resolve().parents[2] / "scripts" / "mrpc_full.py"
    spec = importlib.util.spec_from_file_location("mrpc_full", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_mrpc_full_checks_the_issue_targets():
    mrpc_full = load_mrpc_full()
    results = {
        "trainer": {"accuracy": 0.84, "f1": 0.88, "seconds": 100.0},
        "manual": {"accuracy": 0.83, "f1": 0.87, "seconds": 90.0},
        "accelerate": {"accuracy": 0.82, "f1": 0.885, "seconds": 95.0},
    }
    verdicts = dict(mrpc_full.check_targets(results))
    assert list(verdicts.values()) == [True, True, True, True, False, True]
    assert "accelerate accuracy within 1.5 points of the trainer's (gap 2.00)" in verdicts
    low = {"trainer": {"accuracy": 0.79, "f1": 0.861, "seconds": 1.0}}
    assert [met for _, met in mrpc_full.check_targets(low)] == [False, True]
    assert mrpc_full.markdown_table(results).splitlines()[2] == "| trainer | 0.8400 | 0.8800 | 100 |"


@pytest.mark.parametrize("loop", ["trainer", "manual"])
def test_two_runs_with_the_same_seed_are_identical(loop, tmp_path, capsys):
    """Reproducible: same seed, same data -> the same metrics and the same saved weights, on CPU."""
    from safetensors.torch import load_file

    results = []
    for run in ("first", "second"):
        options = [
            "--loop",
            loop,
            "--epochs",
            "2",
            "--max-train-samples",
            "32",
            "--max-eval-samples",
            "32",
            "--save-model",
        ]
        assert main([*options, "--output-dir", str(tmp_path / run)]) == 0
        results.append(json.loads((tmp_path / run / "result.json").read_text()))
    capsys.readouterr()
    first, second = results
    assert [(r["loss"], r["accuracy"], r["f1"]) for r in first["history"]] == [
        (r["loss"], r["accuracy"], r["f1"]) for r in second["history"]
    ]
    first_weights, second_weights = (load_file(Path(result["model_dir"]) / "model.safetensors") for result in results)
    assert first_weights.keys() == second_weights.keys()
    assert all(torch.equal(first_weights[name], second_weights[name]) for name in first_weights)
    # A different seed really changes them: the check above can fail.
    assert (
        main(
            [
                "--loop",
                loop,
                "--epochs",
                "1",
                "--max-train-samples",
                "32",
                "--max-eval-samples",
                "32",
                "--seed",
                "7",
                "--save-model",
                "--output-dir",
                str(tmp_path / "other"),
            ]
        )
        == 0
    )
    other = load_file(tmp_path / "other" / "model" / "model.safetensors")
    assert not all(torch.equal(other[name], first_weights[name]) for name in first_weights)


def _path_cases(tmp_path):
    a_file = tmp_path / "a-file.txt"
    a_file.write_text("not a folder")
    users_folder = tmp_path / "out"
    (users_folder / "model").mkdir(parents=True)
    (users_folder / "model" / "thesis.docx").write_text("mine")
    fine = ["--output-dir", str(tmp_path / "fine")]
    return {
        "data-dir is a file": (["--data-dir", str(a_file), *fine], "--data-dir", "is a file"),
        "data-dir missing": (["--data-dir", str(tmp_path / "nowhere"), *fine], "--data-dir", "no such folder"),
        "checkpoint is a file": (["--checkpoint", str(a_file), *fine], "--checkpoint", "is a file"),
        "checkpoint folder missing": (["--checkpoint", "./no/such/model", *fine], "--checkpoint", "no such folder"),
        "output-dir below a file": (["--output-dir", str(a_file / "out")], "--output-dir", "which is a file"),
        "save-model over the user's files": (
            ["--output-dir", str(users_folder), "--save-model"],
            "--save-model",
            "not a saved model (thesis.docx)",
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "data-dir is a file",
        "data-dir missing",
        "checkpoint is a file",
        "checkpoint folder missing",
        "output-dir below a file",
        "save-model over the user's files",
    ],
)
def test_a_bad_path_exits_2_with_one_line_before_any_work(case, tmp_path, capsys, monkeypatch):
    import hfcourse.offline.catalog

    def no_work(*args, **kwargs):
        raise AssertionError("work started before the paths were checked")

    monkeypatch.setattr(hfcourse.offline.catalog, "resolve_checkpoint", no_work)
    arguments, option, problem = _path_cases(tmp_path)[case]
    assert main(arguments) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith(f"hfcourse train: {option}") and problem in error, error
    assert "Traceback" not in error
    assert (tmp_path / "out" / "model" / "thesis.docx").read_text() == "mine"
