"""A long walk's timeline comes a page at a time, newest first, in a fixed number of queries;
links to a record open its page; the gaps panel names the strongest gaps."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from gemba.capture.timeline import PANEL_GAPS, PER_PAGE
from gemba.extensions import db
from tests.conftest import uid

START = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


@pytest.fixture
def long_walk(login_as, make_walk, write):
    """An observer's walk with `n` facts, a minute apart; returns (client, walk, fact ids)."""

    def make(n: int):
        client, user = login_as("observer")
        walk = make_walk(user)
        facts = [uid() for _ in range(n)]
        write(
            user,
            *(
                {
                    "type": "fact",
                    "id": fact,
                    "walk": walk,
                    "text": f"Fact number {i}",
                    "observed_at": (START + timedelta(minutes=i)).isoformat(),
                }
                for i, fact in enumerate(facts)
            ),
        )
        return client, walk, facts

    return make


def shown(page: str) -> list[str]:
    """The texts of the facts on a timeline page, in page order."""
    return re.findall(r'<p class="record-main">(Fact number \d+)</p>', page)


@contextmanager
def counting_queries(app):
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_long_walk_shows_its_newest_records_a_page_at_a_time(long_walk):
    n = 2 * PER_PAGE + 5
    client, walk, _ = long_walk(n)

    first = client.get(f"/walks/{walk}").get_data(as_text=True)
    last = client.get(f"/walks/{walk}?page=3").get_data(as_text=True)

    assert shown(first) == [f"Fact number {i}" for i in range(n - 1, n - 1 - PER_PAGE, -1)]
    assert f"{n} facts" in first
    assert "Page 1 of 3" in first
    assert f'href="/walks/{walk}?page=2">Older' in first
    assert "Newer" not in first
    assert shown(last) == [f"Fact number {i}" for i in range(4, -1, -1)]
    assert f'href="/walks/{walk}?page=2">Newer' in last
    assert "Older" not in last


def test_a_short_walk_has_no_pager(long_walk):
    client, walk, _ = long_walk(3)

    page = client.get(f"/walks/{walk}").get_data(as_text=True)

    assert len(shown(page)) == 3
    assert "data-timeline-pages" not in page


@pytest.mark.parametrize("asked", ["0", "-4", "99", "two"])
def test_a_page_number_out_of_range_shows_the_nearest_page(long_walk, asked):
    client, walk, _ = long_walk(PER_PAGE + 1)

    response = client.get(f"/walks/{walk}?page={asked}")

    assert response.status_code == 200
    assert shown(response.get_data(as_text=True))


def test_a_link_to_a_record_opens_the_page_that_holds_it(long_walk):
    client, walk, facts = long_walk(2 * PER_PAGE + 5)

    page = client.get(f"/walks/{walk}?record={facts[3]}").get_data(as_text=True)

    assert f'id="r-{facts[3]}"' in page
    assert "Page 3 of 3" in page


@pytest.mark.parametrize("record", [uid(), "not-a-uuid"], ids=["no-such-record", "not-a-uuid"])
def test_a_link_to_a_record_of_no_such_walk_opens_the_first_page(long_walk, record):
    client, walk, _ = long_walk(PER_PAGE + 1)

    page = client.get(f"/walks/{walk}?record={record}").get_data(as_text=True)

    assert "Page 1 of 2" in page


def test_the_walk_page_runs_as_many_queries_for_a_long_walk_as_for_a_short_one(app, long_walk):
    app.config["GEMBA_PAGE_CACHE"] = False  # count the queries that build the page
    short_client, short_walk, _ = long_walk(2)
    long_client, far_walk, _ = long_walk(3 * PER_PAGE)
    short_client.get(f"/walks/{short_walk}")  # compile and cache the queries first

    with counting_queries(app) as short_queries:
        short_client.get(f"/walks/{short_walk}")
    with counting_queries(app) as long_queries:
        long_client.get(f"/walks/{far_walk}")

    assert len(long_queries) == len(short_queries)


def test_the_gaps_panel_names_the_strongest_gaps_and_says_there_are_more(
    login_as, make_walk, write
):
    client, user = login_as("observer")
    walk = make_walk(user)
    batch = []
    for n in range(PANEL_GAPS + 2):
        topic = f"Rule {n}"
        batch.append(
            {
                "type": "statement",
                "id": uid(),
                "walk": walk,
                "topic": topic,
                "text": f"We always follow rule {n}",
                "claim": {"frequency": "always"},
            }
        )
        # More misses make a stronger gap: rule 11 is the strongest.
        batch += [
            {"type": "fact", "id": uid(), "walk": walk, "topic": topic, "text": "Missed",
             "performed": False}
            for _ in range(1 + n)
        ]  # fmt: skip
    write(user, *batch)

    page = client.get(f"/walks/{walk}").get_data(as_text=True)

    panel = page.split('id="gaps-title"')[1].split("</section>")[0]
    named = re.findall(r"We always follow rule (\d+)", panel)
    assert len(named) == PANEL_GAPS
    assert named[0] == str(PANEL_GAPS + 1)
    assert f"{PANEL_GAPS}+" in panel
    assert "more contradictions touch this walk" in panel


def test_a_walk_shows_the_gaps_its_facts_are_evidence_of_and_marks_those_facts(
    login_as, make_walk, make_site, write
):
    """A statement made on one walk is contradicted by facts seen there and by a fact of
    another walk linked to it by hand (on another topic): that other walk's panel names
    the gap and its timeline marks the linked fact, and only it."""
    site = make_site()
    client, user = login_as("observer")
    said_on, seen_on = make_walk(user, site), make_walk(user, site)
    said, missed, linked, unrelated = uid(), uid(), uid(), uid()
    write(
        user,
        {"type": "statement", "id": said, "walk": said_on, "topic": "Badge scan",
         "text": "We always scan our badges", "claim": {"frequency": "always"}},
        {"type": "fact", "id": missed, "walk": said_on, "topic": "Badge scan",
         "text": "Walked in without a scan", "performed": False},
        {"type": "fact", "id": linked, "walk": seen_on, "topic": "Side door",
         "text": "Side door propped open"},
        {"type": "fact", "id": unrelated, "walk": seen_on, "topic": "Gloves",
         "text": "Gloves on", "performed": True},
    )  # fmt: skip
    write(user, {"type": "contradiction", "id": uid(), "fact": linked, "statement": said})

    page = client.get(f"/walks/{seen_on}").get_data(as_text=True)

    panel = page.split('id="gaps-title"')[1].split("</section>")[0]
    assert "We always scan our badges" in panel
    marked = re.findall(r'class="record record-fact is-contradicting" id="r-([^"]+)"', page)
    assert marked == [linked]
