"""Cached walk pages and inbox pages: served again only while nothing was written since,
never with another user's token or rights, and never failing a page for the cache."""

from __future__ import annotations

import re
import uuid

import pytest
import redis
from flask_login import login_user
from sqlalchemy import select, text, update

from gemba.capture import records
from gemba.extensions import db
from gemba.models import Fact, Gap, User
from gemba.platform import revision
from tests.conftest import login, make_test_app, missing_tool, redis_url, uid
from tests.web.test_walk_pages import counting_queries

STATEMENT = "We always scan our badges."


@pytest.fixture
def other_app(database_uri, tmp_path):
    """Factory: another app on the test database (another worker, other settings)."""
    made = []

    def make(**config):
        made.append(make_test_app(database_uri, tmp_path, **config))
        return made[-1]

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _said_always(write, user, walk: str) -> str:
    statement = uid()
    write(
        user,
        {
            "type": "statement",
            "id": statement,
            "walk": walk,
            "text": STATEMENT,
            "speaker": "Shift lead",
            "topic": "Badge scan",
            "claim": {"frequency": "always"},
        },
    )
    return statement


def _seen(write, user, walk: str, performed: bool, n: int = 1) -> None:
    write(
        user,
        *(
            {
                "type": "fact",
                "id": uid(),
                "walk": walk,
                "text": "Walked in",
                "topic": "Badge scan",
                "performed": performed,
            }
            for _ in range(n)
        ),
    )


def _explanation(page: str) -> str:
    """The first gap's explanation in the walk's gaps panel (the "To check here" panel
    above it explains its items too)."""
    page = page[max(page.find('class="gaps-panel"'), 0) :]
    found = re.search(r'<span class="explain">([^<]+)</span>', page)
    return found[1] if found else ""


def _token_time_left_out(page: str) -> str:
    """The page with its CSRF token's time and signature cut off: the token is signed as
    the page is served (never cached), so two reads a second apart differ there alone."""
    return re.sub(r'(name="csrf_token" value="[^".]*)\.[^"]*"', r'\1"', page)


def test_a_second_read_is_served_from_the_cache_with_fewer_queries(app, login_as, make_walk, write):
    client, user = login_as("observer")
    walk = make_walk(user)
    _said_always(write, user, walk)
    _seen(write, user, walk, performed=False, n=3)

    with counting_queries(app) as first:
        page_one = client.get(f"/walks/{walk}").get_data(as_text=True)
    with counting_queries(app) as second:
        page_two = client.get(f"/walks/{walk}").get_data(as_text=True)

    assert len(second) < len(first)
    # Only the session's user (with the data revision): not the walk, not its records.
    assert not any("FROM facts" in statement for statement in second)
    assert not any("FROM walks" in statement for statement in second)
    assert _token_time_left_out(page_two) == _token_time_left_out(page_one)
    assert "observed 0 of 3" in _explanation(page_two)


def test_a_fact_logged_on_another_walk_updates_this_walks_cached_page(
    app, login_as, make_walk, make_site, write
):
    site = make_site()
    client, observer = login_as("observer")
    _, colleague = login_as("observer")
    mine = make_walk(observer, site)
    theirs = make_walk(colleague, site, title="Night shift")
    _said_always(write, observer, mine)
    _seen(write, observer, mine, performed=False, n=3)
    before = client.get(f"/walks/{mine}").get_data(as_text=True)
    assert "observed 0 of 3" in _explanation(before)

    _seen(write, colleague, theirs, performed=False)  # same site and topic, another walk

    after = client.get(f"/walks/{mine}").get_data(as_text=True)
    assert "observed 0 of 4" in _explanation(after)


def test_triage_shows_in_the_inbox_at_once(app, login_as, make_walk, write):
    analyst, _ = login_as("analyst")
    _, observer = login_as("observer")
    walk = make_walk(observer)
    statement = _said_always(write, observer, walk)
    _seen(write, observer, walk, performed=False, n=3)
    assert STATEMENT in analyst.get("/review/").get_data(as_text=True)
    with app.app_context():
        gap_id = db.session.scalar(select(Gap.id).where(Gap.statement_id == uuid.UUID(statement)))

    response = analyst.post(f"/review/gaps/{gap_id}/confirm", data={"confirm-note": "Seen it"})

    assert response.status_code == 302
    open_gaps = analyst.get("/review/").get_data(as_text=True)
    confirmed = analyst.get("/review/?status=confirmed").get_data(as_text=True)
    assert STATEMENT not in open_gaps
    assert STATEMENT in confirmed


def test_the_owner_and_a_reader_each_get_their_own_rights_and_tokens(
    other_app, make_user, make_walk, write
):
    app = other_app(WTF_CSRF_ENABLED=True)
    owner, reader = make_user("observer"), make_user("observer")
    walk = make_walk(owner)
    _seen(write, owner, walk, performed=True)
    owner_client, reader_client = login(app.test_client(), owner), login(app.test_client(), reader)

    owner_page = owner_client.get(f"/walks/{walk}").get_data(as_text=True)
    reader_page = reader_client.get(f"/walks/{walk}").get_data(as_text=True)
    again = owner_client.get(f"/walks/{walk}").get_data(as_text=True)

    assert f"/walks/{walk}/facts/" in owner_page  # edit and delete links on the cards
    assert f"/walks/{walk}/facts/" not in reader_page
    assert "Finish walk" not in reader_page
    tokens = re.findall(r'name="csrf_token" type="hidden" value="([^"]+)"', owner_page)
    assert tokens
    assert all(token not in reader_page for token in tokens)
    assert "Finish walk" in again


def test_the_token_changes_with_a_commit_only(app, make_user, make_walk, write):
    user = make_user("observer")
    walk = make_walk(user)
    with app.app_context():
        start = revision.current()
    _seen(write, user, walk, performed=True)
    with app.app_context():
        after_write = revision.current()
        db.session.execute(update(Fact).values(text="Renamed in bulk"))
        db.session.rollback()
        db.session.remove()
    with app.app_context():
        after_rollback = revision.current()
        db.session.execute(update(Fact).values(text="Renamed in bulk"))
        db.session.commit()
    with app.app_context():
        after_bulk = revision.current()
        db.session.scalars(select(Fact)).all()
        db.session.commit()
    with app.app_context():
        after_read = revision.current()
        db.session.execute(text("UPDATE facts SET text = 'Renamed by hand'"))
        db.session.commit()
    with app.app_context():
        after_textual = revision.current()

    assert after_write != start
    assert after_rollback == after_write
    assert after_bulk != after_rollback
    assert after_read == after_bulk
    assert after_textual != after_read  # textual SQL counts as a write


def test_a_page_read_inside_a_request_after_its_own_write_is_not_stale(app, make_user, make_walk):
    """One request reads the walk page (its tokens are kept for the request), writes a
    fact, then reads the page again: the commit drops the kept tokens, so the second read
    is keyed by the new ones and shows the fact, not the entry cached a moment before."""
    user = make_user("observer")
    walk = make_walk(user)
    show_walk = app.view_functions["capture.show_walk"]
    with app.test_request_context(f"/walks/{walk}"):
        actor = db.session.get(User, user.id)
        login_user(actor)
        before = show_walk(walk_id=uuid.UUID(walk))
        records.write(
            actor, [{"type": "fact", "id": uid(), "walk": walk, "text": "Forklift in the aisle"}]
        )
        after = show_walk(walk_id=uuid.UUID(walk))

    assert "Forklift in the aisle" not in before
    assert "Forklift in the aisle" in after


def _redis_up(url: str) -> bool:
    try:
        return redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


REDIS = redis_url()  # this xdist worker's own database: the test empties it


def test_workers_share_one_redis_cache(other_app, make_user, make_walk, write):
    if not _redis_up(REDIS):
        missing_tool("no Redis at 127.0.0.1:6379")
    redis.Redis.from_url(REDIS).flushdb()
    config = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": REDIS}
    one = other_app(**config)
    two = other_app(**config)  # a second worker process
    user = make_user("observer")
    walk = make_walk(user)
    _seen(write, user, walk, performed=False)
    first = login(one.test_client(), user).get(f"/walks/{walk}").get_data(as_text=True)

    with counting_queries(two) as queries:
        second = login(two.test_client(), user).get(f"/walks/{walk}").get_data(as_text=True)

    assert not any("FROM facts" in statement for statement in queries)
    assert "Walked in" in second
    assert second.count("record-fact") == first.count("record-fact") == 1
    redis.Redis.from_url(REDIS).flushdb()


def test_a_dead_cache_server_does_not_take_pages_down(other_app, make_user, make_walk, write):
    app = other_app(
        CACHE_TYPE="RedisCache",
        CACHE_REDIS_URL="redis://127.0.0.1:1/0",  # nothing listens there
        CACHE_OPTIONS={"socket_connect_timeout": 0.2},
    )
    user = make_user("analyst")
    walk = make_walk(user)
    _seen(write, user, walk, performed=False)
    client = login(app.test_client(), user)

    walk_page = client.get(f"/walks/{walk}")
    inbox = client.get("/review/")

    assert walk_page.status_code == 200
    assert "Walked in" in walk_page.get_data(as_text=True)
    assert inbox.status_code == 200


def test_the_cache_can_be_switched_off(app, login_as, make_walk, write):
    app.config["GEMBA_PAGE_CACHE"] = False
    client, user = login_as("observer")
    walk = make_walk(user)
    _seen(write, user, walk, performed=True)
    client.get(f"/walks/{walk}")
    with counting_queries(app) as queries:
        client.get(f"/walks/{walk}")
    assert any("FROM facts" in statement for statement in queries)


def test_a_batch_replaces_the_token_once_not_per_record(app, make_user, make_walk, write):
    user = make_user("observer")
    walk = make_walk(user)
    with counting_queries(app) as statements:
        _seen(write, user, walk, performed=False, n=5)  # five records, five savepoints
    assert sum("data_revision" in statement for statement in statements) == 1


def test_an_unknown_walk_is_not_found_every_time(login_as):
    client, _ = login_as("observer")
    missing = uid()
    assert client.get(f"/walks/{missing}").status_code == 404
    assert client.get(f"/walks/{missing}").status_code == 404
