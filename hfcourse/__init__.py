"""hfcourse: the Hugging Face NLP Course (chapters 0-3) as a tested, offline-capable curriculum.

Importing hfcourse decides once whether the Hub is reachable and, if not, sets the Hub's offline
switches before transformers is imported, so that nothing waits on network retries.
"""

from __future__ import annotations

import importlib
from typing import Any

from .checkpoints import configure_offline

configure_offline()

__version__ = "0.1.0"

# Public names -> module that defines them; modules load on first use so `import hfcourse` stays fast.
_EXPORTS = {
    "CATALOG": "checkpoints",
    "Checkpoint": "checkpoints",
    "resolve_checkpoint": "checkpoints",
    "is_offline": "checkpoints",
    "cache_dir": "checkpoints",
    "ModelNotFoundError": "checkpoints",
    "BrokenModelError": "checkpoints",
    "load_glue": "data",
    "DataFormatError": "data",
    "classification_metrics": "metrics",
    "compute_metrics": "metrics",
    "quiet": "notebook",
    "pipeline": "pipelines",
    "classify_step_by_step": "inference",
    "apply_classification_head": "inference",
    "compare_padding": "inference",
    "pad_sequences": "inference",
    "model_max_length": "inference",
    "sentence_embeddings": "inference",
    "COURSE_SENTENCES": "inference",
    "glue_corpus": "subwords",
    "train_tokenizer": "subwords",
    "train_tokenizers": "subwords",
    "compare_tokenizers": "subwords",
    "tokenize_examples": "subwords",
    "report": "notebook",
    "plot_heatmap": "plots",
    "plot_history": "plots",
    "plot_timings": "plots",
    "MultiHeadAttention": "attention",
    "EncoderLayer": "attention",
    "scaled_dot_product_attention": "attention",
    "sinusoidal_positional_encoding": "attention",
    "greedy_generate": "kv_cache",
    "time_with_and_without_cache": "kv_cache",
    "LayerNormFromScratch": "normalization",
    "BatchNormFromScratch": "normalization",
    "benchmark_backends": "compilation",
    "tokenize_dataset": "tokenization",
    "token_lengths": "tokenization",
    "make_collator": "collation",
    "batch_shapes": "collation",
    "HFCOURSE_RECIPE": "recipes",
    "Recipe": "recipes",
    "default_recipe": "recipes",
    "build_recipe_trainer": "recipes",
    "set_dropout": "recipes",
    "sorted_by_length": "recipes",
    "limit_samples": "training",
    "load_classifier": "training",
    "build_trainer": "training",
    "CourseTrainer": "training",
    "last_checkpoint": "training",
    "trainer_history": "training",
    "train_loop": "training",
    "make_accelerator": "training",
    "save_finetuned": "training",
    "weights_fingerprint": "training",
    "run_size": "training",
    "history_table": "training",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'hfcourse' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
