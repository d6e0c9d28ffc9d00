"""Forms for admins (users) and analysts (sites and personas)."""

from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

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
