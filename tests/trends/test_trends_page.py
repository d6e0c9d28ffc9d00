"""The trends page and its CSV on the demo plant: the numbers are the domain's measures of
the same histories, analysts only, and an odd filter value falls back to its default."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from gemba.domain.trend_coverage import DEFAULT_STALE_WEEKS, TopicSeen
from gemba.domain.trends import site_trends
from gemba.extensions import db
from gemba.models import Fact, Statement, Topic, Walk
from gemba.trends import gap_history, measures, queries, views
from tests.conftest import login


@pytest.fixture
def frozen(monkeypatch, plant):
    """The page counts as of one known moment, after the demo plant was written."""
    moment = datetime.now(UTC)
    monkeypatch.setattr(views, "utcnow", lambda: moment)
    return moment


def every_sighting(site_ids, as_of: datetime) -> list[TopicSeen]:
    """Each topic with every moment it was observed (no shadow walks) and its first
    statement: the plain history the page's few moments per topic must count the same as."""
    seen: dict[int, list] = defaultdict(list)
    sites: dict[int, object] = {}
    for topic_id, site_id, moment in db.session.execute(
        select(Fact.topic_id, Topic.site_id, Fact.observed_at)
        .join(Topic, Topic.id == Fact.topic_id)
        .join(Walk, Walk.id == Fact.walk_id)
        .where(Topic.site_id.in_(site_ids), Walk.calibrates_id.is_(None), Fact.observed_at <= as_of)
    ):
        seen[topic_id].append(moment)
        sites[topic_id] = site_id
    since = {}
    for topic_id, site_id, first in db.session.execute(
        select(Statement.topic_id, Topic.site_id, func.min(Statement.observed_at))
        .join(Topic, Topic.id == Statement.topic_id)
        .where(Topic.site_id.in_(site_ids), Statement.observed_at <= as_of)
        .group_by(Statement.topic_id, Topic.site_id)
    ):
        since[topic_id], sites[topic_id] = first, site_id
    return [TopicSeen(sites[t], t, seen[t], since.get(t)) for t in sorted(sites)]


def expected_trends(app, unit: str, count: int, as_of: datetime):
    """The domain's measures of the histories the query layer reads, site by site."""
    with app.app_context():
        sites = queries.load_sites()
        ids = [site.id for site in sites]
        spans = {s.id: queries.spans_for(s.zone, unit, count, as_of) for s in sites}
        gaps = gap_history.gap_histories(ids, as_of)
        walks = queries.walk_dues(sites, spans, as_of)
        topics = every_sighting(ids, as_of)
        found = {
            s.id: site_trends(s.id, spans[s.id], as_of, gaps, walks, topics, DEFAULT_STALE_WEEKS)
            for s in sites
        }
        db.session.remove()
    return found


def table_rows(html: str) -> list[tuple[str, list[str]]]:
    """(period label, cells) of every row of the sites' tables."""
    found = []
    for body in re.findall(r'<table class="data trend-table">.*?</table>', html, re.S):
        for row in re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>")[1], re.S):
            label = re.search(r'<th scope="row">([^< ]+)', row)[1]
            found.append((label, re.findall(r'<td class="num"[^>]*>([^<]*)</td>', row)))
    return found


@pytest.mark.parametrize(("unit", "count"), [("week", 12), ("month", 6)])
def test_the_page_shows_the_domain_measures_of_the_demo_plant(
    app, plant, analyst, frozen, unit, count
):
    client, _ = analyst
    response = client.get(f"/review/trends/?unit={unit}&periods={count}")
    assert response.status_code == 200
    expected = expected_trends(app, unit, count, frozen)[plant["site"]]
    assert len(expected) == count
    assert sum(t.gaps_flagged for t in expected) > 0  # the demo's gaps are counted
    assert sum(t.walks_due for t in expected) > 0  # and its planned walks
    assert sum(t.topics_observed for t in expected) > 0
    shown = table_rows(response.get_data(as_text=True))
    wanted = [
        (t.period.label, [views.cell(t.to_row()[key]) for key in measures.KEYS]) for t in expected
    ]
    assert shown == wanted


def test_the_csv_has_a_row_per_site_and_period_with_the_same_numbers(
    app, plant, analyst, make_site, frozen
):
    other = make_site("Plant 9")
    client, _ = analyst
    response = client.get("/review/trends.csv?unit=month&periods=3")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == list(measures.CSV_COLUMNS)
    assert rows[0][:8] == [
        "site_name",
        "site",
        "period",
        "start",
        "end",
        "as_of",
        "complete",
        "gaps_flagged",
    ]
    body = rows[1:]
    assert len(body) == 2 * 3
    expected = expected_trends(app, "month", 3, frozen)
    demo_rows = [r for r in body if r[1] == str(plant["site"])]
    assert [r[2] for r in demo_rows] == [t.period.label for t in expected[plant["site"]]]
    flagged = rows[0].index("gaps_flagged")
    assert [int(r[flagged]) for r in demo_rows] == [t.gaps_flagged for t in expected[plant["site"]]]
    assert {r[0] for r in body} == {"Plant 2 — Stamping", "Plant 9"}
    assert {r[1] for r in body} == {str(plant["site"]), other}


def test_the_csv_headers_speak_the_readers_language(app, plant, analyst):
    client, _ = analyst
    response = client.get("/review/trends.csv", headers={"Accept-Language": "de"})
    header = next(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert header != list(measures.CSV_COLUMNS)
    assert len(header) == len(measures.CSV_COLUMNS)


def test_one_site_is_shown_alone_and_several_side_by_side(app, plant, analyst, make_site):
    make_site("Plant 9")
    client, _ = analyst
    both = client.get("/review/trends/").get_data(as_text=True)
    assert both.count('class="data trend-table"') == 2
    assert "Sites side by side" in both
    assert both.count("<svg") >= 4
    one = client.get(f"/review/trends/?site={plant['site']}").get_data(as_text=True)
    assert one.count('class="data trend-table"') == 1
    assert "Plant 9</h2>" not in one
    assert "Sites side by side" not in one


def test_the_charts_say_what_they_show_without_colour(app, plant, analyst):
    client, _ = analyst
    html = client.get("/review/trends/?unit=week&periods=4").get_data(as_text=True)
    for chart in re.findall(r"<svg.*?</svg>", html, re.S):
        assert "<title" in chart
        assert "<desc" in chart
        assert 'role="img"' in chart
    assert "-hatch)" in html  # closed gaps and late walks are hatched
    assert "-dots)" in html or "missed" in html
    assert "Gaps flagged and closed per period" in html
    assert "Planned walks per period" in html
    assert 'id="definitions"' in html
    for _key, words, definition in measures.MEASURES:
        assert str(definition) in html.replace("&#39;", "'"), words


def test_observers_may_not_see_trends(app, plant, observer):
    client, _ = observer
    assert client.get("/review/trends/").status_code == 403
    assert client.get("/review/trends.csv").status_code == 403
    assert "/review/trends" not in client.get("/review/").get_data(as_text=True)


def test_analysts_and_admins_find_trends_in_the_nav(app, plant, analyst):
    client, _ = analyst
    assert 'href="/review/trends/"' in client.get("/review/").get_data(as_text=True)
    admin = login(app.test_client(), plant["admin"])
    assert admin.get("/review/trends/").status_code == 200


def test_anonymous_readers_are_sent_to_log_in(app, plant):
    response = app.test_client().get("/review/trends/")
    assert response.status_code == 302
    assert "/login" in response.location


@pytest.mark.parametrize(
    ("query", "message", "unit", "count"),
    [
        ("site=nonsense", "No such site", "week", 12),
        ("site=00000000-0000-0000-0000-000000000000", "No such site", "week", 12),
        ("unit=year", "Choose weeks or months", "week", 12),
        ("unit=month&periods=0", "Choose from 1 to 26 periods", "month", 6),
        ("periods=27", "Choose from 1 to 26 periods", "week", 12),
        ("periods=%D9%A3", "Choose from 1 to 26 periods", "week", 12),
        ("periods=99999999999999999999999", "Choose from 1 to 26 periods", "week", 12),
        ("periods=-1&unit=%00", "Choose weeks or months", "week", 12),
        ("unit=month&periods=26", None, "month", 26),
    ],
)
def test_odd_arguments_show_the_defaults_and_say_so(
    app, plant, analyst, query, message, unit, count
):
    client, _ = analyst
    response = client.get(f"/review/trends/?{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    if message:
        assert message in html
        assert 'aria-invalid="true"' in html
    else:
        assert 'class="error"' not in html
    assert len(table_rows(html)) == count
    assert f'<option value="{unit}" selected>' in html
    assert client.get(f"/review/trends.csv?{query}").status_code == 200
