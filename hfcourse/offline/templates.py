"""Templated training sentences for the derived NER and question-answering models (``standins``).

Written for this project: invented people, organisations, places and facts slotted into sentence templates,
with the character spans of every entity (NER) and of every answer (QA). Reproducible from a seed, so that a
build in the cache folder is the same on every machine.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["SEED", "QAExample", "TaggedSentence", "ner_sentences", "qa_examples"]

SEED = 0


# Invented or common names. The course's own example entities (Sylvain, Hugging Face, Brooklyn) are left out
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
