"""JSON Schema errors as (field, message) pairs a form or a problem response can show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator

from gemba.domain import bounds


@dataclass(frozen=True)
class FieldError:
    """One problem with one field; `field` is a path like `claim.value`."""

    field: str
    message: str


def _path(error: Any) -> str:
    parts = [str(p) for p in error.absolute_path]
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        parts.append(missing)
    return ".".join(p for p in parts if p) or "record"


def _message(error: Any) -> str:
    kind = error.validator
    if kind == "required":
        return "This field is required."
    if kind in ("maxLength", "maxItems"):
        return f"Too long: at most {error.validator_value} characters."[:80]
    if kind == "minLength":
        return "This field cannot be empty."
    if kind in ("enum", "const"):
        allowed = error.validator_value
        allowed = allowed if isinstance(allowed, list) else [allowed]
        return "Must be one of: " + ", ".join(str(a) for a in allowed) + "."
    if kind in ("minimum", "maximum"):
        bound = bounds.schema_message(error.schema)
        return bound or f"Out of range ({kind} {error.validator_value})."
    if kind == "format" or kind == "pattern":
        return f"Not a valid {error.validator_value if kind == 'format' else 'value'}."
    if kind == "type":
        wanted = error.validator_value
        return f"Must be {wanted if isinstance(wanted, str) else ' or '.join(wanted)}."
    if kind in ("oneOf", "anyOf"):
        return "Not a valid value for this field."
    return error.message[:200]


def best_errors(validator: Draft202012Validator, data: Any) -> list[FieldError]:
    errors: dict[str, str] = {}
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        # anyOf/oneOf: report the most specific inner error, not "not valid under anyOf"
        while error.validator in ("anyOf", "oneOf") and error.context:
            inner = [e for e in error.context if e.validator_value != "null"]
            if not inner:
                break
            error = max(inner, key=lambda e: len(e.absolute_path))
        errors.setdefault(_path(error), _message(error))
    return [FieldError(field, message) for field, message in errors.items()]
