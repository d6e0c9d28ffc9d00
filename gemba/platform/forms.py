"""Copying the write path's (field, message) errors onto a WTForms form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from gemba.domain.gemba_json import RecordInvalid


def copy_errors(form: FlaskForm, exc: RecordInvalid, fields: dict[str, str] | None = None) -> None:
    """Put each error by its field; errors without a field go to the top of the form."""
    fields = fields or {}
    for error in exc.errors:
        name = fields.get(error.field, error.field.replace(".", "_"))
        target = getattr(form, name, None) if name else None
        if target is not None and hasattr(target, "errors") and not callable(target.errors):
            if isinstance(target.errors, tuple):
                target.errors = list(target.errors)
            target.errors.append(error.message)
        else:
            form.form_errors.append(error.message)


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as checkboxes, one per option."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
