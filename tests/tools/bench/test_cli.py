"""``hfcourse bench``: bad options and folders are refused with a message, not a traceback."""

from __future__ import annotations

import pytest

from hfcourse.tools import bench


def test_missing_data_dir_is_reported_without_a_traceback(tmp_path, capsys):
    assert bench.main(["--quick", "--data-dir", str(tmp_path / "nowhere"), "--output", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert "--data-dir" in error and "nowhere: no such folder" in error and "Traceback" not in error


def test_output_that_is_a_file_is_refused(tmp_path, capsys):
    target = tmp_path / "bench.json"
    target.write_text("{}")
    assert bench.main(["--quick", "--output", str(target)]) == 2
    assert "is a file; give a folder" in capsys.readouterr().err


def test_bad_rounds_are_refused_by_the_parser(capsys):
    with pytest.raises(SystemExit) as exit_info:
        bench.main(["--quick", "--rounds", "0"])
    assert exit_info.value.code == 2
    assert "--rounds: '0' is not a whole number of at least 1" in capsys.readouterr().err
    with pytest.raises(ValueError, match="rounds 0"):
        bench.run_benchmark(quick=True, rounds=0)
