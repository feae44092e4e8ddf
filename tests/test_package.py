"""``import hfcourse``: fast, without network I/O or side effects; every public name loads from its module."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import hfcourse

# Run in a fresh process: any connection attempt raises, and the environment must come out unchanged.
IMPORT_SCRIPT = """
import os, socket, sys
def refuse(*args, **kwargs):
    raise AssertionError("import hfcourse opened a network connection")
socket.socket.connect = socket.create_connection = refuse
environment = dict(os.environ)
import hfcourse
assert dict(os.environ) == environment, "import hfcourse changed the environment"
heavy = sorted({"torch", "transformers", "datasets", "huggingface_hub"} & set(sys.modules))
assert not heavy, f"import hfcourse imported {heavy}"
print("ok")
"""


def test_import_does_no_network_io_and_changes_nothing():
    env = {"PATH": "", "HFCOURSE_OFFLINE": ""}  # no forced offline: the probe would run if import did it
    result = subprocess.run([sys.executable, "-c", IMPORT_SCRIPT], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


@pytest.mark.parametrize("name", hfcourse.__all__)
def test_every_public_name_loads_from_its_module(name):
    module = importlib.import_module(f"hfcourse.{hfcourse._EXPORTS[name]}")
    assert getattr(hfcourse, name) is getattr(module, name)


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        hfcourse.not_a_name  # noqa: B018
