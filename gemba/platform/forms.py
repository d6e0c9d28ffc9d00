"""The base of every form (text rules and sane dates on every field), and copying the
write path's (field, message) errors onto a form."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Form, SelectMultipleField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget

from gemba.domain import text
from gemba.domain.gemba_json import RecordInvalid
from gemba.platform.errors import localized

# Dates a person means: a typo like 0202 or 20266 is refused by the field, not stored, and
# date arithmetic (the day after, as a UTC moment) stays inside what Python and the
# databases can hold.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2200, 12, 31)
DATE_MESSAGE = _l(
    "Enter a date from %(first)s to %(last)s.",
    first=EARLIEST_DATE.year,
    last=LATEST_DATE.year,
)


class TextRules:
    """Every field's data is checked as part of validate(): text by `domain.text` (a
    textarea's CR LF read as LF first, other fields one line) and dates within
    EARLIEST_DATE..LATEST_DATE. A refusal goes by its field and validate() answers False,
    so no view acts on it, whatever the field and whoever adds it."""

    def validate(self, extra_validators=None) -> bool:
        """The fields' own validators, then the rules every field follows."""
        for field in self:
            if isinstance(field, TextAreaField) and isinstance(field.data, str):
                field.data = text.normalise_newlines(field.data)
        ok = super().validate(extra_validators)
        for field in self:
            message = refusal(field)
            if message is not None:
                field.errors = [*field.errors, message]
                ok = False
        return ok


def refusal(field: Any) -> str | None:
    """Why the field's data breaks a rule every field follows, or None."""
    data = field.data
    for value in data if isinstance(data, list | tuple) else [data]:
        if isinstance(value, str):
            message = text.problem(value, multiline=isinstance(field, TextAreaField))
            if message is not None:
                return localized(message)
    if isinstance(data, date):
        day = data.date() if isinstance(data, datetime) else data
        if not EARLIEST_DATE <= day <= LATEST_DATE:
            return str(DATE_MESSAGE)
    return None


class BaseForm(TextRules, FlaskForm):
    """The base of every form that is POSTed: a CSRF token and the rules above."""


class QueryForm(TextRules, Form):
    """A GET form read from the query string (it changes nothing, so no CSRF token)."""


def copy_errors(form: FlaskForm, exc: RecordInvalid, fields: dict[str, str] | None = None) -> None:
    """Put each error by its field; errors without a field go to the top of the form."""
    fields = fields or {}
    for error in exc.errors:
        name = fields.get(error.field, error.field.replace(".", "_"))
        target = getattr(form, name, None) if name else None
        if target is not None and hasattr(target, "errors") and not callable(target.errors):
            if isinstance(target.errors, tuple):
                target.errors = list(target.errors)
            target.errors.append(localized(error.message))
        else:
            form.form_errors.append(localized(error.message))


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as checkboxes, one per option."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
