"""The gap inbox: order, filters, counts per status, pages, and the CSV of the same gaps."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import datetime, timedelta

import pytest

from gemba.domain import clock
from gemba.extensions import db
from gemba.models import Gap
from gemba.ops import demo as demo_data
from tests.conftest import uid
from tests.review.conftest import topic_id


def _rows(html: str) -> list[str]:
    """The claims listed, in page order."""
    return re.findall(r'<span class="claim">“([^”]+)”', html)


def test_inbox_lists_open_gaps_strongest_first_with_claim_evidence_and_explanation(
    app, demo, analyst
):
    client, _ = analyst
    page = client.get("/review/").get_data(as_text=True)
    with app.app_context():
        stored = db.session.scalars(db.select(Gap).order_by(Gap.score.desc(), Gap.id)).all()
        expected = [g.statement.text for g in stored if g.status == "open"]
    assert _rows(page) == expected
    assert "A changeover takes ten minutes." in _rows(page)[0]
    assert "3 of 3 observations contradict" in page
    assert "e.g. “Timed the changeover, die to first good part”" in page
    assert "Said 10 min ±20%; observed mean 21.7 min over 3" in page
    assert "10 min ±20%</span>" in page  # the claim badge


def test_counts_per_status_follow_the_other_filters(app, demo, analyst, admin_client):
    client, _ = analyst
    admin_client.post(f"/review/gaps/{demo.gap('badge')}/dismiss", data={"dismiss-reason": "x"})
    admin_client.post(f"/review/gaps/{demo.gap('ten')}/confirm", data={})
    page = client.get("/review/").get_data(as_text=True)
    assert re.search(r"Open <span class=\"n\">3</span>", page)
    assert re.search(r"Confirmed <span class=\"n\">1</span>", page)
    assert re.search(r"Dismissed <span class=\"n\">1</span>", page)
    assert re.search(r"All <span class=\"n\">5</span>", page)
    entry = client.get(f"/review/?walk={demo.walks['entry']}&status=all").get_data(as_text=True)
    assert re.search(r"Open <span class=\"n\">0</span>", entry)
    assert re.search(r"Dismissed <span class=\"n\">1</span>", entry)
    assert _rows(entry) == ["We always scan our badges."]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("topic=CHANGEOVER", {"A changeover takes ten minutes.", "fifteen"}),
        ("topic=  torque   check ", {"torque"}),
        ("persona={fork}", {"Forklifts rarely"}),
        ("walk={picking}", {"Forklifts rarely"}),
        ("site={site}", {"ten", "fifteen", "torque", "badge", "Forklifts"}),
        ("site=" + "0" * 8 + "-0000-0000-0000-" + "0" * 12, set()),
        ("topic_id={badge_topic}", {"badge"}),
        ("status=dismissed", set()),
    ],
)
def test_filters_narrow_the_list(demo, analyst, query, expected):
    client, _ = analyst
    url = "/review/?" + query.format(
        fork=demo.personas["fork"],
        picking=demo.walks["picking"],
        site=demo.site,
        badge_topic=topic_id(demo, "Badge scan at entry"),
    )
    rows = _rows(client.get(url).get_data(as_text=True))
    assert len(rows) == len(expected)
    for part in expected:
        assert any(part.lower() in row.lower() or part == row for row in rows), (part, rows)


def test_date_range_filters_on_when_it_was_said(demo, analyst):
    client, _ = analyst
    today = datetime.now(clock.zone(demo_data.TIME_ZONE)).date()  # the demo's days are the plant's
    three_days_ago = (today - timedelta(days=3)).isoformat()
    rows = _rows(
        client.get(f"/review/?date_from={three_days_ago}&date_to={three_days_ago}").get_data(
            as_text=True
        )
    )
    assert len(rows) == 3  # the changeover walk was three days ago
    yesterday = (today - timedelta(days=1)).isoformat()
    later = _rows(client.get(f"/review/?date_from={yesterday}").get_data(as_text=True))
    assert later == ["Forklifts rarely go faster than walking pace here."]  # yesterday's walk
    nonsense = client.get("/review/?date_from=yesterday&site=nope&sort=evil&page=-3")
    assert nonsense.status_code == 200
    assert len(_rows(nonsense.get_data(as_text=True))) == 5


def test_other_sort_orders(demo, analyst):
    client, _ = analyst
    said = _rows(client.get("/review/?sort=said").get_data(as_text=True))
    assert said[0].startswith("Forklifts rarely")  # said yesterday, the latest
    assert said[-1] == "A changeover takes ten minutes."  # the first thing said
    severity = _rows(client.get("/review/?sort=severity").get_data(as_text=True))
    assert severity[0] == "A changeover takes ten minutes."


def test_pages_of_twenty_five(app, demo, analyst, write):
    client, _ = analyst
    with app.app_context():
        admin = db.session.get(type(demo.admin), demo.admin.id)
        db.session.expunge(admin)
    records = []
    for i in range(26):
        topic = f"Extra topic {i}"
        records.append(
            {
                "type": "statement",
                "id": uid(),
                "walk": demo.walks["entry"],
                "topic": topic,
                "text": f"We always do thing {i}",
                "claim": {"frequency": "always"},
            }
        )
        records.append(
            {
                "type": "fact",
                "id": uid(),
                "walk": demo.walks["entry"],
                "topic": topic,
                "text": "Did not",
                "performed": False,
            }
        )
    result = write(admin, *records)
    assert all(r.status == "created" for r in result.results)
    first = client.get("/review/").get_data(as_text=True)
    assert len(_rows(first)) == 25
    assert "Page 1 of 2" in first
    second = client.get("/review/?page=2").get_data(as_text=True)
    assert len(_rows(second)) == 31 - 25
    assert 'rel="prev"' in second
    assert client.get("/review/?page=9").status_code == 200


def test_inbox_has_keyboard_navigation_hooks(demo, analyst):
    client, _ = analyst
    page = client.get("/review/").get_data(as_text=True)
    assert "data-rows" in page
    assert page.count("data-row>") == 5
    assert "js/review.js" in page
    assert "<script>" not in page
    assert "style=" not in page


def test_gap_csv_has_the_filtered_gaps_and_defuses_formulas(app, demo, analyst, write):
    client, _ = analyst
    with app.app_context():
        admin = db.session.get(type(demo.admin), demo.admin.id)
        db.session.expunge(admin)
    write(
        admin,
        {
            "type": "statement",
            "id": uid(),
            "walk": demo.walks["entry"],
            "topic": "Badge scan at entry",
            "text": '=HYPERLINK("http://evil")',
            "claim": {"frequency": "always"},
        },
    )
    response = client.get("/review/gaps.csv?status=all")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 6
    assert rows[0]["statement"] == "A changeover takes ten minutes."
    assert rows[0]["claim"] == "10 min ±20%"
    assert rows[0]["url"].endswith(f"/review/gaps/{demo.gap('ten')}")
    evil = next(r for r in rows if "HYPERLINK" in r["statement"])
    assert evil["statement"].startswith("'=")
    assert all(uuid.UUID(f) for f in rows[0]["evidence_fact_ids"].split(";"))
    only_walk = client.get(f"/review/gaps.csv?walk={demo.walks['picking']}")
    assert len(list(csv.DictReader(io.StringIO(only_walk.get_data(as_text=True))))) == 1
