"""A site where one thing goes by two topics: "gloves" (a claim that everyone always wears
them, and gloves seen worn) and "glove use" (gloves seen not worn), so the claim is only
contradicted once the two are merged."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from gemba.extensions import db
from gemba.models import Fact, Topic, User, topic_key
from tests.conftest import login, uid


@dataclass
class Gloves:
    analyst: User
    client: FlaskClient  # logged in as the analyst
    site: str
    walk: str
    statement: str
    gloves: int  # topic ids
    glove_use: int
    unrelated: int
    not_worn: list[str]  # the facts logged on "glove use"


def topic_named(app, site: str, name: str) -> int | None:
    """The id of the site's topic of that name (merged or not)."""
    with app.app_context():
        return db.session.scalar(
            select(Topic.id).where(Topic.site_id == uuid.UUID(site), Topic.key == topic_key(name))
        )


def topic_of(app, fact_id: str) -> int:
    """The topic a fact is on now."""
    with app.app_context():
        return db.session.get(Fact, uuid.UUID(fact_id)).topic_id


def fact(walk: str, topic: str, performed: bool, text: str = "Picked a part") -> dict:
    return {
        "type": "fact",
        "id": uid(),
        "walk": walk,
        "topic": topic,
        "text": text,
        "performed": performed,
    }


@pytest.fixture
def gloves(app, make_user, make_site, write) -> Gloves:
    analyst = make_user("analyst")
    site = make_site()
    walk, statement = uid(), uid()
    worn = [fact(walk, "gloves", True, "Wore gloves at the press") for _ in range(4)]
    not_worn = [fact(walk, "glove use", False, "Handled sheet metal bare-handed") for _ in range(4)]
    write(
        analyst,
        {"type": "walk", "id": walk, "site": site, "title": "Press shop"},
        {
            "type": "statement",
            "id": statement,
            "walk": walk,
            "topic": "gloves",
            "text": "Everyone always wears gloves",
            "claim": {"frequency": "always"},
        },
        *worn,
        *not_worn,
        fact(walk, "forklift speed", True, "Drove at walking pace"),
    )
    return Gloves(
        analyst=analyst,
        client=login(app.test_client(), analyst),
        site=site,
        walk=walk,
        statement=statement,
        gloves=topic_named(app, site, "gloves"),
        glove_use=topic_named(app, site, "glove use"),
        unrelated=topic_named(app, site, "forklift speed"),
        not_worn=[f["id"] for f in not_worn],
    )
