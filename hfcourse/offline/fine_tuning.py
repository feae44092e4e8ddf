"""The course's training step (taught in 03_4a_training_loop) and the short runs that fine-tune the derived stand-ins.

One implementation of the step serves three users: ``fine_tune`` below (which builds the derived stand-ins in
``standins``), ``hfcourse.lessons.training_loop.train_loop`` and the benchmark (``hfcourse bench``). It lives in
this bottom layer because the stand-ins are built here and imports only go tools -> lessons -> offline.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import torch

from .devices import default_device

__all__ = ["fine_tune", "training_step"]

# Stand-in builds run a few hundred steps; a short warm-up keeps MiniLM's first updates small.
WARMUP_STEPS = 10
# torch.optim.AdamW's default, as in the course's loop.
WEIGHT_DECAY = 0.01


def training_step(
    model: torch.nn.Module,
    inputs: Mapping[str, torch.Tensor],
    optimizer: torch.optim.Optimizer,
    lr_scheduler: Any = None,
    accelerator: Any = None,
) -> torch.Tensor:
    """One step of the course's training loop (03_4a_training_loop): forward, loss, backward (through
    ``accelerator.backward`` when given, as 03_4b_accelerate changes it), optimizer step, schedule step, zeroed
    gradients. ``inputs`` are the model's keyword arguments, ``labels`` included; returns the detached loss.

    ``train_loop`` and ``fine_tune`` run exactly this step; the benchmark times it (``lr_scheduler=None``).
    """
    loss = model(**inputs).loss
    if accelerator is not None:
        accelerator.backward(loss)
    else:
        loss.backward()
    optimizer.step()
    if lr_scheduler is not None:
        lr_scheduler.step()
    optimizer.zero_grad()
    return loss.detach()


def fine_tune(
    model: torch.nn.Module,
    train_dataset: Any,
    data_collator: Callable[[list[dict[str, Any]]], Mapping[str, torch.Tensor]],
    *,
    epochs: int,
    learning_rate: float,
    batch_size: int,
    seed: int,
) -> None:
    """Train ``model`` in place on ``train_dataset`` (only model inputs and labels as columns): shuffled batches
    (seeded), AdamW on the trainable weights, a linear schedule after ``WARMUP_STEPS``, ``training_step`` each
    batch. Runs on the first CUDA GPU when there is one, else on the CPU; leaves the model in eval mode."""
    from torch.utils.data import DataLoader
    from transformers import get_scheduler

    device = torch.device(default_device())
    model.to(device)
    train_dataloader = DataLoader(
        train_dataset,
        batch_size=batch_size,
        shuffle=True,
        collate_fn=data_collator,
        generator=torch.Generator().manual_seed(seed),
    )
    trainable = [parameter for parameter in model.parameters() if parameter.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=learning_rate, weight_decay=WEIGHT_DECAY)
    lr_scheduler = get_scheduler(
        "linear", optimizer, num_warmup_steps=WARMUP_STEPS, num_training_steps=epochs * len(train_dataloader)
    )
    model.train()
    for _ in range(epochs):
        for batch in train_dataloader:
            training_step(model, {key: value.to(device) for key, value in batch.items()}, optimizer, lr_scheduler)
    model.eval()
