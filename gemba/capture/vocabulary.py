"""The words of capture, defined once: thing kinds, statement sources, claims, outcomes and
sentiments with the labels people read. The capture forms, the timeline and the review
pages take their choices and labels from here.
"""

from __future__ import annotations

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


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]
