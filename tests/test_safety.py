"""Safe loading: only safetensors weights, never remote code, never pickle on files from elsewhere.

A static scan of the package, the scripts and the notebooks, so that an unsafe call fails the suite the
moment it creeps in.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UNSAFE_PATTERNS = {
    r"trust_remote_code\s*=\s*True": "trust_remote_code runs code downloaded with a model",
    r"use_safetensors\s*=\s*False": "weights must be loaded from safetensors",
    r"\bpickle\.loads?\(": "pickle executes code from the file it reads",
    r"\bdill\.loads?\(": "dill executes code from the file it reads",
    r"torch\.load\((?![^)]*weights_only\s*=\s*True)": (
        "torch.load without weights_only=True unpickles arbitrary objects"
    ),
    r"\bsafe_serialization\s*=\s*False": "checkpoints are written as safetensors",
}


def source_files() -> list[tuple[str, str]]:
    files = [(str(p.relative_to(ROOT)), p.read_text()) for p in sorted(ROOT.glob("hfcourse/**/*.py"))]
    files += [(str(p.relative_to(ROOT)), p.read_text()) for p in sorted(ROOT.glob("scripts/**/*.py"))]
    for notebook in sorted(ROOT.glob("notebooks/*.ipynb")):
        cells = json.loads(notebook.read_text())["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        files.append((str(notebook.relative_to(ROOT)), code))
    return files


def test_the_scan_sees_the_package():
    names = [name for name, _ in source_files()]
    assert "hfcourse/offline/checkpoints.py" in names and len(names) > 5


@pytest.mark.parametrize("pattern, why", UNSAFE_PATTERNS.items())
def test_no_unsafe_loading(pattern, why):
    offenders = [
        f"{name}:{text[: match.start()].count(chr(10)) + 1}"
        for name, text in source_files()
        for match in re.finditer(pattern, text)
        if name != "tests/test_safety.py"
    ]
    assert not offenders, f"{why}: {', '.join(offenders)}"


MODEL_LOAD = re.compile(r"\b([A-Za-z_][A-Za-z_0-9]*)\.from_pretrained\(")
# Classes whose from_pretrained reads no weights (tokenizers, configurations).
WEIGHTLESS = re.compile(r"Tokenizer|Config|Processor|FeatureExtractor")
# A load that cannot be safetensors (a GGUF file: no pickle either) says so on its line.
EXEMPT = "# not safetensors:"


def _call(text: str, open_paren: int) -> str:
    """The text of the call whose "(" is at ``open_paren``, to its matching ")"."""
    depth = 0
    for index in range(open_paren, len(text)):
        depth += {"(": 1, ")": -1}.get(text[index], 0)
        if depth == 0:
            return text[open_paren : index + 1]
    return text[open_paren:]


def unsafe_model_loads(name: str, text: str) -> list[str]:
    """``name:line`` of each model ``from_pretrained`` call in ``text`` without ``use_safetensors=True``."""
    found = []
    for match in MODEL_LOAD.finditer(text):
        line_end = text.find("\n", match.end())
        call = _call(text, match.end() - 1)
        if WEIGHTLESS.search(match.group(1)) or "use_safetensors=True" in call:
            continue
        if EXEMPT in text[match.start() : line_end if line_end != -1 else len(text)]:
            continue
        found.append(f"{name}:{text[: match.start()].count(chr(10)) + 1}")
    return found


def test_every_model_load_is_safetensors_only():
    offenders = [where for name, text in source_files() for where in unsafe_model_loads(name, text)]
    assert not offenders, f"model loads without use_safetensors=True (a pickle file would be accepted): {offenders}"


def test_the_model_load_scan_catches_what_it_names():
    assert unsafe_model_loads("x", "AutoModel.from_pretrained(name,\n    num_labels=2)") == ["x:1"]
    assert unsafe_model_loads("x", "AutoModel.from_pretrained(name, use_safetensors=True)") == []
    assert unsafe_model_loads("x", "AutoTokenizer.from_pretrained(name)") == []
    assert unsafe_model_loads("x", "AutoModel.from_pretrained(g, gguf_file=f)  # not safetensors: GGUF") == []


def test_the_patterns_catch_what_they_name():
    samples = {
        "trust_remote_code=True": True,
        "torch.load(path)": True,
        "torch.load(path, weights_only=True)": False,
        "pickle.load(handle)": True,
        "use_safetensors=False": True,
    }
    for sample, unsafe in samples.items():
        assert any(re.search(p, sample) for p in UNSAFE_PATTERNS) is unsafe, sample
