"""Fine-tune on GLUE MRPC or SST-2 from the command line, on one process or several.

    python -m hfcourse train --task mrpc --loop trainer
    python -m hfcourse train --task mrpc --loop manual --max-train-samples 200 --epochs 1
    torchrun --standalone --nproc_per_node 2 -m hfcourse train --loop accelerate
    accelerate launch --multi_gpu --num_processes 2 -m hfcourse train --loop accelerate

``--loop trainer`` runs ``build_trainer``, ``manual`` the plain PyTorch ``train_loop`` (one process only)
and ``accelerate`` ``train_loop`` through an ``Accelerator``. On a machine without CUDA the processes of
a launcher train together on the CPU over gloo; with GPUs the same command uses one GPU per process.
(``accelerate launch --cpu --num_processes 2`` starts only one process; the lines above start two.)

The main process prints the checkpoint and the data source that ran, then the result as one line of JSON
(also written to ``OUTPUT_DIR/result.json``). Every process writes ``OUTPUT_DIR/rank-<rank>.json`` with
the world size, the ids of the training samples it saw in each epoch (``manual``/``accelerate``) and a
fingerprint of its final weights, so that a distributed run can be checked: shards differ, weights agree.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..lessons.course_recipe import COURSE_RECIPE

LOOPS = ("trainer", "manual", "accelerate")

__all__ = ["LOOPS", "TrainConfig", "launch_command", "main", "run"]


@dataclass(frozen=True)
class TrainConfig:
    """One training run; the fields are the command line's options."""

    task: str = "mrpc"
    data_dir: str | None = None
    checkpoint: str | None = None
    loop: str = "trainer"
    epochs: int = COURSE_RECIPE.epochs
    batch_size: int = COURSE_RECIPE.batch_size
    learning_rate: float = COURSE_RECIPE.learning_rate
    seed: int = COURSE_RECIPE.seed
    max_train_samples: int | None = None
    max_eval_samples: int | None = None
    output_dir: str = "outputs/train"
    save_model: bool = False
    save_steps: int | None = None
    resume: bool = False
    progress: bool = False


def _world_size() -> int:
    return int(os.environ.get("WORLD_SIZE", "1"))


def _check(config: TrainConfig) -> None:
    from ..offline.data import GLUE_TASKS

    if config.task not in GLUE_TASKS:
        raise ValueError(f"task {config.task!r} is not supported; choose one of {', '.join(GLUE_TASKS)}.")
    if config.loop not in LOOPS:
        raise ValueError(f"loop {config.loop!r} is not known; choose one of {', '.join(LOOPS)}.")
    if config.loop == "manual" and _world_size() > 1:
        raise ValueError(
            f"--loop manual is plain PyTorch on one process, but this launcher started {_world_size()} processes: "
            "use --loop accelerate (or trainer) under torchrun / accelerate launch."
        )
    if config.resume and config.loop != "trainer":
        raise ValueError(f"--resume picks up a Trainer checkpoint; it needs --loop trainer (got --loop {config.loop}).")
    for name in ("epochs", "batch_size", "max_train_samples", "max_eval_samples", "save_steps"):
        value = getattr(config, name)
        if value is not None and value < 1:
            raise ValueError(f"--{name.replace('_', '-')} {value}: give a whole number of at least 1.")
    _check_paths(config)


def _check_paths(config: TrainConfig) -> None:
    """Every path option, before any work: ValueError naming the option, the problem and the fix."""
    from ..lessons.training import check_save_folder
    from ..offline.checkpoints import _looks_like_path
    from ..offline.validation import check_existing_folder, check_path, check_writable_folder

    if config.data_dir is not None:
        check_existing_folder("--data-dir", config.data_dir, "train.tsv and dev.tsv")
    if config.checkpoint is not None:
        checkpoint = Path(check_path("--checkpoint", config.checkpoint)).expanduser()
        if checkpoint.exists() and not checkpoint.is_dir():
            raise ValueError(f"--checkpoint {config.checkpoint} is a file; give a model folder or a Hub id.")
        if not checkpoint.exists() and _looks_like_path(config.checkpoint):
            raise ValueError(f"--checkpoint {config.checkpoint}: no such folder; give a model folder or a Hub id.")
    output_dir = check_writable_folder("--output-dir", config.output_dir)
    if config.save_model:
        try:
            check_save_folder(output_dir / "model")
        except FileExistsError as error:
            raise ValueError(f"--save-model: {error}") from None


def run(config: TrainConfig) -> dict[str, Any]:
    """Train and evaluate as ``config`` says; return the result (the same on every process).

    The result holds the configuration, the checkpoint and data source that ran, the world size, the
    sample counts, the per-epoch ``history`` and the last epoch's ``accuracy``, ``f1`` and the total
    training ``seconds``.
    """
    _check(config)
    from transformers import AutoTokenizer

    from ..lessons.tokenization import tokenize_dataset
    from ..lessons.trainer import build_trainer, last_checkpoint, trainer_history
    from ..lessons.training import limit_samples, load_classifier, save_finetuned, weights_fingerprint
    from ..lessons.training_loop import make_accelerator, train_loop
    from ..offline.catalog import resolve_checkpoint
    from ..offline.data import GLUE_TASKS, data_source, load_glue

    output_dir = Path(config.output_dir)
    accelerator = make_accelerator() if config.loop == "accelerate" else None
    checkpoint = resolve_checkpoint("encoder", config.checkpoint)
    raw = limit_samples(load_glue(config.task, config.data_dir), config.max_train_samples, config.max_eval_samples)
    tokenizer = AutoTokenizer.from_pretrained(checkpoint.name_or_path)
    tokenized = tokenize_dataset(raw, tokenizer, GLUE_TASKS[config.task].text_columns, keep_columns=("idx",))
    model = load_classifier(checkpoint, seed=config.seed, label_names=raw["train"].features["label"].names)

    sample_ids: list[list[int]] | None = None  # per epoch, the training samples this process saw
    if config.loop == "trainer":
        trainer = build_trainer(
            model,
            tokenizer,
            tokenized,
            output_dir / "checkpoints",
            num_train_epochs=config.epochs,
            learning_rate=config.learning_rate,
            per_device_train_batch_size=config.batch_size,
            per_device_eval_batch_size=config.batch_size,
            seed=config.seed,
            disable_tqdm=not config.progress,
            ddp_find_unused_parameters=False,  # every parameter gets a gradient; True only costs time (and a warning)
            **({"save_strategy": "steps", "save_steps": config.save_steps} if config.save_steps else {}),
        )
        resume_from = last_checkpoint(output_dir / "checkpoints") if config.resume else None
        trainer.train(resume_from_checkpoint=str(resume_from) if resume_from else None)
        history = trainer_history(trainer)
        rank, world_size, is_main = trainer.args.process_index, trainer.args.world_size, trainer.is_world_process_zero()
    else:
        sample_ids = [[] for _ in range(config.epochs)]
        history = train_loop(
            model,
            tokenizer,
            tokenized,
            epochs=config.epochs,
            learning_rate=config.learning_rate,
            batch_size=config.batch_size,
            accelerator=accelerator,
            seed=config.seed,
            progress=config.progress,
            on_batch=lambda epoch, batch: sample_ids[epoch - 1].extend(batch["idx"].tolist()),
        )
        rank, world_size = (accelerator.process_index, accelerator.num_processes) if accelerator else (0, 1)
        is_main = rank == 0

    output_dir.mkdir(parents=True, exist_ok=True)
    rank_report = {
        "rank": rank,
        "world_size": world_size,
        "sample_ids": sample_ids,
        "weights_sha256": weights_fingerprint(model),
    }
    (output_dir / f"rank-{rank}.json").write_text(json.dumps(rank_report))
    result = {
        **asdict(config),
        "checkpoint": str(checkpoint),
        "data_source": data_source(raw),
        "world_size": world_size,
        "train_samples": len(raw["train"]),
        "eval_samples": len(raw["validation"]),
        "history": history,
        "accuracy": history[-1]["accuracy"],
        "f1": history[-1]["f1"],
        "seconds": sum(epoch["seconds"] for epoch in history),
    }
    if config.loop == "trainer":
        result["resumed_from"] = str(resume_from) if resume_from else None
    if is_main:
        if config.save_model:
            result["model_dir"] = str(save_finetuned(model, tokenizer, output_dir / "model"))
        (output_dir / "result.json").write_text(json.dumps(result, indent=2))
    if accelerator is not None:
        accelerator.wait_for_everyone()
        accelerator.end_training()
    return result


def launch_command(num_processes: int = 2, launcher: str = "torchrun", **options: Any) -> list[str]:
    """The command line that runs this script on ``num_processes`` processes of this machine.

    Args:
        num_processes: processes to start (one per GPU on a GPU machine).
        launcher: ``torchrun`` (``torchrun --standalone --nproc_per_node N``) or ``accelerate``
            (``accelerate launch --multi_gpu --num_processes N``, the form that really starts N processes).
        **options: the script's options by field name (``loop="accelerate"``, ``max_train_samples=200``);
            True flags are given bare, False and None ones left out.

    The launcher runs with this interpreter (``python -m torch.distributed.run`` / ``python -m
    accelerate.commands.launch``), so it works from a notebook whose virtual environment is not activated.
    """
    if launcher == "torchrun":
        command = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={num_processes}"]
    elif launcher == "accelerate":
        command = [
            sys.executable,
            "-m",
            "accelerate.commands.launch",
            "--multi_gpu",
            f"--num_processes={num_processes}",
        ]
        command += ["--num_machines=1", "--mixed_precision=no", "--dynamo_backend=no"]  # else it warns about defaults
    else:
        raise ValueError(f"launcher {launcher!r} is not known; choose 'torchrun' or 'accelerate'.")
    command += ["-m", "hfcourse", "train"]
    known = TrainConfig.__dataclass_fields__
    for name, value in options.items():
        if name not in known:
            raise TypeError(
                f"launch_command: {name!r} is not an option of hfcourse train; options: {', '.join(known)}."
            )
        flag = "--" + name.replace("_", "-")
        if value is True:
            command.append(flag)
        elif value is not None and value is not False:
            command += [flag, str(value)]
    return command


def _parser() -> argparse.ArgumentParser:
    defaults = TrainConfig()
    parser = argparse.ArgumentParser(
        prog="hfcourse train",
        description="Fine-tune an encoder on GLUE MRPC or SST-2 (course chapter 3) and print the result as JSON.",
        epilog="Two processes: torchrun --standalone --nproc_per_node 2 -m hfcourse train --loop accelerate",
    )
    parser.add_argument("--task", default=defaults.task, help="mrpc or sst2 (default: %(default)s)")
    parser.add_argument(
        "--data-dir", help="folder of the GLUE TSV files (default: the Hub online, the embedded set offline)"
    )
    parser.add_argument("--checkpoint", help="model folder or Hub id (default: the catalog's encoder)")
    parser.add_argument("--loop", choices=LOOPS, default=defaults.loop, help="training loop (default: %(default)s)")
    parser.add_argument("--epochs", type=int, default=defaults.epochs)
    parser.add_argument(
        "--batch-size", type=int, default=defaults.batch_size, help="per process (default: %(default)s)"
    )
    parser.add_argument("--learning-rate", type=float, default=defaults.learning_rate)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--max-train-samples", type=int, help="train on the first N training samples")
    parser.add_argument("--max-eval-samples", type=int, help="evaluate on the first N validation samples")
    parser.add_argument(
        "--output-dir", default=defaults.output_dir, help="checkpoints, reports, model (default: %(default)s)"
    )
    parser.add_argument("--save-model", action="store_true", help="save the fine-tuned model to OUTPUT_DIR/model")
    parser.add_argument("--save-steps", type=int, help="trainer: a checkpoint every N steps (default: one per epoch)")
    parser.add_argument(
        "--resume",
        action="store_true",
        help="trainer: go on from the last checkpoint in OUTPUT_DIR/checkpoints, if any",
    )
    parser.add_argument("--progress", action="store_true", help="show progress bars and library messages")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    arguments = _parser().parse_args(argv)
    config = TrainConfig(**{name.replace("-", "_"): value for name, value in vars(arguments).items()})
    if not config.progress:
        from ..lessons.notebook import quiet

        quiet()
    try:
        result = run(config)
    except (ValueError, TypeError, FileNotFoundError) as error:
        print(f"hfcourse train: {error}", file=sys.stderr)
        return 2
    if int(os.environ.get("RANK", "0")) == 0:
        print(result["checkpoint"])
        print(f"data: {result['data_source']}")
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
