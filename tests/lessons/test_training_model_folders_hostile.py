"""Hostile local model folders: whatever is damaged, ``load_classifier`` either loads the complete
model or raises an error that names the folder and the problem; it never hands back an encoder with
silently random weights and never fails with a library's deep traceback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from safetensors.torch import load_file, save_file
from transformers import BertModel

from hfcourse import BrokenModelError, ModelNotFoundError
from hfcourse.lessons.training import load_classifier
from tests.tiny_models import tiny_bert_config

ERRORS = (BrokenModelError, ModelNotFoundError)


@pytest.fixture(scope="module")
def tiny_encoder(tmp_path_factory) -> Path:
    """A tiny BERT encoder saved with save_pretrained (config.json + model.safetensors), a few KB."""
    torch.manual_seed(0)
    config = tiny_bert_config()
    folder = tmp_path_factory.mktemp("tiny-encoder")
    BertModel(config).save_pretrained(folder)
    return folder


def body_weights(model) -> dict[str, torch.Tensor]:
    prefix = f"{model.base_model_prefix}."
    return {key[len(prefix) :]: value for key, value in model.state_dict().items() if key.startswith(prefix)}


def _truncate(folder: Path, data) -> str:
    weights = folder / "model.safetensors"
    content = weights.read_bytes()
    keep = data.draw(st.integers(0, len(content) - 1), label="bytes kept")
    weights.write_bytes(content[:keep])
    return f"weights truncated to {keep} of {len(content)} bytes"


def _drop_tensors(folder: Path, data) -> str:
    tensors = load_file(folder / "model.safetensors")
    dropped = data.draw(st.sets(st.sampled_from(sorted(tensors)), min_size=1), label="tensors dropped")
    save_file(
        {key: value for key, value in tensors.items() if key not in dropped},
        folder / "model.safetensors",
        metadata={"format": "pt"},
    )
    return f"dropped {sorted(dropped)}"


def _reshape_tensor(folder: Path, data) -> str:
    tensors = load_file(folder / "model.safetensors")
    key = data.draw(st.sampled_from(sorted(tensors)), label="tensor reshaped")
    tensors[key] = torch.zeros(tensors[key].numel() + data.draw(st.integers(1, 7)))
    save_file(tensors, folder / "model.safetensors", metadata={"format": "pt"})
    return f"{key} has another shape"


def _garbage_config(folder: Path, data) -> str:
    content = data.draw(st.binary(max_size=200) | st.text(max_size=200).map(str.encode), label="config.json bytes")
    (folder / "config.json").write_bytes(content)
    return "config.json replaced"


def _wrong_config_value(folder: Path, data) -> str:
    config = json.loads((folder / "config.json").read_text())
    key = data.draw(
        st.sampled_from(["hidden_size", "num_hidden_layers", "vocab_size", "model_type", "num_attention_heads"]),
        label="key",
    )
    value = data.draw(
        st.none() | st.integers(-3, 100) | st.text(max_size=8) | st.lists(st.integers(), max_size=2), label="value"
    )
    config[key] = value
    (folder / "config.json").write_text(json.dumps(config))
    return f"config {key}={value!r}"


def _delete(folder: Path, data) -> str:
    name = data.draw(st.sampled_from(["config.json", "model.safetensors"]), label="file deleted")
    (folder / name).unlink()
    return f"{name} deleted"


def _pickle_only(folder: Path, data) -> str:
    (folder / "model.safetensors").rename(folder / "pytorch_model.bin")
    return "weights only as a pickle file"


DAMAGES = [_truncate, _drop_tensors, _reshape_tensor, _garbage_config, _wrong_config_value, _delete, _pickle_only]


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(damage=st.sampled_from(DAMAGES), data=st.data())
def test_a_damaged_model_folder_loads_whole_or_is_named(tiny_encoder, tmp_path_factory, damage, data):
    folder = tmp_path_factory.mktemp("damaged") / "model"
    shutil.copytree(tiny_encoder, folder)
    what = damage(folder, data)
    try:
        model = load_classifier(folder)
    except ERRORS as error:
        message = str(error)
        assert str(folder) in message, f"{what}: the error does not name the folder: {message}"
        assert "\n" not in message and len(message) < 600, f"{what}: not a one-line message: {message}"
        event(f"{damage.__name__}: refused ({type(error).__name__})")
        return
    # It loaded: then every encoder weight must be the saved one, none random.
    original = load_file(tiny_encoder / "model.safetensors")
    loaded = body_weights(model)
    assert set(loaded) == set(original), what
    for key, value in original.items():
        assert torch.equal(loaded[key], value), f"{what}: {key} differs from the saved weights"
    event(f"{damage.__name__}: loaded whole")


def test_an_intact_folder_loads_every_saved_weight(tiny_encoder):
    model = load_classifier(tiny_encoder)
    original = load_file(tiny_encoder / "model.safetensors")
    assert all(torch.equal(body_weights(model)[key], value) for key, value in original.items())


def test_a_missing_encoder_weight_is_refused_not_randomised(tiny_encoder, tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(tiny_encoder, folder)
    tensors = load_file(folder / "model.safetensors")
    del tensors["encoder.layer.0.attention.self.query.weight"]
    save_file(tensors, folder / "model.safetensors", metadata={"format": "pt"})
    with pytest.raises(
        BrokenModelError,
        match=r"lacks 1 of the encoder's weights \(e.g. bert.encoder.layer.0.attention.self.query.weight\)",
    ):
        load_classifier(folder)
