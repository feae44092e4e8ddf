"""The exercises of chapter 3 (03_2 to 03_5): their checks.

The training exercises are checked on a tiny BERT (2 layers, hidden size 32, a 100-token vocabulary) and a
few random batches, against the course's own step run on a copy of the same model: a check takes well under
a second, and a mistake (no ``zero_grad``, no scheduler step, training mode left on) shows as a difference
the hint can name.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import torch

from ...offline.devices import default_device
from . import Verdict, correct, hint, register, returned_nothing

__all__: list[str] = []


def tiny_classifier(dropout: float = 0.0) -> Any:
    """A 2-layer BERT classifier small enough to train in milliseconds, seeded."""
    from transformers import BertConfig, BertForSequenceClassification

    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=100,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        hidden_dropout_prob=dropout,
        attention_probs_dropout_prob=dropout,
        num_labels=2,
    )
    return BertForSequenceClassification(config)


def tiny_batches(count: int = 4, batch_size: int = 4) -> list[dict[str, torch.Tensor]]:
    """``count`` fixed batches of random ids, labels and full attention masks."""
    generator = torch.Generator().manual_seed(1)
    return [
        {
            "input_ids": torch.randint(1, 100, (batch_size, 8), generator=generator),
            "attention_mask": torch.ones(batch_size, 8, dtype=torch.long),
            "labels": torch.randint(0, 2, (batch_size,), generator=generator),
        }
        for _ in range(count)
    ]


# --------------------------------------------------------------------------------------------------
# 3.2 Processing the data
# --------------------------------------------------------------------------------------------------


@register("3.2.labels", "03_2_processing_data", "the label names of training pair 15 and validation pair 87")
def check_labels(answer: Any) -> Verdict:
    from ...offline.data import load_glue

    raw_datasets = load_glue("mrpc")
    names = raw_datasets["train"].features["label"].names
    expected = (names[raw_datasets["train"][15]["label"]], names[raw_datasets["validation"][87]["label"]])
    if not isinstance(answer, tuple | list) or len(answer) != 2:
        return hint("give two label names, (training pair 15's, validation pair 87's).")
    if all(isinstance(value, int) for value in answer):
        return hint("these are the label numbers; give their names: raw_datasets['train'].features['label'].names.")
    if tuple(answer) == expected[::-1]:
        return hint("the right names in the wrong order: training pair 15 first, then validation pair 87.")
    if tuple(answer) != expected:
        return hint("not the labels of those pairs: index the split first, raw_datasets['train'][15]['label'].")
    return correct(f"{expected[0]!r} and {expected[1]!r}.")


@register("3.2.sst2_tokenize", "03_2_processing_data", "a tokenize_function for SST-2's single sentences")
def check_sst2_tokenize(tokenize_function: Any) -> Verdict:
    from transformers import AutoTokenizer

    from ...offline.catalog import resolve_checkpoint

    tokenizer = AutoTokenizer.from_pretrained(resolve_checkpoint("encoder").name_or_path)
    batch = {"sentence": ["a gorgeous , witty film", "it 's a bore"], "label": [1, 0], "idx": [0, 1]}
    try:
        result = tokenize_function(batch)
    except KeyError as error:
        return hint(f"there is no column {error}: SST-2 has one text column, 'sentence' (and 'label', 'idx').")
    if (problem := returned_nothing(result)) is not None:
        return problem
    if "input_ids" not in result:
        return hint("return what the tokenizer returns: a dict with input_ids and attention_mask.")
    if result["input_ids"] != tokenizer(batch["sentence"], truncation=True)["input_ids"]:
        return hint("tokenize example['sentence'] with truncation=True, and leave the padding to the collator.")
    return correct("one sentence per example, truncated, padded later by the collator; no token_type_ids of 1.")


# --------------------------------------------------------------------------------------------------
# 3.3 Fine-tuning with the Trainer API
# --------------------------------------------------------------------------------------------------


@register("3.3.compute_metrics", "03_3_trainer", "compute_metrics: accuracy and F1 from the logits")
def check_compute_metrics(compute_metrics: Any) -> Verdict:
    from sklearn.metrics import accuracy_score, f1_score

    logits = np.array([[2.0, -1.0], [0.1, 0.3], [-0.5, 0.5], [1.0, 0.9], [0.0, 2.0], [3.0, 1.0]])
    labels = np.array([0, 1, 0, 0, 1, 1])
    try:
        result = compute_metrics((logits, labels))
    except ValueError as error:
        if "continuous" in str(error) or "multioutput" in str(error):
            return hint("the metrics got the logits: take the predicted class first, np.argmax(logits, axis=-1).")
        raise
    if (problem := returned_nothing(result)) is not None:
        return problem
    if not isinstance(result, dict) or not {"accuracy", "f1"} <= set(result):
        return hint("return a dict with the keys 'accuracy' and 'f1' (the Trainer prefixes them with eval_).")
    predictions = logits.argmax(axis=-1)
    expected = {"accuracy": accuracy_score(labels, predictions), "f1": f1_score(labels, predictions)}
    if abs(float(result["accuracy"]) - expected["accuracy"]) > 1e-9:
        return hint(f"accuracy {float(result['accuracy']):.4f}, expected {expected['accuracy']:.4f}.")
    if abs(float(result["f1"]) - expected["f1"]) > 1e-9:
        return hint(f"F1 {float(result['f1']):.4f}, expected {expected['f1']:.4f}: f1_score(labels, predictions).")
    return correct("accuracy and F1 from the predicted classes.")


@register("3.3.accumulation", "03_3_trainer", "TrainingArguments: batches of 8, an effective batch of 32")
def check_accumulation(training_args: Any) -> Verdict:
    from transformers import TrainingArguments

    if not isinstance(training_args, TrainingArguments):
        return hint("give a TrainingArguments object.")
    size, steps = training_args.per_device_train_batch_size, training_args.gradient_accumulation_steps
    if size != 8:
        return hint(f"per_device_train_batch_size is {size}: keep batches of 8, the memory limit here.")
    if size * steps != 32:
        return hint(
            f"{size} x {steps} = {size * steps} pairs per optimizer step; make it 32 with gradient_accumulation_steps."
        )
    return correct("8 x 4 = 32 pairs per optimizer step, in the memory of 8.")


# --------------------------------------------------------------------------------------------------
# 3.4 A full training loop (and Accelerate)
# --------------------------------------------------------------------------------------------------


def _one_epoch(model: Any, batches: list[dict], zero_grad: bool = True, schedule: bool = True) -> tuple[Any, Any]:
    """The course's epoch, with the optional mistakes; returns the optimizer and the scheduler."""
    from transformers import get_scheduler

    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    scheduler = get_scheduler("linear", optimizer, num_warmup_steps=0, num_training_steps=len(batches))
    model.train()
    for batch in batches:
        model(**batch).loss.backward()
        optimizer.step()
        if schedule:
            scheduler.step()
        if zero_grad:
            optimizer.zero_grad()
    return optimizer, scheduler


def _same_weights(first: Any, second: Any) -> bool:
    return all(torch.allclose(a, b, atol=1e-6) for a, b in zip(first.parameters(), second.parameters(), strict=True))


@register("3.4.train_one_epoch", "03_4a_training_loop", "one epoch of the training loop")
def check_train_one_epoch(train_one_epoch: Any) -> Verdict:
    from transformers import get_scheduler

    batches = tiny_batches()
    model = tiny_classifier().eval()  # eval on purpose: the epoch must switch training mode on itself
    start = copy.deepcopy(model)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    scheduler = get_scheduler("linear", optimizer, num_warmup_steps=0, num_training_steps=len(batches))
    train_one_epoch(model, batches, optimizer, scheduler)
    if not model.training:
        return hint("the model is still in eval mode: call model.train() before the first batch (dropout on).")
    if _same_weights(model, start):
        return hint("the weights did not change: after loss.backward(), call optimizer.step().")
    if scheduler.get_last_lr()[0] == 1e-3:
        return hint("the learning rate never moved: call lr_scheduler.step() after each optimizer.step().")
    reference = copy.deepcopy(start)
    _one_epoch(reference, batches)
    if _same_weights(model, reference):
        return correct("the same weights as the course's loop after one epoch.")
    without_zero_grad = copy.deepcopy(start)
    _one_epoch(without_zero_grad, batches, zero_grad=False)
    if _same_weights(model, without_zero_grad):
        return hint("the gradients add up from batch to batch: call optimizer.zero_grad() after each step.")
    return hint(
        "the weights differ from the course's step: forward with labels, loss.backward(), step, schedule, zero_grad."
    )


@register("3.4.evaluate_accuracy", "03_4a_training_loop", "the evaluation loop: accuracy on a dataloader")
def check_evaluate_accuracy(evaluate_accuracy: Any) -> Verdict:
    model = tiny_classifier(dropout=0.5)
    batches = tiny_batches()
    seen = {"training": False, "gradients": False}

    def record(module: Any, inputs: Any, output: Any) -> None:
        seen["training"] |= module.training
        seen["gradients"] |= torch.is_grad_enabled()

    model.train()  # on purpose: the evaluation must switch dropout off itself
    handle = model.register_forward_hook(record)
    try:
        result = evaluate_accuracy(model, batches)
    finally:
        handle.remove()
    if (problem := returned_nothing(result)) is not None:
        return problem
    if seen["training"]:
        return hint("the model ran in training mode (dropout on): call model.eval() before evaluating.")
    if seen["gradients"]:
        return hint("the forward passes tracked gradients: wrap them in `with torch.no_grad():`.")
    with torch.no_grad():
        predictions = torch.cat([model(**batch).logits.argmax(dim=-1) for batch in batches])
    labels = torch.cat([batch["labels"] for batch in batches])
    expected = (predictions == labels).float().mean().item()
    if abs(float(result) - expected) > 1e-6:
        return hint(f"accuracy {float(result):.4f}, expected {expected:.4f}: the share of argmax(logits) == labels.")
    return correct("eval mode, no gradients, the share of right predictions.")


@register("3.4.prepare", "03_4b_accelerate", "accelerator.prepare for the model, optimizer and dataloader")
def check_prepare(prepare: Any) -> Verdict:
    from accelerate import Accelerator
    from accelerate.data_loader import DataLoaderShard
    from accelerate.optimizer import AcceleratedOptimizer

    accelerator = Accelerator(cpu=default_device() == "cpu")
    model = tiny_classifier()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    dataloader = torch.utils.data.DataLoader(list(range(8)), batch_size=4)
    result = prepare(accelerator, model, optimizer, dataloader)
    if (problem := returned_nothing(result)) is not None:
        return problem
    if not isinstance(result, tuple | list) or len(result) != 3:
        return hint("return the three prepared objects, (model, optimizer, dataloader), as prepare gives them.")
    _, prepared_optimizer, prepared_dataloader = result
    if not isinstance(prepared_optimizer, AcceleratedOptimizer):
        return hint("the optimizer was not prepared: pass it to accelerator.prepare with the model and dataloader.")
    if not isinstance(prepared_dataloader, DataLoaderShard):
        return hint("the dataloader was not prepared: accelerator.prepare(model, optimizer, dataloader).")
    return correct("prepared: the model on accelerator.device, batches sent there, the optimizer wrapped.")


@register("3.4.accelerated_step", "03_4b_accelerate", "one training step with accelerator.backward")
def check_accelerated_step(training_step: Any) -> Verdict:
    from accelerate import Accelerator

    accelerator = Accelerator(cpu=default_device() == "cpu")
    model = tiny_classifier()
    start = copy.deepcopy(model)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    model, optimizer = accelerator.prepare(model, optimizer)
    calls = []
    backward = accelerator.backward
    accelerator.backward = lambda loss, **keywords: (calls.append(loss), backward(loss, **keywords))[1]
    model.train()
    training_step(accelerator, model, optimizer, tiny_batches(count=1)[0])
    if not calls:
        return hint("call accelerator.backward(loss) instead of loss.backward(): it scales and syncs as needed.")
    if _same_weights(accelerator.unwrap_model(model), start):
        return hint("the weights did not change: call optimizer.step() after accelerator.backward(loss).")
    if any(p.grad is not None and p.grad.abs().sum() > 0 for p in model.parameters()):
        return hint("the gradients are still there after the step: call optimizer.zero_grad().")
    return correct("accelerator.backward, step, zero_grad: the loop's step, ready for any device.")


# --------------------------------------------------------------------------------------------------
# 3.5 Understanding learning curves
# --------------------------------------------------------------------------------------------------


# A made-up overfitting curve shaped like 03_5's (validation loss lowest at step 20, then rising).
EVAL_LOSSES = [0.68, 0.64, 0.65, 0.66, 0.72, 0.81]
OVERFITTING_CURVE = [
    {"step": 10 * (index + 1), "loss": 0.7 - 0.1 * index, "eval_loss": eval_loss, "accuracy": 0.68}
    for index, eval_loss in enumerate(EVAL_LOSSES)
]


def early_stop_reference(curve: list[dict[str, float]], patience: int) -> tuple[int, int]:
    """(the step training stops at, the best step) for early stopping on the validation loss."""
    best_index, waited = 0, 0
    for index, row in enumerate(curve):
        if row["eval_loss"] < curve[best_index]["eval_loss"]:
            best_index, waited = index, 0
        elif index:
            waited += 1
            if waited == patience:
                return row["step"], curve[best_index]["step"]
    return curve[-1]["step"], curve[best_index]["step"]


@register("3.5.early_stop_step", "03_5_learning_curves", "where early stopping stops, and which step it keeps")
def check_early_stop_step(early_stop_step: Any) -> Verdict:
    for patience in (2, 3):
        expected = early_stop_reference(copy.deepcopy(OVERFITTING_CURVE), patience)
        result = early_stop_step(copy.deepcopy(OVERFITTING_CURVE), patience)
        if (problem := returned_nothing(result)) is not None:
            return problem
        if isinstance(result, int | float) or len(result) != 2:
            return hint("return two steps: (the step it stops at, the best step it keeps).")
        stop, best = (int(value) for value in result)
        if best != expected[1]:
            return hint(f"best step {best}: the model kept is the one with the lowest eval_loss, step {expected[1]}.")
        if stop != expected[0]:
            direction = "late" if stop > expected[0] else "early"
            return hint(
                f"with patience {patience} it stops at step {expected[0]}, the {patience}th evaluation without "
                f"improvement after the best; yours stops {direction}, at {stop}."
            )
    return correct("it stops `patience` evaluations after the best one, and keeps the best.")


@register(
    "3.5.early_stopping", "03_5_learning_curves", "arguments and a callback that stop at the best validation loss"
)
def check_early_stopping(answer: Any) -> Verdict:
    from transformers import EarlyStoppingCallback, TrainingArguments

    if not isinstance(answer, tuple | list) or len(answer) != 2:
        return hint("give two things: (training_args, callback).")
    training_args, callback = answer
    if not isinstance(training_args, TrainingArguments) or not isinstance(callback, EarlyStoppingCallback):
        return hint("give (a TrainingArguments, an EarlyStoppingCallback), in that order.")
    if callback.early_stopping_patience != 3:
        return hint(f"patience {callback.early_stopping_patience}: stop after 3 evaluations without improvement.")
    if not training_args.load_best_model_at_end:
        return hint("without load_best_model_at_end=True the trainer keeps the last model, not the best one.")
    if training_args.metric_for_best_model not in ("eval_loss", "loss") or training_args.greater_is_better:
        return hint("judge by the validation loss: metric_for_best_model='eval_loss', greater_is_better=False.")
    if training_args.eval_strategy != training_args.save_strategy:
        return hint("evaluate and save on the same schedule (eval_strategy == save_strategy), to reload the best.")
    return correct("it stops 3 evaluations after the lowest validation loss and reloads that model.")
