"""Secret key, session loading and role checks shared by every blueprint."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, abort
from flask_babel import gettext
from flask_login import current_user, login_required

from gemba.domain.phrases import N_
from gemba.extensions import login_manager
from gemba.models import Role, User
from gemba.platform import revision


def ensure_secret_key(app: Flask) -> None:
    """Use the configured key, or one generated once into the instance folder."""
    if app.config.get("SECRET_KEY"):
        return
    path = os.path.join(app.instance_path, "secret_key")
    if not os.path.exists(path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    with open(path) as fh:
        app.config["SECRET_KEY"] = fh.read().strip()


def init_login(app: Flask) -> None:
    """Wire Flask-Login: where to send anonymous users, how to load a session's user."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("Please log in to continue.")
    login_manager.localize_callback = gettext  # flashed in the reader's language
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    """A session names the user and the session version; an old version is logged out."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = revision.load_with_token(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def role_required(role: Role) -> Callable:
    """Decorator: the view needs a logged-in user with at least this role."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
