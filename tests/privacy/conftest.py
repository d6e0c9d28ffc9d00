"""The privacy tests log their users in by session (tests.conftest.login), never through
the form; their users share the suite's password hash (tests.conftest.add_user).

Tests that only read a site set up one way share one app per class (`shared_app`): its
own database, made once, emptied after the class."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator

import pytest
from flask import Flask

from gemba.models import User
from tests.conftest import PG_URL, close_test_apps, empty_postgresql, make_test_app
from tests.conftest import add_user as store_user

# Numbers for the users' addresses, never the same twice in a process, so users made
# by different tests in a shared database do not collide.
_numbers = itertools.count(1)


def add_user(flask_app: Flask, role: str = "observer", email: str | None = None) -> User:
    """A stored user (detached-safe id and email); addresses never repeat in a process."""
    return store_user(flask_app, role, email or f"{role}{next(_numbers)}@example.com")


@pytest.fixture
def make_user(app):
    """As the suite's own factory, with addresses unique across a shared class database."""

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
