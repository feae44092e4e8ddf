"""02_2_behind_the_pipeline's step-by-step classification, run from its cells, against the package's copy.

The notebook writes the tokenizer -> model -> head -> softmax steps out; ``hfcourse.classify_step_by_step``
and ``hfcourse.apply_classification_head`` hold the same steps for later notebooks. Both run here on the same
two sentences with the offline sentiment checkpoint and must give the same ids, logits and probabilities.
"""

from __future__ import annotations

import pytest
import torch
from transformers import AutoModel, AutoModelForSequenceClassification, AutoTokenizer

import hfcourse
from tests.notebook_code import run_tagged

NOTEBOOK = "02_2_behind_the_pipeline"


@pytest.fixture(scope="module")
def notebook_steps() -> dict:
    checkpoint = hfcourse.resolve_checkpoint("sentiment-analysis")
    namespace = {
        "torch": torch,
        "AutoTokenizer": AutoTokenizer,
        "AutoModel": AutoModel,
        "AutoModelForSequenceClassification": AutoModelForSequenceClassification,
        "checkpoint": checkpoint,
        "raw_inputs": ["I hate this so much!", "What a wonderful, kind surprise."],
    }
    for tag in ("course:tokenize-inputs", "course:classify-logits", "course:classification-head",
                "course:postprocess"):
        run_tagged(NOTEBOOK, tag, namespace)
    return namespace


def test_step_by_step_probabilities_equal_the_package(notebook_steps: dict) -> None:
    ns = notebook_steps
    steps = hfcourse.classify_step_by_step(ns["raw_inputs"], ns["tokenizer"], ns["model"])
    assert torch.equal(ns["inputs"]["input_ids"], steps.inputs["input_ids"])
    assert torch.equal(ns["inputs"]["attention_mask"], steps.inputs["attention_mask"])
    torch.testing.assert_close(ns["outputs"].logits, steps.logits, rtol=0, atol=1e-6)
    torch.testing.assert_close(ns["predictions"], steps.probabilities, rtol=0, atol=1e-6)
    assert ns["labels"] == steps.labels


def test_head_by_hand_equals_the_package(notebook_steps: dict) -> None:
    ns = notebook_steps
    expected = hfcourse.apply_classification_head(ns["model"], ns["hidden_states"])
    torch.testing.assert_close(ns["head_logits"], expected, rtol=0, atol=1e-6)
