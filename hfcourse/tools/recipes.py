"""hfcourse's default fine-tuning recipe: the course's Trainer run, made faster by measured settings.

The course fine-tunes with ``TrainingArguments`` defaults (batch 8, learning rate 5e-5, 3 epochs, shuffled
batches padded per batch). ``HFCOURSE_RECIPE`` changes only what was measured to pay on the course's
CPU machines (``python -m hfcourse bench`` measures every setting again, side by side with the course
recipe):

- no dropout: without dropout layers a CPU training step ran about 1.1x faster, and MiniLM learned MRPC
  faster and further (``HFCOURSE_RECIPE.why["dropout"]``);
- length-grouped batches: random batches of MRPC pairs are about 26% padding at batch 8, grouped ones 2%;
  evaluation batches are sorted by length too;
- the course's batch size and schedule (batch 8, learning rate 5e-5, 3 epochs): batch 32 at 1e-4 used more
  of the CPU's peak but took longer to the course's F1 (``HFCOURSE_RECIPE.why["schedule"]`` lists what was
  rejected);
- evaluation twice per epoch on large batches, so that a run knows when it reached an F1;
- fused AdamW (also the Trainer's default since torch 2.8);
- fp32: bf16 only where a matmul is measured faster on the running machine (``default_recipe``);
- no ``torch.compile``: compiling MiniLM's training step took longer than it saved in a run this short.

``build_recipe_trainer`` is ``hfcourse.lessons.trainer.build_trainer`` with the recipe's settings.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ..lessons.course_recipe import COURSE_RECIPE

if TYPE_CHECKING:
    import torch
    from datasets import Dataset, DatasetDict
    from transformers import PreTrainedModel, PreTrainedTokenizerBase, Trainer

    from .accelerate_setup import PrecisionTiming

__all__ = [
    "HFCOURSE_RECIPE",
    "PRECISIONS",
    "Recipe",
    "build_recipe_trainer",
    "default_recipe",
    "set_dropout",
    "sorted_by_length",
]

# Recipe precision -> the TrainingArguments switch that turns it on (fp32 needs none).
PRECISIONS = {"fp32": None, "bf16": "bf16", "fp16": "fp16"}
# accelerate's precision names (what accelerate_setup measures) -> the recipe's.
_MEASURED_PRECISIONS = {"no": "fp32", "bf16": "bf16", "fp16": "fp16"}


@dataclass(frozen=True)
class Recipe:
    """A fine-tuning recipe: the ``TrainingArguments`` settings that differ from the course's.

    Attributes:
        name: shown in benchmark tables.
        batch_size: training samples per optimizer step.
        learning_rate: peak learning rate (after warmup), decaying linearly to zero.
        epochs: passes over the training set.
        warmup_fraction: fraction of the steps spent raising the learning rate from zero.
        length_grouped: batch samples of similar length together (``LengthGroupedSampler``).
        evaluations_per_epoch: validation runs per epoch (the last step always ends with one).
        eval_batch_size: samples per evaluation batch.
        precision: ``fp32``, ``bf16`` or ``fp16`` (autocast); see ``default_recipe``.
        compile: ``torch.compile`` the model (``TrainingArguments(torch_compile=True)``).
        freeze_word_embeddings: keep the word-embedding table as pretrained (no gradient, no optimizer
            state): about half of MiniLM's parameters, and none of its matmuls.
        dropout: the dropout probability of every dropout layer (hidden states and attention); ``None`` keeps
            the checkpoint's (0.1 for MiniLM and BERT).
        max_grad_norm: clip the gradients' global norm to this before each step (the Trainer's default 1.0);
            0 turns clipping off.
        why: the measurement behind each setting, by setting name.
    """

    name: str
    batch_size: int
    learning_rate: float
    epochs: int
    warmup_fraction: float
    length_grouped: bool
    evaluations_per_epoch: int
    eval_batch_size: int
    precision: str = "fp32"
    compile: bool = False
    freeze_word_embeddings: bool = False
    dropout: float | None = None
    max_grad_norm: float = 1.0
    why: Mapping[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        for name in ("batch_size", "epochs", "evaluations_per_epoch", "eval_batch_size"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"Recipe {self.name!r}: {name}={value!r}; give a whole number of at least 1.")
        if not self.learning_rate > 0:
            raise ValueError(
                f"Recipe {self.name!r}: learning_rate={self.learning_rate!r}; give a positive rate such as 1e-4."
            )
        if not 0 <= self.warmup_fraction < 1:
            raise ValueError(
                f"Recipe {self.name!r}: warmup_fraction={self.warmup_fraction!r}; give a fraction in [0, 1), e.g. 0.1."
            )
        if self.dropout is not None and not 0 <= self.dropout < 1:
            raise ValueError(
                f"Recipe {self.name!r}: dropout={self.dropout!r}; give a probability in [0, 1), or None for the "
                "checkpoint's."
            )
        if not self.max_grad_norm >= 0:
            raise ValueError(
                f"Recipe {self.name!r}: max_grad_norm={self.max_grad_norm!r}; give a norm of at least 0 (0: no "
                "clipping)."
            )
        if self.precision not in PRECISIONS:
            raise ValueError(
                f"Recipe {self.name!r}: precision={self.precision!r}; give one of {', '.join(PRECISIONS)}."
            )

    def steps_per_epoch(self, train_size: int) -> int:
        """Optimizer steps in one epoch over ``train_size`` samples (the last batch may be smaller)."""
        if not isinstance(train_size, int) or train_size < 1:
            raise ValueError(f"train_size={train_size!r}; give the number of training samples (at least 1).")
        return math.ceil(train_size / self.batch_size)

    def eval_steps(self, train_size: int) -> int:
        """Steps between two evaluations: ``evaluations_per_epoch`` evenly spread evaluations per epoch."""
        return max(1, math.ceil(self.steps_per_epoch(train_size) / self.evaluations_per_epoch))

    def training_args(self, train_size: int) -> dict[str, Any]:
        """The keyword arguments of ``build_trainer`` for a training set of ``train_size`` samples.

        No checkpoints are saved (``save_strategy="no"``): pass ``save_strategy`` to ``build_recipe_trainer``
        to keep some.
        """
        eval_steps = self.eval_steps(train_size)
        arguments: dict[str, Any] = {
            "num_train_epochs": self.epochs,
            "learning_rate": self.learning_rate,
            "per_device_train_batch_size": self.batch_size,
            "per_device_eval_batch_size": self.eval_batch_size,
            "warmup_steps": self.warmup_fraction,  # a float below 1 is a fraction of the steps
            "lr_scheduler_type": "linear",
            "optim": "adamw_torch_fused",
            "train_sampling_strategy": "group_by_length" if self.length_grouped else "random",
            "eval_strategy": "steps",
            "eval_steps": eval_steps,
            "logging_strategy": "steps",
            "logging_steps": eval_steps,
            "save_strategy": "no",
            "torch_compile": self.compile,
            "max_grad_norm": self.max_grad_norm,
        }
        switch = PRECISIONS[self.precision]
        if switch is not None:
            arguments[switch] = True
        return arguments

    def describe(self) -> dict[str, Any]:
        """The recipe's settings as plain values (for reports and JSON)."""
        return {
            "name": self.name,
            "batch_size": self.batch_size,
            "learning_rate": self.learning_rate,
            "epochs": self.epochs,
            "warmup_fraction": self.warmup_fraction,
            "length_grouped": self.length_grouped,
            "evaluations_per_epoch": self.evaluations_per_epoch,
            "eval_batch_size": self.eval_batch_size,
            "precision": self.precision,
            "compile": self.compile,
            "freeze_word_embeddings": self.freeze_word_embeddings,
            "dropout": self.dropout,
            "max_grad_norm": self.max_grad_norm,
            "optimizer": "AdamW (fused)",
        }


# Measured on the project's 2-core AMD EPYC (AVX2, no AVX-512) with the embedded MiniLM on the real MRPC
# (3,668 training pairs), seed 42 (scripts/recipe_search.py, make bench; 2026-11-25/26). Search runs ran two at a
# time on one thread each: their seconds are not comparable, and their paths differ from two-thread runs.
HFCOURSE_RECIPE = Recipe(
    name="hfcourse",
    batch_size=COURSE_RECIPE.batch_size,
    learning_rate=COURSE_RECIPE.learning_rate,
    epochs=COURSE_RECIPE.epochs,
    warmup_fraction=0.0,
    length_grouped=True,
    evaluations_per_epoch=2,
    eval_batch_size=64,
    dropout=0.0,
    why={
        "dropout": "0 (MiniLM's checkpoint says 0.1): with the course's schedule, alone on two threads, the F1 reached "
        "0.8783 after 1.5 epochs (292 s; 306 s in make bench) and ended at 0.8407 / 0.8885, against 0.8064 / 0.8668 "
        "with dropout; batch 32 at "
        "1e-4 with 6% warmup ended at 0.8284 / 0.8826 without dropout (make bench) against 0.7892 / 0.8557 with it. "
        "The "
        "dropout masks are drawn on the CPU: without them the manual loop ran 1.09x-1.12x the samples/s at batch 8",
        "batch size": "8, the course's: batch 32 (learning rate 1e-4, 6% warmup, no dropout) ran 1.14x the samples/s "
        "in the "
        "manual loop and 0.606 of the fp32 matmul peak in the Trainer, but reached the course's F1 only at its last "
        "evaluation, after 437 s (make bench, 2026-11-26). Batch 16 alone on two threads (2026-11-26) ran 23.1-25.1 "
        "samples/s and 81.7-88.5 GFLOP/s on real tokens but sat at the course's F1 after 2 epochs: at 5e-5 0.8703 (339 "
        "s; "
        "reached only at the end, 0.8235 / 0.8763); at 7e-5 0.8730 (353 s; final 0.8284 / 0.8797); at 7e-5 with one "
        "evaluation an epoch 0.8700 (310 s; final 0.8260 / 0.8761: the path left the two-evaluation one after the "
        "first epoch, so F1s this close to the target are within run-to-run noise)",
        "precision": "fp32: bf16 autocast only where a matmul is measured faster (default_recipe); on this AVX2 CPU a "
        "512x512 bf16 matmul took 211 ms against 1.7 ms in fp32",
        "length-grouped batches": "random batches of MRPC pairs are 26% padding at batch 8; grouped by length 1.7%; "
        "the manual loop ran 1.23x-1.26x the samples/s",
        "max_grad_norm": "1.0, the Trainer's: without clipping the recipe reached F1 0.8733 only after 2 epochs (367 "
        "s) and "
        "ended at 0.7990 / 0.8586, below the course's 0.8088 / 0.8704; clipping costs 17 ms of a batch-8 step of about "
        "360 ms",
        "fused AdamW": "1.09x-1.37x the samples/s of the for-loop AdamW (batch 8, three benchmark runs); the Trainer's "
        "default",
        "schedule": "the course's (learning rate 5e-5, no warmup, 3 epochs). Rejected, without dropout: batch 32 at "
        "1e-4 "
        "with 6% warmup (above); in the search (two candidates side by side on one thread each; such runs take other "
        "paths than two-thread ones: batch 32's F1 after 2 epochs was 0.8826 on one thread, 0.8521 on two): batch 8 at "
        "5e-5 for 2 epochs reached the F1 after 1.5 epochs but ended at 0.8088 / 0.8582; batch 16 at 5e-5 reached it "
        "only after 2 epochs (final 0.8284 / 0.8797); batch 16 at 8e-5 with 10% warmup only at the end of 3 epochs "
        "(0.8162 / 0.8727); batch 8 at 8e-5 with 10% warmup for 2 epochs never (best 0.8681). With dropout: batch 32 "
        "at "
        "2e-4 with 10% warmup collapsed to the majority class (0.6838 / 0.8122); batch 16 at 1e-4, 2 epochs: 0.7328 / "
        "0.8326; batch 32 at 1e-4, 3 epochs: 0.7892 / 0.8557; batch 32 at 1e-4, 2 epochs: 0.7745 / 0.8506",
        "max_length truncation": "none: the longest MRPC pair has 103 tokens (99th percentile 83) of MiniLM's 512, so "
        "truncating at the 99th percentile would drop under 0.1% of the tokens",
        "threads": "torch's default, one per core: 1.60x-1.71x the samples/s of 1 thread (three benchmark runs)",
        "torch.compile": "no: compiling MiniLM's training step took 64-112 s and then ran 0.85x-1.10x the eager "
        "samples/s "
        "(three benchmark runs): in a run of under 10 minutes, never more than the compiling took",
        "reused freed memory": "not changed: glibc hands the 47 MB word-embedding gradient fresh pages each step "
        "(about "
        "11,800 page faults per batch-8 step). Keeping freed memory in the heap (mallopt M_MMAP_MAX=0) removed them "
        "and ran "
        "bare steps 1.13x faster, but in the Trainer the faults stop by themselves after the first evaluation (its "
        "large "
        "batches leave the heap room for the gradient): steps 50-200 took 54.4 s with it against 56.4 s without, and "
        "afterwards both ran alike, so it is not worth changing the process's allocator",
        "frozen word embeddings": "no: batch 32 at 1e-4 with them frozen ran 25.2 samples/s, no faster than unfrozen "
        "(28.9)",
    },
)


def default_recipe(precision_timing: PrecisionTiming | None = None) -> Recipe:
    """``HFCOURSE_RECIPE`` with the precision that is fastest on this machine.

    bf16 (or fp16 on a GPU) is chosen only where a matmul under autocast is measured faster than fp32 (on
    CPUs without bf16 matrix instructions it is many times slower); otherwise fp32.

    Args:
        precision_timing: a measurement from ``hfcourse.tools.accelerate_setup.measure_mixed_precision()``;
            measured now (about a second) when not given.
    """
    from .accelerate_setup import measure_mixed_precision

    timing = precision_timing if precision_timing is not None else measure_mixed_precision()
    precision = _MEASURED_PRECISIONS.get(timing.fastest)
    if precision is None:
        raise ValueError(
            f"precision_timing measured {timing.fastest!r}, which is not one of {', '.join(_MEASURED_PRECISIONS)}."
        )
    return replace(HFCOURSE_RECIPE, precision=precision)


def set_dropout(model: torch.nn.Module, probability: float) -> None:
    """Set every dropout layer of ``model`` (and its config, so a saved model keeps it) to ``probability``.

    BERT-style attention hands its dropout layer's ``p`` to ``scaled_dot_product_attention``, so this also
    covers the attention probabilities.
    """
    import torch

    for module in model.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = probability
    config = getattr(model, "config", None)
    for name in ("hidden_dropout_prob", "attention_probs_dropout_prob", "classifier_dropout"):
        if config is not None and getattr(config, name, None) is not None:
            setattr(config, name, probability)


def build_recipe_trainer(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    tokenized: DatasetDict,
    output_dir: str | os.PathLike[str],
    recipe: Recipe | None = None,
    **training_args: Any,
) -> Trainer:
    """``build_trainer`` with a recipe's settings (default: ``HFCOURSE_RECIPE``, in fp32).

    Args:
        model, tokenizer, tokenized, output_dir: as for ``hfcourse.lessons.trainer.build_trainer``.
        recipe: the recipe; ``default_recipe()`` also measures which precision is fastest here.
        **training_args: any other ``TrainingArguments`` option, overriding the recipe's.
    """
    from ..lessons.trainer import build_trainer

    recipe = recipe if recipe is not None else HFCOURSE_RECIPE
    if not isinstance(recipe, Recipe):
        raise TypeError(
            f"recipe must be a hfcourse.tools.recipes.Recipe (e.g. HFCOURSE_RECIPE); got {type(recipe).__name__}."
        )
    if "train" not in tokenized:
        raise ValueError(
            f"build_recipe_trainer needs a 'train' split (got {list(tokenized)}); pass "
            "tokenize_dataset(load_glue(task), tokenizer)."
        )
    arguments = {**recipe.training_args(len(tokenized["train"])), **training_args}
    if recipe.freeze_word_embeddings:
        model.get_input_embeddings().weight.requires_grad_(False)  # the Trainer's optimizer skips it
    if recipe.dropout is not None:
        set_dropout(model, recipe.dropout)
    trainer = build_trainer(model, tokenizer, tokenized, output_dir, **arguments)
    if recipe.length_grouped:
        trainer.eval_dataset = sorted_by_length(tokenized["validation"])
    return trainer


def sorted_by_length(dataset: Dataset) -> Dataset:
    """``dataset`` (tokenized) shortest sample first, so that evaluation batches pad little.

    MRPC's 408 validation pairs in batches of 64 are 33% padding in their own order and 7% sorted; accuracy
    and F1 do not depend on the order.
    """
    from ..lessons.tokenization import token_lengths

    lengths = token_lengths(dataset)
    return dataset.select(sorted(range(len(lengths)), key=lengths.__getitem__))
