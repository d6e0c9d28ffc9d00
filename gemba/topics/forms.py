"""The topic pages' forms: merge into another topic, add a synonym, and the bare confirm
forms (undo a merge, remove a synonym) that exist for their CSRF token."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from gemba.models import Topic
from gemba.platform.forms import BaseForm
from gemba.topics import queries
from gemba.topics.queries import ALIKE, NamesPanel

NAME_MAX = 200
# Topic ids are database integers: a longer run of digits is no topic, and sending it to
# the database would overflow the column instead of being refused.
ID_DIGITS = 18


class MergeForm(BaseForm):
    """Fold this topic into another of its site: a select on the topic page (most alike
    first), a hidden field on the duplicates page. Which topics are allowed is the merge
    service's decision, so its refusal is shown by the field."""

    target = SelectField(
        _l("Merge into"),
        validate_choice=False,
        validators=[DataRequired(message=_l("Choose the topic to merge into."))],
    )

    def validate_target(self, field: SelectField) -> None:
        value = field.data or ""
        if not value.isascii() or not value.isdigit() or len(value) > ID_DIGITS:
            raise ValidationError(_l("Choose a topic from the list."))

    def target_id(self) -> int:
        """The chosen topic's id (after validation)."""
        return int(self.target.data)


class SynonymForm(BaseForm):
    """Another name that leads to this topic when someone types it."""

    name = StringField(
        _l("Another name"),
        validators=[
            DataRequired(message=_l("Type the other name.")),
            Length(max=NAME_MAX, message=_l("Keep the name under %(n)s characters.", n=NAME_MAX)),
        ],
    )


class ConfirmForm(BaseForm):
    """A button that changes something: its CSRF token is all it sends."""


def panel_forms(panel: NamesPanel, **forms: BaseForm) -> dict[str, BaseForm]:
    """The topic page's forms, with the merge targets most alike first; forms given (the
    ones just sent back with errors) are kept as they are."""
    merge_form = forms.get("merge_form") or MergeForm(formdata=None)
    labels = [
        (str(t.id), f"{t.name} · {t.similarity:.0f} % alike" if t.similarity >= ALIKE else t.name)
        for t in panel.targets
    ]
    merge_form.target.choices = [("", _("Choose a topic…")), *labels]
    return {
        "merge_form": merge_form,
        "synonym_form": forms.get("synonym_form") or SynonymForm(formdata=None),
        "confirm_form": ConfirmForm(formdata=None),
    }


def names_context(topic: Topic, editable: bool, **forms: BaseForm) -> dict[str, Any]:
    """What templates/topics/_names.html needs on a topic page: the names panel, and the
    forms when the user may change them (ranking the targets costs a comparison per name,
    so readers are spared it)."""
    panel = queries.names_panel(topic, with_targets=editable)
    return {"names": panel, "names_editable": editable, **panel_forms(panel, **forms)}
