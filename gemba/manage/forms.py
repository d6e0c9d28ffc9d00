"""Forms for admins (users) and analysts (sites and personas)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from gemba.domain.clock import MAX_ZONE_NAME
from gemba.platform.forms import BaseForm, MultiCheckboxField
from gemba.platform.languages import LANGUAGES

MAX_RETENTION_DAYS = 36500  # a hundred years: beyond that, "keep" is what is meant
ROLE_CHOICES = [
    SelectChoice("observer", _l("Observer")),
    SelectChoice("analyst", _l("Analyst")),
    SelectChoice("admin", _l("Admin")),
]


class NewUserForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default="observer")
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(max=200)])


class EditUserForm(BaseForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    active = BooleanField(_l("Active (can log in)"))


class ResetPasswordForm(BaseForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])


class SiteForm(BaseForm):
    name = StringField(_l("Site name"), validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    # Checked by the write path against the zone database, so a form and an import say
    # the same about a bad name; the page offers the names in a datalist. Left empty, a
    # new site gets the server's zone and an edited one keeps its own.
    time_zone = StringField(
        _l("Time zone"),
        validators=[Optional(), Length(max=MAX_ZONE_NAME)],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        description=_l("The site's clocks: its times are shown in this zone, e.g. Europe/Warsaw."),
        render_kw={"list": "time-zones", "autocomplete": "off", "spellcheck": "false"},
    )
    walks_announced = BooleanField(
        _l("Walks here are announced"),
        default=True,
        description=_l(
            "The team knows a walk is coming. A walk or its plan can say otherwise; "
            "the topic pages compare announced with unannounced walks."
        ),
    )
    language = SelectField(
        _l("Language of the site"),
        choices=lambda: [("", _l("Not set")), *LANGUAGES.items()],
        coerce=lambda value: "" if value is None else str(value),
        default="",
        filters=[lambda value: "" if value is None else value],  # none set: the empty choice
        description=_l(
            "Pages about this site use it when the browser asks for none of Gemba's languages."
        ),
    )

    # Photos and privacy (docs/works-council.md): admins only. The views take these
    # fields off the form for anyone else, so another role's POST cannot change them.
    works_council = BooleanField(
        _l("Works-council site"),
        description=_l(
            "Faces are always blurred, originals are never kept, only the roles below "
            "see the photos, and every view of a photo is logged for admins to show."
        ),
    )
    keep_originals = BooleanField(
        _l("Keep originals"),
        description=_l(
            "Keep each unblurred upload beside the blurred copies, for admins only; "
            "every download is logged."
        ),
    )
    photo_roles = MultiCheckboxField(
        _l("Roles that may see photos"),
        choices=ROLE_CHOICES,
        description=_l("Admins always see them."),
    )
    retention_days = IntegerField(
        _l("Delete photos, quotes' words and notes after N days"),
        validators=[
            Optional(),
            NumberRange(
                min=1, max=MAX_RETENTION_DAYS, message=_l("Give a number of days from 1 to 36500.")
            ),
        ],
        description=_l("Leave empty to keep them."),
    )

    def validate_keep_originals(self, field: BooleanField) -> None:
        if field.data and self.works_council.data:
            raise ValidationError(_l("Originals are never kept on a works-council site."))


PRIVACY_FIELDS = ("works_council", "keep_originals", "photo_roles", "retention_days")


class PersonaForm(BaseForm):
    name = StringField(
        _l("Persona"),
        validators=[DataRequired(), Length(max=120)],
        description=_l("A type of worker or customer, never a person's name."),
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])


class ImportForm(BaseForm):
    file = FileField(
        _l("Gemba JSON file"),
        validators=[
            FileRequired(_l("Choose a file.")),
            FileAllowed(["json", "zip"], _l("Choose a .json file, or a .zip export with photos.")),
        ],
        description=_l("An export of a walk or a site (format gemba/v1), as .json or .zip."),
    )
