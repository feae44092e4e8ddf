"""One quick benchmark run in a fresh process: every section, finite ratios, outputs that must agree do, and
bench.md's tables."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from hfcourse.tools import bench
from hfcourse.tools.bench import format_markdown
from tests.conftest import REPO_ROOT


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str, str]:
    """One ``hfcourse bench --quick`` run in a fresh process: (results, bench.md, stdout)."""
    output = tmp_path_factory.mktemp("bench")
    completed = subprocess.run(
        [sys.executable, "-m", "hfcourse", "bench", "--quick", "--output", str(output)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
        env={**__import__("os").environ, "HFCOURSE_OFFLINE": "1"},
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads((output / "bench.json").read_text()), (output / "bench.md").read_text(), completed.stdout


@pytest.mark.slow
def test_quick_run_records_machine_data_and_every_section(quick_run):
    results, _, _ = quick_run
    assert results["mode"] == "quick"
    machine = results["machine"]
    assert machine["cpu"] and machine["usable_cores"] >= 1 and machine["torch_threads"] >= 1
    assert machine["versions"]["torch"] and machine["versions"]["transformers"]
    assert results["data"]["train"] == bench.QUICK.train_samples
    assert results["data"]["validation"] <= bench.QUICK.validation_samples
    assert results["matmul_peak"]["peak_gflops"] > 0
    for section in ("finetuning", "manual_loop", "tokenization", "inference", "generation"):
        assert section in results
    finetuning = results["finetuning"]
    for recipe in ("course_recipe", "hfcourse_recipe"):
        run = finetuning[recipe]
        assert run["train_seconds"] > 0 and run["wall_seconds"] >= run["train_seconds"]
        assert run["evaluations"], recipe
        assert run["final_f1"] == run["evaluations"][-1]["f1"]
        assert 0 < run["real_token_peak_fraction"]
    # the course evaluates once an epoch, the recipe several times an epoch
    assert len(finetuning["course_recipe"]["evaluations"]) == 3
    assert len(finetuning["hfcourse_recipe"]["evaluations"]) > finetuning["hfcourse_recipe"]["settings"]["epochs"]
    assert finetuning["time_to_accuracy"]["target_f1"] == finetuning["course_recipe"]["final_f1"]


@pytest.mark.slow
def test_quick_run_ratios_are_finite_and_positive(quick_run):
    results, _, _ = quick_run
    sections = {row["section"] for row in results["ratios"]}
    assert {"fine-tuning", "manual loop", "padding", "tokenization", "inference", "generation", "FLOP/s"} <= sections
    for row in results["ratios"]:
        if row["ratio"] is None:  # only a time-to-accuracy the recipe did not reach on the tiny slice
            assert row["measure"].startswith("seconds to validation F1") and row["note"].startswith("not reached")
            assert not results["finetuning"]["time_to_accuracy"]["hfcourse_reached"]
            continue
        for key in ("ratio", "baseline_value", "candidate_value"):
            assert isinstance(row[key], (int, float)) and math.isfinite(row[key]) and row[key] > 0, row


@pytest.mark.slow
def test_quick_run_outputs_that_must_agree_do(quick_run):
    results, _, _ = quick_run
    assert results["checks"] == {
        "generation_identical_tokens": True,
        "padding_identical_predictions": True,
        "tokenization_identical_input_ids": True,
        "pipeline_identical_labels": True,
    }
    generation = results["generation"]
    assert generation["new_tokens"] == bench.QUICK.new_tokens and generation["continuation"].strip()
    padding = results["manual_loop"]["padding_check"]
    assert padding["fixed_shape"][1] == bench.FIXED_LENGTH > padding["dynamic_shape"][1]
    assert padding["max_logit_difference"] < 1e-4
    variants = {variant["variant"]["name"]: variant for variant in results["manual_loop"]["variants"]}
    fixed = variants[f"course loop padded to {bench.FIXED_LENGTH}"]
    dynamic = variants["course loop: batch 8, AdamW, shuffled"]
    assert (
        fixed["padding_fraction"]
        > dynamic["padding_fraction"]
        >= variants["+ length-grouped batches"]["padding_fraction"]
    )


@pytest.mark.slow
def test_quick_run_writes_markdown_tables_and_settings(quick_run):
    results, markdown, stdout = quick_run
    assert markdown == format_markdown(results)
    assert markdown.startswith("# hfcourse benchmark (quick run)")
    for heading in ("## Ratios", "## Targets", "## hfcourse's recipe", "## Outputs that must agree"):
        assert heading in markdown
    assert results["machine"]["cpu"] in markdown
    assert markdown.count("\n| ") >= len(results["ratios"]) + len(results["targets"]) + len(results["settings"])
    settings = {setting["setting"] for setting in results["settings"]}
    assert {
        "schedule",
        "precision",
        "length-grouped batches",
        "fused AdamW",
        "dropout",
        "batch size",
        "threads",
        "torch.compile",
        "max_length truncation",
    } <= settings
    assert len(results["targets"]) == 3 and all(isinstance(target["met"], bool) for target in results["targets"])
    assert "## Ratios" in stdout and "bench.json" in stdout
