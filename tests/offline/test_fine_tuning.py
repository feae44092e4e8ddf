"""The course's one-batch training step and the fine-tuning runs that build the derived stand-ins, on a tiny BERT."""

from __future__ import annotations

import pytest
import torch
from datasets import Dataset
from transformers import BertForSequenceClassification, DataCollatorWithPadding, PreTrainedTokenizerFast

from hfcourse.offline.fine_tuning import fine_tune, training_step
from tests.tiny_models import tiny_bert_config


def _tiny_classifier() -> BertForSequenceClassification:
    torch.manual_seed(0)
    return BertForSequenceClassification(tiny_bert_config(vocab_size=32, max_position_embeddings=16))


def _weights(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {name: tensor.detach().clone() for name, tensor in model.state_dict().items()}


def _tokenizer() -> PreTrainedTokenizerFast:
    from tokenizers import Tokenizer, models

    vocab = {"[PAD]": 0, **{f"w{i}": i for i in range(1, 32)}}
    return PreTrainedTokenizerFast(tokenizer_object=Tokenizer(models.WordLevel(vocab)), pad_token="[PAD]")


def _train_dataset(size: int = 24) -> Dataset:
    """Label 1 when the sequence starts with an odd token, of lengths 3 to 6 (so batches need padding)."""
    generator = torch.Generator().manual_seed(1)
    rows = [torch.randint(1, 32, (3 + index % 4,), generator=generator).tolist() for index in range(size)]
    return Dataset.from_dict({"input_ids": rows, "labels": [row[0] % 2 for row in rows]})


def test_training_step_returns_the_loss_before_the_step_and_moves_the_weights():
    model = _tiny_classifier()
    model.train()
    batch = {"input_ids": torch.tensor([[1, 2, 3], [4, 5, 6]]), "labels": torch.tensor([0, 1])}
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    torch.manual_seed(0)  # the same dropout masks for the loss computed here and in the step
    with torch.no_grad():
        expected_loss = model(**batch).loss
    before = _weights(model)
    torch.manual_seed(0)
    loss = training_step(model, batch, optimizer)
    assert loss.shape == () and not loss.requires_grad
    assert loss.item() == pytest.approx(expected_loss.item(), rel=1e-5)
    assert any(not torch.equal(before[name], tensor) for name, tensor in model.state_dict().items())
    assert all(parameter.grad is None for parameter in model.parameters())  # zeroed (set to None) after the step


def _fine_tuned(seed: int) -> BertForSequenceClassification:
    model = _tiny_classifier()
    model.get_input_embeddings().requires_grad_(False)  # as the stand-in builders freeze MiniLM's embeddings
    data_collator = DataCollatorWithPadding(_tokenizer())
    fine_tune(model, _train_dataset(), data_collator, epochs=2, learning_rate=1e-3, batch_size=8, seed=seed)
    return model


def test_fine_tune_trains_the_unfrozen_weights_the_same_way_for_a_seed():
    before = _weights(_tiny_classifier())
    first, again, other = _fine_tuned(seed=0), _fine_tuned(seed=0), _fine_tuned(seed=1)
    assert not first.training  # left in eval mode, ready to save
    after = _weights(first)
    embeddings = "bert.embeddings.word_embeddings.weight"
    assert torch.equal(after[embeddings], before[embeddings])  # frozen: not handed to the optimizer
    assert not torch.equal(after["classifier.weight"], before["classifier.weight"])
    assert all(torch.equal(tensor, _weights(again)[name]) for name, tensor in after.items())
    assert not torch.equal(after["classifier.weight"], _weights(other)["classifier.weight"])  # other batch order
