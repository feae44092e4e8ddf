"""What every ``hfcourse.pipeline`` shares (taught in 01_3_pipelines): the ``CoursePipeline`` base class (task,
checkpoint, model, tokenizer, defaults), the arguments it refuses with their fix, and small helpers.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

import torch

from ..offline.checkpoints import Checkpoint, _quiet_transformers
from ..offline.devices import default_device

__all__ = ["REFUSED_ARGUMENTS", "CoursePipeline"]

# Keyword arguments that hfcourse.pipeline refuses, with what to write instead.
REFUSED_ARGUMENTS = {
    "grouped_entities": 'was removed in transformers 5; use aggregation_strategy="simple" (for grouped_entities=True) '
    'or aggregation_strategy="none"',
    "ignore_subwords": 'was removed in transformers 5; use aggregation_strategy="first", "average" or "max"',
    "torch_dtype": "is called dtype in transformers 5 (and hfcourse.pipeline loads float32 itself)",
    "trust_remote_code": "is never enabled: hfcourse runs no code from a model repository",
}


# --------------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _quietly() -> Iterator[None]:
    """No transformers warnings, progress bars or Python warnings while a model loads or runs."""
    with _quiet_transformers(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _device() -> torch.device:
    return torch.device(default_device())


def _load_model(auto_class: Any, checkpoint: Checkpoint) -> Any:
    """``auto_class.from_pretrained`` on the checkpoint: safetensors only, float32, eval mode, on the device."""
    model = auto_class.from_pretrained(checkpoint.name_or_path, dtype=torch.float32, use_safetensors=True)
    return model.to(_device()).eval()


def _texts(inputs: Any, name: str) -> tuple[list[str], bool]:
    """One text or a list of texts -> (the list, whether a single text was given)."""
    if isinstance(inputs, str):
        return [inputs], True
    if isinstance(inputs, Sequence) and inputs and all(isinstance(text, str) for text in inputs):
        return list(inputs), False
    raise TypeError(f"{name} takes a string or a non-empty list of strings, got {inputs!r:.80}.")


def _check_arguments(task: str, arguments: dict[str, Any], accepted: frozenset[str] | None = None) -> None:
    """Reject the course's removed arguments (with their replacement) and, given ``accepted``, unknown ones."""
    for name in arguments:
        if name in REFUSED_ARGUMENTS:
            raise TypeError(f"{task}: {name}= {REFUSED_ARGUMENTS[name]}.")
    if accepted is not None:
        unknown = sorted(set(arguments) - accepted)
        if unknown:
            raise TypeError(
                f"{task}: unknown argument(s) {', '.join(unknown)}; this pipeline takes {', '.join(sorted(accepted))}."
            )
    returns = arguments.get("num_return_sequences", 1)
    if returns > 1 and not arguments.get("do_sample", False) and arguments.get("num_beams", 1) < returns:
        raise ValueError(
            f"{task}: num_return_sequences={returns} with greedy decoding would return {returns} identical "
            "texts, which transformers 5 refuses. Add do_sample=True (random samples) or "
            f"num_beams={returns} (beam search)."
        )


# --------------------------------------------------------------------------------------------------
# Pipelines
# --------------------------------------------------------------------------------------------------


class CoursePipeline:
    """A task pipeline that knows which checkpoint runs (``print(pipe.checkpoint)``).

    Attributes:
        task: the task name it was built for.
        checkpoint: the ``Checkpoint`` that runs.
        model, tokenizer: the loaded model and its tokenizer.
        defaults: keyword arguments given to ``pipeline(...)``, used by every call unless overridden.
    """

    # Call arguments the pipeline takes; None: checked by the underlying transformers pipeline.
    accepted: frozenset[str] | None = None
    # Defaults for do_sample / num_beams, used by the num_return_sequences check.
    generation_defaults: dict[str, Any] = {}

    def __init__(self, task: str, checkpoint: Checkpoint, model: Any, tokenizer: Any, defaults: dict[str, Any]) -> None:
        self.task = task
        self.checkpoint = checkpoint
        self.model = model
        self.tokenizer = tokenizer
        self.defaults = dict(defaults)
        self._options({})  # bad defaults fail now, not at the first call

    @property
    def mask_token(self) -> str | None:
        """The token that marks the word to fill (``<mask>`` for RoBERTa, ``[MASK]`` for BERT), if any."""
        return getattr(self.tokenizer, "mask_token", None)

    def _options(self, arguments: dict[str, Any]) -> dict[str, Any]:
        options = {**self.defaults, **arguments}
        _check_arguments(self.task, {**self.generation_defaults, **options}, self.accepted)
        return options

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.task!r} running {self.checkpoint}>"
