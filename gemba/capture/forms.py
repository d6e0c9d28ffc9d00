"""Short capture forms, and their translation to and from Gemba JSON records.

Forms only collect input; `records.write` validates the record and saves it, so
the phone form, the API and import share every rule.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from werkzeug.datastructures import FileStorage
from wtforms import (
    BooleanField,
    FloatField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from gemba.capture.numbers import LocalFloatField
from gemba.capture.vocabulary import (
    CLAIM_CHOICES,
    COMPARATOR_CHOICES,
    FACT_TEXT_MISSING,
    OUTCOME_CHOICES,
    SENTIMENT_CHOICES,
    SOURCE_LABELS,
    THING_KIND_CHOICES,
    choices,
    fact_text,
    hint,
    label,
)
from gemba.capture.walk_form import WalkForm
from gemba.domain import bounds
from gemba.domain.gemba_json import COMPARATORS, FREQUENCIES, MAX_NAME, MAX_TEXT, SOURCES
from gemba.platform.forms import BaseForm, MultiCheckboxField

__all__ = ["WalkForm"]  # with the other capture forms, for the views


def _blank(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
    return value if value not in ("", None) else None


def _measure(form: FlaskForm, field: FloatField) -> None:
    """A measured or claimed number within the bounds ("nan", "inf" and "1e308" parse as floats)."""
    if field.data is not None and not bounds.is_measure(field.data):
        raise ValidationError(bounds.MEASURE_MESSAGE)


def _percent(form: FlaskForm, field: FloatField) -> None:
    """A tolerance in percent, 0 to 1000 (NumberRange would let NaN through)."""
    if field.data is not None and not bounds.is_tolerance(field.data / 100):
        raise ValidationError(bounds.PERCENT_MESSAGE)


class _PhotosMixin:
    """Two ways to attach photos: the camera straight away, or pictures already taken."""

    camera = MultipleFileField(
        _l("Take photo"), render_kw={"accept": "image/*", "capture": "environment"}
    )
    photos = MultipleFileField(_l("Choose photos"), render_kw={"accept": "image/*"})

    def uploads(self) -> list[FileStorage]:
        """The files chosen in either input, in order, without the empty ones."""
        chosen = [*(self.camera.data or []), *(self.photos.data or [])]
        return [f for f in chosen if isinstance(f, FileStorage) and f.filename]


class PlaceForm(_PhotosMixin, BaseForm):
    name = StringField(
        label("place", "name"),
        validators=[DataRequired(), Length(max=MAX_NAME)],
        description=hint("place", "name"),
        render_kw={"autofocus": True},
    )
    note = TextAreaField(
        label("place", "note"), validators=[Optional(), Length(max=MAX_TEXT)], render_kw={"rows": 2}
    )
    lat = HiddenField()
    lon = HiddenField()
    accuracy_m = HiddenField()
    photo_gps = BooleanField(
        _l("Use photo GPS for this place"),
        description=_l(
            "Only if the place has no location yet. Otherwise the position in the "
            "photo is discarded, as it always is from the stored copies."
        ),
    )

    def to_record(self, walk_id: str, record_id: str) -> dict:
        record = {
            "type": "place",
            "id": record_id,
            "walk": walk_id,
            "name": self.name.data,
            "note": _blank(self.note.data),
        }
        for name in ("lat", "lon", "accuracy_m"):
            raw = _blank(getattr(self, name).data)
            try:
                record[name] = float(raw) if raw is not None else None
            except ValueError:
                record[name] = raw  # the write path refuses it with a message
        return record

    def load(self, obj) -> None:
        self.name.data, self.note.data = obj.name, obj.note
        self.lat.data = obj.lat
        self.lon.data = obj.lon
        self.accuracy_m.data = obj.accuracy_m


class ThingForm(_PhotosMixin, BaseForm):
    name = StringField(
        label("thing", "name"),
        validators=[DataRequired(), Length(max=MAX_NAME)],
        render_kw={"autofocus": True},
    )
    kind = RadioField(
        label("thing", "kind"), choices=choices(THING_KIND_CHOICES), default="equipment"
    )
    place = SelectField(label("thing", "place"), choices=[], validate_choice=False)
    note = TextAreaField(
        label("thing", "note"), validators=[Optional(), Length(max=MAX_TEXT)], render_kw={"rows": 2}
    )

    def to_record(self, walk_id: str, record_id: str) -> dict:
        return {
            "type": "thing",
            "id": record_id,
            "walk": walk_id,
            "name": self.name.data,
            "kind": self.kind.data,
            "place": _blank(self.place.data),
            "note": _blank(self.note.data),
        }

    def load(self, obj) -> None:
        self.name.data, self.kind.data, self.note.data = obj.name, obj.kind, obj.note
        self.place.data = str(obj.place_id) if obj.place_id else ""


class _TopicMixin:
    topic = StringField(
        label("fact", "topic"),
        validators=[Optional(), Length(max=MAX_NAME)],
        description=hint("fact", "topic"),
        render_kw={"list": "topics", "autocomplete": "off"},
    )


class StatementForm(_PhotosMixin, _TopicMixin, BaseForm):
    text = TextAreaField(
        label("statement", "text"),
        validators=[DataRequired(), Length(max=MAX_TEXT)],
        render_kw={"rows": 2, "autofocus": True},
    )
    speaker = StringField(
        label("statement", "speaker"),
        validators=[Optional(), Length(max=120)],
        description=hint("statement", "speaker"),
        render_kw={"list": "speakers", "autocomplete": "off"},
    )
    source = SelectField(
        label("statement", "source"),
        choices=choices((s, SOURCE_LABELS[s]) for s in SOURCES),
        default="interview",
    )
    claim = RadioField(
        label("statement", "claim"),
        choices=choices(CLAIM_CHOICES),
        default="",
        validate_choice=True,
    )
    claim_value = LocalFloatField(
        label("statement", "claim_value"), validators=[Optional(), _measure]
    )
    claim_unit = StringField(
        label("statement", "claim_unit"),
        validators=[Optional(), Length(max=32)],
        render_kw={"list": "units"},
    )
    claim_comparator = SelectField(
        label("statement", "claim_comparator"), choices=choices(COMPARATOR_CHOICES), default=""
    )
    claim_tolerance = LocalFloatField(
        label("statement", "claim_tolerance"), validators=[Optional(), _percent], default=20
    )
    persona = SelectField(label("statement", "persona"), choices=[], validate_choice=False)
    place = SelectField(label("statement", "place"), choices=[], validate_choice=False)

    def validate(self, extra_validators=None) -> bool:
        """A number claim needs its number (Optional() would skip a field validator)."""
        ok = super().validate(extra_validators)
        if self.claim.data == "measure" and self.claim_value.data is None:
            if not self.claim_value.errors:
                self.claim_value.errors = [_("Enter the number that was claimed.")]
            ok = False
        return ok

    def to_record(self, walk_id: str, record_id: str) -> dict:
        claim: dict | None = None
        if self.claim.data in FREQUENCIES:
            claim = {"frequency": self.claim.data}
        elif self.claim.data == "measure":
            claim = {"value": self.claim_value.data, "unit": _blank(self.claim_unit.data)}
            if self.claim_comparator.data in COMPARATORS:
                claim["comparator"] = self.claim_comparator.data
            if self.claim_tolerance.data is not None and not self.claim_comparator.data:
                claim["tolerance"] = self.claim_tolerance.data / 100
        return {
            "type": "statement",
            "id": record_id,
            "walk": walk_id,
            "topic": _blank(self.topic.data),
            "text": self.text.data,
            "speaker": _blank(self.speaker.data),
            "source": self.source.data,
            "claim": claim,
            "persona": _blank(self.persona.data),
            "place": _blank(self.place.data),
        }

    def load(self, obj) -> None:
        self.topic.data = obj.topic.name if obj.topic else ""
        self.text.data, self.speaker.data = obj.text, obj.speaker
        self.source.data = obj.source or "other"
        self.persona.data = str(obj.persona_id) if obj.persona_id else ""
        self.place.data = str(obj.place_id) if obj.place_id else ""
        if obj.claim_frequency:
            self.claim.data = obj.claim_frequency
        elif obj.claim_value is not None:
            self.claim.data = "measure"
            self.claim_value.data = obj.claim_value
            self.claim_unit.data = obj.claim_unit
            self.claim_comparator.data = obj.claim_comparator or ""
            if obj.claim_tolerance is not None:
                self.claim_tolerance.data = round(obj.claim_tolerance * 100, 6)
        else:
            self.claim.data = ""


class FactForm(_PhotosMixin, _TopicMixin, BaseForm):
    text = TextAreaField(
        label("fact", "text"),
        validators=[Optional(), Length(max=MAX_TEXT)],
        description=hint("fact", "text"),
        render_kw={"rows": 2},
    )
    outcome = RadioField(
        label("fact", "outcome"),
        choices=choices(OUTCOME_CHOICES),
        default="done",
        validators=[InputRequired()],
    )
    value = LocalFloatField(label("fact", "value"), validators=[Optional(), _measure])
    unit = StringField(
        label("fact", "unit"), validators=[Optional(), Length(max=32)], render_kw={"list": "units"}
    )
    sentiment = RadioField(
        label("fact", "sentiment"), choices=choices(SENTIMENT_CHOICES), default=""
    )
    persona = SelectField(label("fact", "persona"), choices=[], validate_choice=False)
    place = SelectField(label("fact", "place"), choices=[], validate_choice=False)
    things = MultiCheckboxField(label("fact", "things"), choices=[], validate_choice=False)
    contradicts = SelectField(
        label("fact", "contradicts"),
        choices=[],
        validate_choice=False,
        description=hint("fact", "contradicts"),
    )
    contradiction_note = StringField(
        label("fact", "contradiction_note"), validators=[Optional(), Length(max=MAX_TEXT)]
    )

    def validate(self, extra_validators=None) -> bool:
        """A measurement needs its value (Optional() would skip a field validator); a fact
        needs words, its own or its topic's."""
        ok = super().validate(extra_validators)
        if not (self.text.data or "").strip() and not (self.topic.data or "").strip():
            if not self.text.errors:
                self.text.errors = [FACT_TEXT_MISSING]
            ok = False
        if self.outcome.data == "measurement" and self.value.data is None:
            if not self.value.errors:
                self.value.errors = [_("Enter the measured value.")]
            ok = False
        return ok

    def to_record(self, walk_id: str, record_id: str) -> dict:
        outcome = self.outcome.data
        return {
            "type": "fact",
            "id": record_id,
            "walk": walk_id,
            "topic": _blank(self.topic.data),
            "text": _blank(self.text.data) or fact_text(_blank(self.topic.data), outcome),
            "performed": {"done": True, "not_done": False}.get(outcome),
            "value": self.value.data if outcome == "measurement" else None,
            "unit": _blank(self.unit.data) if outcome == "measurement" else None,
            "sentiment": _blank(self.sentiment.data),
            "persona": _blank(self.persona.data),
            "place": _blank(self.place.data),
            "things": [t for t in self.things.data or [] if t],
        }

    def load(self, obj) -> None:
        self.topic.data = obj.topic.name if obj.topic else ""
        self.text.data = obj.text
        if obj.performed is not None:
            self.outcome.data = "done" if obj.performed else "not_done"
        elif obj.value is not None:
            self.outcome.data = "measurement"
        else:
            self.outcome.data = "note"
        self.value.data, self.unit.data = obj.value, obj.unit
        self.sentiment.data = obj.sentiment or ""
        self.persona.data = str(obj.persona_id) if obj.persona_id else ""
        self.place.data = str(obj.place_id) if obj.place_id else ""
        self.things.data = [str(t.id) for t in obj.things]


# Errors from the write path, by Gemba JSON field, onto form fields.
ERROR_FIELDS = {
    "claim.value": "claim_value",
    "claim.unit": "claim_unit",
    "claim.tolerance": "claim_tolerance",
    "claim.comparator": "claim_comparator",
    "claim": "claim",
    "claim.frequency": "claim",
    "performed": "outcome",
    "things": "things",
}
