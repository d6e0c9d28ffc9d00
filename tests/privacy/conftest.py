"""The privacy tests log their users in by session (tests.conftest.login), never through
the form, so their passwords get a one-round hash: each test makes two to four users, and
scrypt's default costs about 0.14 s a user."""

from __future__ import annotations

import pytest
from werkzeug.security import generate_password_hash

from gemba.extensions import db
from gemba.models import Role, User
from tests.conftest import PASSWORD


@pytest.fixture
def make_user(app):
    """As the suite's own factory, but with a password hash that costs nothing."""
    counter = {"n": 0}

    def make(role: str = "observer", email: str | None = None) -> User:
        counter["n"] += 1
        with app.app_context():
            user = User(email=email or f"{role}{counter['n']}@example.com", role=Role(role).value)
            user.password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
        return user

    return make
