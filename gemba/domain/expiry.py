"""Gemba JSON for records whose words a site's retention removed (docs/retention.md).

Such a record carries `expired_at` (when its words and photos went) and keeps its text
as stored: a quote's or a fact's `text` is then "", which the schema allows only with
`expired_at`, so an export of an anonymised walk imports again while a record sent
without words is still refused. Kept apart from `gemba_json` so that module stays the
core format.
"""

from __future__ import annotations

from typing import Any

# The record types retention touches, and those whose required text it empties.
EXPIRABLE = ("place", "thing", "statement", "fact")
EMPTIED_TEXT = ("statement", "fact")
EXPIRED_AT = {
    "anyOf": [{"type": "string", "format": "date-time", "maxLength": 40}, {"type": "null"}],
    "description": "When the site's retention removed this record's words and photos.",
}
_HAS_EXPIRED_AT = {"required": ["expired_at"], "properties": {"expired_at": {"type": "string"}}}


def allow_expired(schemas: dict[str, dict]) -> dict[str, dict]:
    """Give the record schemas `expired_at`; a statement's or fact's text may then be "".
    Changes them in place (the OpenAPI document publishes the same dicts) and returns them."""
    for name in EXPIRABLE:
        schemas[name]["properties"]["expired_at"] = EXPIRED_AT
    for name in EMPTIED_TEXT:
        schema = schemas[name]
        text = schema["properties"]["text"]
        schema["properties"]["text"] = {k: v for k, v in text.items() if k != "minLength"}
        schema["if"] = _HAS_EXPIRED_AT
        schema["else"] = {"properties": {"text": {"minLength": text.get("minLength", 1)}}}
    return schemas


def emptied(record: dict[str, Any], field: str) -> bool:
    """Whether `field` may be empty because retention emptied it."""
    return field == "text" and record.get("type") in EMPTIED_TEXT and bool(record.get("expired_at"))
