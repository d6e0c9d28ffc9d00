"""Fixtures for the trends page: the demo plant with its walk plans, and the query layer's
inputs read the way the page reads them."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from gemba.extensions import db
from gemba.models import Base, Site, User
from tests.conftest import make_test_app
from tests.review.conftest import (  # noqa: F401 - fixtures shared with the review tests
    _quick_password_hashes,
    analyst,
    copy_demo,
    observer,
)


@pytest.fixture(scope="session")
def plant_rows(tmp_path_factory) -> list:
    """The demo plant as `flask demo` writes it, walk plans included, read back once."""
    folder = tmp_path_factory.mktemp("trend-demo")
    app = make_test_app(f"sqlite:///{folder / 'demo.db'}", folder, GEMBA_AUTO_MIGRATE=True)
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        rows = [
            (table, [dict(row._mapping) for row in db.session.execute(select(table))])
            for table in Base.metadata.sorted_tables
        ]
        db.session.remove()
        db.engine.dispose()
    return [(table, data) for table, data in rows if data and table.name != "data_revision"]


@pytest.fixture
def plant(app, plant_rows) -> dict:
    """The demo plant in this test's database: its site id and its admin."""
    copy_demo(app, plant_rows)
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == "demo@example.com"))
        db.session.expunge(admin)
        site = db.session.scalars(select(Site.id)).one()
    return {"site": site, "admin": admin}


def site_uuid(text: str) -> uuid.UUID:
    return uuid.UUID(str(text))
