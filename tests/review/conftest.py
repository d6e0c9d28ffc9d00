"""Fixtures for the analyst workspace: the demo plant, clients per role, a query counter."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import Integer, Table, event, func, insert, select
from werkzeug.security import generate_password_hash

from gemba.extensions import db
from gemba.models import Base, Gap, Persona, Topic, User, gap_id_for, topic_key
from gemba.models import accounts as accounts_model
from gemba.ops import demo as demo_data
from tests.browser.conftest import browser  # noqa: F401 - the process's one shared Chromium
from tests.conftest import login, make_test_app


@dataclass
class Demo:
    """Ids in the demo plant (gemba.ops.demo), named the way the tests talk about them."""

    admin: User
    site: str
    walks: dict[str, str]  # changeover, entry, picking
    statements: dict[str, str]  # ten, fifteen, torque, badge, glasses, pick, speed
    topics: dict[str, int]  # by topic key
    personas: dict[str, str]  # op, fork, tech

    def gap(self, statement: str) -> str:
        return str(gap_id_for(uuid.UUID(self.statements[statement])))


STATEMENTS = {
    "ten": "changeover",
    "fifteen": "changeover",
    "torque": "changeover",
    "badge": "entry",
    "glasses": "entry",
    "pick": "picking",
    "speed": "picking",
}


@pytest.fixture(autouse=True)
def _quick_password_hashes(monkeypatch):
    """Test users get a cheap hash: the default scrypt costs ~0.3 s of CPU per user."""
    monkeypatch.setattr(
        accounts_model,
        "generate_password_hash",
        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"),
    )


@pytest.fixture(scope="session")
def demo_rows(tmp_path_factory) -> list[tuple[Table, list[dict]]]:
    """The demo plant as `flask demo --no-plans` writes it (the three walks), read back row
    by row once per session."""
    folder = tmp_path_factory.mktemp("demo")
    app = make_test_app(f"sqlite:///{folder / 'demo.db'}", folder, GEMBA_AUTO_MIGRATE=True)
    assert app.test_cli_runner().invoke(args=["demo", "--no-plans"]).exit_code == 0
    with app.app_context():
        rows = [
            (table, [dict(row._mapping) for row in db.session.execute(select(table))])
            for table in Base.metadata.sorted_tables
        ]
        db.session.remove()
        db.engine.dispose()
    # The data revision is the target database's own bookkeeping, not demo data.
    return [(table, data) for table, data in rows if data and table.name != "data_revision"]


def copy_demo(app, demo_rows) -> None:
    """Insert the demo plant's rows into the app's (empty) database."""
    with app.app_context():
        for table, data in demo_rows:
            db.session.execute(insert(table), data)
        if db.engine.dialect.name == "postgresql":
            for table, _ in demo_rows:  # ids were given: move the sequences past them
                for column in table.primary_key.columns:
                    if isinstance(column.type, Integer):
                        sequence = func.pg_get_serial_sequence(table.name, column.name)
                        latest = select(func.max(column)).scalar_subquery()
                        db.session.execute(select(func.setval(sequence, latest)))
        db.session.commit()


@pytest.fixture
def demo(app, demo_rows) -> Demo:
    """The demo plant (gemba.ops.demo through the write path), copied into this test's
    database: the same rows `flask demo` writes, without paying for the write each time."""
    copy_demo(app, demo_rows)
    walks = {key: demo_data._id("walk", key) for key in ("changeover", "entry", "picking")}
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == "demo@example.com"))
        db.session.expunge(admin)
        topics = {t.key: t.id for t in db.session.scalars(select(Topic))}
        personas = {key: demo_data._id("persona", key) for key in ("op", "fork", "tech")}
        assert db.session.get(Persona, uuid.UUID(personas["op"])) is not None
    return Demo(
        admin=admin,
        site=demo_data._id("site"),
        walks=walks,
        statements={
            key: demo_data._id("statement", walks[walk], key) for key, walk in STATEMENTS.items()
        },
        topics=topics,
        personas=personas,
    )


@pytest.fixture
def analyst(login_as):
    """A client logged in as an analyst, and that analyst."""
    return login_as("analyst")


@pytest.fixture
def observer(login_as):
    return login_as("observer")


@pytest.fixture
def admin_client(app, demo):
    return login(app.test_client(), demo.admin)


def topic_id(demo: Demo, name: str) -> int:
    return demo.topics[topic_key(name)]


def gap_row(app, gap_id: str) -> Gap:
    """The stored gap, detached, to check what a request changed."""
    with app.app_context():
        gap = db.session.get(Gap, uuid.UUID(gap_id))
        db.session.expunge(gap)
        return gap


@contextmanager
def count_queries(app) -> Iterator[list[str]]:
    """Collect every SQL statement the app sends while the block runs."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
