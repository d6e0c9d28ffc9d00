"""Numbers a person can mean: a measurement beyond a trillion is refused at the door (sync and
forms alike), and any number that is let in, or got in before, keeps every page and verdict up."""

from __future__ import annotations

import json
import math
import re
import time
import uuid

import pytest
from sqlalchemy import select, update

from gemba.extensions import db
from gemba.models import Fact, Topic, gap_id_for
from tests.api.conftest import Api
from tests.conftest import login, uid
from tests.deadline import deadline

MESSAGE = "Enter a number between -1,000,000,000,000 and 1,000,000,000,000."
TOLERANCE = "Enter a tolerance between 0 and 10 (0–1000 %)."
QUICK = 3.0  # seconds a page may take here; the pure functions are held to 100 ms in unit tests
HANG = 15.0  # a first fetch still running after this has hung


def _walk() -> tuple[str, list[dict]]:
    site, walk = uid(), uid()
    return walk, [
        {"type": "site", "id": site, "name": "Plant 2"},
        {"type": "walk", "id": walk, "site": site, "title": "Line 3 changeover"},
    ]


def _fact(walk: str, topic: str, value: float, unit: str | None = None) -> dict:
    return {"type": "fact", "id": uid(), "walk": walk, "topic": topic, "text": "Timed it",
            "value": value, "unit": unit}  # fmt: skip


def _claim(walk: str, topic: str, **claim) -> dict:
    return {"type": "statement", "id": uid(), "walk": walk, "topic": topic,
            "text": "What was said", "claim": claim}  # fmt: skip


def _results(response) -> dict[str, dict]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return {r["id"]: r for r in response.get_json()["results"]}


def _topic_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Topic.id).where(Topic.name == name))


def _page(client, path: str) -> str:
    """GET a page that must answer quickly; a hang fails the test instead of stalling it.

    A page over the limit is fetched once more and that run counts, so that a pause of a
    shared machine (two test workers on two cores) is not blamed on it; a page that really
    hangs hangs both times. The first fetch is cut off only at HANG: a fetch cut off in the
    middle can leave an interrupted callback behind, which pytest reports as an error.
    """
    for cut_off in (HANG, QUICK):
        started = time.perf_counter()
        with deadline(cut_off):
            response = client.get(path)
        elapsed = time.perf_counter() - started
        if elapsed < QUICK:
            break
    assert response.status_code == 200, path
    assert elapsed < QUICK
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("value", "unit"),
    [(1e308, "h"), (2e12, "s"), (-1.000001e12, None), (1e300, "unknown unit")],
)
def test_sync_refuses_a_measurement_beyond_a_trillion(api: Api, value, unit):
    walk, records = _walk()
    fact = _fact(walk, "Changeover time", value, unit)
    results = _results(api.sync(*records, fact))
    assert results[fact["id"]]["status"] == "rejected"
    assert results[fact["id"]]["errors"] == [{"field": "value", "message": MESSAGE}]
    assert results[walk]["status"] == "created"  # the rest of the batch is kept


@pytest.mark.parametrize(
    ("claim", "field", "message"),
    [
        ({"value": 1e13, "unit": "min"}, "claim.value", MESSAGE),
        ({"value": -1e308, "unit": "h", "comparator": "<="}, "claim.value", MESSAGE),
        ({"value": 10, "unit": "min", "tolerance": 11}, "claim.tolerance", TOLERANCE),
        ({"value": 10, "unit": "min", "tolerance": -0.5}, "claim.tolerance", TOLERANCE),
    ],
)
def test_sync_refuses_a_claim_beyond_the_bounds(api: Api, claim, field, message):
    walk, records = _walk()
    statement = _claim(walk, "Changeover time", **claim)
    results = _results(api.sync(*records, statement))
    assert results[statement["id"]]["errors"] == [{"field": field, "message": message}]


@pytest.mark.parametrize(
    ("number", "field", "message"),
    [
        ("1e400", "value", MESSAGE),  # a JSON number beyond a double reads as infinity
        ("-1e400", "value", MESSAGE),
    ],
)
def test_sync_refuses_numbers_beyond_a_double_with_the_same_words(api: Api, number, field, message):
    walk, records = _walk()
    fact = _fact(walk, "Changeover time", 0.0)
    body = json.dumps({"format": "gemba/v1", "records": [*records, fact]})
    body = body.replace('"value": 0.0', f'"value": {number}')
    response = api.post("/sync", data=body, content_type="application/json")
    assert _results(response)[fact["id"]]["errors"] == [{"field": field, "message": message}]


def test_one_hostile_fact_no_longer_sinks_the_batch_or_the_topic(app, api: Api):
    walk, records = _walk()
    typical = _claim(walk, "Changeover time", value=10, unit="min")
    hostile = [_fact(walk, "Changeover time", 1e308, "h") for _ in range(2)]
    good = _fact(walk, "Changeover time", 12, "min")
    place = {"type": "place", "id": uid(), "walk": walk, "name": "Press 2"}
    results = _results(api.sync(*records, *hostile, typical, good, place))
    assert [results[f["id"]]["status"] for f in hostile] == ["rejected", "rejected"]
    assert {results[r["id"]]["status"] for r in (typical, good, place)} == {"created"}
    later = _claim(walk, "Changeover time", value=600, unit="s")
    assert _results(api.sync(later))[later["id"]]["status"] == "created"


def test_forms_refuse_numbers_beyond_the_bounds_by_their_field(app, api: Api):
    walk, records = _walk()
    _results(api.sync(*records))
    client = login(app.test_client(), api.user)
    for number in ("1e308", "nan", "inf", "-2e12"):
        page = client.post(
            f"/walks/{walk}/facts/new",
            data={"text": "Timed", "outcome": "measurement", "value": number, "unit": "h"},
        ).get_data(as_text=True)
        assert MESSAGE in page, number
        page = client.post(
            f"/walks/{walk}/statements/new",
            data={"text": "Ten", "claim": "measure", "claim_value": number, "claim_unit": "min",
                  "claim_tolerance": "20", "source": "interview"},
        ).get_data(as_text=True)  # fmt: skip
        assert MESSAGE in page, number
    for tolerance in ("1001", "nan", "-1"):
        page = client.post(
            f"/walks/{walk}/statements/new",
            data={"text": "Ten", "claim": "measure", "claim_value": "10", "claim_unit": "min",
                  "claim_tolerance": tolerance, "source": "interview"},
        ).get_data(as_text=True)  # fmt: skip
        assert "Enter a tolerance between 0 and 1000 %." in page, tolerance
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Fact)) == 0


def test_topic_with_readings_closer_than_float_spacing_renders_quickly(app, api: Api):
    walk, records = _walk()
    facts = [_fact(walk, "Offset", -1e10), _fact(walk, "Offset", -9999999999.999998)]
    _results(api.sync(*records, *facts))
    client = login(app.test_client(), api.user)
    _page(client, f"/review/topics/{_topic_id(app, 'Offset')}")


def test_gap_page_of_a_claim_at_float_resolution_renders_quickly(app, api: Api):
    walk, records = _walk()
    claim = _claim(walk, "Offset", value=-1e10, tolerance=0)
    facts = [_fact(walk, "Offset", -9999999999.999998) for _ in range(3)]
    body = api.sync(*records, claim, *facts).get_json()
    gap = str(gap_id_for(uuid.UUID(claim["id"])))
    assert [g["id"] for g in body["gaps"]] == [gap]  # identical readings off a zero band
    client = login(app.test_client(), api.user)
    _page(client, f"/review/gaps/{gap}")
    _page(client, f"/review/topics/{_topic_id(app, 'Offset')}")


@pytest.mark.parametrize(
    ("values", "claims"),
    [
        (
            [(1e12, "h"), (-1e12, "h"), (1e12, "s"), (-1e12, "min")],
            [{"value": 1e12, "unit": "h", "tolerance": 10},
             {"value": -1e12, "unit": "s", "comparator": "<="},
             {"value": 1e12, "unit": "h", "comparator": ">="}],
        ),
        (
            [(5e-324, "mm"), (1e-323, "mm"), (0.0, "m")],
            [{"value": 5e-324, "unit": "mm", "tolerance": 0},
             {"value": 0.0, "unit": "m", "comparator": ">="}],
        ),
        (
            [(7.0, "kg")] * 3,
            [{"value": 7.0, "unit": "kg", "tolerance": 0}, {"value": 7, "unit": "kg"}],
        ),
    ],
)  # fmt: skip
def test_extreme_but_valid_numbers_render_every_page_quickly(app, api: Api, values, claims):
    walk, records = _walk()
    facts = [_fact(walk, "Extremes", value, unit) for value, unit in values]
    statements = [_claim(walk, "Extremes", **claim) for claim in claims]
    response = api.sync(*records, *facts, *statements)
    assert {r["status"] for r in _results(response).values()} == {"created"}
    client = login(app.test_client(), api.user)
    html = _page(client, f"/review/topics/{_topic_id(app, 'Extremes')}")
    assert not re.search(r'="-?(nan|inf)', html)  # no coordinate the browser cannot draw
    for gap in response.get_json()["gaps"]:
        assert not re.search(r'="-?(nan|inf)', _page(client, f"/review/gaps/{gap['id']}"))


# SQLite stores NaN as NULL (the row becomes a note); PostgreSQL keeps it.
@pytest.mark.parametrize("stored", [1e308, -1e308, math.inf, math.nan])
def test_an_old_row_of_1e308_hours_breaks_nothing(app, api: Api, runner, stored):
    walk, records = _walk()
    old, fine = _fact(walk, "Changeover time", 2, "h"), _fact(walk, "Changeover time", 30, "min")
    _results(api.sync(*records, old, fine))
    with app.app_context():  # stored before the bounds existed: no validation in the way
        db.session.execute(update(Fact).where(Fact.id == uuid.UUID(old["id"])).values(value=stored))
        db.session.commit()
    typical = _claim(walk, "Changeover time", value=10, unit="min")
    bound = _claim(walk, "Changeover time", value=15, unit="min", comparator="<=")
    in_seconds = _claim(walk, "Changeover time", value=900, unit="s", tolerance=0.5)
    place = {"type": "place", "id": uid(), "walk": walk, "name": "Press 2"}
    body = api.sync(typical, bound, in_seconds, place).get_json()
    assert {r["status"] for r in body["results"]} == {"created"}
    explanations = {g["statement"]: g["explanation"] for g in body["gaps"]}
    assert explanations[bound["id"]] == "Said ≤ 15 min; 1 of 1 observations above (max 30 min)"
    assert "inf" not in " ".join(explanations.values())
    client = login(app.test_client(), api.user)
    html = _page(client, f"/review/topics/{_topic_id(app, 'Changeover time')}")
    assert "max inf" not in html
    _page(client, f"/review/gaps/{gap_id_for(uuid.UUID(bound['id']))}")
    assert runner.invoke(args=["gaps", "recompute"]).exit_code == 0
