"""The exercises of chapter 2 (02_2 to 02_8): their checks.

Where an exercise asks for a function, the check calls it on inputs of its own (the embedded encoder's
tokenizer, a tiny model, fixed tensors), so it does not depend on what else the learner's notebook holds.
"""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import torch

from . import Verdict, correct, hint, register, returned_nothing

__all__: list[str] = []

TEXTS = (
    "I've been waiting for a HuggingFace course my whole life.",
    "I hate this so much!",
    "The plot was thin, but the acting was superb.",
)


@cache
def _encoder_tokenizer() -> Any:
    from transformers import AutoTokenizer

    from ...offline.catalog import resolve_checkpoint

    return AutoTokenizer.from_pretrained(resolve_checkpoint("encoder").name_or_path)


# --------------------------------------------------------------------------------------------------
# 2.2 Behind the pipeline
# --------------------------------------------------------------------------------------------------


@register("2.2.softmax", "02_2_behind_the_pipeline", "turn a batch of logits into probabilities")
def check_softmax(to_probabilities: Any) -> Verdict:
    logits = torch.tensor([[-1.5607, 1.6123], [4.1692, -3.3464], [0.3, 0.2]])
    result = to_probabilities(logits.clone())
    if (problem := returned_nothing(result)) is not None:
        return problem
    result = torch.as_tensor(result, dtype=torch.float32)
    if tuple(result.shape) != (3, 2):
        return hint(f"shape {tuple(result.shape)}: keep one row per sentence, one column per label, (3, 2).")
    if torch.allclose(result, logits):
        return hint("these are still the logits: apply softmax to turn them into probabilities.")
    if torch.allclose(result, torch.sigmoid(logits), atol=1e-4):
        return hint("sigmoid treats each label on its own; softmax makes the labels of a row share 1.")
    if torch.allclose(result.sum(dim=0), torch.ones(2), atol=1e-4):
        return hint("each column sums to 1: softmax ran over the batch (dim=0); use dim=-1, the labels.")
    if not torch.allclose(result, logits.softmax(dim=-1), atol=1e-4):
        return hint("each row should sum to 1, the larger logit getting the larger probability: softmax(dim=-1).")
    return correct("one probability per label, each row summing to 1.")


@register("2.2.by_hand", "02_2_behind_the_pipeline", "the sentiment pipeline's answers, computed step by step")
def check_by_hand(classify_by_hand: Any) -> Verdict:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

    from ...offline.catalog import resolve_checkpoint

    checkpoint = resolve_checkpoint("sentiment-analysis")
    tokenizer = AutoTokenizer.from_pretrained(checkpoint.name_or_path)
    model = AutoModelForSequenceClassification.from_pretrained(checkpoint.name_or_path, use_safetensors=True).eval()
    expected = pipeline("sentiment-analysis", model=model, tokenizer=tokenizer)(list(TEXTS))
    result = classify_by_hand(list(TEXTS), tokenizer, model)
    if (problem := returned_nothing(result)) is not None:
        return problem
    result = list(result)
    if len(result) != len(TEXTS) or not all(isinstance(row, dict) for row in result):
        return hint("return one dict per text, as the pipeline does: {'label': ..., 'score': ...}.")
    for text, row, wanted in zip(TEXTS, result, expected, strict=True):
        if row.get("label") != wanted["label"]:
            names = ", ".join(model.config.id2label.values())
            if isinstance(row.get("label"), int) or str(row.get("label")).startswith("LABEL_"):
                return hint(f"give the label's name ({names}): model.config.id2label[index].")
            return hint(f"{row.get('label')!r} for {text!r}; the pipeline says {wanted['label']!r}.")
        score = float(row.get("score", float("nan")))
        if not 0 <= score <= 1:
            return hint(f"score {score:.3f} is not a probability: apply softmax to the logits first.")
        if abs(score - wanted["score"]) > 1e-4:
            return hint("the score should be the probability of the label you give (the largest one).")
    return correct("the same labels and scores as the pipeline.")


# --------------------------------------------------------------------------------------------------
# 2.3 Models
# --------------------------------------------------------------------------------------------------

SMALL_CONFIG = {"num_hidden_layers": 2, "hidden_size": 128, "num_attention_heads": 2, "intermediate_size": 512}


@register("2.3.small_model", "02_3_models", "a BertModel of 2 layers, hidden size 128, 2 heads, feed-forward 512")
def check_small_model(small_model: Any) -> Verdict:
    from transformers import BertConfig, BertModel

    if isinstance(small_model, BertConfig):
        return hint("that is the configuration; build the model from it: BertModel(config).")
    if not isinstance(small_model, BertModel):
        return hint(f"give a BertModel; this is a {type(small_model).__name__}.")
    for name, value in SMALL_CONFIG.items():
        if getattr(small_model.config, name) != value:
            return hint(f"config.{name} is {getattr(small_model.config, name)}; the exercise asks for {value}.")
    parameters = sum(parameter.numel() for parameter in small_model.parameters())
    return correct(f"{parameters:,} parameters, random: the architecture without anything learned.")


@register("2.3.save_and_reload", "02_3_models", "save a model to a folder and load it back")
def check_save_and_reload(save_and_reload: Any) -> Verdict:
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    model = BertModel(BertConfig(**SMALL_CONFIG, vocab_size=100)).eval()
    with tempfile.TemporaryDirectory() as folder:
        reloaded = save_and_reload(model, folder)
        files = sorted(path.name for path in Path(folder).iterdir())
        if (problem := returned_nothing(reloaded)) is not None:
            return problem
        if reloaded is model:
            return hint("you returned the model you were given: load a new one from the folder (from_pretrained).")
        if "config.json" not in files or "model.safetensors" not in files:
            return hint(f"the folder holds {files}: save_pretrained(folder) writes config.json and model.safetensors.")
        ids = torch.tensor([[1, 5, 7, 2]])
        with torch.no_grad():
            same = torch.equal(model(ids).last_hidden_state, reloaded.eval()(ids).last_hidden_state)
    if not same:
        return hint("the reloaded model answers differently: load the folder you saved, with the same class.")
    return correct(f"{', '.join(files)}: the same model, bit for bit.")


# --------------------------------------------------------------------------------------------------
# 2.4 Tokenizers
# --------------------------------------------------------------------------------------------------


@register("2.4.ids_by_hand", "02_4_tokenizers", "a sentence's input ids, from tokenize() and convert_tokens_to_ids()")
def check_ids_by_hand(ids_by_hand: Any) -> Verdict:
    tokenizer = _encoder_tokenizer()
    for text in TEXTS:
        expected = tokenizer(text)["input_ids"]
        result = ids_by_hand(tokenizer, text)
        if (problem := returned_nothing(result)) is not None:
            return problem
        result = [int(value) if not isinstance(value, str) else value for value in result]
        if any(isinstance(value, str) for value in result):
            return hint("these are tokens; turn them into ids with tokenizer.convert_tokens_to_ids(tokens).")
        if result == expected[1:-1]:
            return hint(
                f"the ids are right, but tokenizer(text) also adds {tokenizer.cls_token} at the start and "
                f"{tokenizer.sep_token} at the end (tokenizer.cls_token_id, tokenizer.sep_token_id)."
            )
        if result != expected:
            return hint(f"for {text!r} the ids differ from tokenizer(text)['input_ids'].")
    return correct("the same ids as calling the tokenizer: tokenize, look up, add the special tokens.")


@register("2.4.decode", "02_4_tokenizers", "turn ids back into the text, without the special tokens")
def check_decode(decode_text: Any) -> Verdict:
    tokenizer = _encoder_tokenizer()
    for text in TEXTS:
        ids = tokenizer(text)["input_ids"]
        result = decode_text(tokenizer, ids)
        if (problem := returned_nothing(result)) is not None:
            return problem
        if not isinstance(result, str):
            return hint(f"return the text, a str; yours returned a {type(result).__name__} (tokenizer.decode).")
        if tokenizer.cls_token in result or tokenizer.sep_token in result:
            return hint(f"{result!r} still holds the special tokens: decode(ids, skip_special_tokens=True).")
        if result != tokenizer.decode(ids, skip_special_tokens=True):
            return hint(f"{result!r} is not what decode gives for these ids.")
    return correct("the text again, lower-cased: this tokenizer is uncased, so decode cannot bring capitals back.")


# --------------------------------------------------------------------------------------------------
# 2.5 Handling multiple sequences
# --------------------------------------------------------------------------------------------------


@register("2.5.as_batch", "02_5_multiple_sequences", "one sequence of ids as the batch a model takes")
def check_as_batch(as_batch: Any) -> Verdict:
    ids = [1045, 1005, 2310, 2042, 3403]
    result = as_batch(ids)
    if (problem := returned_nothing(result)) is not None:
        return problem
    if not isinstance(result, torch.Tensor):
        return hint(f"return a tensor (torch.tensor); yours returned a {type(result).__name__}.")
    if tuple(result.shape) == (len(ids),):
        return hint("shape (5,): models expect a batch, (1, 5). Put the list in a list: torch.tensor([ids]).")
    if tuple(result.shape) != (1, len(ids)):
        return hint(f"shape {tuple(result.shape)}; one sequence of 5 ids is a batch of shape (1, 5).")
    if result.is_floating_point():
        return hint("ids are integers: the embedding layer looks them up, so keep the dtype torch.long.")
    if result.tolist() != [ids]:
        return hint("the ids changed on the way: the batch should hold them unchanged.")
    return correct("(1, 5), integer ids: a batch of one.")


@register("2.5.attention_mask", "02_5_multiple_sequences", "the attention mask of a padded batch")
def check_attention_mask(attention_mask_for: Any) -> Verdict:
    pad = 0
    batched_ids = [[200, 200, 200], [200, 200, pad]]
    result = attention_mask_for(batched_ids, pad)
    if (problem := returned_nothing(result)) is not None:
        return problem
    result = torch.as_tensor(result).tolist()
    if result == [[0, 0, 0], [0, 0, 1]]:
        return hint("inverted: 1 marks the tokens to attend to (the real ones), 0 the padding.")
    if result != [[1, 1, 1], [1, 1, 0]]:
        return hint("one row per sequence, 1 for each real token and 0 for each padding token.")
    if attention_mask_for([[5, 7], [7, 5]], 7) is not None:
        other = torch.as_tensor(attention_mask_for([[5, 7], [7, 5]], 7)).tolist()
        if other != [[1, 0], [0, 1]]:
            return hint("compare each id with pad_token_id, whatever its value: (ids != pad_token_id).")
    return correct("1 for real tokens, 0 for padding, so attention ignores the padding.")


# --------------------------------------------------------------------------------------------------
# 2.8 Optimized inference
# --------------------------------------------------------------------------------------------------


@register("2.8.length_batches", "02_8_optimized_inference", "batches of similar lengths, to cut the padding")
def check_length_batches(length_batches: Any) -> Verdict:
    token_counts = [12, 3, 40, 5, 38, 4, 11, 39, 6]
    result = length_batches(token_counts, 3)
    if (problem := returned_nothing(result)) is not None:
        return problem
    batches = [list(batch) for batch in result]
    flat = sorted(index for batch in batches for index in batch)
    if flat != list(range(len(token_counts))):
        return hint("every text's index must be in exactly one batch (give indices, not lengths).")
    if any(len(batch) > 3 for batch in batches):
        return hint("a batch holds at most batch_size texts.")
    padded = sum(max(token_counts[i] for i in batch) * len(batch) for batch in batches)
    best = sum(max(chunk) * len(chunk) for chunk in _chunks(sorted(token_counts), 3))
    if padded > best:
        return hint(
            f"{padded - sum(token_counts)} padding positions where sorting by length first leaves "
            f"{best - sum(token_counts)}: sort the indices by token count, then cut them into batches."
        )
    return correct(f"{best - sum(token_counts)} padding positions instead of {_unsorted_padding(token_counts, 3)}.")


def _chunks(values: list[int], size: int) -> list[list[int]]:
    return [values[start : start + size] for start in range(0, len(values), size)]


def _unsorted_padding(token_counts: list[int], size: int) -> int:
    return sum(max(chunk) * len(chunk) for chunk in _chunks(token_counts, size)) - sum(token_counts)


def q8_0_reference(weight: torch.Tensor, block_size: int = 32) -> torch.Tensor:
    """GGUF's Q8_0 round trip: per block of 32, one fp16 scale (the largest magnitude / 127) and int8 codes."""
    blocks = weight.reshape(-1, block_size)
    scale = (blocks.abs().max(dim=1, keepdim=True).values / 127).half().float().clamp(min=1e-8)
    return ((blocks / scale).round().clamp(-127, 127) * scale).reshape(weight.shape)


@register("2.8.q8_0", "02_8_optimized_inference", "GGUF's Q8_0 round trip: 8-bit codes with one scale per block")
def check_q8_0(q8_0_round_trip: Any) -> Verdict:
    weight = torch.randn(8, 64, generator=torch.Generator().manual_seed(0))
    weight[0, :32] *= 10  # one block with a much larger range: a single scale for the tensor would fail it
    result = q8_0_round_trip(weight.clone())
    if (problem := returned_nothing(result)) is not None:
        return problem
    result = torch.as_tensor(result, dtype=torch.float32)
    if tuple(result.shape) != tuple(weight.shape):
        return hint(f"shape {tuple(result.shape)}: give the weights back in their own shape, {tuple(weight.shape)}.")
    expected = q8_0_reference(weight)
    if torch.allclose(result, expected, atol=1e-6):
        error = ((result - weight).norm() / weight.norm()).item()
        return correct(f"relative error {error:.2%}: 8.5 bits per weight, close to the original.")
    if torch.allclose(result, weight, atol=1e-6):
        return hint("the weights came back unchanged: round each weight / scale to an integer from -127 to 127.")
    levels_per_block = [len(torch.unique(block)) for block in result.reshape(-1, 32)]
    if max(levels_per_block) > 255:
        return hint("more than 255 different values in a block: the codes must be integers (round them).")
    whole = weight.abs().max() / 127
    if torch.allclose(result, (weight / whole).round().clamp(-127, 127) * whole, atol=1e-5):
        return hint(
            "one scale for the whole tensor: Q8_0 has one per block of 32, so a large block does not cost the others."
        )
    return hint("scale = the block's largest magnitude / 127 (stored as fp16), code = round(weight / scale).")
