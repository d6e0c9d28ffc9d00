"""Retention reuses the photo tests' app, users and world. A retention run removes photo
files, so the tests of what it removes from (and leaves in) the store run on both stores
(`both_stores` in test_retention); those of the records' words, the pages, the audit, the
export and the command's output do not touch a store and run on the local one.

Tests that only read what a run left (or what is there before any run) share one world
per class (`shared_world`): its own database, made once, emptied after the class."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from flask import Flask

from gemba.accounts import services as accounts
from gemba.capture import records
from gemba.extensions import db
from gemba.models import Site, User, Walk
from tests.conftest import (
    PG_URL,
    add_user,
    close_test_apps,
    empty_postgresql,
    login,
    make_test_app,
    uid,
)
from tests.photos.conftest import (  # noqa: F401  (fixtures, found by name)
    KINDS,
    World,
    app,
    upload,
    world,
)


@pytest.fixture
def photo_store() -> str:
    """The local store, unless a test asks for both."""
    return "local"


def write_as(flask_app: Flask, user: User, *batch: dict) -> records.WriteResult:
    """The write path, as the `write` fixture calls it."""
    with flask_app.app_context():
        return records.write(db.session.get(User, user.id), list(batch))


@pytest.fixture(scope="class")
def shared_world(database_template, tmp_path_factory) -> Iterator[World]:
    """The photo tests' world (an observer's walk with a place, a thing, a fact and a
    statement, photos on disk), made once for a class of tests that do not change it.
    On PostgreSQL it lives in the worker's database, which no other test uses meanwhile
    (a worker finishes a class's tests before it sets up another's), and is emptied after."""
    folder = tmp_path_factory.mktemp("shared")
    if PG_URL:
        uri = database_template
    else:
        shutil.copy(database_template, folder / "gemba.db")
        uri = f"sqlite:///{folder / 'gemba.db'}"
    shared_app = make_test_app(uri, folder)
    try:
        owner = add_user(shared_app, "observer", "observer1@example.com")
        with shared_app.app_context():
            site = Site(name="Plant 2")
            db.session.add(site)
            db.session.flush()
            walk = Walk(site_id=site.id, observer_id=owner.id, title="Line 3 changeover")
            db.session.add(walk)
            db.session.commit()
            walk_id = str(walk.id)
        ids = {kind: uid() for kind in KINDS}
        result = write_as(
            shared_app,
            owner,
            {"type": "place", "id": ids["place"], "walk": walk_id, "name": "Press 2"},
            {"type": "thing", "id": ids["thing"], "walk": walk_id, "name": "Torque wrench"},
            {"type": "fact", "id": ids["fact"], "walk": walk_id, "text": "Guard left open"},
            {
                "type": "statement",
                "id": ids["statement"],
                "walk": walk_id,
                "text": "Guards stay shut",
            },
        )
        assert not result.rejected
        with shared_app.app_context():
            token = accounts.create_token(db.session.get(User, owner.id))
        yield World(shared_app, owner, walk_id, ids, token, login(shared_app.test_client(), owner))
    finally:
        close_test_apps()
        if PG_URL:
            empty_postgresql(database_template)
