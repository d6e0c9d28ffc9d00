"""Forms for admins (users) and analysts (sites and personas)."""

from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from gemba.domain.clock import MAX_ZONE_NAME
from gemba.platform.forms import BaseForm

ROLE_CHOICES = [
    SelectChoice("observer", "Observer"),
    SelectChoice("analyst", "Analyst"),
    SelectChoice("admin", "Admin"),
]


class NewUserForm(BaseForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    role = SelectField("Role", choices=ROLE_CHOICES, default="observer")
    password = PasswordField("Initial password", validators=[DataRequired(), Length(max=200)])


class EditUserForm(BaseForm):
    role = SelectField("Role", choices=ROLE_CHOICES)
    active = BooleanField("Active (can log in)")


class ResetPasswordForm(BaseForm):
    password = PasswordField("New password", validators=[DataRequired(), Length(max=200)])


class SiteForm(BaseForm):
    name = StringField("Site name", validators=[DataRequired(), Length(max=120)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    # Checked by the write path against the zone database, so a form and an import say
    # the same about a bad name; the page offers the names in a datalist. Left empty, a
    # new site gets the server's zone and an edited one keeps its own.
    time_zone = StringField(
        "Time zone",
        validators=[Optional(), Length(max=MAX_ZONE_NAME)],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        description="The site's clocks: its times are shown in this zone, e.g. Europe/Warsaw.",
        render_kw={"list": "time-zones", "autocomplete": "off", "spellcheck": "false"},
    )
    walks_announced = BooleanField(
        "Walks here are announced",
        default=True,
        description="The team knows a walk is coming. A walk or its plan can say otherwise; "
        "the topic pages compare announced with unannounced walks.",
    )


class PersonaForm(BaseForm):
    name = StringField(
        "Persona",
        validators=[DataRequired(), Length(max=120)],
        description="A type of worker or customer, never a person's name.",
    )
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])


class ImportForm(BaseForm):
    file = FileField(
        "Gemba JSON file",
        validators=[
            FileRequired("Choose a file."),
            FileAllowed(["json", "zip"], "Choose a .json file, or a .zip export with photos."),
        ],
        description="An export of a walk or a site (format gemba/v1), as .json or .zip.",
    )
