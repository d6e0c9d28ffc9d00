"""Forms for logging in and setting up the first admin."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from gemba.platform.forms import BaseForm


class LoginForm(BaseForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me logged in on this device")


class SetupForm(BaseForm):
    email = EmailField("Your e-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(
        "Password again", validators=[DataRequired(), EqualTo("password", "Passwords differ.")]
    )


class PasswordForm(BaseForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=200)])
    password = PasswordField("New password", validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(
        "New password again",
        validators=[DataRequired(), EqualTo("password", "Passwords differ.")],
    )


class TokenForm(BaseForm):
    name = StringField("Token name", validators=[DataRequired(), Length(max=80)])
    read_only = BooleanField("Read-only (can read, cannot send or change anything)")


class EmptyForm(BaseForm):
    """A one-click action still carries a CSRF token."""
