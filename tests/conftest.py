"""Fixtures: an app per test on a migrated database (SQLite, or PostgreSQL when
GEMBA_TEST_DATABASE_URL is set), clients, and small factories for users and records.

The suite runs in pytest-xdist workers; whatever lives outside a test's tmp_path is the
worker's own: its PostgreSQL database (see worker_database_url) and Redis database."""

from __future__ import annotations

import functools
import os
import re
import shutil
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from psycopg import sql
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool
from werkzeug.routing import Rule

from gemba import create_app
from gemba.capture import records
from gemba.extensions import db
from gemba.models import Base, Role, Site, User, Walk

# Under pytest-xdist each worker process is named (gw0, gw1, ...); a plain run is "master".
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "master")
PG_URL = os.environ.get("GEMBA_TEST_DATABASE_URL")
# In CI (CI=true) a missing browser, Node or Redis fails its tests instead of skipping them,
# so a run cannot pass by leaving them out.
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PASSWORD = "correct horse battery"


def _share_url_builders() -> None:
    """Build each URL rule's builder function once per process, not once per app.

    Werkzeug compiles Python source for every rule of every app (two functions for each of
    some 600 rules: 70 ms of the 95 a test's create_app costs). The function depends only
    on the rule's parsed parts, its defaults and converters, so the suite's thousands of
    identical apps can share them; each rule still binds its own copy (`__get__`).
    """
    original = Rule._compile_builder
    built: dict = {}

    def compile_builder(self: Rule, append_unknown: bool = True):
        key = (
            tuple(self._trace),
            repr(sorted((self.defaults or {}).items())),
            tuple((name, type(c)) for name, c in sorted(self._converters.items())),
            append_unknown,
        )
        if key not in built:
            built[key] = original(self, append_unknown)
        return built[key]

    Rule._compile_builder = compile_builder  # type: ignore[method-assign]


_share_url_builders()


def missing_tool(reason: str) -> None:
    """A tool a test needs is not there: skip on a developer's machine, fail in CI."""
    if IN_CI:
        pytest.fail(f"{reason}; CI must provide it", pytrace=False)
    pytest.skip(reason)


def _migrate(uri: str) -> None:
    app = create_app(_config(uri) | {"GEMBA_AUTO_MIGRATE": True})
    with app.app_context():
        db.engine.dispose()


def _config(uri: str, **extra) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": uri,
        "GEMBA_AUTO_MIGRATE": False,
        "WTF_CSRF_ENABLED": False,
        # Times tied to no site, and new sites, on a known clock whatever the machine's zone.
        "GEMBA_DEFAULT_TIME_ZONE": "UTC",
        **extra,
    }


def worker_database_url(url: str, worker: str = WORKER) -> str:
    """The PostgreSQL database this worker owns: `test` for a plain run, `test_gw0`,
    `test_gw1`, ... under xdist, so that workers never empty each other's tables."""
    if worker == "master":
        return url
    given = make_url(url)
    return given.set(database=f"{given.database}_{worker}").render_as_string(False)


def _pg_create_database(url: str) -> None:
    """Create the worker's database if it is missing, connected to the given one."""
    name = make_url(url).database
    given = make_url(PG_URL).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(given, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if exists.fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def redis_url() -> str:
    """A Redis database of this worker's own (15 for a plain run or gw0, 14 for gw1, ...):
    tests empty theirs before and after, which must not wipe another worker's counters."""
    index = 0 if WORKER == "master" else int(WORKER.removeprefix("gw"))
    if index > 14:
        pytest.fail(f"Redis has 16 databases, too few for worker {WORKER}: run fewer workers")
    return f"redis://127.0.0.1:6379/{15 - index}"


def _pg_reset_schema(url: str) -> None:
    engine = create_engine(_pg_driver(url))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _pg_driver(url: str) -> str:
    return re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", url)


@pytest.fixture(scope="session")
def database_template(tmp_path_factory) -> str:
    """Migrate once per test session; each test then starts from this state."""
    if PG_URL:
        url = worker_database_url(PG_URL)
        _pg_create_database(url)
        _pg_reset_schema(url)
        _migrate(_pg_driver(url))
        return _pg_driver(url)
    folder = tmp_path_factory.mktemp("template")
    path = folder / "gemba.db"
    os.environ.setdefault("GEMBA_INSTANCE_PATH", str(folder))
    _migrate(f"sqlite:///{path}")
    return str(path)


def empty_postgresql(url: str) -> None:
    """Remove every row a test left, child tables first. DELETE of the few rows a test
    makes takes a fraction of the second that TRUNCATE of every table takes."""
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as conn:
        tables = text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        existing = set(conn.execute(tables).scalars())
        for table in reversed(Base.metadata.sorted_tables):
            if table.name in existing:
                conn.execute(table.delete())
    engine.dispose()


@pytest.fixture
def database_uri(database_template, tmp_path) -> Iterator[str]:
    if PG_URL:
        yield database_template
        close_test_apps()
        empty_postgresql(database_template)
        return
    target = tmp_path / "gemba.db"
    shutil.copy(database_template, target)
    yield f"sqlite:///{target}"
    close_test_apps()


# Apps made during the current test, whose connections its database_uri closes at the end.
_MADE: list[Flask] = []


def make_test_app(database_uri: str, tmp_path, **extra) -> Flask:
    """An app on the test database with its instance data in tmp_path."""
    os.environ["GEMBA_INSTANCE_PATH"] = str(tmp_path / "instance")
    app = create_app(_config(database_uri, GEMBA_PHOTO_DIR=str(tmp_path / "photos"), **extra))
    _MADE.append(app)
    return app


def close_test_apps() -> None:
    """Close the connections of every app the test made. One left to the garbage
    collector warns (an error here) in whichever test happens to run then, which under
    xdist is any test at all."""
    while _MADE:
        with _MADE.pop().app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(database_uri, tmp_path) -> Iterator[Flask]:
    app = make_test_app(database_uri, tmp_path)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def csrf_app(database_uri, tmp_path) -> Iterator[Flask]:
    """The app with CSRF protection on, as in production."""
    app = make_test_app(database_uri, tmp_path, WTF_CSRF_ENABLED=True)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app) -> Iterator[None]:
    """An app context for tests that call domain code and the write path directly."""
    with app.app_context():
        yield


@functools.cache
def password_hash() -> str:
    """PASSWORD hashed as the app hashes it, once per process: every user a test makes
    shares it, instead of spending a seventh of a second in scrypt each."""
    user = User(email="hash@example.com")
    user.set_password(PASSWORD)
    return user.password_hash


def add_user(flask_app: Flask, role: str, email: str) -> User:
    """A stored user with the shared password hash (detached-safe id and email)."""
    with flask_app.app_context():
        user = User(email=email, role=Role(role).value)
        user.password_hash = password_hash()
        db.session.add(user)
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
    return user


@pytest.fixture
def make_user(app):
    """Factory: a user with a role, stored and returned (detached-safe id and email)."""
    counter = {"n": 0}

    def make(role: str = "observer", email: str | None = None) -> User:
        counter["n"] += 1
        return add_user(app, role, email or f"{role}{counter['n']}@example.com")

    return make


def login(client: FlaskClient, user: User) -> FlaskClient:
    """Log a test client in as the user without going through the form."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


@pytest.fixture
def login_as(app, make_user):
    """Factory: a fresh client logged in as a new user of the role."""

    def make(role: str = "observer", user: User | None = None) -> tuple[FlaskClient, User]:
        user = user or make_user(role)
        return login(app.test_client(), user), user

    return make


def uid() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def write(app):
    """Call the write path as a user: write(user, *records) -> WriteResult."""

    def call(user: User, *batch: dict):
        with app.app_context():
            actor = db.session.get(User, user.id)
            result = records.write(actor, list(batch))
            return result

    return call


@pytest.fixture
def make_site(app):
    def make(name: str = "Plant 2") -> str:
        with app.app_context():
            site = Site(name=name)
            db.session.add(site)
            db.session.commit()
            return str(site.id)

    return make


@pytest.fixture
def make_walk(app, make_site):
    """Factory: a walk owned by the user at a site (a new site unless given)."""

    def make(user: User, site_id: str | None = None, title: str = "Line 3 changeover") -> str:
        site_id = site_id or make_site()
        with app.app_context():
            walk = Walk(site_id=uuid.UUID(site_id), observer_id=user.id, title=title)
            db.session.add(walk)
            db.session.commit()
            return str(walk.id)

    return make
