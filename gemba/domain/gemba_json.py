"""Gemba JSON v1: the record schemas, and checks that go beyond JSON Schema.

One format carries observations in and out (sync, API, export, import), so the
schema lives here once and is also published in the OpenAPI document.
"""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from gemba.domain import bounds, clock, expiry, plan_rules, schema_errors
from gemba.domain.schema_errors import FieldError
from gemba.domain.text import problem as text_problem

FORMAT = "gemba/v1"
RECORD_TYPES = (
    "site",
    "persona",
    "plan",
    "walk",
    "place",
    "thing",
    "statement",
    "fact",
    "contradiction",
)
# Records are written parents first, so a batch may list them in any order.
WRITE_ORDER = {name: position for position, name in enumerate(RECORD_TYPES)}

FREQUENCIES = ["always", "usually", "sometimes", "rarely", "never"]
COMPARATORS = ["<=", ">="]
THING_KINDS = ["equipment", "tool", "material", "document", "screen", "product", "other"]
SENTIMENTS = ["pain", "neutral", "delight"]
SOURCES = ["interview", "sop", "signage", "survey", "meeting", "other"]
WALK_STATUSES = ["in_progress", "finished"]
ITEM_KINDS = ["behaviour", "measure"]
ROLES = ["observer", "analyst", "admin"]
MAX_ITEMS = 200  # checklist items per plan
MAX_SCHEDULE = 500

MAX_NAME = 200
MAX_RECORDS = 5000  # per document: a larger batch is refused whole (HTTP 413)
# Sites and personas are stored in 120-character columns.
MAX_SHORT_NAME = 120
MAX_TEXT = 5000
# Required text fields: a value of only spaces is stored stripped, so it counts as empty.
_REQUIRED_TEXT = ("name", "title", "text")


def _opt(schema: dict) -> dict:
    """An optional field also accepts null, as JSON clients often send it."""
    return {"anyOf": [schema, {"type": "null"}]}


UUID = {"type": "string", "format": "uuid", "pattern": "^[0-9a-fA-F-]{32,36}$"}
NAME = {"type": "string", "minLength": 1, "maxLength": MAX_NAME}
SHORT_NAME = {"type": "string", "minLength": 1, "maxLength": MAX_SHORT_NAME}
TEXT = {"type": "string", "maxLength": MAX_TEXT}
TIMESTAMP = {"type": "string", "format": "date-time", "maxLength": 40}
TOPIC = {"type": "string", "maxLength": MAX_NAME}
# An IANA name; validate_record checks it against the zone database.
TIME_ZONE = {
    "type": "string",
    "minLength": 1,
    "maxLength": clock.MAX_ZONE_NAME,
    "description": "The IANA time zone the site's times are shown in, e.g. Europe/Warsaw.",
}

FREQUENCY_CLAIM = {
    "type": "object",
    "properties": {"frequency": {"enum": FREQUENCIES}},
    "required": ["frequency"],
    "additionalProperties": False,
}
MEASURE_CLAIM = {
    "type": "object",
    "properties": {
        "value": bounds.MEASURE_SCHEMA,
        "unit": _opt({"type": "string", "maxLength": 32}),
        "tolerance": _opt(bounds.TOLERANCE_SCHEMA),
        "comparator": _opt({"enum": COMPARATORS}),
    },
    "required": ["value"],
    "additionalProperties": False,
}
CLAIM = {"oneOf": [FREQUENCY_CLAIM, MEASURE_CLAIM]}
PLAN_ITEM = {
    "type": "object",
    "properties": {
        "id": UUID,
        "topic": {"type": "string", "minLength": 1, "maxLength": MAX_NAME},
        "question": {"type": "string", "minLength": 1, "maxLength": 500},
        "kind": {"enum": ITEM_KINDS},
        "unit": _opt({"type": "string", "maxLength": 32}),
        "standard": _opt(CLAIM),
        "reference": _opt({"type": "string", "maxLength": 120}),
        "retired": _opt({"type": "boolean"}),
    },
    "required": ["id", "topic", "question", "kind"],
    "additionalProperties": True,
}


def _record(type_: str, required: list[str], properties: dict) -> dict:
    return {
        "type": "object",
        "title": type_,
        "properties": {"type": {"const": type_}, "id": UUID, **properties},
        "required": ["type", "id", *required],
        # Newer clients may send fields this server does not know: they are ignored.
        "additionalProperties": True,
    }


RECORD_SCHEMAS: dict[str, dict] = {
    "site": _record(
        "site",
        ["name"],
        {
            "name": SHORT_NAME,
            "description": _opt(TEXT),
            "time_zone": _opt(TIME_ZONE),
            "walks_announced": _opt({"type": "boolean"}),
            "works_council": _opt({"type": "boolean"}),  # output only: import ignores it
        },
    ),
    "persona": _record(
        "persona", ["site", "name"], {"site": UUID, "name": SHORT_NAME, "description": _opt(TEXT)}
    ),
    "plan": _record(
        "plan",
        ["site", "title"],
        {
            "site": UUID,
            "title": NAME,
            "purpose": _opt(TEXT),
            "route": _opt({"type": "array", "items": NAME, "maxItems": 100}),
            "schedule": _opt({"type": "string", "minLength": 1, "maxLength": MAX_SCHEDULE}),
            "assignees": _opt(
                {"type": "array", "items": {"type": "string", "maxLength": 254}, "maxItems": 500}
            ),
            "assignee_role": _opt({"enum": ROLES}),
            "announced": _opt({"type": "boolean"}),
            "items": _opt({"type": "array", "items": PLAN_ITEM, "maxItems": MAX_ITEMS}),
        },
    ),
    "walk": _record(
        "walk",
        ["site", "title"],
        {
            "site": UUID,
            "title": NAME,
            "purpose": _opt(TEXT),
            "plan": _opt(UUID),
            "announced": _opt({"type": "boolean"}),
            "observer_visible": _opt({"type": "boolean"}),
            "calibrates": _opt(UUID),
            "status": _opt({"enum": WALK_STATUSES}),
            "started_at": _opt(TIMESTAMP),
            "ended_at": _opt(TIMESTAMP),
        },
    ),
    "place": _record(
        "place",
        ["walk", "name"],
        {
            "walk": UUID,
            "name": NAME,
            "lat": _opt({"type": "number", "minimum": -90, "maximum": 90}),
            "lon": _opt({"type": "number", "minimum": -180, "maximum": 180}),
            "accuracy_m": _opt({"type": "number", "minimum": 0, "maximum": 100000}),
            "note": _opt(TEXT),
            "observed_at": _opt(TIMESTAMP),
        },
    ),
    "thing": _record(
        "thing",
        ["walk", "name"],
        {
            "walk": UUID,
            "place": _opt(UUID),
            "name": NAME,
            "kind": _opt({"enum": THING_KINDS}),
            "note": _opt(TEXT),
            "observed_at": _opt(TIMESTAMP),
        },
    ),
    "statement": _record(
        "statement",
        ["walk", "text"],
        {
            "walk": UUID,
            "place": _opt(UUID),
            "topic": _opt(TOPIC),
            "speaker": _opt({"type": "string", "maxLength": 120}),
            "source": _opt({"enum": SOURCES}),
            "persona": _opt(UUID),
            "text": {"type": "string", "minLength": 1, "maxLength": MAX_TEXT},
            "claim": _opt(CLAIM),
            "observed_at": _opt(TIMESTAMP),
        },
    ),
    "fact": _record(
        "fact",
        ["walk", "text"],
        {
            "walk": UUID,
            "place": _opt(UUID),
            "things": _opt({"type": "array", "items": UUID, "maxItems": 50}),
            "topic": _opt(TOPIC),
            "text": {"type": "string", "minLength": 1, "maxLength": MAX_TEXT},
            "performed": _opt({"type": "boolean"}),
            "value": _opt(bounds.MEASURE_SCHEMA),
            "unit": _opt({"type": "string", "maxLength": 32}),
            "sentiment": _opt({"enum": SENTIMENTS}),
            "persona": _opt(UUID),
            "observed_at": _opt(TIMESTAMP),
            "plan_item": _opt(UUID),
        },
    ),
    "contradiction": _record(
        "contradiction",
        ["fact", "statement"],
        {"fact": UUID, "statement": UUID, "note": _opt(TEXT)},
    ),
}


def _long_text(schema: dict) -> bool:
    """A string of up to MAX_TEXT characters, the JSON side of a textarea."""
    options = schema.get("anyOf", [schema])
    return any(o.get("type") == "string" and o.get("maxLength") == MAX_TEXT for o in options)


# Long text (descriptions, purposes, notes, what was said or seen) may span lines; names,
# titles, topics, speakers, units and ids are one line (see gemba.domain.text).
MULTILINE_FIELDS = frozenset(
    name
    for schema in RECORD_SCHEMAS.values()
    for name, prop in schema["properties"].items()
    if _long_text(prop)
) | {"schedule"}  # iCalendar: a DTSTART line and an RRULE line

RECORD_SCHEMA = {
    "type": "object",
    "required": ["type", "id"],
    "properties": {"type": {"enum": list(RECORD_TYPES)}, "id": UUID},
}
DOCUMENT_SCHEMA = {
    "type": "object",
    "required": ["format", "records"],
    "properties": {
        "format": {"const": FORMAT},
        # Items are checked one by one: a bad record is rejected, the batch goes on.
        "records": {"type": "array", "maxItems": MAX_RECORDS},
    },
}

# Only the uuid format is checked by the schema: jsonschema checks date-time only when an
# optional package is installed, so timestamps are checked by parse_timestamp() instead,
# the same everywhere and with a message that says what is missing.
_FORMATS = FormatChecker(formats=["uuid"])
_VALIDATORS = {
    name: Draft202012Validator(schema, format_checker=_FORMATS)
    for name, schema in expiry.allow_expired(RECORD_SCHEMAS).items()  # + expired_at
}
_DOCUMENT_VALIDATOR = Draft202012Validator(DOCUMENT_SCHEMA)


class RecordInvalid(Exception):
    """A record broke a rule; carries (field, message) pairs for forms and problem details."""

    def __init__(self, errors: list[FieldError] | FieldError, status: int = 422) -> None:
        self.errors = [errors] if isinstance(errors, FieldError) else list(errors)
        self.status = status
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))


def validate_document(doc: Any) -> list[FieldError]:
    """Check the envelope: the format tag and a list of records."""
    if not isinstance(doc, dict):
        return [FieldError("document", "Must be a JSON object.")]
    return schema_errors.best_errors(_DOCUMENT_VALIDATOR, doc)


def record_type(record: Any) -> str | None:
    """The record's type, if it names a known one."""
    type_ = record.get("type") if isinstance(record, dict) else None
    # Only a string can name a type: {} or [] would not even be a key to look up.
    return type_ if isinstance(type_, str) and type_ in RECORD_SCHEMAS else None


def validate_record(record: Any) -> list[FieldError]:
    """Check one record against its schema and the rules a schema cannot say."""
    if not isinstance(record, dict):
        return [FieldError("record", "Must be a JSON object.")]
    type_ = record_type(record)
    if type_ is None:
        return [FieldError("type", "Must be one of: " + ", ".join(RECORD_TYPES) + ".")]
    # Measurements beyond the bounds (NaN too, which a schema's minimum lets through).
    errors = schema_errors.best_errors(_VALIDATORS[type_], record) or [
        FieldError(field, message) for field, message in bounds.number_errors(type_, record)
    ]
    if errors:
        return errors
    known = RECORD_SCHEMAS[type_]["properties"]
    errors.extend(_value_errors({k: v for k, v in record.items() if k in known}, ""))
    for field in _REQUIRED_TEXT:
        value = record.get(field)
        if isinstance(value, str) and not value.strip() and not expiry.emptied(record, field):
            errors.append(FieldError(field, "This field cannot be empty."))
    topic = record.get("topic")
    if isinstance(topic, str) and len(" ".join(topic.split()).casefold()) > MAX_NAME:
        too_long = schema_errors.Message("Too long: at most %(limit)s characters.", limit=MAX_NAME)
        errors.append(FieldError("topic", too_long))
    for field in ("started_at", "ended_at", "observed_at", "expired_at"):
        if record.get(field) is not None:
            try:
                parse_timestamp(record[field])
            except ValueError as exc:
                errors.append(FieldError(field, str(exc)))
    if type_ == "plan" and not errors:  # a schedule's grammar once its text is sound
        errors.extend(plan_rules.plan_errors(record))
    zone = record.get("time_zone") if type_ == "site" else None
    if zone is not None and not text_problem(zone) and (message := clock.zone_problem(zone)):
        errors.append(FieldError("time_zone", message))
    if type_ == "fact" and record.get("performed") is not None and record.get("value") is not None:
        errors.append(
            FieldError(
                "value",
                "A fact is either a behaviour (performed) or a measurement (value), not both.",
            )
        )
    if (
        type_ == "walk"
        and not errors
        and record.get("ended_at")
        and record.get("started_at")
        and parse_timestamp(record["ended_at"]) < parse_timestamp(record["started_at"])
    ):
        errors.append(FieldError("ended_at", "A walk cannot end before it starts."))
    if (
        type_ == "walk"
        and not errors
        and record.get("calibrates") is not None
        and parse_uuid(record["calibrates"]) == parse_uuid(record["id"])
    ):
        errors.append(FieldError("calibrates", "A walk cannot shadow itself."))
    return errors


def _value_errors(value: Any, path: str) -> list[FieldError]:
    """Values no database stores faithfully: NaN and infinities, numbers beyond a double,
    and text the rules of `domain.text` refuse (control characters, unpaired surrogates,
    a line break in a one-line field)."""
    if isinstance(value, dict):
        return [e for k, v in value.items() for e in _value_errors(v, f"{path}{k}.")]
    if isinstance(value, list):
        return [e for i, v in enumerate(value) for e in _value_errors(v, f"{path}{i}.")]
    field = path.rstrip(".") or "record"
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            finite = math.isfinite(float(value))
        except OverflowError:
            finite = False
        return [] if finite else [FieldError(field, "Must be a finite number.")]
    if isinstance(value, str):
        message = text_problem(value, multiline=field in MULTILINE_FIELDS)
        return [FieldError(field, message)] if message else []
    return []


def parse_uuid(value: str) -> uuid.UUID:
    """UUID from its text form (any case, with or without hyphens)."""
    return uuid.UUID(value)


def parse_timestamp(value: str) -> datetime:
    """ISO 8601 with an offset; a time without a zone is ambiguous and refused."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError("Not an ISO 8601 timestamp, e.g. 2026-11-20T08:00:00+01:00.") from None
    if moment.tzinfo is None:
        raise ValueError("The timestamp needs a UTC offset, e.g. +01:00 or Z.")
    try:
        moment.astimezone(UTC)  # stored in UTC: 0001-01-01T00:00+01:00 has no UTC form
    except OverflowError:
        raise ValueError("The timestamp is out of range.") from None
    return moment


def format_timestamp(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with an explicit offset, as exports write it."""
    return moment.astimezone(UTC).isoformat() if moment is not None else None
