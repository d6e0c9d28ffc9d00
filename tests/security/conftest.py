"""Shared helpers for the security tests: a walk with one record of each kind."""

from __future__ import annotations

import pytest

from tests.conftest import uid


@pytest.fixture
def furnished(app, make_user, make_walk, write):
    """An admin and an observer, a walk with a place, thing, fact and statement."""
    admin = make_user("admin")
    observer = make_user("observer")
    walk = make_walk(admin)
    ids = {kind: uid() for kind in ("place", "thing", "fact", "statement")}
    write(
        admin,
        {"type": "place", "id": ids["place"], "walk": walk, "name": "Press 2"},
        {"type": "thing", "id": ids["thing"], "walk": walk, "name": "Torque wrench"},
        {
            "type": "fact",
            "id": ids["fact"],
            "walk": walk,
            "topic": "Badge scan",
            "text": "Walked in without scanning",
            "performed": False,
        },
        {
            "type": "statement",
            "id": ids["statement"],
            "walk": walk,
            "topic": "Badge scan",
            "text": "We always scan",
            "claim": {"frequency": "always"},
        },
    )
    return {"admin": admin, "observer": observer, "walk": walk, "ids": ids}
