"""Forms for logging in and setting up the first admin."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from gemba.platform.forms import BaseForm
from gemba.platform.languages import LANGUAGES


class LoginForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me logged in on this device"))


class SetupForm(BaseForm):
    email = EmailField(_l("Your e-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(
        _l("Password again"),
        validators=[DataRequired(), EqualTo("password", _l("Passwords differ."))],
    )


class PasswordForm(BaseForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("password", _l("Passwords differ."))],
    )


class TokenForm(BaseForm):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=80)])
    read_only = BooleanField(_l("Read-only (can read, cannot send or change anything)"))


def language_choices() -> list[tuple[str, str]]:
    """Automatic (the browser's), then each language named in itself."""
    return [("", _l("Automatic — the browser's")), *LANGUAGES.items()]


class LanguageForm(BaseForm):
    """The language the user reads Gemba in; empty is the browser's."""

    language = SelectField(
        _l("Language"),
        choices=language_choices,
        coerce=lambda value: "" if value is None else str(value),
        default="",
        filters=[lambda value: "" if value is None else value],  # none set: the empty choice
        validate_choice=True,
    )


class EmptyForm(BaseForm):
    """A one-click action still carries a CSRF token."""
