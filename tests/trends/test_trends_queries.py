"""The query layer: histories built from the write path and the audit trail give exact
counts, a finished period's rows do not move when history is added later, and the page
sends as many statements for ten more gaps, walks and topics as for none."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from gemba.domain.trend_periods import WEEK, local_midnight, site_zone
from gemba.domain.trends import site_trends
from gemba.extensions import db
from gemba.gaps.verification import VERB
from gemba.models import (
    Action,
    AuditEvent,
    Fact,
    Gap,
    Plan,
    Site,
    Statement,
    Topic,
    User,
    Walk,
    gap_id_for,
    topic_key,
    utcnow,
)
from gemba.trends import queries, watch
from tests.conftest import uid
from tests.review.conftest import count_queries


def _event(
    object_type: str, object_id, verb: str, at: datetime, *, on=None, **detail
) -> AuditEvent:
    """An audit row as the app writes it: with its site (`on`, or the detail's)."""
    site = on or detail.get("site")
    return AuditEvent(
        at=at,
        object_type=object_type,
        object_id=str(object_id),
        site_id=uuid.UUID(str(site)) if site else None,
        verb=verb,
        detail=detail,
    )


def _contradiction(site: str, topic: str, n: int = 0) -> list[dict]:
    """A walk where someone said "always" and the observer saw it not done."""
    walk, statement = uid(), uid()
    return [
        {"type": "walk", "id": walk, "site": site, "title": f"Round {n}"},
        {
            "type": "statement",
            "id": statement,
            "walk": walk,
            "topic": topic,
            "text": f"We always do it {n}",
            "claim": {"frequency": "always"},
        },
        {
            "type": "fact",
            "id": uid(),
            "walk": walk,
            "topic": topic,
            "text": "Not done",
            "performed": False,
        },
    ]


@pytest.fixture
def hand_built(app, make_user, make_site, write):
    """Four UTC weeks A, B, C (holding now) and D of one site, as of D's end."""
    site, other = make_site("Plant 5"), make_site("Plant 6")
    user = make_user("analyst")
    batch = _contradiction(site, "Gloves at the press")
    assert all(r.status == "created" for r in write(user, *batch).results)
    now = utcnow()
    week_c = datetime.combine(now.date() - timedelta(days=now.weekday()), datetime.min.time(), UTC)
    a, b = week_c - timedelta(days=14), week_c - timedelta(days=7)
    removed, reflagged, elsewhere = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    live = gap_id_for(uuid.UUID(batch[1]["id"]))
    with app.app_context():
        assert db.session.get(Gap, live) is not None
        action = Action(site_id=uuid.UUID(site), title="Gloves at the door")
        action.gaps = [db.session.get(Gap, live)]
        db.session.add(action)
        db.session.flush()
        here = {"site": site, "topic": None}
        db.session.add_all(
            [
                # Removed from the gaps table: its events are all that is left.
                _event("gap", removed, "flagged", a + timedelta(days=1, hours=8), **here),
                _event(
                    "gap",
                    removed,
                    "triaged",
                    a + timedelta(days=1, hours=18),
                    on=site,
                    **{"from": "open", "to": "confirmed"},
                ),
                _event("gap", removed, "closed", b + timedelta(days=2), by="evidence", **here),
                # Closed in A, then contradicted again in B: closed at A's end only.
                _event("gap", reflagged, "flagged", a + timedelta(days=2), **here),
                _event("gap", reflagged, "closed", a + timedelta(days=3), by="evidence", **here),
                _event("gap", reflagged, "flagged", b + timedelta(days=1), **here),
                # Another site's gap.
                _event("gap", elsewhere, "flagged", a + timedelta(days=1), site=other, topic=None),
                # The live gap: actioned half a minute after it was flagged, verified after.
                _event(
                    "gap",
                    live,
                    "triaged",
                    now + timedelta(seconds=30),
                    on=site,
                    **{"from": "open", "to": "actioned"},
                ),
                _event("action", action.id, VERB, now + timedelta(seconds=60), on=site),
            ]
        )
        db.session.commit()
    return {"site": uuid.UUID(site), "as_of": week_c + timedelta(days=14)}


def _rows(app, site_id: uuid.UUID, unit: str, count: int, as_of: datetime) -> list[dict]:
    with app.app_context():
        sites = queries.load_sites(site_id)
        found = queries.trends_for(sites, unit, count, as_of)
        db.session.remove()
    return [trend.to_row() for trend in found[site_id]]


COLUMNS = (
    "gaps_flagged",
    "gaps_confirmed",
    "gaps_actioned",
    "gaps_verified",
    "gaps_closed_by_evidence",
    "gaps_open_at_end",
    "gaps_untriaged_at_end",
    "median_hours_to_triage",
    "gaps_first_triaged",
    "median_days_to_verified",
    "topics_observed",
    "topics_stale",
    "walks_due",
)
EXPECTED = [  # weeks A, B, C, D: one tuple of COLUMNS each
    (2, 1, 0, 0, 1, 1, 0, 10.0, 1, None, 0, 0, 0),
    (0, 0, 0, 0, 1, 1, 1, None, 0, None, 0, 0, 0),
    (1, 0, 1, 1, 0, 1, 1, 0.0, 1, 0.0, 1, 0, 0),
    (0, 0, 0, 0, 0, 1, 1, None, 0, None, 1, 0, 0),
]


def test_a_hand_built_history_gives_exact_counts(app, hand_built):
    rows = _rows(app, hand_built["site"], WEEK, 4, hand_built["as_of"])
    assert [tuple(row[c] for c in COLUMNS) for row in rows] == EXPECTED
    assert all(row["complete"] for row in rows)


def test_a_finished_period_does_not_move_when_history_is_added(app, plant, write, make_user):
    """Last weeks computed as of this Monday, then again after new gaps, facts, triage
    and walks dated now: the same rows."""
    site = plant["site"]
    monday = datetime.now(UTC).date() - timedelta(days=datetime.now(UTC).weekday())
    as_of = local_midnight(monday, site_zone("Europe/Warsaw"))
    before = _rows(app, site, WEEK, 3, as_of)
    assert any(row["walks_due"] for row in before)
    user = make_user("analyst")
    with app.app_context():
        plan = db.session.scalars(select(Plan).where(Plan.site_id == site)).first()
        gap = db.session.scalars(select(Gap).where(Gap.site_id == site)).first()
        db.session.add(
            _event(
                "gap",
                gap.id,
                "triaged",
                utcnow(),
                on=site,
                **{"from": gap.status, "to": "dismissed"},
            )
        )
        db.session.add(
            _event(
                "gap", gap.id, "closed", utcnow(), by="evidence", site=str(site), topic=gap.topic_id
            )
        )
        db.session.commit()
        plan_id = str(plan.id)
    batch = _contradiction(str(site), "Brand-new topic")
    batch[0]["plan"] = plan_id
    assert all(r.status == "created" for r in write(user, *batch).results)
    assert _rows(app, site, WEEK, 3, as_of) == before
    now_rows = _rows(app, site, WEEK, 1, datetime.now(UTC) + timedelta(seconds=1))
    assert now_rows[-1]["gaps_flagged"] >= 1


def _grow(app, write, site: uuid.UUID, n: int, start: int) -> None:
    """n more gaps (with triage events and an action verified), walks on a plan and topics."""
    with app.app_context():
        user = db.session.scalars(select(User)).first()
        db.session.expunge(user)
        plan = str(db.session.scalars(select(Plan).where(Plan.site_id == site)).first().id)
    batch = []
    for i in range(start, start + n):
        records = _contradiction(str(site), f"Grown topic {i}", i)
        records[0]["plan"] = plan
        batch += records
    assert all(r.status == "created" for r in write(user, *batch).results)
    with app.app_context():
        gaps = db.session.scalars(select(Gap).where(Gap.site_id == site)).all()
        action = Action(site_id=site, title=f"Grown {start}", gaps=list(gaps))
        db.session.add(action)
        db.session.flush()
        for gap in gaps:
            db.session.add(
                _event(
                    "gap",
                    gap.id,
                    "triaged",
                    utcnow(),
                    on=site,
                    **{"from": "open", "to": "confirmed"},
                )
            )
        db.session.add(_event("action", action.id, VERB, utcnow(), on=site))
        db.session.commit()


def _raise_version(app, site) -> None:
    with app.app_context():
        watch.raise_versions([site])
        db.session.commit()


@pytest.mark.parametrize("kept", [True, False], ids=["finished periods kept", "counted"])
def test_the_page_sends_as_many_statements_however_much_history(app, plant, analyst, write, kept):
    """Counted afresh (a site's past changed) or from the kept periods, the page sends a
    fixed number of statements, whatever the history."""
    client, _ = analyst
    url = "/review/trends/?unit=week&periods=26"
    client.get(url)  # the first request warms caches (catalogs, tokens)
    counts = []
    for grown, start in ((1, 0), (10, 1)):
        _grow(app, write, plant["site"], grown, start)
        if kept:
            client.get(url)  # stores the finished periods
        else:
            _raise_version(app, plant["site"])
        with count_queries(app) as sent:
            assert client.get(url).status_code == 200
        counts.append(sent)
    assert len(counts[1]) == len(counts[0]), counts[1]
    assert len(counts[0]) <= 24, counts[0]


@pytest.mark.parametrize(("zone", "expected"), [("Europe/Warsaw", [0, 1]), ("UTC", [1, 0])])
def test_weeks_are_on_the_sites_clock(app, zone, expected):
    """Sunday 11 January 2026 at 23:30 UTC is already Monday in Warsaw: the next week."""
    with app.app_context():
        site = Site(name="Plant 7", time_zone=zone)
        db.session.add(site)
        db.session.flush()
        moment = datetime(2026, 1, 11, 23, 30, tzinfo=UTC)
        db.session.add(_event("gap", uuid.uuid4(), "flagged", moment, site=str(site.id)))
        db.session.commit()
        site_id = site.id
    as_of = datetime(2026, 1, 20, tzinfo=UTC)
    rows = _rows(app, site_id, WEEK, 3, as_of)
    assert [row["period"] for row in rows[:2]] == ["2026-W02", "2026-W03"]
    assert [row["gaps_flagged"] for row in rows[:2]] == expected


def test_a_topic_seen_only_on_a_shadow_walk_is_stale(app, make_user):
    """Facts of a calibration walk (one that shadows another) do not keep a topic observed:
    they repeat what the walk it shadows saw."""
    user = make_user("analyst")
    day = datetime(2026, 3, 10, 9, tzinfo=UTC)
    with app.app_context():
        site = Site(name="Plant 8")
        db.session.add(site)
        db.session.flush()
        walk = Walk(site_id=site.id, observer_id=user.id, title="Round", started_at=day)
        db.session.add(walk)
        db.session.flush()
        shadow = Walk(
            site_id=site.id,
            observer_id=user.id,
            title="Shadow",
            started_at=day,
            calibrates_id=walk.id,
        )
        seen, shadowed = (Topic(site_id=site.id, name=n, key=topic_key(n)) for n in ("A", "B"))
        db.session.add_all([shadow, seen, shadowed])
        db.session.flush()
        db.session.add_all(
            [
                Statement(walk_id=walk.id, topic_id=shadowed.id, text="We do", observed_at=day),
                Fact(walk_id=walk.id, topic_id=seen.id, text="Done", observed_at=day),
                Fact(walk_id=shadow.id, topic_id=shadowed.id, text="Done", observed_at=day),
            ]
        )
        db.session.commit()
        site_id = site.id
    rows = _rows(app, site_id, "month", 1, datetime(2026, 4, 1, tzinfo=UTC))
    assert (rows[0]["topics_observed"], rows[0]["topics_stale"]) == (1, 1)


@pytest.mark.parametrize("unit", ["week", "month"])
@pytest.mark.parametrize("as_of_day", [3, 17, 40])
def test_the_few_moments_read_per_topic_count_like_every_observation(
    app, make_user, unit, as_of_day
):
    """Topics observed long before the periods shown, exactly on a stale window's edge, a
    second before it, after the as-of moment, only on a shadow walk, or only spoken of:
    the page reads a topic's first and latest moments, and counts what all of them give."""
    from tests.trends.test_trends_page import every_sighting

    user = make_user("analyst")
    start = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday
    with app.app_context():
        site = Site(name="Plant 11", time_zone="UTC")
        db.session.add(site)
        db.session.flush()
        walk = Walk(site_id=site.id, observer_id=user.id, title="Round", started_at=start)
        db.session.add(walk)
        db.session.flush()
        shadow = Walk(
            site_id=site.id,
            observer_id=user.id,
            title="Shadow",
            started_at=start,
            calibrates_id=walk.id,
        )
        db.session.add(shadow)
        moments = {
            "long ago": [start - timedelta(weeks=30)],
            "edge": [start + timedelta(weeks=w) for w in (2, 6)],
            "just before edge": [start + timedelta(weeks=2) - timedelta(seconds=1)],
            "every few days": [start + timedelta(days=d) for d in range(0, 70, 5)],
            "later": [start + timedelta(days=80)],
        }
        for n, (name, when) in enumerate(moments.items()):
            topic = Topic(site_id=site.id, name=name, key=topic_key(name))
            db.session.add(topic)
            db.session.flush()
            for moment in when:
                db.session.add(
                    Fact(walk_id=walk.id, topic_id=topic.id, text="Seen", observed_at=moment)
                )
            if n % 2:
                db.session.add(
                    Statement(
                        walk_id=walk.id,
                        topic_id=topic.id,
                        text="We do",
                        observed_at=when[0] + timedelta(days=1),
                    )
                )
        quiet = Topic(site_id=site.id, name="Spoken of", key=topic_key("Spoken of"))
        shadowed = Topic(site_id=site.id, name="Shadowed", key=topic_key("Shadowed"))
        db.session.add_all([quiet, shadowed])
        db.session.flush()
        db.session.add_all(
            [
                Statement(walk_id=walk.id, topic_id=quiet.id, text="We do", observed_at=start),
                Fact(walk_id=shadow.id, topic_id=shadowed.id, text="Seen", observed_at=start),
            ]
        )
        db.session.commit()
        as_of = start + timedelta(days=as_of_day)
        sites = queries.load_sites(site.id)
        spans = {site.id: queries.spans_for("UTC", unit, 4, as_of)}
        few = queries.topic_sightings(sites, spans, as_of)
        every = every_sighting([site.id], as_of)
        trend = [t.to_row() for t in site_trends(site.id, spans[site.id], as_of, (), (), few)]
        expected = [t.to_row() for t in site_trends(site.id, spans[site.id], as_of, (), (), every)]
        db.session.remove()
    assert trend == expected
    assert any(row["topics_observed"] for row in trend) or as_of_day == 3
