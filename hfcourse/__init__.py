"""hfcourse: the Hugging Face NLP Course (chapters 0-3) as a tested, offline-capable curriculum.

Three layers, imported one way (tools -> lessons -> offline):

- ``hfcourse.offline``: which model and data run here (catalog, checkpoints and cache, embedded models,
  derived stand-ins, GLUE data);
- ``hfcourse.lessons``: the reusable, tested copies of what the notebooks teach;
- ``hfcourse.tools``: doctor, accelerate config, notebook runner, train command, benchmark, recipes (the
  ``hfcourse`` command).

The public names below are importable as ``hfcourse.<name>`` and load their module on first use, so
``import hfcourse`` is fast and does no network I/O: whether the Hub is reachable is decided when a
checkpoint or a dataset is first resolved.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# Public names -> module that defines them.
_EXPORTS = {
    "CATALOG": "offline.catalog",
    "Checkpoint": "offline.checkpoints",
    "resolve_checkpoint": "offline.catalog",
    "is_offline": "offline.checkpoints",
    "cache_dir": "offline.checkpoints",
    "ModelNotFoundError": "offline.checkpoints",
    "BrokenModelError": "offline.checkpoints",
    "load_glue": "offline.data",
    "data_source": "offline.data",
    "DataFormatError": "offline.data",
    "classification_metrics": "lessons.metrics",
    "compute_metrics": "lessons.metrics",
    "quiet": "lessons.notebook",
    "default_device": "offline.devices",
    "synchronized_time": "offline.devices",
    "plan_processes": "offline.devices",
    "pipeline": "lessons.pipelines",
    "classify_step_by_step": "lessons.inference",
    "apply_classification_head": "lessons.inference",
    "compare_padding": "lessons.inference",
    "pad_sequences": "lessons.inference",
    "model_max_length": "lessons.inference",
    "sentence_embeddings": "lessons.inference",
    "COURSE_SENTENCES": "lessons.inference",
    "glue_corpus": "lessons.subwords",
    "train_tokenizer": "lessons.subwords",
    "train_tokenizers": "lessons.subwords",
    "compare_tokenizers": "lessons.subwords",
    "tokenize_examples": "lessons.subwords",
    "report": "lessons.notebook",
    "plot_heatmap": "lessons.plots",
    "plot_history": "lessons.plots",
    "plot_timings": "lessons.plots",
    "MultiHeadAttention": "lessons.attention",
    "EncoderLayer": "lessons.attention",
    "scaled_dot_product_attention": "lessons.attention",
    "sinusoidal_positional_encoding": "lessons.attention",
    "greedy_generate": "lessons.kv_cache",
    "time_with_and_without_cache": "lessons.kv_cache",
    "LayerNormFromScratch": "lessons.normalization",
    "BatchNormFromScratch": "lessons.normalization",
    "benchmark_backends": "lessons.compilation",
    "tokenize_dataset": "lessons.tokenization",
    "token_lengths": "lessons.tokenization",
    "make_collator": "lessons.collation",
    "batch_shapes": "lessons.collation",
    "HFCOURSE_RECIPE": "tools.recipes",
    "Recipe": "tools.recipes",
    "default_recipe": "tools.recipes",
    "build_recipe_trainer": "tools.recipes",
    "set_dropout": "tools.recipes",
    "sorted_by_length": "tools.recipes",
    "COURSE_RECIPE": "lessons.course_recipe",
    "CourseRecipe": "lessons.course_recipe",
    "limit_samples": "lessons.training",
    "load_classifier": "lessons.training",
    "build_trainer": "lessons.trainer",
    "CourseTrainer": "lessons.trainer",
    "last_checkpoint": "lessons.trainer",
    "trainer_history": "lessons.trainer",
    "train_loop": "lessons.training_loop",
    "training_step": "offline.fine_tuning",
    "make_accelerator": "lessons.training_loop",
    "save_finetuned": "lessons.training",
    "weights_fingerprint": "lessons.training",
    "run_size": "lessons.training",
    "history_table": "lessons.training",
    "read_learning_curve": "lessons.learning_curves",
    "results_in_context": "lessons.learning_curves",
    "majority_baseline": "lessons.learning_curves",
    "check": "lessons.exercises",
    "quiz": "lessons.quiz",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'hfcourse' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
