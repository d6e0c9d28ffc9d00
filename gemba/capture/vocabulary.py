"""The words of capture, defined once: the fields of each form in their order, with labels
and hints; thing kinds, statement sources, claims, outcomes, sentiments and units.

The server's capture forms, the timeline and the review pages take their choices and
labels from here, and so does the offline app: `document()` is embedded in its shell as
JSON, so the phone shows the same words in the same order with or without a network.
"""

from __future__ import annotations

from typing import Any

from wtforms.fields.choices import SelectChoice

from gemba.domain.gemba_json import FREQUENCIES

THING_KIND_CHOICES = [
    ("equipment", "Equipment"),
    ("tool", "Tool"),
    ("material", "Material"),
    ("document", "Document"),
    ("screen", "Screen"),
    ("product", "Product"),
    ("other", "Other"),
]
SOURCE_LABELS = {
    "interview": "Interview",
    "sop": "SOP / work instruction",
    "signage": "Sign on the wall",
    "survey": "Survey",
    "meeting": "Meeting",
    "other": "Other",
}
CLAIM_CHOICES = (
    [("", "No claim")] + [(w, w.capitalize()) for w in FREQUENCIES] + [("measure", "A number")]
)
COMPARATOR_CHOICES = [("", "about (±)"), ("<=", "at most (≤)"), (">=", "at least (≥)")]
OUTCOME_CHOICES = [
    ("done", "Done"),
    ("not_done", "Not done"),
    ("measurement", "Measured"),
    ("note", "Note"),
]
SENTIMENT_CHOICES = [("", "None"), ("pain", "Pain"), ("neutral", "Neutral"), ("delight", "Delight")]
# How a walk is run: two choices each, "yes" first; `announced` defaults to the plan's or
# the site's setting, `observer_visible` to yes.
ANNOUNCED_CHOICES = [("yes", "Yes, the team knows"), ("no", "No, unannounced")]
VISIBLE_CHOICES = [("yes", "Yes"), ("no", "No")]
# The empty choice of "Shadow a walk", and the walk page's line about how it is run.
OWN_WALK = "No, my own walk"
WALK_BANNERS = {
    "announced": "Announced walk",
    "unannounced": "Unannounced walk",
    "calibration": "Calibration walk: shadowing {title} ({observer})",
}


# The empty choice of a place, persona or thing select, and of the "contradicts" select.
NONE = "—"
NO_STATEMENT = "No"
COMMON_UNITS = ["s", "min", "h", "mm", "cm", "m", "g", "kg", "count", "%"]

# A fact logged with a topic and an outcome but no words gets these: "Gloves at press —
# not done". Fast on the floor, and still a sentence an analyst can read.
FACT_TEXT = "{topic} — {outcome}"
FACT_TEXT_MISSING = "Write what happened, or give a topic."


def _f(name: str, label: str, hint: str = "") -> dict[str, str]:
    return {"name": name, "label": label, "hint": hint}


TOPIC_HINT = "Statements and facts on the same topic are compared."
# Each form's fields, in the order both capture UIs show them. A fact's first screen is
# what most facts need (topic, outcome, the measured value); the rest opens on demand.
FIELDS: dict[str, list[dict[str, str]]] = {
    "walk": [
        _f("site", "Site"),
        _f("title", "Title"),
        _f("purpose", "Purpose", "The question this walk should answer."),
        _f("announced", "Announced", "Did the team know this walk was coming?"),
        _f("observer_visible", "Observer visible", "Could the people you watched see you?"),
        _f(
            "calibrates",
            "Shadow a walk",
            "A calibration walk: log what you see on your own, without looking at theirs.",
        ),
    ],
    "place": [
        _f("name", "Where are you?", "Area, station or process step, e.g. Press 2."),
        _f("note", "Note"),
    ],
    "thing": [
        _f("name", "What is it?"),
        _f("kind", "Kind"),
        _f("place", "At"),
        _f("note", "Note"),
    ],
    "statement": [
        _f("text", "What was said?"),
        _f("speaker", "Said by (role)", "A role such as Shift lead, never a name."),
        _f("topic", "Topic", TOPIC_HINT),
        _f("claim", "Claim"),
        _f("claim_value", "Value"),
        _f("claim_unit", "Unit"),
        _f("claim_comparator", "Compared as"),
        _f("claim_tolerance", "Tolerance %"),
        _f("source", "Source"),
        _f("persona", "Persona"),
        _f("place", "At"),
    ],
    "fact": [
        _f("topic", "Topic", TOPIC_HINT),
        _f("outcome", "It was"),
        _f("value", "Value"),
        _f("unit", "Unit"),
        _f(
            "text", "What happened?", "Optional with a topic: “topic — outcome” is written for you."
        ),
        _f("sentiment", "Sentiment"),
        _f("persona", "Persona"),
        _f("place", "At"),
        _f("things", "Things involved"),
        _f(
            "contradicts",
            "Contradicts a statement?",
            "Mark it by hand when you know it contradicts what was said.",
        ),
        _f("contradiction_note", "Why"),
    ],
}
# Fields of the fact form shown before "More details".
FACT_FIRST_SCREEN = ("topic", "outcome", "value", "unit")


def label(kind: str, name: str) -> str:
    """The label of a form field, as both capture UIs show it."""
    return next(f["label"] for f in FIELDS[kind] if f["name"] == name)


def hint(kind: str, name: str) -> str:
    return next(f["hint"] for f in FIELDS[kind] if f["name"] == name)


def fact_text(topic: str | None, outcome: str) -> str | None:
    """The words of a fact logged without any: its topic and outcome, or None without a topic."""
    if not topic:
        return None
    word = dict(OUTCOME_CHOICES)[outcome].lower()
    return FACT_TEXT.format(topic=topic, outcome=word)


def document() -> dict[str, Any]:
    """Everything above as JSON for the offline app."""
    return {
        "fields": FIELDS,
        "fact_first_screen": list(FACT_FIRST_SCREEN),
        "choices": {
            "kind": THING_KIND_CHOICES,
            "source": [[k, v] for k, v in SOURCE_LABELS.items()],
            "claim": CLAIM_CHOICES,
            "comparator": COMPARATOR_CHOICES,
            "outcome": OUTCOME_CHOICES,
            "sentiment": SENTIMENT_CHOICES,
            "announced": ANNOUNCED_CHOICES,
            "observer_visible": VISIBLE_CHOICES,
        },
        "defaults": {
            "observer_visible": "yes",
            "source": "interview",
            "kind": "equipment",
            "outcome": "done",
            "claim_tolerance": 20,
        },
        "frequencies": list(FREQUENCIES),
        "units": COMMON_UNITS,
        "none": NONE,
        "no_statement": NO_STATEMENT,
        "own_walk": OWN_WALK,
        "walk_banners": WALK_BANNERS,
        "fact_text": FACT_TEXT,
        "fact_text_missing": FACT_TEXT_MISSING,
    }


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]
