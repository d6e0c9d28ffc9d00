"""POST /api/v1/sync: a result per record, idempotent, order-free, partial, owned."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from gemba.extensions import db
from gemba.models import Fact, Place, Walk
from tests.api.conftest import assert_conforms
from tests.conftest import uid


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def _walk(site: str | None = None) -> tuple[str, list[dict]]:
    """A new site and walk as records; returns the walk id and the records."""
    site = site or uid()
    walk = uid()
    return walk, [
        {"type": "site", "id": site, "name": "Plant 2"},
        {"type": "walk", "id": walk, "site": site, "title": "Line 3 changeover"},
    ]


def test_a_batch_gets_a_result_per_record_in_order(api):
    walk, records = _walk()
    place = {"type": "place", "id": uid(), "walk": walk, "name": "Press 2"}
    response = api.sync(*records, place)
    assert response.status_code == 200
    assert_conforms(response, "/sync", "post")
    body = response.get_json()
    assert body["format"] == "gemba/v1"
    assert [(r["id"], r["status"]) for r in body["results"]] == [
        (records[0]["id"], "created"),
        (walk, "created"),
        (place["id"], "created"),
    ]


def test_sending_a_batch_again_changes_nothing(app, api):
    walk, records = _walk()
    fact = {"type": "fact", "id": uid(), "walk": walk, "text": "Scanned", "performed": True}
    api.sync(*records, fact)
    again = api.sync(*records, fact).get_json()
    assert {r["status"] for r in again["results"]} == {"unchanged"}
    assert _count(app, Fact) == 1


def test_the_same_record_twice_in_one_batch_is_written_once(app, api):
    walk, records = _walk()
    place = {"type": "place", "id": uid(), "walk": walk, "name": "Dock"}
    body = api.sync(*records, place, {**place, "name": "Dock 2"}).get_json()
    assert [r["status"] for r in body["results"]][2:] == ["unchanged", "created"]
    assert _count(app, Place) == 1


def test_children_may_come_before_their_parents(api):
    walk, records = _walk()
    place = uid()
    batch = [
        {"type": "thing", "id": uid(), "walk": walk, "place": place, "name": "Wrench"},
        {"type": "place", "id": place, "walk": walk, "name": "Press 2"},
        *reversed(records),
    ]
    statuses = [r["status"] for r in api.sync(*batch).get_json()["results"]]
    assert statuses == ["created"] * 4


def test_an_update_is_reported_as_updated(api):
    walk, records = _walk()
    place = {"type": "place", "id": uid(), "walk": walk, "name": "Press 2"}
    api.sync(*records, place)
    body = api.sync({**place, "name": "Press 3"}).get_json()
    assert body["results"][0]["status"] == "updated"


def test_a_bad_record_is_rejected_with_its_field_and_the_rest_kept(app, api):
    walk, records = _walk()
    bad = {"type": "fact", "id": uid(), "walk": walk, "text": "", "performed": True}
    response = api.sync(*records, bad, "not a record", {"type": "robot", "id": uid()})
    assert response.status_code == 200
    assert_conforms(response, "/sync", "post")
    results = response.get_json()["results"]
    assert [r["status"] for r in results] == [
        "created",
        "created",
        "rejected",
        "rejected",
        "rejected",
    ]
    assert results[2]["errors"] == [{"field": "text", "message": "This field cannot be empty."}]
    assert results[2]["reason"]
    assert results[2]["http_status"] == 422
    assert results[3]["id"] is None
    assert results[3]["type"] is None
    assert _count(app, Walk) == 1


def test_another_observers_walk_is_refused_per_record(app, api_as, make_walk):
    owner, intruder = api_as("observer"), api_as("observer")
    walk = make_walk(owner.user)
    result = intruder.sync({"type": "place", "id": uid(), "walk": walk, "name": "Gate"})
    item = result.get_json()["results"][0]
    assert (item["status"], item["http_status"]) == ("rejected", 403)
    assert _count(app, Place) == 0


def test_a_contradiction_reports_the_gap_at_once_and_removing_it_clears_it(api):
    walk, records = _walk()
    statement = {
        "type": "statement",
        "id": uid(),
        "walk": walk,
        "topic": "Badge scan at entry",
        "text": "We always scan our badges.",
        "claim": {"frequency": "always"},
    }
    fact = {
        "type": "fact",
        "id": uid(),
        "walk": walk,
        "topic": "badge  SCAN at entry",
        "text": "Walked in without scanning",
        "performed": False,
    }
    response = api.sync(*records, statement, fact)
    assert_conforms(response, "/sync", "post")
    (gap,) = response.get_json()["gaps"]
    assert gap["statement"] == statement["id"]
    assert gap["evidence"] == [fact["id"]]
    assert gap["topic"] == "Badge scan at entry"
    assert gap["status"] == "open"
    assert gap["contradicted"] is True
    assert gap["explanation"].startswith('Said "always"')

    fixed = api.sync({**fact, "performed": True}).get_json()
    assert fixed["cleared_gaps"] == [gap["id"]]
    assert fixed["gaps"] == []


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (b"", 400, None),
        (b"{not json", 400, None),
        (b'{"format": "gemba/v1", "records": [NaN]}', 400, None),
        (b"\xff\xfe\x00garbage", 400, None),
        (b"[" * 100_000 + b"]" * 100_000, 400, None),
        (b"[]", 422, "document"),
        (b'"gemba/v1"', 422, "document"),
        (b'{"records": []}', 422, "format"),
        (b'{"format": "gemba/v2", "records": []}', 422, "format"),
        (b'{"format": "gemba/v1", "records": {}}', 422, "records"),
        (b'{"format": "gemba/v1"}', 422, "records"),
    ],
)
def test_a_bad_envelope_is_a_problem_with_the_field(api, body, status, field):
    response = api.post("/sync", data=body, content_type="application/json")
    assert response.status_code == status
    assert_conforms(response, "/sync", "post")
    problem = response.get_json()
    assert problem["status"] == status
    if field:
        assert field in [e["field"] for e in problem["errors"]]


def test_too_many_records_is_413_and_nothing_is_written(app, api):
    walk, records = _walk()
    many = [{"type": "place", "id": uid(), "walk": walk, "name": "P"} for _ in range(5001)]
    response = api.sync(*records, *many)
    assert response.status_code == 413
    assert_conforms(response, "/sync", "post")
    assert response.get_json()["errors"][0]["field"] == "records"
    assert _count(app, Walk) == 0


def test_a_body_over_the_upload_limit_is_413(app, api):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = api.post(
        "/sync", data=json.dumps({"x": "y" * 2000}), content_type="application/json"
    )
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"value": 10**400}, "value"),
        ({"text": "nul\x00byte"}, "text"),
        ({"text": "lone \ud800 surrogate"}, "text"),
        ({"text": "   "}, "text"),
        ({"observed_at": "0001-01-01T00:00:00+01:00"}, "observed_at"),
        ({"observed_at": "9999-12-31T23:59:59-01:00"}, "observed_at"),
        ({"observed_at": "2026-11-20T08:00:00"}, "observed_at"),
        ({"topic": "ß" * 150}, "topic"),
    ],
)
def test_values_no_database_keeps_are_rejected_not_a_500(api, fields, field):
    walk, records = _walk()
    fact = {"type": "fact", "id": uid(), "walk": walk, "text": "Seen", **fields}
    body = json.dumps({"format": "gemba/v1", "records": [*records, fact]}, ensure_ascii=True)
    response = api.post("/sync", data=body, content_type="application/json")
    assert response.status_code == 200
    result = response.get_json()["results"][2]
    assert result["status"] == "rejected"
    assert result["errors"][0]["field"] == field


def test_a_nan_tolerance_inside_a_claim_is_rejected(api):
    walk, records = _walk()
    statement = {
        "type": "statement",
        "id": uid(),
        "walk": walk,
        "text": "Ten minutes",
        "claim": {"value": 10, "unit": "min", "tolerance": 10**400},
    }
    result = api.sync(*records, statement).get_json()["results"][2]
    assert result["status"] == "rejected"


def test_a_site_name_longer_than_its_column_is_rejected(api):
    result = api.sync({"type": "site", "id": uid(), "name": "x" * 121}).get_json()["results"][0]
    assert (result["status"], result["errors"][0]["field"]) == ("rejected", "name")


def test_records_with_the_same_new_topic_after_a_rejected_one_are_kept(api):
    walk, records = _walk()
    batch = [
        {"type": "fact", "id": uid(), "walk": walk, "topic": "New", "text": "a", "things": [uid()]},
        {"type": "fact", "id": uid(), "walk": walk, "topic": "New", "text": "b"},
    ]
    response = api.sync(*records, *batch)
    assert response.status_code == 200
    assert [r["status"] for r in response.get_json()["results"]][2:] == ["rejected", "created"]


@contextmanager
def _walk_inserts_conflict(app, times: int) -> Iterator[list[str]]:
    """The database driver refuses the first `times` INSERTs into walks with its own
    IntegrityError, as when a concurrent writer created the same walk first; yields every
    INSERT into walks tried. Below SQLAlchemy, so the write path's own retry loop runs."""
    with app.app_context():
        engine = db.engine
    tried: list[str] = []

    def conflict(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO WALKS"):
            tried.append(statement)
            if len(tried) <= times:
                raise conn.dialect.loaded_dbapi.IntegrityError("duplicate key: walks.id")

    event.listen(engine, "before_cursor_execute", conflict)
    try:
        yield tried
    finally:
        event.remove(engine, "before_cursor_execute", conflict)


def test_a_write_that_conflicts_once_is_tried_again_and_saved(app, api):
    walk, batch = _walk()
    with _walk_inserts_conflict(app, times=1) as tried:
        response = api.sync(*batch)
    assert response.status_code == 200
    assert [r["status"] for r in response.get_json()["results"]] == ["created", "created"]
    assert len(tried) == 2  # refused once, then written
    with app.app_context():
        assert db.session.get(Walk, uuid.UUID(walk)) is not None


def test_a_write_that_keeps_conflicting_is_a_409_to_retry(app, api):
    with _walk_inserts_conflict(app, times=100) as tried:
        response = api.sync(*_walk()[1])
    assert response.status_code == 409
    assert_conforms(response, "/sync", "post")
    assert len(tried) == 3  # three tries, then the client is told to send again
    assert _count(app, Walk) == 0
