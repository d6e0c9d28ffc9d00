"""The data revision sees every way of writing, and the page cache never serves pages
that another version of the code rendered."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from gemba.extensions import db
from gemba.models import Fact
from gemba.platform import page_cache, revision
from tests.conftest import login, make_test_app, uid
from tests.web.test_walk_pages import counting_queries


def _through_the_connection(text: str) -> None:
    db.session.connection().execute(update(Fact).values(text=text))


def _through_the_driver(text: str) -> None:
    conn = db.session.connection()
    sql = "UPDATE facts SET text = ?" if conn.dialect.paramstyle == "qmark" else None
    conn.exec_driver_sql(sql or "UPDATE facts SET text = %s", (text,))


WAYS = pytest.mark.parametrize(
    "way", [_through_the_connection, _through_the_driver], ids=["connection", "driver-sql"]
)


def _seen(write, user, walk: str, text: str = "Walked in") -> None:
    write(user, {"type": "fact", "id": uid(), "walk": walk, "text": text, "performed": True})


def _tokens(app) -> tuple[str, str, str]:
    with app.app_context():
        return revision.current(), revision.current(["facts"]), revision.current(["users"])


@WAYS
def test_a_write_through_the_sessions_connection_replaces_the_tokens(
    app, make_user, make_walk, write, way
):
    user = make_user("observer")
    walk = make_walk(user)
    _seen(write, user, walk)
    any_before, facts_before, users_before = _tokens(app)

    with app.app_context():
        way("Renamed")
        db.session.commit()

    any_after, facts_after, users_after = _tokens(app)
    assert any_after != any_before
    assert facts_after != facts_before
    if way is _through_the_connection:
        assert users_after == users_before  # a table it did not write keeps its token


@WAYS
def test_a_cached_walk_page_shows_a_write_made_through_the_connection(
    app, login_as, make_walk, write, way
):
    client, user = login_as("observer")
    walk = make_walk(user)
    _seen(write, user, walk)
    first = client.get(f"/walks/{walk}")
    assert first.status_code == 200
    assert "Walked in" in first.get_data(as_text=True)

    with app.app_context():
        way("Walked out")
        db.session.commit()

    again = client.get(f"/walks/{walk}")  # no redirect followed: this page, as served
    assert again.status_code == 200
    page = again.get_data(as_text=True)
    assert "Walked out" in page
    assert "Walked in" not in page


@pytest.fixture
def apps(database_uri, tmp_path):
    """Factory: apps on the test database sharing one cache store, as workers share a
    Redis (a folder here: it outlives each app and every app sees every entry)."""
    made = []

    def make():
        config = {"CACHE_TYPE": "FileSystemCache", "CACHE_DIR": str(tmp_path / "cache")}
        made.append(make_test_app(database_uri, tmp_path, **config))
        return made[-1]

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_deploy_does_not_serve_pages_the_previous_code_rendered(
    apps, make_user, make_walk, write, monkeypatch
):
    old = apps()
    same_release = apps()  # another worker of the same code
    user = make_user("observer")
    walk = make_walk(user)
    _seen(write, user, walk)
    login(old.test_client(), user).get(f"/walks/{walk}")

    with counting_queries(same_release) as shared:
        login(same_release.test_client(), user).get(f"/walks/{walk}")
    monkeypatch.setattr(page_cache, "code_version", lambda: "the next release")
    new = apps()
    with counting_queries(new) as rebuilt:
        page = login(new.test_client(), user).get(f"/walks/{walk}").get_data(as_text=True)

    assert not any("FROM facts" in statement for statement in shared)  # the store is shared
    assert any("FROM facts" in statement for statement in rebuilt)  # but not across versions
    assert "Walked in" in page


def test_the_code_version_changes_with_any_source_or_template(tmp_path, monkeypatch):
    package = tmp_path / "gemba"
    (package / "templates" / "capture").mkdir(parents=True)
    (package / "__pycache__").mkdir()
    (package / "views.py").write_text("WALK = 1\n")
    (package / "templates" / "capture" / "walk.html").write_text("<p>{{ walk }}</p>")
    monkeypatch.setattr(page_cache, "_PACKAGE", package)

    def version() -> str:
        return page_cache.code_version.__wrapped__()

    first = version()
    (package / "__pycache__" / "views.cpython-312.pyc").write_bytes(b"\0compiled")
    unchanged = version()
    (package / "templates" / "capture" / "walk.html").write_text("<p>{{ walk.title }}</p>")
    template_changed = version()
    (package / "views.py").write_text("WALK = 2\n")
    code_changed = version()

    assert re.fullmatch(r"\S+\+[0-9a-f]{16}", first)
    assert unchanged == first
    assert len({first, template_changed, code_changed}) == 3
    assert page_cache.code_version() == page_cache.code_version()  # once per process
