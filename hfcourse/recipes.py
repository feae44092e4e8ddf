"""hfcourse's default fine-tuning recipe: the course's Trainer run, made faster by measured settings.

The course fine-tunes with ``TrainingArguments`` defaults (batch 8, learning rate 5e-5, 3 epochs, shuffled
batches padded per batch). ``HFCOURSE_RECIPE`` changes only what was measured to pay on the course's
CPU machines (``python -m hfcourse.bench`` measures every setting again, side by side with the course
recipe):

- length-grouped batches: random batches of MRPC pairs are about 26% padding at batch 8, grouped ones 2%;
- the course's batch size and schedule: larger batches with higher learning rates were measured and learned
  less per second of training (``HFCOURSE_RECIPE.why["schedule"]``);
- evaluation twice per epoch on large batches, so that a run knows when it reached an F1;
- fused AdamW (also the Trainer's default since torch 2.8);
- fp32: bf16 only where a matmul is measured faster on the running machine (``default_recipe``);
- no ``torch.compile``: compiling MiniLM's training step took longer than it saved in a run this short.

``build_recipe_trainer`` is ``hfcourse.training.build_trainer`` with the recipe's settings.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:
    from datasets import DatasetDict
    from transformers import PreTrainedModel, PreTrainedTokenizerBase, Trainer

    from .accelerate_setup import PrecisionTiming

__all__ = ["HFCOURSE_RECIPE", "PRECISIONS", "Recipe", "build_recipe_trainer", "default_recipe"]

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
    why: Mapping[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        for name in ("batch_size", "epochs", "evaluations_per_epoch", "eval_batch_size"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"Recipe {self.name!r}: {name}={value!r}; give a whole number of at least 1.")
        if not self.learning_rate > 0:
            raise ValueError(f"Recipe {self.name!r}: learning_rate={self.learning_rate!r}; give a positive rate such as 1e-4.")
        if not 0 <= self.warmup_fraction < 1:
            raise ValueError(f"Recipe {self.name!r}: warmup_fraction={self.warmup_fraction!r}; give a fraction in [0, 1), e.g. 0.1.")
        if self.precision not in PRECISIONS:
            raise ValueError(f"Recipe {self.name!r}: precision={self.precision!r}; give one of {', '.join(PRECISIONS)}.")

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
            "optimizer": "AdamW (fused)",
        }


# Measured on the project's 2-core AMD EPYC (AVX2, no AVX-512) with the embedded MiniLM on the real MRPC
# (3,668 training pairs), seed 42 (scripts/recipe_search.py, make bench; 2026-11-25). No recipe tried so far
# reaches the course recipe's final F1 (0.8704) sooner: see "schedule" below.
HFCOURSE_RECIPE = Recipe(
    name="hfcourse",
    batch_size=8,
    learning_rate=5e-5,
    epochs=3,
    warmup_fraction=0.0,
    length_grouped=True,
    evaluations_per_epoch=2,
    eval_batch_size=64,
    why={
        "precision": "fp32: bf16 autocast only where a matmul is measured faster (default_recipe); on this AVX2 CPU a "
        "512x512 bf16 matmul took 211 ms against 1.7 ms in fp32",
        "length-grouped batches": "random batches of MRPC pairs are 26% padding at batch 8; grouped by length 1.7%; "
        "the manual loop ran 1.26x the samples/s",
        "fused AdamW": "1.09x the samples/s of the for-loop AdamW (batch 8); the Trainer's default",
        "batch size": "8, the course's: batch 32 ran 1.16x the samples/s but every batch-16/32 schedule tried learned "
        "less per second (below)",
        "schedule": "the course's (learning rate 5e-5, no warmup, 3 epochs): 0.8064 / F1 0.8668 in 561 s against the "
        "course recipe's 0.8088 / 0.8704 in 654 s. Rejected: batch 32 at 2e-4 with 10% warmup collapsed to the "
        "majority class (0.6838 / 0.8122); batch 16 at 1e-4, 2 epochs: 0.7328 / 0.8326; batch 32 at 1e-4, 3 epochs: "
        "0.7892 / 0.8557; batch 32 at 1e-4, 2 epochs: 0.7745 / 0.8506",
        "max_length truncation": "none: the longest MRPC pair has 103 tokens (99th percentile 83) of MiniLM's 512, so "
        "truncating at the 99th percentile would drop under 0.1% of the tokens",
        "threads": "torch's default, one per core: 1.71x the samples/s of 1 thread",
        "torch.compile": "no: compiling MiniLM's training step took 112 s and then ran 23.3 samples/s against 27.6 eager",
        "frozen word embeddings": "no: batch 32 at 1e-4 with them frozen ran 25.2 samples/s, no faster than unfrozen (28.9)",
    },
)


def default_recipe(precision_timing: PrecisionTiming | None = None) -> Recipe:
    """``HFCOURSE_RECIPE`` with the precision that is fastest on this machine.

    bf16 (or fp16 on a GPU) is chosen only where a matmul under autocast is measured faster than fp32 (on
    CPUs without bf16 matrix instructions it is many times slower); otherwise fp32.

    Args:
        precision_timing: a measurement from ``hfcourse.accelerate_setup.measure_mixed_precision()``;
            measured now (about a second) when not given.
    """
    from .accelerate_setup import measure_mixed_precision

    timing = precision_timing if precision_timing is not None else measure_mixed_precision()
    precision = _MEASURED_PRECISIONS.get(timing.fastest)
    if precision is None:
        raise ValueError(f"precision_timing measured {timing.fastest!r}, which is not one of {', '.join(_MEASURED_PRECISIONS)}.")
    return replace(HFCOURSE_RECIPE, precision=precision)


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
        model, tokenizer, tokenized, output_dir: as for ``hfcourse.training.build_trainer``.
        recipe: the recipe; ``default_recipe()`` also measures which precision is fastest here.
        **training_args: any other ``TrainingArguments`` option, overriding the recipe's.
    """
    from .training import build_trainer

    recipe = recipe if recipe is not None else HFCOURSE_RECIPE
    if not isinstance(recipe, Recipe):
        raise TypeError(f"recipe must be a hfcourse.recipes.Recipe (e.g. HFCOURSE_RECIPE); got {type(recipe).__name__}.")
    if "train" not in tokenized:
        raise ValueError(f"build_recipe_trainer needs a 'train' split (got {list(tokenized)}); pass tokenize_dataset(load_glue(task), tokenizer).")
    arguments = {**recipe.training_args(len(tokenized["train"])), **training_args}
    if recipe.freeze_word_embeddings:
        model.get_input_embeddings().weight.requires_grad_(False)  # the Trainer's optimizer skips it
    return build_trainer(model, tokenizer, tokenized, output_dir, **arguments)
