"""The course's fine-tuning recipe, defined once: batch size, learning rate, epochs and seed.

Taught in 03_3_trainer (``TrainingArguments``) and 03_4a_training_loop (``AdamW(lr=5e-5)``, 3 epochs, batch 8); the
defaults of ``build_trainer``, ``train_loop``, ``hfcourse train``, the benchmark and the recipes all come from
here. Light on purpose (no torch import), so that command lines can use it for their defaults.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["COURSE_RECIPE", "CourseRecipe"]


@dataclass(frozen=True)
class CourseRecipe:
    """The course's chapter 3 fine-tuning recipe (``TrainingArguments``' defaults that the course keeps, as
    03_3_trainer and 03_4a_training_loop write them): every training default in hfcourse starts from it."""

    epochs: int = 3
    learning_rate: float = 5e-5
    batch_size: int = 8
    seed: int = 42


COURSE_RECIPE = CourseRecipe()
