"""How a request's transaction ends: reads with COMMIT (so PostgreSQL keeps the
connection's prepared statements), anything written but not committed with ROLLBACK."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import OperationalError

from gemba.extensions import db
from gemba.models import Site
from tests.conftest import PG_URL


@pytest.fixture
def ends(app):
    """How each transaction of the app's engine ended, in order."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine
    event.listen(engine, "commit", lambda conn: seen.append("commit"))
    event.listen(engine, "rollback", lambda conn: seen.append("rollback"))
    return seen


def _routes(app) -> None:
    @app.get("/test/flush-only")
    def flush_only():
        db.session.add(Site(name="Never committed"))
        db.session.flush()
        return "flushed"

    @app.get("/test/flush-then-fail")
    def flush_then_fail():
        db.session.add(Site(name="Half saved"))
        db.session.flush()
        raise RuntimeError("the request fails after its flush")


def _sites(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Site.name)))


def test_a_page_read_ends_its_transaction_with_commit(app, login_as, make_walk, ends):
    client, user = login_as("observer")
    walk = make_walk(user)
    ends.clear()
    assert client.get(f"/walks/{walk}").status_code == 200
    assert ends
    assert ends[-1] == "commit"
    assert "rollback" not in ends


def test_a_request_that_flushed_without_committing_saves_nothing(app, login_as, ends):
    _routes(app)
    client, _ = login_as("admin")
    assert client.get("/test/flush-only").status_code == 200
    assert "rollback" in ends
    assert "Never committed" not in _sites(app)


def test_a_request_that_fails_after_a_flush_saves_nothing(app, login_as):
    _routes(app)
    client, _ = login_as("admin")
    assert client.get("/test/flush-then-fail").status_code == 500
    assert "Half saved" not in _sites(app)


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: prepared statements")
def test_postgresql_keeps_a_pages_statements_prepared_across_requests(app, login_as, make_walk):
    client, user = login_as("observer")
    walk = make_walk(user)
    app.config["GEMBA_PAGE_CACHE"] = False  # every request runs the page's queries
    for _ in range(8):  # psycopg prepares a statement on its sixth run
        assert client.get(f"/walks/{walk}").status_code == 200
    with app.app_context():
        prepared = db.session.scalar(text("SELECT count(*) FROM pg_prepared_statements"))
    assert prepared >= 5


def test_a_read_whose_connection_fails_at_the_end_still_answers(app, login_as, make_walk):
    """The COMMIT that ends a read-only request fails (the database went away): the page
    the reader already has is answered, not turned into an error."""
    client, user = login_as("observer")
    walk = make_walk(user)
    with app.app_context():
        engine = db.engine

    def refuse(conn):
        raise OperationalError("COMMIT", {}, Exception("server closed the connection"))

    event.listen(engine, "commit", refuse)
    try:
        response = client.get(f"/walks/{walk}")
    finally:
        event.remove(engine, "commit", refuse)
    assert response.status_code == 200
    assert "Line 3 changeover" in response.get_data(as_text=True)
