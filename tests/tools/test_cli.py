"""The ``hfcourse`` command: one entry point, its subcommands listed, each delegated one parsing its own options."""

from __future__ import annotations

import subprocess
import sys

import pytest

from hfcourse.tools.cli import DELEGATED, main

SUBCOMMANDS = (
    "doctor",
    "accelerate-config",
    "solutions",
    "progress",
    "run",
    "train",
    "bench",
    "index",
    "test",
    "lab",
    "clean",
)


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


@pytest.mark.parametrize(
    ("arguments", "option", "problem"),
    [
        (["run", "--notebooks-dir", "{file}"], "--notebooks-dir", "is a file"),
        (["run", "--notebooks-dir", "{missing}"], "--notebooks-dir", "no such folder"),
        (["run", "--build-dir", "{file}/build"], "--build-dir", "which is a file"),
        (["bench", "--output", "{file}/bench"], "--output", "which is a file"),
        (["bench", "--data-dir", "{file}"], "--data-dir", "is a file"),
        (["accelerate-config", "--path", "{file}/config.yaml"], "--path", "is a file"),
        (["train", "--data-dir", "{missing}"], "--data-dir", "no such folder"),
    ],
    ids=[
        "run-notebooks-file",
        "run-notebooks-missing",
        "run-build",
        "bench-output",
        "bench-data",
        "accelerate",
        "train",
    ],
)
def test_a_bad_path_is_one_line_and_exit_2_before_any_work(arguments, option, problem, tmp_path, capsys):
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    values = {"file": str(a_file), "missing": str(tmp_path / "missing")}
    assert main([argument.format(**values) for argument in arguments]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and option in error and problem in error and "Traceback" not in error, error
