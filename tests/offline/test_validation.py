"""Parameter checks: a path naming an unknown user's home is a clear error, not pathlib's RuntimeError."""

from __future__ import annotations

import pytest

from hfcourse.offline.catalog import resolve_checkpoint
from hfcourse.offline.data import load_glue
from hfcourse.offline.validation import check_path

UNKNOWN_USER_HOME = "~no-such-user-hfcourse/model"  # found by hypothesis as "~0"


def test_a_home_folder_path_passes_unchanged():
    assert check_path("data_dir", "~/glue/MRPC") == "~/glue/MRPC"


def test_an_unknown_users_home_is_refused_naming_the_parameter_and_the_fix():
    with pytest.raises(ValueError, match=r"^checkpoint='~no-such-user-hfcourse/model': .*give the full path\.$"):
        check_path("checkpoint", UNKNOWN_USER_HOME)
    with pytest.raises(ValueError, match="checkpoint="):
        resolve_checkpoint("encoder", "~0")
    with pytest.raises(ValueError, match="data_dir="):
        load_glue("mrpc", "~0")
