"""JSON Schema errors as (field, message) pairs a form or a problem response can show.

The messages are English sentences, and each remembers how it was made (`Message`): domain
code is pure (no Flask, no catalog), so it cannot translate, and a message marked here
with a gettext keyword would tie the domain to one. Instead the layer that knows the
reader's language translates: `gemba.platform.errors.localized()` looks the template up in
the catalog and fills in the values; gemba/api/wording.py marks every template for
extraction (with `_l`, a keyword pybabel and tests/i18n/pseudo.py already know), and a
test there keeps the two lists in step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator

from gemba.domain import bounds


class Message(str):
    """An English sentence that keeps its template and values (see the module docstring).

    It is the English text for everything that reads it as a string (a log, a comparison,
    a script that matches it); `template` is the msgid with %(name)s placeholders and
    `params` the values put in them (a value that is itself a Message is translated too).
    """

    template: str
    params: Mapping[str, object]
    context: str | None = None  # pgettext's context, for a word that means more than one thing

    def __new__(cls, template: str, **params: object) -> Message:
        text = super().__new__(cls, template % params if params else template)
        text.template = template
        text.params = params
        return text

    @classmethod
    def word(cls, context: str, text: str) -> Message:
        """A word in a context ("delete" as the name of a character, not the action)."""
        message = cls(text)
        message.context = context
        return message

    def __reduce__(self):  # copies and pickles keep the template
        return (_rebuild, (self.template, dict(self.params), self.context))


def _rebuild(template: str, params: dict[str, object], context: str | None) -> Message:
    message = Message(template, **params)
    message.context = context
    return message


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
        return Message("This field is required.")
    if kind in ("maxLength", "maxItems"):
        return Message("Too long: at most %(limit)s characters.", limit=error.validator_value)
    if kind == "minLength":
        return Message("This field cannot be empty.")
    if kind in ("enum", "const"):
        allowed = error.validator_value
        allowed = allowed if isinstance(allowed, list) else [allowed]
        return Message("Must be one of: %(values)s.", values=", ".join(str(a) for a in allowed))
    if kind in ("minimum", "maximum"):
        bound = bounds.schema_message(error.schema)
        return bound or Message(
            "Out of range (%(bound)s %(limit)s).", bound=kind, limit=error.validator_value
        )
    if kind == "format":
        return Message("Not a valid %(format)s.", format=error.validator_value)
    if kind == "pattern":
        return Message("Not a valid value.")
    if kind == "type":
        return _type_message(error.validator_value)
    if kind in ("oneOf", "anyOf"):
        return Message("Not a valid value for this field.")
    return error.message[:200]


def _type_message(wanted: str | list[str]) -> Message:
    """ "Must be string.", "Must be string or null." (JSON's names of types, as they are)."""
    if isinstance(wanted, str):
        return Message("Must be %(type)s.", type=wanted)
    if len(wanted) == 2:
        return Message("Must be %(first)s or %(second)s.", first=wanted[0], second=wanted[1])
    return Message("Must be %(type)s.", type=" or ".join(wanted))


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
