"""The inbox is cached under the tokens of the tables it reads: kept while only other
tables change (a photo upload), rebuilt as soon as one of its tables does."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from sqlalchemy import select, text, update

from gemba.accounts import services as accounts
from gemba.extensions import db
from gemba.models import Base, Fact, Gap
from gemba.platform import revision
from gemba.review import views
from gemba.review.views import FILTER_READS, INBOX_READS
from tests.conftest import uid
from tests.photos.conftest import photo_bytes
from tests.review.conftest import count_queries

# Each filter reads a little more (statements for a persona or dates, topics by name).
FILTERED = [
    "/review/",
    "/review/?status=all&sort=said&date_from=2020-01-01&date_to=2030-01-01",
    "/review/?topic=glove&persona={persona}",
]


def _tables_read(statements: list[str]) -> set[str]:
    names = set(Base.metadata.tables)
    found = set()
    for statement in statements:
        for name in re.findall(r'\b(?:FROM|JOIN)\s+"?(\w+)"?', statement, re.IGNORECASE):
            if name in names:
                found.add(name)
    return found


@pytest.mark.parametrize("path", FILTERED)
def test_the_inbox_declares_every_table_it_reads(app, demo, analyst, path):
    """If the inbox came to read a table it does not name, a write to that table would
    leave it stale: this fails first."""
    client, _ = analyst
    with count_queries(app) as statements:
        assert client.get(path.format(persona=demo.personas["op"])).status_code == 200
    # The statement that loads the session's user with the tokens comes before the build.
    inside = [s for s in statements if "data_revision" not in s]
    assert _tables_read(inside) <= set(INBOX_READS), " ".join(sorted(_tables_read(inside)))


@pytest.mark.parametrize("path", FILTERED)
def test_the_filter_form_declares_every_table_it_reads(app, demo, path):
    """The filter form is cached apart, under FILTER_READS alone."""
    with app.test_request_context(path.format(persona=demo.personas["op"])):
        revision.current()  # the tokens come first, as in a request
        with count_queries(app) as statements:
            html = views._filter_form_html()
    assert "All walks" in html
    assert _tables_read(statements) <= set(FILTER_READS), " ".join(sorted(_tables_read(statements)))


def test_an_inbox_rebuilt_after_new_evidence_keeps_its_filter_form(app, demo, analyst):
    """New evidence changes gaps, not the sites, walks and personas the form offers: the
    inbox is built again, its filter options are not read again."""
    client, _ = analyst
    client.get("/review/")
    with app.app_context():
        db.session.execute(update(Gap).values(score=Gap.score * 0.9))
        db.session.commit()
    with count_queries(app) as statements:
        page = client.get("/review/").get_data(as_text=True)
    assert _gaps_read(statements)  # rebuilt
    assert not any("FROM walks ORDER BY" in s for s in statements)  # its options are not
    assert "All walks" in page
    assert 'name="walk"' in page


def _gaps_read(statements: list[str]) -> bool:
    return any(re.search(r"\bFROM gaps\b", s) for s in statements)


def _upload_photo(app, demo) -> str:
    """A photo on a fact of the changeover walk, by its observer's phone (API token)."""
    with app.app_context():
        fact = db.session.scalars(
            select(Fact).where(Fact.walk_id == uuid.UUID(demo.walks["changeover"]))
        ).first()
        token = accounts.create_token(fact.walk.observer)
        fact_id = str(fact.id)
    photo_id = uid()
    response = app.test_client().put(
        f"/api/v1/photos/{photo_id}",
        data={"record": fact_id, "file": (io.BytesIO(photo_bytes()), "photo.jpg")},
        headers={"Authorization": f"Bearer {token}"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    return photo_id


def test_a_photo_upload_keeps_the_inbox_and_rebuilds_the_walk_page(app, demo, analyst):
    client, _ = analyst
    walk_page = f"/walks/{demo.walks['changeover']}"
    inbox = client.get("/review/").get_data(as_text=True)
    client.get(walk_page)
    photo_id = _upload_photo(app, demo)

    with count_queries(app) as statements:
        again = client.get("/review/").get_data(as_text=True)
    assert not _gaps_read(statements)  # served from the cache
    assert _rows(again) == _rows(inbox)
    assert photo_id in client.get(walk_page).get_data(as_text=True)  # rebuilt: shows it


def test_a_changed_gap_rebuilds_the_inbox_at_once(app, demo, analyst):
    client, _ = analyst
    client.get("/review/")
    with app.app_context():
        gap = db.session.get(Gap, uuid.UUID(demo.gap("ten")))
        gap.explanation = "Seen on eight of nine changeovers: the claim does not hold."
        gap.stats = {k: v for k, v in gap.stats.items() if k != "phrase"}  # shown as written
        db.session.commit()

    with count_queries(app) as statements:
        page = client.get("/review/").get_data(as_text=True)
    assert _gaps_read(statements)
    assert "Seen on eight of nine changeovers" in page


def test_a_textual_write_counts_as_a_write_to_every_table(app, demo, analyst):
    client, _ = analyst
    client.get("/review/")
    with app.app_context():
        db.session.execute(text("UPDATE topics SET name = name"))
        db.session.commit()
    with count_queries(app) as statements:
        client.get("/review/")
    assert _gaps_read(statements)


def test_tokens_follow_the_rows_the_database_removes_or_clears_in_turn(app, demo):
    """Deleting walks removes their records and gaps by ON DELETE CASCADE, which no
    statement names: those tables' tokens change too, and only those."""
    assert {"walks", "statements", "facts", "gaps", "photos"} <= revision._DEPENDENTS["sites"]
    with app.app_context():
        before = revision.current(["gaps"]), revision.current(["personas"])
        db.session.execute(db.delete(Base.metadata.tables["walks"]))
        db.session.commit()
    with app.app_context():
        after = revision.current(["gaps"]), revision.current(["personas"])
    assert after[0] != before[0]  # gaps went with their walks
    assert after[1] == before[1]  # personas belong to the site, not to walks


def _rows(html: str) -> list[str]:
    return re.findall(r'<span class="claim">“([^”]+)”', html)
