"""Forms of the analyst workspace: inbox filters (GET) and every POST (FlaskForm, CSRF)."""

from __future__ import annotations

import uuid
from datetime import date

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import Select

from gemba.capture.vocabulary import choices
from gemba.models import ActionStatus, GapStatus
from gemba.platform.forms import BaseForm, MultiCheckboxField, QueryForm
from gemba.review.queries import SORTS, InboxFilters

STATUS_LABELS = {
    GapStatus.open.value: _l("Open"),
    GapStatus.needs_observation.value: _l("Needs observation"),
    GapStatus.confirmed.value: _l("Confirmed"),
    GapStatus.actioned.value: _l("Actioned"),
    GapStatus.dismissed.value: _l("Dismissed"),
}
ACTION_LABELS = {
    ActionStatus.open.value: _l("Open"),
    ActionStatus.in_progress.value: _l("In progress"),
    ActionStatus.done.value: _l("Done"),
    ActionStatus.verified.value: _l("Verified"),
}
NOTE_MAX = 2000
# Who made the claim: people on walks, or the written standards of walk plans.
ORIGINS = {"": _l("All claims"), "said": _l("Said by people"), "standard": _l("Written standards")}


class QuickSelect(Select):
    """WTForms' select with each plain option rendered by one escaping format: the inbox
    filter lists hundreds of walks, and the generic attribute builder per option cost
    more than the rest of the inbox put together. Same HTML; options with extra
    attributes go the generic way."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        label = choice.label or choice.value
        if choice.selected:
            return Markup('<option selected value="%s">%s</option>') % (choice.value, label)
        return Markup('<option value="%s">%s</option>') % (choice.value, label)


class FilterForm(QueryForm):
    """The inbox filters; a GET form, so no CSRF token (it changes nothing)."""

    site = SelectField(_l("Site"), validate_choice=False, widget=QuickSelect())
    walk = SelectField(_l("Walk"), validate_choice=False, widget=QuickSelect())
    persona = SelectField(_l("Persona"), validate_choice=False, widget=QuickSelect())
    topic = StringField(_l("Topic contains"), validators=[Optional(), Length(max=200)])
    origin = SelectField(_l("Claims"), choices=choices(ORIGINS.items()), validate_choice=False)
    date_from = DateField(_l("Said from"), validators=[Optional()])
    date_to = DateField(_l("Said until"), validators=[Optional()])
    sort = SelectField(_l("Order"), choices=choices(SORTS.items()), validate_choice=False)
    status = SelectField(
        _l("Status"),
        choices=choices([*STATUS_LABELS.items(), ("all", _l("All"))]),
        validate_choice=False,
    )

    def filters(self, topic_id: int | None = None) -> InboxFilters:
        """Turn what was asked into filters, ignoring anything malformed."""
        self.validate()
        status = self.status.data if self.status.data in (*STATUS_LABELS, "all") else "open"
        return InboxFilters(
            site=_uuid(self.site.data),
            walk=_uuid(self.walk.data),
            persona=_uuid(self.persona.data),
            topic=(self.topic.data or "").strip() or None,
            topic_id=topic_id,
            status=status,
            date_from=_date(self.date_from),
            date_to=_date(self.date_to),
            sort=self.sort.data if self.sort.data in SORTS else "score",
            origin=self.origin.data if self.origin.data in ORIGINS and self.origin.data else None,
        )


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def _date(field: DateField) -> date | None:
    return None if field.errors else field.data


class NoteForm(BaseForm):
    """Confirm, or ask for more observation, with an optional note."""

    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=NOTE_MAX)])


class DismissForm(BaseForm):
    """Dismiss a gap: the reason is required, the next analyst will ask."""

    reason = TextAreaField(
        _l("Why is this not a real gap?"),
        validators=[DataRequired(_l("Say why you dismiss it.")), Length(max=NOTE_MAX)],
        description=_l("For example: the SOP changed, or the facts were on another line."),
    )


class ActionForm(BaseForm):
    """A countermeasure: what, who, by when, and which gaps it answers."""

    title = StringField(
        _l("What will be done"),
        validators=[DataRequired(_l("Say what will be done.")), Length(max=200)],
        render_kw={"autofocus": True},
    )
    description = TextAreaField(_l("Details"), validators=[Optional(), Length(max=NOTE_MAX)])
    owner = SelectField(_l("Owner"), validate_choice=True)
    due_date = DateField(_l("Due date"), validators=[Optional()])
    status = SelectField(_l("Status"), choices=choices(ACTION_LABELS.items()))
    gaps = MultiCheckboxField(_l("Gaps it answers"), validate_choice=True)
    # The action's values when the form was filled (`actions.fingerprint`), so a save made
    # after someone else's change is refused instead of overwriting it.
    seen = HiddenField()

    def validate_gaps(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Link at least one gap."))


class ActionStatusForm(BaseForm):
    """Move an action along the board."""

    status = SelectField(_l("Status"), choices=choices(ACTION_LABELS.items()))


class VerificationWalkForm(BaseForm):
    """Ask someone to walk the action's topics on a day (a plan due once)."""

    walker = SelectField(_l("Who walks it"), validate_choice=True)
    day = DateField(_l("On"), validators=[DataRequired(_l("Choose the day of the walk."))])


class PersonaNoteForm(BaseForm):
    """What the analyst thinks this persona thinks."""

    text = TextAreaField(
        _l("Add to Thinks"),
        validators=[DataRequired(_l("Write the note.")), Length(max=NOTE_MAX)],
        description=_l("Your reading of what this persona believes or worries about."),
    )
