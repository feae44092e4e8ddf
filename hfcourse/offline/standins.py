"""Offline defaults for the course's pipeline roles that have no embedded model of their own.

The catalog (``hfcourse.offline.catalog.CATALOG``) names one function here per role. Each returns a
``Checkpoint`` that says honestly what runs:

- ``embedded``: a real model shipped in a Python package, used in another way than the course's model
  (zero-shot by MiniLM sentence-embedding similarity; fill-mask, summarization and translation by the
  SmolLM2-135M-Instruct causal LM). ``hfcourse.pipeline`` picks the method from the model's config.
- ``derived``: MiniLM fine-tuned here, once, into the cache folder (``build_once``): sentiment on the
  embedded SST-2-format set, named entities and extractive question answering on templated sentences
  generated below (lists of invented people, organisations, places). Real trained weights that give
  real answers on simple sentences; small models trained briefly on a CPU (minutes, once), not the
  course's checkpoints.

Every build is deterministic and versioned by its name; a second resolve only checks the cache.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .checkpoints import (
    Checkpoint,
    _quiet_transformers,
    build_once,
    embedded_minilm_path,
    smollm2_path,
)

__all__ = [
    "NER_LABELS",
    "SENTIMENT_LABELS",
    "QAExample",
    "TaggedSentence",
    "ner_checkpoint",
    "ner_sentences",
    "qa_examples",
    "question_answering_checkpoint",
    "sentiment_checkpoint",
    "smollm2_use_checkpoint",
    "zero_shot_checkpoint",
]

SEED = 0
# The course's classifier (distilbert-base-uncased-finetuned-sst-2-english) names its classes so.
SENTIMENT_LABELS = ("NEGATIVE", "POSITIVE")
# CoNLL-2003 tags in the order of the course's NER model (dbmdz/bert-large-cased-finetuned-conll03-english).
NER_LABELS = ("O", "B-MISC", "I-MISC", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC")


# --------------------------------------------------------------------------------------------------
# Embedded models used another way
# --------------------------------------------------------------------------------------------------

_SMOLLM2 = "SmolLM2-135M-Instruct"


def zero_shot_checkpoint(role: str) -> Checkpoint:
    """MiniLM sentence embeddings: each label scored by similarity to a hypothesis (not NLI)."""
    note = (
        "all-MiniLM-L6-v2 sentence-embedding similarity between the text and 'This text is about "
        "{label}.' (embedding similarity, not NLI like the course's bart-large-mnli)"
    )
    return Checkpoint.real_folder(role, embedded_minilm_path(), "embedded", note)


# How SmolLM2-135M-Instruct serves each role it stands in for, in one line for learners.
SMOLLM2_USES = {
    "fill-mask": f"{_SMOLLM2}, a causal LM, ranks one-token words for <mask> by the likelihood of the whole "
    "filled sentence (not a masked LM like the course's distilroberta-base)",
    "summarization": f"{_SMOLLM2} prompted to summarize: a small instruct LM, not the course's seq2seq "
    "distilbart-cnn-12-6; expect poor summaries",
    "translation": f"{_SMOLLM2} prompted to translate: a small instruct LM, not the course's seq2seq "
    "opus-mt-fr-en; expect poor translations",
}


def smollm2_use_checkpoint(role: str) -> Checkpoint:
    """SmolLM2-135M-Instruct used for ``role`` (fill-mask by sentence likelihood, prompted summaries and translations)."""
    return Checkpoint.real_folder(role, smollm2_path(), "embedded", SMOLLM2_USES[role])


# --------------------------------------------------------------------------------------------------
# Templated training data (written for this project)
# --------------------------------------------------------------------------------------------------

# Invented or common names. The seed's example entities (Sylvain, Hugging Face, Brooklyn) are left out
# on purpose: the notebook shows that the models find them from context alone.
PERSONS = (
    "Alice",
    "Amara",
    "Anna Schmidt",
    "Arjun",
    "Ben Carter",
    "Carlos",
    "Chen Wei",
    "Chloe",
    "Daniel",
    "Dmitri Volkov",
    "Elena",
    "Emma Wilson",
    "Fatima",
    "Felix",
    "Gabriel",
    "Grace Lee",
    "Hannah",
    "Hiroshi Tanaka",
    "Ines",
    "Ivan",
    "Jamal",
    "Julia Costa",
    "Kofi",
    "Laura",
    "Leila",
    "Lucas Martin",
    "Maria",
    "Mateo",
    "Mei",
    "Nadia",
    "Noah",
    "Olga",
    "Omar Haddad",
    "Paolo",
    "Priya Sharma",
    "Rafael",
    "Rosa",
    "Samir",
    "Sofia",
    "Tom Becker",
    "Valentina",
    "Wang Fang",
    "Yusuf",
    "Zoe",
    "Thibault",
    "Margaux",
    "Lars Nilsson",
    "Aiko",
    "Bruno",
    "Clara Dupont",
)
ORGANISATIONS = (
    "Acme",
    "Blue Harbor Labs",
    "Northwind",
    "Globex",
    "Initech",
    "Orbital Systems",
    "Red Maple Bank",
    "Silverline",
    "Quantum Leaf",
    "Stark Analytics",
    "Green Valley Foods",
    "Helios Energy",
    "Nimbus Cloud",
    "Pixel Forge",
    "Riverbend University",
    "Atlas Motors",
    "Blue Whale Media",
    "Cedar Health",
    "Golden Gate Software",
    "Iron Bridge Capital",
    "Lumen Robotics",
    "Open Field Studio",
    "Polar Bear Games",
    "Sunrise Airlines",
    "Tiny Owl",
    "United Widgets",
    "Vertex AI Lab",
    "Willow Insurance",
    "Zenith Labs",
    "Deep Current",
    "Bright Path",
    "Maple Leaf Press",
)
LOCATIONS = (
    "Paris",
    "London",
    "Berlin",
    "Madrid",
    "Lisbon",
    "Rome",
    "Tokyo",
    "Seoul",
    "Beijing",
    "Mumbai",
    "Nairobi",
    "Lagos",
    "Cairo",
    "Sydney",
    "Toronto",
    "Montreal",
    "Chicago",
    "Boston",
    "New York",
    "San Francisco",
    "Los Angeles",
    "Rio de Janeiro",
    "Buenos Aires",
    "Mexico City",
    "Oslo",
    "Vienna",
    "Dublin",
    "Prague",
    "Hamburg",
    "Lyon",
    "Kyoto",
    "Cape Town",
    "Singapore",
    "Queens",
    "Harlem",
    "Montmartre",
    "Texas",
    "Bavaria",
    "Canada",
    "Japan",
    "Brazil",
    "Kenya",
    "Spain",
    "Seattle",
    "Austin",
)
LANGUAGES = (
    "French",
    "German",
    "Japanese",
    "Spanish",
    "English",
    "Italian",
    "Portuguese",
    "Mandarin",
    "Swedish",
    "Arabic",
    "Hindi",
    "Swahili",
)
NATIONALITIES = ("French", "German", "Japanese", "Brazilian", "Canadian", "Kenyan", "Italian", "Mexican", "Korean")
EVENTS = (
    "Olympics",
    "World Cup",
    "Christmas",
    "Ramadan",
    "Nobel Prize",
    "Tour de France",
    "Champions League",
    "Oscars",
    "Eurovision",
    "Super Bowl",
)
# Template slot -> (the values it takes, the entity type it is tagged with)
_SLOTS = {
    "PER": (PERSONS, "PER"),
    "ORG": (ORGANISATIONS, "ORG"),
    "LOC": (LOCATIONS, "LOC"),
    "LANG": (LANGUAGES, "MISC"),
    "NAT": (NATIONALITIES, "MISC"),
    "EVENT": (EVENTS, "MISC"),
}

# Sentence templates for named entities; slots are the keys of _SLOTS.
NER_TEMPLATES = (
    "My name is {PER}.",
    "My name is {PER} and I live in {LOC}.",
    "I am {PER} and I work for {ORG}.",
    "Hi, I'm {PER} from {ORG}.",
    "{PER} works at {ORG} in {LOC}.",
    "{PER} lives in {LOC}.",
    "I work at {ORG}.",
    "I work at {ORG} in {LOC}.",
    "I have worked at {ORG} since I moved to {LOC}.",
    "She works for {ORG} in {LOC}.",
    "He joined {ORG} last year.",
    "{ORG} opened a new office in {LOC}.",
    "{ORG} is based in {LOC}.",
    "The headquarters of {ORG} are in {LOC}.",
    "{PER} met {NAT} fans in {LOC}.",
    "{PER} speaks {LANG} at home.",
    "We watched the {EVENT} with {PER}.",
    "The {EVENT} will take place in {LOC}.",
    "{PER} visited {LOC} for the {EVENT}.",
    "Yesterday {PER} called me from {LOC}.",
    "Please send the report to {PER} at {ORG}.",
    "{PER} and I studied in {LOC}.",
    "According to {ORG}, sales rose in {LOC}.",
    "{PER} is the new director of {ORG}.",
    "I flew from {LOC} to meet {PER}.",
    "They hired a {NAT} engineer at {ORG}.",
    "Thanks to {PER}, {ORG} grew fast.",
    "Our team at {ORG} loves {LOC}.",
    "Ask {PER} about the trip to {LOC}.",
    "I was born in {LOC} and now I live in {LOC}.",
)
# Sentences without entities, so that ordinary words in the same places stay O.
PLAIN_SENTENCES = (
    "My name is not important.",
    "I work at home in the morning.",
    "I live in a small flat near the station.",
    "She works for a big company in the city.",
    "He joined the team last year.",
    "We watched a film with friends.",
    "The weather is nice today.",
    "I am tired and I want to sleep.",
    "This course will teach you about models.",
    "They opened a new shop downtown.",
    "I have worked here since the spring.",
    "Please send the report to my manager.",
)


@dataclass(frozen=True)
class TaggedSentence:
    """A sentence and its entities as character spans ``(start, end, type)``."""

    text: str
    entities: tuple[tuple[int, int, str], ...]


def _fill(template: str, rng: random.Random) -> TaggedSentence:
    """Fill each slot of ``template`` with a random entity of its type, recording the spans."""
    text, entities, position = "", [], 0
    while (start := template.find("{", position)) != -1:
        end = template.index("}", start)
        text += template[position:start]
        values, kind = _SLOTS[template[start + 1 : end]]
        value = rng.choice(values)
        entities.append((len(text), len(text) + len(value), kind))
        text += value
        position = end + 1
    return TaggedSentence(text + template[position:], tuple(entities))


def ner_sentences(count: int, seed: int = SEED) -> list[TaggedSentence]:
    """``count`` templated sentences with entity spans (one in ten without entities), reproducibly."""
    rng = random.Random(seed)
    sentences = []
    for index in range(count):
        if index % 10 == 9:
            sentences.append(TaggedSentence(rng.choice(PLAIN_SENTENCES), ()))
        else:
            sentences.append(_fill(rng.choice(NER_TEMPLATES), rng))
    return sentences


@dataclass(frozen=True)
class QAExample:
    """An extractive question-answering example: the answer is ``context[answer_start:answer_end]``."""

    question: str
    context: str
    answer_start: int
    answer_end: int

    @property
    def answer(self) -> str:
        return self.context[self.answer_start : self.answer_end]


# Facts about one person, first person ("I") or third person ({PER}); slot {X} is the answer of the
# questions listed with the fact's field.
_FACTS_FIRST = {
    "name": ("My name is {X}.", "I am {X}.", "I'm {X}, nice to meet you."),
    "work": ("I work at {X}.", "I work for {X}.", "I have a job at {X}.", "I work at {X} in {LOC}."),
    "home": ("I live in {X}.", "I am based in {X}.", "I moved to {X} last year."),
    "weight": ("My weight is {X}.", "I weigh {X}.", "My weight is too high, which is {X}."),
    "age": ("I am {X} years old.", "My age is {X}."),
    "language": ("I speak {X}.", "My native language is {X}."),
}
_FACTS_THIRD = {
    "work": ("{PER} works at {X}.", "{PER} works for {X} in {LOC}.", "{PER} has a job at {X}."),
    "home": ("{PER} lives in {X}.", "{PER} is based in {X}."),
    "weight": ("{PER} weighs {X}.",),
    "age": ("{PER} is {X} years old.",),
    "language": ("{PER} speaks {X}.",),
}
_QUESTIONS_FIRST = {
    "name": ("What is my name?", "Who am I?"),
    "work": ("Where do I work?", "Which company do I work for?", "Who is my employer?"),
    "home": ("Where do I live?", "Which city do I live in?"),
    "weight": ("What is my weight?", "How much do I weigh?"),
    "age": ("How old am I?", "What is my age?"),
    "language": ("What language do I speak?",),
}
_QUESTIONS_THIRD = {
    "work": ("Where does {PER} work?", "Which company does {PER} work for?"),
    "home": ("Where does {PER} live?",),
    "weight": ("How much does {PER} weigh?", "What is the weight of {PER}?"),
    "age": ("How old is {PER}?",),
    "language": ("What language does {PER} speak?",),
}


def _fact_value(field: str, rng: random.Random) -> str:
    if field == "name":
        return rng.choice(PERSONS)
    if field == "work":
        return rng.choice(ORGANISATIONS)
    if field == "home":
        return rng.choice(LOCATIONS)
    if field == "weight":
        unit = rng.choice(("kg", " kg", " pounds", " kilograms"))
        return f"{rng.randint(45, 130) if 'k' in unit else rng.randint(100, 280)}{unit}"
    if field == "age":
        return str(rng.randint(18, 90))
    return rng.choice(LANGUAGES)


def _qa_example(rng: random.Random) -> QAExample:
    """A context of two or three facts about one person and a question on one of them.

    Facts are separate sentences or, a third of the time, joined with "and" ("My name is ... and I work
    at ... in ...").
    """
    first_person = rng.random() < 0.6
    facts, questions = (_FACTS_FIRST, _QUESTIONS_FIRST) if first_person else (_FACTS_THIRD, _QUESTIONS_THIRD)
    person = rng.choice(PERSONS)
    fields = rng.sample(sorted(facts), k=min(len(facts), rng.choice((2, 3))))
    asked = rng.choice([field for field in fields if field in questions])
    context, answer = "", (0, 0)
    for field in fields:
        template = rng.choice(facts[field]).replace("{PER}", person).replace("{LOC}", rng.choice(LOCATIONS))
        if context and rng.random() < 0.35:  # "... and I work at ..."
            context = context[:-1] + " and "
            template = template[0].lower() + template[1:] if template.startswith("My ") else template
        elif context:
            context += " "
        value = _fact_value(field, rng)
        if field == asked:
            start = len(context) + template.index("{X}")
            answer = (start, start + len(value))
        context += template.replace("{X}", value)
    question = rng.choice(questions[asked]).replace("{PER}", person)
    return QAExample(question, context, *answer)


def qa_examples(count: int, seed: int = SEED) -> list[QAExample]:
    """``count`` templated extractive QA examples (facts about invented people), reproducibly."""
    rng = random.Random(seed)
    return [_qa_example(rng) for _ in range(count)]


# --------------------------------------------------------------------------------------------------
# Fine-tuning MiniLM (derived models)
# --------------------------------------------------------------------------------------------------


def _fine_tune_and_save(
    model: Any,
    tokenizer: Any,
    train_dataset: Any,
    data_collator: Any,
    folder: Path,
    *,
    epochs: float,
    learning_rate: float,
    batch_size: int,
) -> None:
    """Train ``model`` with ``transformers.Trainer`` (no evaluation, quiet), then save it and ``tokenizer`` to ``folder``."""
    import tempfile

    import torch
    from transformers import PrinterCallback, Trainer, TrainingArguments

    with tempfile.TemporaryDirectory() as output_dir:
        arguments = TrainingArguments(
            output_dir=output_dir,
            num_train_epochs=epochs,
            learning_rate=learning_rate,
            per_device_train_batch_size=batch_size,
            warmup_steps=10,
            weight_decay=0.01,
            save_strategy="no",
            logging_strategy="no",
            report_to="none",
            disable_tqdm=True,
            seed=SEED,
            use_cpu=not torch.cuda.is_available(),
        )
        trainer = Trainer(model=model, args=arguments, train_dataset=train_dataset, data_collator=data_collator)
        trainer.remove_callback(PrinterCallback)  # it would print the final metrics
        trainer.train()
    model.eval()
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)


def _minilm(auto_class: Any, **config: Any) -> tuple[Any, Any]:
    """MiniLM's tokenizer and a new task model on its weights (head seeded, float32).

    The word embeddings stay frozen: half of MiniLM's weights, which a small fine-tuning set would only
    disturb, and most of the cost of an optimizer step.
    """
    import torch
    from transformers import AutoTokenizer, set_seed

    path = embedded_minilm_path()
    set_seed(SEED)
    model = auto_class.from_pretrained(path, dtype=torch.float32, use_safetensors=True, **config)
    model.get_input_embeddings().requires_grad_(False)
    return AutoTokenizer.from_pretrained(path), model


def _labels_config(names: tuple[str, ...]) -> dict[str, Any]:
    return {
        "num_labels": len(names),
        "id2label": dict(enumerate(names)),
        "label2id": {n: i for i, n in enumerate(names)},
    }


def _build_derived(name: str, build: Callable[[Path], None]) -> Path:
    with _quiet_transformers():
        return build_once(name, build)


# Sentiment ------------------------------------------------------------------------------------------

SENTIMENT_EPOCHS = 3


def _embedded_sst2_dir() -> Path:
    from .data import EMBEDDED_DIR

    return EMBEDDED_DIR / "sst2"


def _build_sentiment(folder: Path, data_dir: Path) -> None:
    from transformers import AutoModelForSequenceClassification, DataCollatorWithPadding

    from .data import load_glue

    tokenizer, model = _minilm(AutoModelForSequenceClassification, **_labels_config(SENTIMENT_LABELS))
    train = load_glue("sst2", data_dir=data_dir)["train"]
    # The course's chapter 3 preprocessing, written here because offline sits below the lessons layer.
    tokenized = train.map(
        lambda batch: tokenizer(batch["sentence"], truncation=True, max_length=64),
        batched=True,
        remove_columns=[column for column in train.column_names if column != "label"],
    ).rename_column("label", "labels")
    data_collator = DataCollatorWithPadding(tokenizer=tokenizer)
    _fine_tune_and_save(
        model, tokenizer, tokenized, data_collator, folder, epochs=SENTIMENT_EPOCHS, learning_rate=1e-4, batch_size=16
    )


def sentiment_checkpoint(role: str) -> Checkpoint:
    """MiniLM fine-tuned here on hfcourse's embedded sentiment set (built once)."""
    data_dir = _embedded_sst2_dir()
    digest = hashlib.sha256((data_dir / "train.tsv").read_bytes()).hexdigest()[:10]
    folder = _build_derived(f"sentiment-minilm-v1-{digest}", lambda target: _build_sentiment(target, data_dir))
    note = (
        f"all-MiniLM-L6-v2 fine-tuned here ({SENTIMENT_EPOCHS} epochs) on hfcourse's small embedded "
        "sentiment set, not the course's SST-2 DistilBERT; expect more mistakes"
    )
    return Checkpoint.real_folder(role, folder, "derived", note)


# Named entities -------------------------------------------------------------------------------------

NER_TRAIN_SENTENCES = 2400


def _token_tags(offsets: list[tuple[int, int]], entities: tuple[tuple[int, int, str], ...]) -> Iterator[int]:
    """B-/I- tag ids for each token from character spans; -100 for special tokens (no loss)."""
    label_ids = {name: index for index, name in enumerate(NER_LABELS)}
    for start, end in offsets:
        if start == end:
            yield -100
            continue
        tag = "O"
        for entity_start, entity_end, kind in entities:
            if entity_start <= start < entity_end:
                tag = ("B-" if start == entity_start else "I-") + kind
        yield label_ids[tag]


def _build_ner(folder: Path) -> None:
    from datasets import Dataset
    from transformers import AutoModelForTokenClassification, DataCollatorForTokenClassification

    tokenizer, model = _minilm(AutoModelForTokenClassification, **_labels_config(NER_LABELS))
    sentences = ner_sentences(NER_TRAIN_SENTENCES)
    encoded = tokenizer([sentence.text for sentence in sentences], return_offsets_mapping=True, truncation=True)
    encoded["labels"] = [
        list(_token_tags(offsets, sentence.entities))
        for offsets, sentence in zip(encoded.pop("offset_mapping"), sentences)
    ]
    train = Dataset.from_dict(dict(encoded))
    _fine_tune_and_save(
        model,
        tokenizer,
        train,
        DataCollatorForTokenClassification(tokenizer),
        folder,
        epochs=1,
        learning_rate=1e-4,
        batch_size=16,
    )


def ner_checkpoint(role: str) -> Checkpoint:
    """MiniLM fine-tuned here for PER/ORG/LOC/MISC tags on templated sentences (built once)."""
    folder = _build_derived("ner-minilm-templated-v1", _build_ner)
    note = (
        "all-MiniLM-L6-v2 fine-tuned here on hfcourse's templated sentences (PER, ORG, LOC, MISC); "
        "uncased and trained on simple sentences, not the course's CoNLL-03 BERT-large"
    )
    return Checkpoint.real_folder(role, folder, "derived", note)


# Question answering ---------------------------------------------------------------------------------

QA_TRAIN_EXAMPLES = 2400
QA_LEARNING_RATE = 1.5e-4


def _build_question_answering(folder: Path) -> None:
    from datasets import Dataset
    from transformers import AutoModelForQuestionAnswering, DataCollatorWithPadding

    tokenizer, model = _minilm(AutoModelForQuestionAnswering)
    examples = qa_examples(QA_TRAIN_EXAMPLES)
    encoded = tokenizer(
        [example.question for example in examples],
        [example.context for example in examples],
        truncation="only_second",
        max_length=128,
        return_offsets_mapping=True,
    )
    starts, ends = [], []
    for index, (example, offsets) in enumerate(zip(examples, encoded.pop("offset_mapping"))):
        context_tokens = [i for i, sequence in enumerate(encoded.sequence_ids(index)) if sequence == 1]
        starts.append(next(i for i in context_tokens if offsets[i][1] > example.answer_start))
        ends.append(max(i for i in context_tokens if offsets[i][0] < example.answer_end))
    encoded["start_positions"], encoded["end_positions"] = starts, ends
    train = Dataset.from_dict(dict(encoded))
    _fine_tune_and_save(
        model,
        tokenizer,
        train,
        DataCollatorWithPadding(tokenizer),
        folder,
        epochs=1,
        learning_rate=QA_LEARNING_RATE,
        batch_size=16,
    )


def question_answering_checkpoint(role: str) -> Checkpoint:
    """MiniLM fine-tuned here for extractive QA on templated facts about invented people (built once)."""
    folder = _build_derived("qa-minilm-templated-v1", _build_question_answering)
    note = (
        "all-MiniLM-L6-v2 fine-tuned here for extractive QA on hfcourse's templated facts about people "
        "(work, home, name, age, weight, language), not the course's SQuAD DistilBERT; simple questions only"
    )
    return Checkpoint.real_folder(role, folder, "derived", note)
