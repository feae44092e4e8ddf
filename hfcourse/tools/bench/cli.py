"""``hfcourse bench``: the command line of the benchmark."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ...lessons.course_recipe import COURSE_RECIPE
from .report import format_markdown
from .run import run_benchmark

if TYPE_CHECKING:
    pass


# --------------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------------


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1 (e.g. 2)")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m hfcourse bench [--quick] [--data-dir DIR] [--output DIR] [--seed N] [--rounds N]``."""
    parser = argparse.ArgumentParser(
        prog="hfcourse bench",
        description="Compare the course's recipes with hfcourse's defaults, side by side; write bench.json and "
        "bench.md.",
    )
    parser.add_argument("--quick", action="store_true", help="tiny slices (a couple of minutes), for tests")
    parser.add_argument(
        "--data-dir", help="a GLUE MRPC folder (train.tsv, dev.tsv); default: load_glue's default source"
    )
    parser.add_argument(
        "--output", default="build/bench", help="folder for bench.json and bench.md (default: build/bench)"
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=COURSE_RECIPE.seed,
        help="seed for models, samplers and Trainer (default: %(default)s)",
    )
    parser.add_argument(
        "--rounds",
        type=_positive_int,
        help="repeat the short comparisons this many times, keep the fastest (default 1)",
    )
    arguments = parser.parse_args(argv)

    from ...lessons.notebook import quiet
    from ...offline.data import DataFormatError
    from ...offline.validation import check_existing_folder, check_writable_folder

    quiet()
    try:
        if arguments.data_dir is not None:
            check_existing_folder("--data-dir", arguments.data_dir, "train.tsv and dev.tsv")
        check_writable_folder("--output", arguments.output)
    except ValueError as error:
        print(f"hfcourse bench: {error}", file=sys.stderr)
        return 2
    try:
        results = run_benchmark(
            quick=arguments.quick,
            data_dir=arguments.data_dir,
            output_dir=arguments.output,
            seed=arguments.seed,
            rounds=arguments.rounds,
        )
    except (FileNotFoundError, NotADirectoryError, DataFormatError) as error:  # bad --data-dir or --output
        print(f"hfcourse bench: {error}", file=sys.stderr)
        return 2
    print()
    print(format_markdown(results))
    print(f"Written: {Path(arguments.output) / 'bench.json'} and {Path(arguments.output) / 'bench.md'}")
    return 0
