"""The ``hfcourse`` command (also ``python -m hfcourse``): one entry point for every tool.

``doctor`` and ``accelerate-config`` are defined here; ``run``, ``train`` and ``bench`` hand their arguments to
the ``main`` of ``runner``, ``train`` and ``bench`` (and ``test``, ``lab``, ``clean`` to ``project``), which parse
them (``hfcourse run --help``). The Makefile's targets call this command, so everything ``make`` does also works
where there is no ``make`` (installing is ``python scripts/install.py``).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

__all__ = ["main"]


def _doctor(arguments: argparse.Namespace) -> int:
    from .doctor import run_doctor

    report = run_doctor(build=arguments.build)
    print(report.render())
    return 0 if report.ok else 1


def _accelerate_config(arguments: argparse.Namespace) -> int:
    from .accelerate_setup import (
        check_config_path,
        load_accelerate_config,
        plan_accelerate_setup,
        write_accelerate_config,
    )
    from .doctor import format_table

    try:  # the path first: a measurement that cannot be written is wasted
        check_config_path(arguments.path, overwrite=arguments.overwrite)
    except (ValueError, OSError) as error:
        print(f"hfcourse accelerate-config: --path: {error}", file=sys.stderr)
        return 2
    try:
        setup = plan_accelerate_setup(
            multi_cpu=arguments.multi_cpu,
            num_cpu_processes=arguments.num_processes,
            measure_compile=arguments.measure_compile,
        )
    except ValueError as error:  # options that do not fit together or this machine
        print(error, file=sys.stderr)
        return 2
    print(format_table(("accelerate config asks", "answer", "why"), setup.answers()))
    try:
        path = write_accelerate_config(setup, arguments.path, overwrite=arguments.overwrite)
    except FileExistsError as error:
        print(f"\n{error}", file=sys.stderr)
        return 1
    load_accelerate_config(path)  # accelerate reads back what was written
    print(f"\nWritten to {path}; use it with `accelerate launch --config_file {path} your_script.py`.")
    return 0


def _solutions(arguments: argparse.Namespace) -> int:
    from .exercise_report import run_solutions

    return run_solutions()


def _progress(arguments: argparse.Namespace) -> int:
    from .exercise_report import show_progress

    return show_progress()


# Subcommands that parse their own arguments: name -> ("module" for its main, or "module:function", help).
DELEGATED = {
    "run": ("runner", "execute the notebooks headlessly and write build/report.md"),
    "train": ("train", "fine-tune an encoder on GLUE MRPC or SST-2 and print the result as JSON"),
    "bench": ("bench", "compare the course's recipes with hfcourse's defaults; write build/bench"),
    "index": ("course_index", "write the notebooks' index (README tables) and navigation cells"),
    "test": ("project:test", "ruff, the exercises' reference solutions, then pytest (what make test and CI run)"),
    "lab": ("project:lab", "JupyterLab on notebooks/ with this environment's kernel"),
    "clean": ("project:clean", "remove build outputs (--outputs: also the fine-tuned models in outputs/)"),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hfcourse",
        description="The Hugging Face NLP Course, chapters 0-3. `hfcourse COMMAND --help` explains a command.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    doctor = commands.add_parser("doctor", help="check the environment; exit 1 with a fix for each problem")
    doctor.add_argument("--build", action="store_true", help="also build models not built yet (SmolLM2: about 40 s)")
    doctor.set_defaults(handler=_doctor)

    accelerate = commands.add_parser(
        "accelerate-config", help="answer `accelerate config` by measuring this machine and write the file"
    )
    accelerate.add_argument("--path", help="file to write (default: build/accelerate/default_config.yaml)")
    accelerate.add_argument("--overwrite", action="store_true", help="replace an existing file")
    accelerate.add_argument(
        "--measure-compile", action="store_true", help="measure whether torch.compile pays (a minute or more on a CPU)"
    )
    accelerate.add_argument("--multi-cpu", action="store_true", help="several CPU processes (MULTI_CPU)")
    accelerate.add_argument("--num-processes", type=int, help="with --multi-cpu: how many (default: usable cores)")
    accelerate.set_defaults(handler=_accelerate_config)

    solutions = commands.add_parser(
        "solutions", help="run every exercise's reference solution through its check; exit 1 naming any not accepted"
    )
    solutions.set_defaults(handler=_solutions)
    progress = commands.add_parser("progress", help="show which exercises you have solved, notebook by notebook")
    progress.set_defaults(handler=_progress)
    for name, (_, help_text) in DELEGATED.items():
        commands.add_parser(name, help=help_text, add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command named in ``argv`` (default: the process's arguments); return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in DELEGATED:
        module_name, _, function = DELEGATED[argv[0]][0].partition(":")
        module = importlib.import_module(f"{__package__}.{module_name}")
        return getattr(module, function or "main")(argv[1:])
    arguments = _parser().parse_args(argv)
    return arguments.handler(arguments)


if __name__ == "__main__":
    sys.exit(main())
