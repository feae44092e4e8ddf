"""The ``hfcourse`` command: one entry point, its subcommands listed, each delegated one parsing its own options."""

from __future__ import annotations

import subprocess
import sys

import pytest

from hfcourse.tools.cli import DELEGATED, main

SUBCOMMANDS = ("doctor", "accelerate-config", "run", "train", "bench", "index")


def test_help_lists_every_subcommand():
    completed = subprocess.run(
        [sys.executable, "-m", "hfcourse", "--help"], capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    for name in SUBCOMMANDS:
        assert f"\n    {name}" in completed.stdout, f"{name} missing from:\n{completed.stdout}"


def test_no_subcommand_is_a_usage_error_that_names_them():
    completed = subprocess.run([sys.executable, "-m", "hfcourse"], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 2
    assert "{" + ",".join(SUBCOMMANDS) + "}" in completed.stderr


@pytest.mark.parametrize("name", sorted(DELEGATED))
def test_delegated_subcommands_parse_their_own_options(name, capsys):
    with pytest.raises(SystemExit) as stopped:
        main([name, "--help"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: hfcourse {name} ")


def test_an_unknown_option_of_a_subcommand_names_it(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["train", "--epoch", "2", "--no-such-option"])
    assert stopped.value.code == 2
    assert "unrecognized arguments: --no-such-option" in capsys.readouterr().err
