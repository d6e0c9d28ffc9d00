"""The words of capture, defined once: the fields of each form in their order, with labels
and hints; thing kinds, statement sources, claims, outcomes, sentiments and units.

The server's capture forms, the timeline and the review pages take their choices and
labels from here, and so does the offline app: `document()` is embedded in its shell as
JSON, so the phone shows the same words in the same order with or without a network.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from wtforms.fields.choices import SelectChoice

from gemba.domain.gemba_json import FREQUENCIES

THING_KIND_CHOICES = [
    ("equipment", _l("Equipment")),
    ("tool", _l("Tool")),
    ("material", _l("Material")),
    ("document", _l("Document")),
    ("screen", _l("Screen")),
    ("product", _l("Product")),
    ("other", _l("Other")),
]
SOURCE_LABELS = {
    "interview": _l("Interview"),
    "sop": _l("SOP / work instruction"),
    "signage": _l("Sign on the wall"),
    "survey": _l("Survey"),
    "meeting": _l("Meeting"),
    "other": _l("Other"),
}
# The same, as a page writes them after a speaker: "Maintenance technician (interview)".
SOURCE_WORDS = {
    "interview": lazy_pgettext("heard in", "interview"),
    "sop": lazy_pgettext("heard in", "SOP / work instruction"),
    "signage": lazy_pgettext("heard in", "sign on the wall"),
    "survey": lazy_pgettext("heard in", "survey"),
    "meeting": lazy_pgettext("heard in", "meeting"),
    "other": lazy_pgettext("heard in", "other"),
}
# The frequency words of a claim, as the pickers show them (in FREQUENCIES' order).
FREQUENCY_LABELS = {
    "always": _l("Always"),
    "usually": _l("Usually"),
    "sometimes": _l("Sometimes"),
    "rarely": _l("Rarely"),
    "never": _l("Never"),
}
CLAIM_CHOICES = (
    [("", _l("No claim"))]
    + [(w, FREQUENCY_LABELS[w]) for w in FREQUENCIES]
    + [("measure", _l("A number"))]
)
COMPARATOR_CHOICES = [("", _l("about (±)")), ("<=", _l("at most (≤)")), (">=", _l("at least (≥)"))]
OUTCOME_CHOICES = [
    ("done", _l("Done")),
    ("not_done", _l("Not done")),
    ("measurement", _l("Measured")),
    ("note", _l("Note")),
]
SENTIMENT_CHOICES = [
    ("", _l("None")),
    ("pain", _l("Pain")),
    ("neutral", _l("Neutral")),
    ("delight", _l("Delight")),
]
# How a walk is run: two choices each, "yes" first; `announced` defaults to the plan's or
# the site's setting, `observer_visible` to yes.
ANNOUNCED_CHOICES = [("yes", _l("Yes, the team knows")), ("no", _l("No, unannounced"))]
VISIBLE_CHOICES = [("yes", _l("Yes")), ("no", _l("No"))]
# The empty choice of "Shadow a walk", and the walk page's line about how it is run.
OWN_WALK = _l("No, my own walk")
WALK_BANNERS = {
    "announced": _l("Announced walk"),
    "unannounced": _l("Unannounced walk"),
    "calibration": _l("Calibration walk: shadowing {title} ({observer})"),
}


# The empty choice of a place, persona or thing select, and of the "contradicts" select.
NONE = "—"
NO_STATEMENT = _l("No")
COMMON_UNITS = ["s", "min", "h", "mm", "cm", "m", "g", "kg", "count", "%"]

# A fact logged with a topic and an outcome but no words gets these: "Gloves at press —
# not done". Fast on the floor, and still a sentence an analyst can read.
FACT_TEXT = "{topic} — {outcome}"
FACT_TEXT_MISSING = _l("Write what happened, or give a topic.")


def _f(name: str, label: Any, hint: Any = "") -> dict[str, Any]:
    """A field; its label and hint are lazy: looked up in the request's language when shown."""
    return {"name": name, "label": label, "hint": hint}


TOPIC_HINT = _l("Statements and facts on the same topic are compared.")
# Each form's fields, in the order both capture UIs show them. A fact's first screen is
# what most facts need (topic, outcome, the measured value); the rest opens on demand.
FIELDS: dict[str, list[dict[str, str]]] = {
    "walk": [
        _f("site", _l("Site")),
        _f("title", _l("Title")),
        _f("purpose", _l("Purpose"), _l("The question this walk should answer.")),
        _f("announced", _l("Announced"), _l("Did the team know this walk was coming?")),
        _f("observer_visible", _l("Observer visible"), _l("Could the people you watched see you?")),
        _f(
            "calibrates",
            _l("Shadow a walk"),
            _l("A calibration walk: log what you see on your own, without looking at theirs."),
        ),
    ],
    "place": [
        _f("name", _l("Where are you?"), _l("Area, station or process step, e.g. Press 2.")),
        _f("note", _l("Note")),
    ],
    "thing": [
        _f("name", _l("What is it?")),
        _f("kind", _l("Kind")),
        _f("place", _l("At")),
        _f("note", _l("Note")),
    ],
    "statement": [
        _f("text", _l("What was said?")),
        _f("speaker", _l("Said by (role)"), _l("A role such as Shift lead, never a name.")),
        _f("topic", _l("Topic"), TOPIC_HINT),
        _f("claim", _l("Claim")),
        _f("claim_value", _l("Value")),
        _f("claim_unit", _l("Unit")),
        _f("claim_comparator", _l("Compared as")),
        _f("claim_tolerance", _l("Tolerance %")),
        _f("source", _l("Source")),
        _f("persona", _l("Persona")),
        _f("place", _l("At")),
    ],
    "fact": [
        _f("topic", _l("Topic"), TOPIC_HINT),
        _f("outcome", _l("It was")),
        _f("value", _l("Value")),
        _f("unit", _l("Unit")),
        _f(
            "text",
            _l("What happened?"),
            _l("Optional with a topic: “topic — outcome” is written for you."),
        ),
        _f("sentiment", _l("Sentiment")),
        _f("persona", _l("Persona")),
        _f("place", _l("At")),
        _f("things", _l("Things involved")),
        _f(
            "contradicts",
            _l("Contradicts a statement?"),
            _l("Mark it by hand when you know it contradicts what was said."),
        ),
        _f("contradiction_note", _l("Why")),
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


def _plain(value: Any) -> Any:
    """`value` with its lazy strings looked up now: JSON in the request's language."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value if value is None or isinstance(value, int | float | bool) else str(value)


def document() -> dict[str, Any]:
    """Everything above as JSON for the offline app, in the request's language."""
    return _plain(
        {
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
    )


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]
