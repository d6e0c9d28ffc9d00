"""No N+1: each review page sends the same number of SQL statements however many rows.

Each page is requested on the demo plant, then again after more of everything it shows
(gaps, facts, manual links, photos, actions, places, persona items) has been added;
the count of statements must not change, and stays under a small bound. (Every
list starts with at least one row: an empty list rightly skips its follow-up query.)
"""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import select

from gemba.extensions import db
from gemba.models import Action, Gap, PersonaNote, Photo, User, utcnow
from tests.conftest import uid
from tests.review.conftest import count_queries, topic_id

BOUND = 20


def _grow(app, demo, write, n: int, start: int = 0) -> None:
    """n more gaps at the gate, each with facts, a manual link, a photo and an action."""
    with app.app_context():
        admin = db.session.get(User, demo.admin.id)
        db.session.expunge(admin)
    walk = demo.walks["entry"]
    records = []
    statements = []
    for i in range(start, start + n):
        place, statement = uid(), uid()
        statements.append(statement)
        topic = f"Grown topic {i}"
        records += [
            {"type": "place", "id": place, "walk": walk, "name": f"Dock {i}"},
            {
                "type": "statement",
                "id": statement,
                "walk": walk,
                "place": place,
                "persona": demo.personas["fork"],
                "topic": topic,
                "text": f"We always do step {i}",
                "claim": {"frequency": "always"},
            },
        ]
        facts = [uid() for _ in range(3)]
        for j, fact in enumerate(facts):
            records.append(
                {
                    "type": "fact",
                    "id": fact,
                    "walk": walk,
                    "place": place,
                    "persona": demo.personas["fork"],
                    "topic": topic if j else "Badge scan at entry",
                    "text": f"Skipped step {i}",
                    "performed": False,
                    "sentiment": "pain" if j % 2 else "delight",
                }
            )
        records.append(
            {"type": "contradiction", "id": uid(), "fact": facts[0], "statement": statement}
        )
    result = write(admin, *records)
    assert all(r.status == "created" for r in result.results), result.results
    with app.app_context():
        gaps = db.session.scalars(select(Gap)).all()
        site = gaps[0].site_id
        for k, gap in enumerate(gaps):
            # Triaged by someone, so a lazily loaded triaged_by would show up as N+1.
            gap.triaged_by_id, gap.triaged_at = admin.id, utcnow()
            gap.triage_reason = f"Seen {k}"
            photo_target = {"statement_id": gap.statement_id}
            db.session.add(
                Photo(
                    id=uuid.uuid4(),
                    walk_id=gap.walk_id,
                    sha256="0" * 64,
                    size_bytes=1,
                    source_format="jpeg",
                    display_key=f"{k:064d}",
                    display_width=8,
                    display_height=6,
                    thumb_key=f"{k:064d}",
                    thumb_width=4,
                    thumb_height=3,
                    **photo_target,
                )
            )
            db.session.add(
                Action(
                    site_id=site,
                    title=f"Action {k}",
                    owner_id=admin.id,
                    created_by_id=admin.id,
                    due_date=date(2020, 1, 1 + k % 28),
                    gaps=[gap],
                )
            )
        db.session.add_all(
            PersonaNote(persona_id=uuid.UUID(demo.personas["fork"]), text=f"note {k}")
            for k in range(n)
        )
        db.session.commit()


PAGES = [
    "/review/",
    "/review/?status=all&persona={fork}&date_from=2000-01-01&sort=said",
    "/review/gaps.csv?status=all",
    "/review/gaps/{badge_gap}",
    "/review/topics/{badge_topic}",
    "/review/topics",
    "/review/actions",
    "/review/actions.csv",
    "/review/personas",
    "/review/personas/{fork}",
    "/review/walks",
    "/review/walks/{entry}/experience",
    "/review/sites/{site}/experience",
    "/review/walks/{entry}/report",
    "/review/history",
]


@pytest.mark.parametrize("page", PAGES)
def test_queries_per_page_do_not_grow_with_rows(app, demo, admin_client, write, page):
    url = page.format(
        fork=demo.personas["fork"],
        badge_gap=demo.gap("badge"),
        badge_topic=topic_id(demo, "Badge scan at entry"),
        entry=demo.walks["entry"],
        site=demo.site,
    )
    app.config["GEMBA_PAGE_CACHE"] = False  # count the queries that build the page
    _grow(app, demo, write, 1)  # one of everything, so no list starts empty
    admin_client.get(url)  # first request: caches warm
    with count_queries(app) as before:
        assert admin_client.get(url).status_code == 200
    _grow(app, demo, write, 12, start=1)
    with count_queries(app) as after:
        response = admin_client.get(url)
        assert response.status_code == 200
    assert len(after) == len(before), "\n".join(after)
    assert len(after) <= BOUND
    assert len(response.get_data()) > 0


def test_the_grown_pages_show_the_grown_rows(app, demo, admin_client, write):
    _grow(app, demo, write, 12)
    inbox = admin_client.get("/review/?status=all").get_data(as_text=True)
    assert inbox.count("data-row>") == 17
    board = admin_client.get("/review/actions").get_data(as_text=True)
    assert board.count("⚠ Overdue") == 17
