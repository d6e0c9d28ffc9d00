"""The one write path: idempotence, ordering, partial batches, ownership, topics."""

from __future__ import annotations

import re

import pytest

from gemba.extensions import db
from gemba.models import Fact, Gap, Statement, Topic
from tests.conftest import uid
from tests.web.test_walk_pages import counting_queries


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_same_record_twice_is_unchanged_not_duplicated(app, make_user, make_walk, write):
    user = make_user()
    walk = make_walk(user)
    fact = {"type": "fact", "id": uid(), "walk": walk, "text": "Scanned badge", "performed": True}
    assert write(user, fact).results[0].status == "created"
    assert write(user, fact).results[0].status == "unchanged"
    assert _count(app, Fact) == 1


def test_children_may_come_before_parents_in_a_batch(app, make_user, make_site, write):
    user = make_user("analyst")
    site, walk, place = uid(), uid(), uid()
    batch = [
        {"type": "fact", "id": uid(), "walk": walk, "place": place, "text": "Waited 4 min"},
        {"type": "place", "id": place, "walk": walk, "name": "Press 2"},
        {"type": "walk", "id": walk, "site": site, "title": "Night shift"},
        {"type": "site", "id": site, "name": "Plant 9"},
    ]
    statuses = [r.status for r in write(user, *batch).results]
    assert statuses == ["created"] * 4


def test_one_bad_record_is_rejected_and_the_rest_kept(app, make_user, make_walk, write):
    user = make_user()
    walk = make_walk(user)
    good = {"type": "place", "id": uid(), "walk": walk, "name": "Dock 1"}
    bad = {"type": "place", "id": uid(), "walk": walk, "name": "x" * 201}
    result = write(user, good, bad)
    assert [r.status for r in result.results] == ["created", "rejected"]
    assert result.results[1].errors[0].field == "name"


def test_child_of_a_rejected_record_is_rejected_with_the_reason(app, make_user, make_walk, write):
    user = make_user()
    walk = make_walk(user)
    place = uid()
    result = write(
        user,
        {"type": "place", "id": place, "walk": walk, "name": ""},
        {"type": "thing", "id": uid(), "walk": walk, "place": place, "name": "Wrench"},
    )
    assert result.results[1].status == "rejected"
    assert "rejected" in result.results[1].errors[0].message


def test_another_observers_walk_cannot_be_written(app, make_user, make_walk, write):
    owner, intruder = make_user(), make_user()
    walk = make_walk(owner)
    result = write(intruder, {"type": "place", "id": uid(), "walk": walk, "name": "Gate"})
    assert result.results[0].status == "rejected"
    assert result.results[0].http_status == 403


def test_another_observers_record_cannot_be_updated(app, make_user, make_walk, write):
    owner, intruder = make_user(), make_user()
    walk_a, walk_b = make_walk(owner), make_walk(intruder)
    place = {"type": "place", "id": uid(), "walk": walk_a, "name": "Gate"}
    write(owner, place)
    moved = write(intruder, {**place, "walk": walk_b, "name": "Hijacked"}).results[0]
    assert moved.status == "rejected"
    again = write(intruder, {**place, "name": "Hijacked"}).results[0]
    assert again.status == "rejected"
    assert again.http_status == 403


def test_admin_may_edit_any_walk(app, make_user, make_walk, write):
    owner, admin = make_user(), make_user("admin")
    walk = make_walk(owner)
    assert (
        write(admin, {"type": "place", "id": uid(), "walk": walk, "name": "Gate"}).results[0].status
        == "created"
    )


def test_observer_cannot_create_sites(app, make_user, write):
    user = make_user()
    result = write(user, {"type": "site", "id": uid(), "name": "Secret plant"})
    assert result.results[0].status == "rejected"
    assert result.results[0].http_status == 403


def test_topics_match_ignoring_case_and_spaces(app, make_user, make_walk, write):
    user = make_user()
    walk = make_walk(user)
    write(
        user,
        {"type": "fact", "id": uid(), "walk": walk, "topic": "Badge scan", "text": "a"},
        {"type": "fact", "id": uid(), "walk": walk, "topic": "  BADGE   scan ", "text": "b"},
    )
    assert _count(app, Topic) == 1


def test_fact_contradicting_always_creates_a_gap_at_once(app, make_user, make_walk, write):
    user = make_user()
    walk = make_walk(user)
    write(
        user,
        {
            "type": "statement",
            "id": uid(),
            "walk": walk,
            "topic": "Badge scan",
            "text": "We always scan our badges.",
            "claim": {"frequency": "always"},
        },
    )
    result = write(
        user,
        {
            "type": "fact",
            "id": uid(),
            "walk": walk,
            "topic": "badge scan",
            "text": "No scan",
            "performed": False,
        },
    )
    assert len(result.gaps) == 1
    assert result.gaps[0].explanation.startswith('Said "always"; observed 0 of 1')


def test_deleting_the_evidence_clears_an_untriaged_gap(app, make_user, make_walk, write):
    from gemba.capture import records
    from gemba.models import User

    user = make_user()
    walk = make_walk(user)
    fact_id = uid()
    write(
        user,
        {
            "type": "statement",
            "id": uid(),
            "walk": walk,
            "topic": "T",
            "text": "Never late",
            "claim": {"frequency": "never"},
        },
        {
            "type": "fact",
            "id": fact_id,
            "walk": walk,
            "topic": "T",
            "text": "Late",
            "performed": True,
        },
    )
    assert _count(app, Gap) == 1
    with app.app_context():
        import uuid

        records.delete(db.session.get(User, user.id), "fact", uuid.UUID(fact_id))
    assert _count(app, Gap) == 0


def test_evidence_from_another_site_never_counts(app, make_user, make_walk, write):
    user = make_user()
    walk_a, walk_b = make_walk(user), make_walk(user)  # two different sites
    write(
        user,
        {
            "type": "statement",
            "id": uid(),
            "walk": walk_a,
            "topic": "Badge",
            "text": "Always",
            "claim": {"frequency": "always"},
        },
        {
            "type": "fact",
            "id": uid(),
            "walk": walk_b,
            "topic": "Badge",
            "text": "No scan",
            "performed": False,
        },
    )
    assert _count(app, Gap) == 0


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"type": "fact", "text": "x", "performed": "yes"}, "performed"),
        ({"type": "fact", "text": "x", "performed": True, "value": 3}, "value"),
        ({"type": "fact", "text": "x", "sentiment": "angry"}, "sentiment"),
        ({"type": "fact", "text": ""}, "text"),
        ({"type": "fact", "text": "x", "observed_at": "yesterday"}, "observed_at"),
        ({"type": "fact", "text": "x", "observed_at": "2026-11-20T08:00:00"}, "observed_at"),
        ({"type": "statement", "text": "x", "claim": {"frequency": "often"}}, "claim.frequency"),
        ({"type": "statement", "text": "x", "claim": {"value": "ten"}}, "claim.value"),
        ({"type": "place", "name": "P", "lat": 91, "lon": 0}, "lat"),
        ({"type": "place", "name": "P", "lat": 51.5}, "lon"),
        ({"type": "thing", "name": "T", "kind": "spaceship"}, "kind"),
        ({"type": "fact", "text": "x", "things": ["not-a-uuid"]}, "things.0"),
    ],
)
def test_invalid_records_name_the_field(app, make_user, make_walk, write, record, field):
    user = make_user()
    walk = make_walk(user)
    result = write(user, {"id": uid(), "walk": walk, **record}).results[0]
    assert result.status == "rejected"
    assert field in [e.field for e in result.errors]
    assert _count(app, Fact) == 0
    assert _count(app, Statement) == 0


@pytest.mark.parametrize("size", [3, 12])
def test_a_batch_looks_up_its_records_and_topics_together(app, make_user, make_walk, write, size):
    """A sync batch of new facts: one lookup of the records, one of the topics, however
    many records it holds; sending it again finds them all and changes nothing."""
    user = make_user("observer")
    walk = make_walk(user)
    batch = [
        {"type": "fact", "id": uid(), "walk": walk, "text": "Seen", "topic": f"Topic {n}"}
        for n in range(size)
    ]
    with counting_queries(app) as first:
        write(user, *batch)
    with counting_queries(app) as again:
        result = write(user, *batch)

    record_lookups = [s for s in first if "FROM facts" in s and "facts.id IN" in s]
    single_lookups = [s for s in first if "FROM facts" in s and "facts.id = " in s]
    # Topics looked up by name (PostgreSQL also locks the touched topics, by id).
    topic_lookups = [s for s in first if re.search(r'WHERE.*topics\."?key"?', s, re.S)]
    assert len(record_lookups) == 1
    assert single_lookups == []
    assert len(topic_lookups) == 1
    assert {r.status for r in result.results} == {"unchanged"}
    assert not any(s.startswith("INSERT INTO facts") for s in again)


def test_a_clean_batch_writes_its_records_in_one_statement_without_savepoints(
    app, make_user, make_walk, write
):
    """Ten new facts, all accepted: one INSERT for all of them and no savepoint per record
    (what a phone's sync batch costs the database)."""
    user = make_user("observer")
    walk = make_walk(user)
    batch = [
        {"type": "fact", "id": uid(), "walk": walk, "text": f"Seen {n}", "performed": n % 2 == 0}
        for n in range(10)
    ]
    with counting_queries(app) as statements:
        result = write(user, *batch)

    assert [r.status for r in result.results] == ["created"] * 10
    assert len([s for s in statements if s.startswith("INSERT INTO facts")]) == 1
    assert not any("SAVEPOINT" in s for s in statements)
    assert _count(app, Fact) == 10


def test_a_record_refused_late_leaves_nothing_and_the_rest_of_the_batch_is_kept(
    app, make_user, make_walk, write
):
    """The fact names a new topic and a thing that is not on the walk: it is refused after
    its topic was made and the fact added, so the batch is written again with a savepoint
    per record; the good records stay, the refused one leaves no fact and no topic."""
    user = make_user("observer")
    walk = make_walk(user)
    before = {"type": "fact", "id": uid(), "walk": walk, "text": "Gloves on", "topic": "Gloves"}
    refused = {
        "type": "fact",
        "id": uid(),
        "walk": walk,
        "text": "Used the jig",
        "topic": "A topic nobody named before",
        "things": [uid()],
    }
    after = {"type": "statement", "id": uid(), "walk": walk, "text": "We always use the jig"}
    result = write(user, before, refused, after)

    assert [r.status for r in result.results] == ["created", "rejected", "created"]
    assert result.results[1].errors[0].field == "things.0"
    assert result.results[1].http_status == 404
    assert _count(app, Fact) == 1
    assert _count(app, Statement) == 1
    with app.app_context():
        names = db.session.scalars(db.select(Topic.name)).all()
    assert names == ["Gloves"]
