"""The privacy tests log their users in by session (tests.conftest.login), never through
the form, so their passwords get a one-round hash: each test makes two to four users, and
scrypt's default costs about 0.14 s a user.

Tests that only read a site set up one way share one app per class (`shared_app`): its
own database, made once, emptied after the class."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.security import generate_password_hash

from gemba.extensions import db
from gemba.models import Role, User
from tests.conftest import PASSWORD, PG_URL, close_test_apps, empty_postgresql, make_test_app

# Numbers for the users' addresses, never the same twice in a process, so users made
# by different tests in a shared database do not collide.
_numbers = itertools.count(1)


def add_user(flask_app: Flask, role: str = "observer", email: str | None = None) -> User:
    """A stored user with a one-round password hash (detached-safe id and email)."""
    with flask_app.app_context():
        user = User(email=email or f"{role}{next(_numbers)}@example.com", role=Role(role).value)
        user.password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
        db.session.add(user)
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
    return user


@pytest.fixture
def make_user(app):
    """As the suite's own factory, but with a password hash that costs nothing."""

    def make(role: str = "observer", email: str | None = None) -> User:
        return add_user(app, role, email)

    return make


@pytest.fixture(scope="class")
def shared_app(database_template, tmp_path_factory) -> Iterator[Flask]:
    """The suite's app (photos on disk) on a database of its own, for a class of tests
    that read what the class set up once. On PostgreSQL it is the worker's database,
    which no other test uses meanwhile (a worker finishes a class's tests before it
    sets up another's), emptied after the class."""
    folder = tmp_path_factory.mktemp("shared")
    if PG_URL:
        uri = database_template
    else:
        shutil.copy(database_template, folder / "gemba.db")
        uri = f"sqlite:///{folder / 'gemba.db'}"
    flask_app = make_test_app(uri, folder)
    try:
        yield flask_app
    finally:
        close_test_apps()
        if PG_URL:
            empty_postgresql(database_template)
