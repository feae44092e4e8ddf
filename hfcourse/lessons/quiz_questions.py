"""The quiz questions, by chapter: the course's end-of-chapter questions in our words, plus what changed in
transformers 5. ``ch1-3`` is chapter 1's third question; the notebook that ends each chapter asks them
(chapter 1: 01_4_transformer_architecture, chapter 2: 02_8_optimized_inference, chapter 3:
03_5_learning_curves).
"""

from __future__ import annotations

from .quiz import Answer, Question

__all__ = ["QUESTIONS", "chapter_questions"]


def _q(question_id: str, text: str, *answers: tuple[str, bool, str]) -> Question:
    return Question(question_id, text, tuple(Answer(*answer) for answer in answers))


_ALL = (
    # ------------------------------------------------------------------ chapter 1
    _q(
        "ch1-1",
        "You call a zero-shot-classification pipeline with a sentence and nothing else. What happens?",
        (
            "It returns the most likely label from the model's own list",
            False,
            "a zero-shot model has no fixed labels: it scores the labels you give it.",
        ),
        (
            "It raises an error: candidate_labels is missing",
            True,
            "zero-shot classification compares the text with each candidate label you pass.",
        ),
        ("It returns an empty list", False, "it cannot score labels it was not given, so it stops with an error."),
    ),
    _q(
        "ch1-2",
        "A fill-mask pipeline runs a BERT checkpoint. Which text has the right mask token?",
        ("This man works as a [MASK].", True, "BERT's tokenizer uses [MASK] (tokenizer.mask_token)."),
        ("This man works as a <mask>.", False, "<mask> is RoBERTa's token; BERT would read it as ordinary text."),
        ("This man works as a ___.", False, "the model only fills its own mask token."),
    ),
    _q(
        "ch1-3",
        "Pretraining a language model on raw text (predicting the next or a masked word) needs:",
        ("Texts labelled by people", False, "the labels come from the text itself: the hidden word is the answer."),
        (
            "Only raw text: it is self-supervised",
            True,
            "the target is part of the input, so any text is training data, no annotation needed.",
        ),
        ("A labelled dataset such as MRPC", False, "MRPC is for fine-tuning, the step after pretraining."),
    ),
    _q(
        "ch1-4",
        "What is transfer learning here?",
        ("Training a model from random weights on your task", False, "that is training from scratch."),
        (
            "Starting from a pretrained model's weights and fine-tuning them on your task",
            True,
            "the pretrained weights already know the language; fine-tuning needs far less data and compute.",
        ),
        ("Copying a model's predictions into a new dataset", False, "that would be distillation, another idea."),
    ),
    _q(
        "ch1-5",
        "Which model family fits generating the continuation of a prompt best?",
        ("Encoder (BERT)", False, "an encoder sees the whole text at once and is trained to understand, not continue."),
        (
            "Decoder (GPT, SmolLM2)",
            True,
            "causal attention: each token sees only earlier ones, so it predicts the next.",
        ),
        (
            "Neither: only encoder-decoders generate",
            False,
            "decoders generate; encoder-decoders map an input to an output.",
        ),
    ),
    _q(
        "ch1-6",
        "Which family fits summarizing an article best?",
        ("Encoder-decoder (BART, T5)", True, "the encoder reads the article, the decoder writes a new, shorter text."),
        ("Encoder only", False, "an encoder labels or extracts; it has no decoder to write new text."),
        ("A token-classification head", False, "that labels each token; a summary is new text."),
    ),
    _q(
        "ch1-7",
        "Where can a fine-tuned model's bias come from?",
        ("The pretraining data", True, "web text carries its writers' stereotypes, as the fill-mask probe shows."),
        ("The fine-tuning data", True, "a small labelled set can add its own imbalance."),
        ("The loss function or metric chosen", True, "optimizing for one metric can favour the majority."),
        ("The tokenizer's vocabulary size", False, "the size of the vocabulary does not make a model prefer a group."),
    ),
    _q(
        "ch1-8",
        "In transformers 5, pipeline('summarization') ...",
        ("works as in the 2024 course", False, "the task was removed from pipeline() in transformers 5.0."),
        (
            "was removed: use AutoModelForSeq2SeqLM and generate()",
            True,
            "summarization and translation pipelines are gone; the model classes and generate() remain.",
        ),
        ("needs the argument legacy=True", False, "there is no such switch."),
    ),
    # ------------------------------------------------------------------ chapter 2
    _q(
        "ch2-1",
        "In what order does a pipeline work?",
        ("Tokenizer, model, post-processing", True, "text -> ids, ids -> logits, logits -> labels and scores."),
        ("Model, tokenizer, post-processing", False, "the model only reads ids, so the tokenizer comes first."),
        (
            "Tokenizer, post-processing, model",
            False,
            "post-processing turns the model's logits into answers, after it.",
        ),
    ),
    _q(
        "ch2-2",
        "A base model (AutoModel) returns last_hidden_state of shape ...",
        ("(batch size, sequence length, hidden size)", True, "one vector of hidden-size numbers per token."),
        ("(batch size, number of labels)", False, "that is the logits of a classification head."),
        ("(sequence length, vocabulary size)", False, "that is what a language-model head predicts per token."),
    ),
    _q(
        "ch2-3",
        "Which of these are subword tokenization algorithms?",
        ("WordPiece", True, "BERT's: greedy longest match from a learned vocabulary."),
        ("BPE (byte-pair encoding)", True, "GPT-2's and SmolLM2's: merges of frequent pairs."),
        ("Unigram", True, "SentencePiece's: keeps the subwords that best explain the corpus."),
        ("Splitting on spaces", False, "that is word-level tokenization."),
    ),
    _q(
        "ch2-4",
        "What is a model's head?",
        (
            "The layer(s) after the transformer that turn hidden states into the task's output",
            True,
            "e.g. a linear layer from 384 numbers to 2 logits for sentiment.",
        ),
        ("The first layer, the embeddings", False, "the embeddings turn ids into vectors, at the other end."),
        ("An attention head", False, "same word, another idea: attention heads are inside every layer."),
    ),
    _q(
        "ch2-5",
        "Why apply softmax to the logits?",
        (
            "To turn them into probabilities that sum to 1",
            True,
            "logits are unnormalised scores; softmax makes them comparable.",
        ),
        (
            "To make the model more accurate",
            False,
            "softmax keeps the order of the scores, so it changes no prediction.",
        ),
        ("Because the model needs it to train", False, "the loss applies it internally; the model returns raw logits."),
    ),
    _q(
        "ch2-6",
        "How do you batch two sentences of different lengths?",
        ("Pad the shorter one and pass an attention mask", True, "the mask keeps attention off the padding."),
        (
            "Truncate both to the same maximum length",
            True,
            "with padding for the shorter ones, truncation bounds the length.",
        ),
        ("Pad without an attention mask", False, "the padding then changes the other tokens' outputs."),
    ),
    _q(
        "ch2-7",
        "Why must a model and its tokenizer come from the same checkpoint?",
        (
            "Each tokenizer has its own vocabulary: other ids mean other tokens to the model",
            True,
            "id 2023 is one word for one tokenizer and another word, or nothing, for the next.",
        ),
        ("They must not: any tokenizer works with any model", False, "the model learned the meaning of its own ids."),
        ("Only for speed", False, "it is about meaning, not speed."),
    ),
    _q(
        "ch2-8",
        "Quantizing a model's weights to 4 bits (GGUF Q4_1) ...",
        (
            "makes it about six times smaller, with answers close to, not equal to, the original",
            True,
            "5 bits a weight with the block scales instead of 32; the rounding changes some probabilities.",
        ),
        ("gives exactly the same outputs", False, "each weight is rounded to one of 16 levels per block."),
        ("only helps on GPUs", False, "llama.cpp runs such files on CPUs and laptops."),
    ),
    # ------------------------------------------------------------------ chapter 3
    _q(
        "ch3-1",
        "What does Dataset.map(tokenize_function, batched=True) gain over batched=False?",
        ("Speed: the tokenizer handles many texts at once", True, "the fast tokenizers process a batch in parallel."),
        ("Padding to the longest text of the dataset", False, "padding is left to the collator, per batch."),
        ("Less memory", False, "the result is the same columns either way."),
    ),
    _q(
        "ch3-2",
        "Why pad dynamically, per batch, with DataCollatorWithPadding?",
        (
            "Each batch is padded only to its own longest pair, so less compute is spent on padding",
            True,
            "padding to the dataset's longest would make every batch as long as the longest pair.",
        ),
        ("The model requires it", False, "any padding with a mask works; dynamic padding is cheaper."),
        ("It shuffles the data", False, "the data loader shuffles; the collator pads."),
    ),
    _q(
        "ch3-3",
        "What do token_type_ids hold for a pair of sentences?",
        ("0 for the tokens of the first sentence, 1 for the second's", True, "BERT learned to tell the two apart."),
        ("The part of speech of each token", False, "no grammar here: only which sentence a token is in."),
        ("1 for real tokens, 0 for padding", False, "that is the attention mask."),
    ),
    _q(
        "ch3-4",
        "The training loss keeps falling while the validation loss rises. The model is ...",
        (
            "overfitting: stop earlier, add data or regularise",
            True,
            "it memorises the training pairs at the cost of new ones.",
        ),
        ("underfitting: train longer", False, "an underfitting model's training loss stays high too."),
        ("learning well", False, "the validation loss is what matters for new data."),
    ),
    _q(
        "ch3-5",
        "Accuracy curves move in steps, loss curves smoothly. Why?",
        (
            "Accuracy changes only when a prediction flips; the loss moves with every probability",
            True,
            "a pair's probability can move a lot without crossing 0.5.",
        ),
        ("Accuracy is computed less often", False, "both are computed at the same evaluations."),
        ("Because of the learning-rate schedule", False, "the schedule shapes both curves alike."),
    ),
    _q(
        "ch3-6",
        "What is gradient accumulation?",
        (
            "Adding the gradients of several small batches before one optimizer step",
            True,
            "an effective batch of per_device_train_batch_size x gradient_accumulation_steps, in the memory of one.",
        ),
        ("Keeping old gradients from epoch to epoch", False, "gradients are zeroed after every optimizer step."),
        ("A larger learning rate", False, "it changes the batch, not the learning rate (but see 03_3 for a pitfall)."),
    ),
    _q(
        "ch3-7",
        "In transformers 5, which code from the 2024 course fails?",
        ("from transformers import AdamW", True, "the import is gone; use torch.optim.AdamW."),
        ("TrainingArguments(..., evaluation_strategy='epoch')", True, "the argument is now eval_strategy."),
        ("Trainer(..., tokenizer=tokenizer)", True, "the argument is now processing_class."),
        ("trainer.train()", False, "training itself is called the same way."),
    ),
    _q(
        "ch3-8",
        "Why model.eval() and torch.no_grad() in the evaluation loop?",
        (
            "eval() turns dropout off; no_grad() skips the bookkeeping for gradients",
            True,
            "the predictions are deterministic and the loop uses less memory and time.",
        ),
        (
            "They make the model more accurate on the training set",
            False,
            "they change how it runs, not what it learned.",
        ),
        ("Accelerate requires them", False, "any PyTorch evaluation needs them, with or without Accelerate."),
    ),
)

QUESTIONS: dict[str, Question] = {question.question_id: question for question in _ALL}


def chapter_questions(chapter: int) -> list[Question]:
    """The questions of ``chapter`` (1, 2 or 3), in order."""
    return [question for question in _ALL if question.question_id.startswith(f"ch{chapter}-")]
