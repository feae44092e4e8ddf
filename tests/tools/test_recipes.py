"""hfcourse's default recipe: valid settings, the Trainer takes them, precision follows the measurement."""

from __future__ import annotations

from dataclasses import replace

import pytest
from datasets import Dataset, DatasetDict

import hfcourse
from hfcourse.tools.accelerate_setup import PrecisionTiming
from hfcourse.tools.recipes import (
    HFCOURSE_RECIPE,
    Recipe,
    build_recipe_trainer,
    default_recipe,
    set_dropout,
    sorted_by_length,
)


def test_training_args_spread_evaluations_over_each_epoch():
    recipe = replace(HFCOURSE_RECIPE, batch_size=32, evaluations_per_epoch=4)
    # 3,668 MRPC pairs: 115 steps an epoch (the last batch holds 20 pairs), an evaluation every 29 steps
    assert recipe.steps_per_epoch(3668) == 115
    assert recipe.eval_steps(3668) == 29
    arguments = recipe.training_args(3668)
    assert arguments["eval_strategy"] == "steps" and arguments["eval_steps"] == 29 == arguments["logging_steps"]
    assert arguments["per_device_train_batch_size"] == 32
    assert arguments["train_sampling_strategy"] == "group_by_length"
    assert arguments["optim"] == "adamw_torch_fused"
    assert arguments["save_strategy"] == "no"
    assert arguments["max_grad_norm"] == recipe.max_grad_norm
    assert "bf16" not in arguments and "fp16" not in arguments
    assert replace(recipe, precision="bf16").training_args(3668)["bf16"] is True
    # fewer steps than evaluations: every step evaluates
    assert recipe.eval_steps(40) == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"batch_size": 0}, "batch_size=0"),
        ({"epochs": 1.5}, "epochs=1.5"),
        ({"learning_rate": 0}, "learning_rate=0"),
        ({"warmup_fraction": 1.0}, r"warmup_fraction=1.0.*\[0, 1\)"),
        ({"precision": "fp8"}, "precision='fp8'.*fp32, bf16, fp16"),
        ({"dropout": 1.0}, r"dropout=1.0.*\[0, 1\)"),
        ({"max_grad_norm": -1.0}, r"max_grad_norm=-1.0.*0: no clipping"),
        ({"dropout": -0.1}, r"dropout=-0.1"),
    ],
)
def test_bad_settings_name_the_setting_and_the_fix(change, message):
    with pytest.raises(ValueError, match=message):
        replace(HFCOURSE_RECIPE, **change)


def test_bad_train_size_is_refused():
    with pytest.raises(ValueError, match="train_size=0"):
        HFCOURSE_RECIPE.training_args(0)


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [({"no": 0.010, "bf16": 0.120}, "fp32"), ({"no": 0.010, "bf16": 0.004}, "bf16")],
    ids=["bf16-slower-keeps-fp32", "bf16-faster-chooses-bf16"],
)
def test_default_recipe_takes_the_measured_faster_precision(seconds, expected):
    recipe = default_recipe(PrecisionTiming("cpu", 512, seconds))
    assert recipe.precision == expected
    # everything but the precision is the recipe's
    assert replace(recipe, precision=HFCOURSE_RECIPE.precision) == HFCOURSE_RECIPE


def _tiny_tokenized(tokenizer) -> DatasetDict:
    raw = DatasetDict(
        {
            "train": Dataset.from_dict(
                {
                    "sentence1": ["a cat sat", "dogs run fast"] * 4,
                    "sentence2": ["a cat", "dogs"] * 4,
                    "label": [1, 0] * 4,
                }
            ),
            "validation": Dataset.from_dict({"sentence1": ["a cat"], "sentence2": ["cat"], "label": [1]}),
        }
    )
    return hfcourse.tokenize_dataset(raw, tokenizer)


def test_build_recipe_trainer_passes_the_recipe_to_the_trainer(tmp_path):
    from transformers import AutoTokenizer

    from hfcourse.lessons.training import load_classifier

    checkpoint = hfcourse.resolve_checkpoint("encoder")
    tokenizer = AutoTokenizer.from_pretrained(checkpoint.name_or_path)
    recipe = replace(HFCOURSE_RECIPE, batch_size=4, evaluations_per_epoch=2)
    trainer = build_recipe_trainer(
        load_classifier(checkpoint), tokenizer, _tiny_tokenized(tokenizer), tmp_path, recipe=recipe, seed=7
    )
    assert trainer.args.per_device_train_batch_size == 4
    assert trainer.args.eval_steps == 1  # 2 steps an epoch, 2 evaluations
    assert trainer.args.train_sampling_strategy == "group_by_length"
    assert trainer.args.optim == "adamw_torch_fused"
    assert trainer.args.learning_rate == recipe.learning_rate
    assert trainer.args.seed == 7  # overrides reach the Trainer too
    with pytest.raises(TypeError, match="recipe must be a hfcourse.tools.recipes.Recipe"):
        build_recipe_trainer(trainer.model, tokenizer, _tiny_tokenized(tokenizer), tmp_path, recipe={"batch_size": 4})


def test_recipe_is_a_plain_record():
    described = HFCOURSE_RECIPE.describe()
    assert described["batch_size"] == HFCOURSE_RECIPE.batch_size
    assert described["length_grouped"] is True
    assert isinstance(HFCOURSE_RECIPE, Recipe)


def test_frozen_word_embeddings_stay_as_pretrained(checkpoint, tokenizer, tmp_path):
    import torch

    from hfcourse.lessons.training import load_classifier

    recipe = replace(HFCOURSE_RECIPE, batch_size=4, epochs=1, freeze_word_embeddings=True)
    model = load_classifier(checkpoint)
    embeddings = model.get_input_embeddings().weight.detach().clone()
    encoder_weight = next(p for n, p in model.named_parameters() if "encoder.layer.0" in n).detach().clone()
    trainer = build_recipe_trainer(model, tokenizer, _tiny_tokenized(tokenizer), tmp_path, recipe=recipe)
    trainer.train()
    assert torch.equal(model.get_input_embeddings().weight, embeddings)
    assert not torch.equal(next(p for n, p in model.named_parameters() if "encoder.layer.0" in n), encoder_weight)
    optimized = {id(p) for group in trainer.optimizer.param_groups for p in group["params"]}
    assert id(model.get_input_embeddings().weight) not in optimized
    assert HFCOURSE_RECIPE.describe()["freeze_word_embeddings"] == HFCOURSE_RECIPE.freeze_word_embeddings


def test_dropout_reaches_every_dropout_layer_and_the_config(checkpoint):
    import torch

    from hfcourse.lessons.training import load_classifier

    model = load_classifier(checkpoint)
    dropouts = [module for module in model.modules() if isinstance(module, torch.nn.Dropout)]
    assert dropouts and all(module.p == 0.1 for module in dropouts)  # MiniLM's own
    set_dropout(model, 0.0)
    assert all(module.p == 0.0 for module in dropouts)
    assert model.config.hidden_dropout_prob == model.config.attention_probs_dropout_prob == 0.0
    # without dropout, training-mode forward passes are deterministic
    inputs = {"input_ids": torch.tensor([[101, 7592, 2088, 102]]), "attention_mask": torch.ones(1, 4, dtype=torch.long)}
    model.train()
    assert torch.equal(model(**inputs).logits, model(**inputs).logits)


def test_recipe_dropout_is_applied_and_none_keeps_the_checkpoints(checkpoint, tokenizer, tmp_path):
    from hfcourse.lessons.training import load_classifier

    tokenized = _tiny_tokenized(tokenizer)
    kept = build_recipe_trainer(
        load_classifier(checkpoint), tokenizer, tokenized, tmp_path, recipe=replace(HFCOURSE_RECIPE, dropout=None)
    )
    assert kept.model.config.hidden_dropout_prob == 0.1
    changed = build_recipe_trainer(
        load_classifier(checkpoint), tokenizer, tokenized, tmp_path, recipe=replace(HFCOURSE_RECIPE, dropout=0.05)
    )
    assert changed.model.config.attention_probs_dropout_prob == 0.05
    assert changed.model.bert.encoder.layer[0].attention.self.dropout.p == 0.05


def test_grouped_recipe_evaluates_shortest_pairs_first_with_the_same_metrics(tokenizer):
    raw = DatasetDict(
        {
            "validation": Dataset.from_dict(
                {
                    "sentence1": ["a much longer first sentence here", "a", "mid size one"],
                    "sentence2": ["b", "c", "d"],
                    "label": [0, 1, 0],
                }
            )
        }
    )
    validation = hfcourse.tokenize_dataset(raw, tokenizer)["validation"]
    ordered = sorted_by_length(validation)
    lengths = [len(ids) for ids in ordered["input_ids"]]
    assert lengths == sorted(lengths) and lengths[0] < lengths[-1]
    assert sorted(zip(ordered["input_ids"], ordered["labels"], strict=True)) == sorted(
        zip(validation["input_ids"], validation["labels"], strict=True)
    )
