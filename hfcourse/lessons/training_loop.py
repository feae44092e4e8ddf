"""The course's training loop (taught in 03_4a_training_loop) and its Accelerate version (03_4b_accelerate):
``train_loop`` runs the course's one-batch step, ``training_step``, over epochs and evaluates after each.

``training_step`` is defined in ``hfcourse.offline.fine_tuning`` (the derived stand-ins are trained with it too,
and offline sits below this layer) and re-exported here, so one step serves the loop, the benchmark and the
stand-ins.
"""

from __future__ import annotations

import inspect
import os
import sys
from collections.abc import Callable, Mapping
from typing import Any

import torch
from accelerate import Accelerator
from datasets import DatasetDict
from torch.utils.data import DataLoader
from transformers import (
    PreTrainedModel,
    PreTrainedTokenizerBase,
    get_scheduler,
    set_seed,
)

from ..offline.checkpoints import running_in_ipython
from ..offline.devices import default_device, plan_processes, synchronized_time
from ..offline.fine_tuning import training_step
from .collation import make_collator
from .course_recipe import COURSE_RECIPE
from .metrics import classification_metrics
from .training import DEFAULT_SEED, EpochRecord, check_tokenized

__all__ = ["make_accelerator", "train_loop", "training_step"]

# --------------------------------------------------------------------------------------------------
# Manual loop, plain PyTorch or Accelerate
# --------------------------------------------------------------------------------------------------


def make_accelerator(**accelerator_args: Any) -> Accelerator:
    """An ``Accelerator`` on ``default_device()``, with ranks that fit the machine (``plan_processes``).

    Under ``torchrun --nproc_per_node 2`` (or ``accelerate launch --multi_gpu --num_processes 2``) each process
    takes a GPU of its own when there are enough; otherwise (a CPU machine, one GPU, Apple's MPS) the processes
    train together on the CPU over gloo instead of failing with "invalid device ordinal".
    """
    accelerator_args.setdefault("cpu", plan_processes(int(os.environ.get("WORLD_SIZE", "1"))).cpu)
    return Accelerator(**accelerator_args)


def _progress_enabled(progress: bool | None, accelerator: Accelerator | None) -> bool:
    """Whether to draw the progress bar: as asked, else only where someone watches (see train_loop)."""
    from transformers.utils import logging as hf_logging

    if accelerator is not None and not accelerator.is_local_main_process:
        return False
    if progress is not None:
        return progress
    return hf_logging.is_progress_bar_enabled() and (running_in_ipython() or sys.stderr.isatty())


@torch.no_grad()
def _evaluate(
    model: torch.nn.Module,
    dataloader: DataLoader,
    model_inputs: Callable[[Mapping[str, torch.Tensor]], dict[str, torch.Tensor]],
    accelerator: Accelerator | None,
    device: torch.device,
) -> dict[str, float]:
    model.eval()
    predictions, references = [], []
    for batch in dataloader:
        batch = {name: value.to(device) for name, value in batch.items()}
        batch_predictions = model(**model_inputs(batch)).logits.argmax(dim=-1)
        labels = batch["labels"]
        if accelerator is not None:  # every process gets all predictions, the duplicates of the last batch dropped
            batch_predictions, labels = accelerator.gather_for_metrics((batch_predictions, labels))
        predictions.append(batch_predictions.cpu())
        references.append(labels.cpu())
    return classification_metrics(torch.cat(predictions).numpy(), torch.cat(references).numpy())


def train_loop(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    tokenized: DatasetDict,
    epochs: int = COURSE_RECIPE.epochs,
    learning_rate: float = COURSE_RECIPE.learning_rate,
    batch_size: int = COURSE_RECIPE.batch_size,
    accelerator: Accelerator | None = None,
    seed: int = DEFAULT_SEED,
    *,
    progress: bool | None = None,
    on_batch: Callable[[int, Mapping[str, torch.Tensor]], None] | None = None,
) -> list[EpochRecord]:
    """The course's training loop, then accuracy and F1 on ``validation`` after each epoch.

    ``torch.optim.AdamW`` (``learning_rate``, its default weight decay 0.01, as the course's code), a linear
    schedule to zero without warmup (``get_scheduler("linear")``), shuffled batches of ``batch_size``
    padded per batch. Plain PyTorch on the GPU when there is one, else the CPU; given an
    ``Accelerator``, the model, optimizer and data loaders go through ``accelerator.prepare`` (one
    process or several: each process trains on its shard of every epoch and gradients are averaged),
    and predictions are gathered from all processes before scoring.

    Args:
        model: the classifier (``load_classifier``); trained in place.
        tokenizer: its tokenizer, for padding.
        tokenized: ``tokenize_dataset`` output with ``train`` and ``validation``.
        epochs, learning_rate, batch_size: the recipe (``COURSE_RECIPE`` by default; ``batch_size`` per
            process).
        accelerator: None for plain PyTorch, else an ``Accelerator`` (``make_accelerator()``).
        seed: seeds the shuffling and dropout.
        progress: show a progress bar over all steps (on the main process); None: only in a notebook or
            a terminal (not in headless runs whose output goes to a file or a pipe), and only when
            transformers' progress bars are on (``hfcourse.quiet()``, which every notebook calls, turns
            them off).
        on_batch: called as ``on_batch(epoch, batch)`` with every training batch this process sees (all
            its columns, ``idx`` too when ``tokenize_dataset(keep_columns=("idx",))`` kept it), before the
            forward pass.

    Returns:
        One ``EpochRecord`` per epoch (the same on every process).
    """
    from tqdm.auto import tqdm

    check_tokenized(tokenized, "train_loop")
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"train_loop: {name}={value!r}; give a whole number of at least 1.")
    if not learning_rate > 0:
        raise ValueError(f"train_loop: learning_rate={learning_rate!r}; give a positive learning rate such as 5e-5.")

    set_seed(seed)
    accepted = set(inspect.signature(model.forward).parameters)

    def model_inputs(batch: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        return {name: value for name, value in batch.items() if name in accepted}

    data_collator = make_collator(tokenizer)
    train_dataloader = DataLoader(
        tokenized["train"],
        shuffle=True,
        batch_size=batch_size,
        collate_fn=data_collator,
        generator=torch.Generator().manual_seed(seed),
    )
    eval_dataloader = DataLoader(tokenized["validation"], batch_size=batch_size, collate_fn=data_collator)
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate)  # its default weight decay, 0.01, as the course

    if accelerator is not None:
        train_dataloader, eval_dataloader, model, optimizer = accelerator.prepare(
            train_dataloader, eval_dataloader, model, optimizer
        )
        device = accelerator.device
    else:
        device = torch.device(default_device())
        model.to(device)

    num_training_steps = epochs * len(train_dataloader)
    lr_scheduler = get_scheduler(
        "linear", optimizer=optimizer, num_warmup_steps=0, num_training_steps=num_training_steps
    )
    progress_bar = tqdm(total=num_training_steps, disable=not _progress_enabled(progress, accelerator))

    history: list[EpochRecord] = []
    for epoch in range(1, epochs + 1):
        model.train()
        started = synchronized_time(device)
        loss_sum = torch.zeros((), device=device)
        for batch in train_dataloader:
            batch = {name: value.to(device) for name, value in batch.items()}
            if on_batch is not None:
                on_batch(epoch, batch)
            loss_sum += training_step(model, model_inputs(batch), optimizer, lr_scheduler, accelerator)
            progress_bar.update(1)
        seconds = synchronized_time(device) - started
        mean_loss = loss_sum / len(train_dataloader)
        if accelerator is not None:  # the mean over all processes, so every process reports the same
            mean_loss = accelerator.reduce(mean_loss, reduction="mean")
        metrics = _evaluate(model, eval_dataloader, model_inputs, accelerator, device)
        history.append(
            EpochRecord(
                epoch=epoch, loss=float(mean_loss), accuracy=metrics["accuracy"], f1=metrics["f1"], seconds=seconds
            )
        )
    progress_bar.close()
    model.eval()
    return history
