"""Reference solutions of every exercise, kept out of the notebooks so that no learner reads one by accident.

Each function returns what a learner would pass to ``hfcourse.check``; ``python -m hfcourse solutions`` runs
them all through their checks. Try the exercise first: the hints say what is wrong without giving this away.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from . import chapter1, chapter2, chapter3, reference_solution

__all__: list[str] = []


@reference_solution("0.transformers_major")
def transformers_major() -> int:
    import transformers

    return int(transformers.__version__.split(".")[0])


@reference_solution("0.device")
def device() -> str:
    if torch.cuda.is_available():
        return "cuda"
    return "mps" if torch.backends.mps.is_available() else "cpu"


@reference_solution("1.3.pipeline_tasks")
def pipeline_tasks() -> dict[str, str]:
    return dict(chapter1.PIPELINE_USES)


@reference_solution("1.3.mask_token")
def mask_token() -> str:
    return "[MASK]"


@reference_solution("1.4.split_heads")
def split_heads() -> Any:
    def split_heads(states: torch.Tensor, num_heads: int) -> torch.Tensor:
        batch, length, hidden = states.shape
        return states.view(batch, length, num_heads, hidden // num_heads).transpose(1, 2)

    return split_heads


@reference_solution("1.4.sliding_window_mask")
def sliding_window_mask() -> Any:
    def sliding_window_mask(length: int, window: int) -> torch.Tensor:
        causal = torch.ones(length, length, dtype=torch.bool).tril()
        return causal & ~torch.ones(length, length, dtype=torch.bool).tril(diagonal=-window)

    return sliding_window_mask


@reference_solution("2.2.softmax")
def softmax() -> Any:
    return lambda logits: torch.nn.functional.softmax(logits, dim=-1)


@reference_solution("2.2.by_hand")
def by_hand() -> Any:
    def classify_by_hand(texts: list[str], tokenizer: Any, model: Any) -> list[dict[str, Any]]:
        inputs = tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
        with torch.no_grad():
            probabilities = model(**inputs).logits.softmax(dim=-1)
        scores, indices = probabilities.max(dim=-1)
        return [
            {"label": model.config.id2label[int(index)], "score": float(score)}
            for score, index in zip(scores, indices, strict=True)
        ]

    return classify_by_hand


@reference_solution("2.3.small_model")
def small_model() -> Any:
    from transformers import BertConfig, BertModel

    return BertModel(BertConfig(**chapter2.SMALL_CONFIG))


@reference_solution("2.3.save_and_reload")
def save_and_reload() -> Any:
    def save_and_reload(model: Any, folder: str | Path) -> Any:
        model.save_pretrained(folder)
        return type(model).from_pretrained(folder)

    return save_and_reload


@reference_solution("2.4.ids_by_hand")
def ids_by_hand() -> Any:
    def ids_by_hand(tokenizer: Any, text: str) -> list[int]:
        ids = tokenizer.convert_tokens_to_ids(tokenizer.tokenize(text))
        return [tokenizer.cls_token_id, *ids, tokenizer.sep_token_id]

    return ids_by_hand


@reference_solution("2.4.decode")
def decode() -> Any:
    return lambda tokenizer, ids: tokenizer.decode(ids, skip_special_tokens=True)


@reference_solution("2.5.as_batch")
def as_batch() -> Any:
    return lambda ids: torch.tensor([ids])


@reference_solution("2.5.attention_mask")
def attention_mask() -> Any:
    return lambda batched_ids, pad_token_id: (torch.tensor(batched_ids) != pad_token_id).long()


@reference_solution("2.8.length_batches")
def length_batches() -> Any:
    def length_batches(token_counts: list[int], batch_size: int) -> list[list[int]]:
        order = sorted(range(len(token_counts)), key=token_counts.__getitem__)
        return [order[start : start + batch_size] for start in range(0, len(order), batch_size)]

    return length_batches


@reference_solution("2.8.q8_0")
def q8_0() -> Any:
    return chapter2.q8_0_reference


@reference_solution("3.2.labels")
def labels() -> tuple[str, str]:
    from ...offline.data import load_glue

    raw_datasets = load_glue("mrpc")
    names = raw_datasets["train"].features["label"].names
    return names[raw_datasets["train"][15]["label"]], names[raw_datasets["validation"][87]["label"]]


@reference_solution("3.2.sst2_tokenize")
def sst2_tokenize() -> Any:
    from transformers import AutoTokenizer

    from ...offline.catalog import resolve_checkpoint

    tokenizer = AutoTokenizer.from_pretrained(resolve_checkpoint("encoder").name_or_path)
    return lambda example: tokenizer(example["sentence"], truncation=True)


@reference_solution("3.3.compute_metrics")
def compute_metrics() -> Any:
    from ..metrics import compute_metrics

    return compute_metrics


@reference_solution("3.3.accumulation")
def accumulation() -> Any:
    import tempfile

    from transformers import TrainingArguments

    return TrainingArguments(
        Path(tempfile.gettempdir()) / "hfcourse-solution",  # TrainingArguments creates no folder
        per_device_train_batch_size=8,
        gradient_accumulation_steps=4,
        report_to="none",
    )


@reference_solution("3.4.train_one_epoch")
def train_one_epoch() -> Any:
    def train_one_epoch(model: Any, train_dataloader: Any, optimizer: Any, lr_scheduler: Any) -> None:
        model.train()
        for batch in train_dataloader:
            outputs = model(**batch)
            outputs.loss.backward()
            optimizer.step()
            lr_scheduler.step()
            optimizer.zero_grad()

    return train_one_epoch


@reference_solution("3.4.evaluate_accuracy")
def evaluate_accuracy() -> Any:
    def evaluate_accuracy(model: Any, eval_dataloader: Any) -> float:
        model.eval()
        right = total = 0
        for batch in eval_dataloader:
            with torch.no_grad():
                predictions = model(**batch).logits.argmax(dim=-1)
            right += int((predictions == batch["labels"]).sum())
            total += len(batch["labels"])
        return right / total

    return evaluate_accuracy


@reference_solution("3.4.prepare")
def prepare() -> Any:
    return lambda accelerator, model, optimizer, dataloader: accelerator.prepare(model, optimizer, dataloader)


@reference_solution("3.4.accelerated_step")
def accelerated_step() -> Any:
    def training_step(accelerator: Any, model: Any, optimizer: Any, batch: dict) -> Any:
        loss = model(**batch).loss
        accelerator.backward(loss)
        optimizer.step()
        optimizer.zero_grad()
        return loss

    return training_step


@reference_solution("3.5.early_stop_step")
def early_stop_step() -> Any:
    def early_stop_step(curve: list[dict[str, float]], patience: int) -> tuple[int, int]:
        best, without_improvement = curve[0], 0
        for row in curve[1:]:
            if row["eval_loss"] < best["eval_loss"]:
                best, without_improvement = row, 0
            else:
                without_improvement += 1
                if without_improvement == patience:
                    return row["step"], best["step"]
        return curve[-1]["step"], best["step"]

    return early_stop_step


@reference_solution("3.5.early_stopping")
def early_stopping() -> Any:
    import tempfile

    from transformers import EarlyStoppingCallback, TrainingArguments

    training_args = TrainingArguments(
        Path(tempfile.gettempdir()) / "hfcourse-solution",  # TrainingArguments creates no folder
        eval_strategy="steps",
        eval_steps=50,
        save_strategy="steps",
        save_steps=50,
        load_best_model_at_end=True,
        metric_for_best_model="eval_loss",
        greater_is_better=False,
        report_to="none",
    )
    return training_args, EarlyStoppingCallback(early_stopping_patience=3)


# The chapter modules are imported for their registrations; name them so no linter calls them unused.
_CHECK_MODULES = (chapter1, chapter2, chapter3)
