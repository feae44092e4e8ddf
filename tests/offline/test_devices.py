"""The one device choice (hfcourse.offline.devices) and the helpers that must follow it.

This machine has no GPU, so the choice is tested with torch's answers patched, and "inputs go to the model's
device" with a model that lives on the ``meta`` device and refuses inputs from anywhere else. The tests marked
``gpu`` run the real thing where CUDA or MPS is present.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

import hfcourse
from hfcourse.offline import devices
from hfcourse.offline.devices import DEVICE_VARIABLE, default_device, plan_processes, synchronized_time


@pytest.fixture
def machine(monkeypatch):
    """Pretend torch sees ``cuda`` GPUs and/or MPS."""
    monkeypatch.delenv(DEVICE_VARIABLE, raising=False)

    def pretend(cuda: int = 0, mps: bool = False) -> None:
        monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda > 0)
        monkeypatch.setattr(torch.cuda, "device_count", lambda: cuda)
        monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)

    return pretend


@pytest.mark.parametrize(
    ("cuda", "mps", "expected"), [(1, True, "cuda"), (0, True, "mps"), (0, False, "cpu"), (2, False, "cuda")]
)
def test_the_device_is_cuda_then_mps_then_cpu(machine, cuda, mps, expected):
    machine(cuda=cuda, mps=mps)
    assert default_device() == expected


def test_hfcourse_device_overrides_the_choice(machine, monkeypatch):
    machine(cuda=1, mps=False)
    monkeypatch.setenv(DEVICE_VARIABLE, "CPU")
    assert default_device() == "cpu"


@pytest.mark.parametrize(("value", "named"), [("gpu", "is not a device hfcourse knows"), ("mps", "cannot use mps")])
def test_a_wrong_override_is_one_clear_error(machine, monkeypatch, value, named):
    machine(cuda=0, mps=False)
    monkeypatch.setenv(DEVICE_VARIABLE, value)
    with pytest.raises(ValueError, match=named) as error:
        default_device()
    assert DEVICE_VARIABLE in str(error.value)


def test_every_training_path_follows_the_choice(machine, monkeypatch, tmp_path):
    """The Trainer's arguments and the exercises' Accelerator take the CPU exactly when the choice is the CPU."""
    from hfcourse.lessons.trainer import _training_arguments

    machine(cuda=0, mps=False)
    assert _training_arguments(tmp_path, {}).use_cpu is True
    monkeypatch.setenv(DEVICE_VARIABLE, "cpu")
    machine(cuda=1, mps=False)
    assert _training_arguments(tmp_path, {}).use_cpu is True


@pytest.mark.parametrize(
    ("cuda", "mps", "colab", "expected"),
    [
        (0, False, False, (2, True)),  # CPU machine: two gloo ranks
        (1, False, False, (2, True)),  # one GPU (a T4, a laptop): CPU ranks, not "invalid device ordinal"
        (2, False, False, (2, False)),  # one GPU per process
        (0, True, False, (2, True)),  # MPS is not shared between processes
        (1, False, True, (1, False)),  # Colab with one GPU: notebook_launcher starts one process
    ],
)
def test_processes_fit_the_machine(machine, monkeypatch, cuda, mps, colab, expected):
    machine(cuda=cuda, mps=mps)
    if colab:
        monkeypatch.setitem(sys.modules, "google.colab", SimpleNamespace())
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    plan = plan_processes(2)
    assert (plan.num_processes, plan.cpu) == expected
    assert str(plan) == plan.reason and plan.reason


def test_make_accelerator_puts_ranks_on_the_cpu_when_gpus_are_short(machine, monkeypatch):
    from hfcourse.lessons import training_loop

    built = {}
    monkeypatch.setattr(training_loop, "Accelerator", lambda **arguments: built.update(arguments))
    machine(cuda=1, mps=False)
    monkeypatch.setenv("WORLD_SIZE", "2")
    training_loop.make_accelerator()
    assert built == {"cpu": True}
    monkeypatch.setenv("WORLD_SIZE", "1")
    training_loop.make_accelerator()
    assert built == {"cpu": False}


def test_synchronized_time_waits_for_the_gpu(monkeypatch):
    calls = []
    monkeypatch.setattr(torch.cuda, "synchronize", lambda: calls.append("cuda"))
    monkeypatch.setattr(torch.mps, "synchronize", lambda: calls.append("mps"))
    first = synchronized_time("cuda")
    synchronized_time(torch.device("mps"))
    synchronized_time("cpu")
    assert calls == ["cuda", "mps"]
    assert synchronized_time("cpu") >= first


class _MetaModel(torch.nn.Module):
    """A model on the ``meta`` device: it fails on any input tensor that was not moved to ``model.device``."""

    device = torch.device("meta")
    config = SimpleNamespace(id2label={0: "NEGATIVE", 1: "POSITIVE"})

    def forward(self, input_ids, attention_mask=None, **inputs):
        for name, value in {"input_ids": input_ids, "attention_mask": attention_mask, **inputs}.items():
            if isinstance(value, torch.Tensor):
                assert value.device == self.device, f"{name} is on {value.device}, the model on {self.device}"
        batch, length = input_ids.shape
        return SimpleNamespace(
            logits=torch.zeros(batch, 2, device=self.device),
            last_hidden_state=torch.zeros(batch, length, 4, device=self.device),
        )


def test_the_inference_helpers_move_inputs_to_the_models_device(tokenizer):
    model = _MetaModel().eval()
    texts = ["I've been waiting for a HuggingFace course my whole life.", "I hate this so much!"]
    assert hfcourse.classify_step_by_step(texts, tokenizer, model).probabilities.device == model.device
    assert hfcourse.sentence_embeddings(texts, tokenizer, model).shape == (2, 4)
    comparison = hfcourse.compare_padding([[101, 7592, 102], [101, 102]], model, tokenizer.pad_token_id)
    assert comparison.masked_logits.device == model.device


def test_no_helper_picks_its_device_itself():
    """One choice: outside hfcourse/offline/devices.py no module asks torch which accelerator there is."""
    package = Path(devices.__file__).parents[1]
    asking = [
        str(path.relative_to(package))
        for path in Path(package).rglob("*.py")
        if path.name != "devices.py"
        and any(
            probe in path.read_text(encoding="utf-8")
            for probe in ('"cuda" if torch.cuda.is_available()', "cpu=not torch.cuda.is_available()")
        )
    ]
    assert asking == []


gpu = pytest.mark.skipif(default_device() == "cpu", reason="needs a CUDA or MPS GPU (none here)")


@pytest.mark.gpu
@gpu
def test_pipelines_and_helpers_run_on_the_gpu(tokenizer):
    from transformers import AutoModel

    classifier = hfcourse.pipeline("zero-shot-classification")
    result = classifier("This is a course about the Transformers library", candidate_labels=["education", "politics"])
    assert result["labels"][0] == "education"
    model = AutoModel.from_pretrained(hfcourse.resolve_checkpoint("encoder").name_or_path, use_safetensors=True)
    model = model.to(default_device()).eval()
    embeddings = hfcourse.sentence_embeddings(["a sentence", "another one"], tokenizer, model)
    assert embeddings.device.type == default_device()
    started = synchronized_time()
    assert synchronized_time() >= started
