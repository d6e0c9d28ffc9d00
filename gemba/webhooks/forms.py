"""The hook form (address, events, site, on/off) and the one-click forms of a hook page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from gemba.platform.forms import BaseForm, MultiCheckboxField
from gemba.webhooks import EVENTS
from gemba.webhooks.services import URL_LIMIT, url_problem


def _stripped(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class WebhookForm(BaseForm):
    """A hook: where to POST, which events, which site's."""

    url = StringField(
        _l("Address (URL)"),
        validators=[DataRequired(), Length(max=URL_LIMIT)],
        filters=[_stripped],
        description=_l("Where Gemba POSTs each event, e.g. https://example.com/hooks/gemba."),
        render_kw={"inputmode": "url", "autocomplete": "off", "spellcheck": "false"},
    )
    events = MultiCheckboxField(
        _l("Events"),
        choices=[SelectChoice(value, label) for value, label in EVENTS.items()],
        validate_choice=True,
        validators=[DataRequired(_l("Choose at least one event."))],
    )
    site = SelectField(_l("Site"), choices=[], validate_choice=True, default="")
    active = BooleanField(_l("Active (events are sent)"), default=True)

    def validate_url(self, field: StringField) -> None:
        """The service's own check, so every refusal shows at once by its field."""
        problem = url_problem(field.data or "")
        if problem:
            raise ValidationError(problem)


class HookActionForm(BaseForm):
    """One click on a hook page (test, new secret, delete, send again): a CSRF token."""
