"""Cross-walk views: topics and their charts, empathy maps, experience maps, reports."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html import unescape

from sqlalchemy import select

from gemba.extensions import db
from gemba.models import AuditEvent, PersonaNote
from tests.review.conftest import topic_id

SVG = "{http://www.w3.org/2000/svg}"


def _svgs(html: str) -> list[ET.Element]:
    """Every inline SVG on the page, parsed (so a chart is well-formed XML)."""
    found = re.findall(r"<svg.*?</svg>", html, re.S)
    return [ET.fromstring(unescape_entities(svg)) for svg in found]  # noqa: S314 - our own markup


def unescape_entities(svg: str) -> str:
    return svg.replace("&#34;", "&quot;").replace("&#39;", "&apos;")


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_topic_view_charts_the_rate_per_walk_against_the_claimed_band(demo, analyst):
    client, _ = analyst
    html = client.get(f"/review/topics/{topic_id(demo, 'Badge scan at entry')}").get_data(
        as_text=True
    )
    chart, phone = _svgs(html)  # one drawing for laptops, a narrower one for phones
    assert chart.get("role") == "img"
    assert phone.get("class") == "chart chart-narrow"
    assert phone.find(f"{SVG}desc").text == chart.find(f"{SVG}desc").text
    assert chart.find(f"{SVG}title").text == "How often “Badge scan at entry” was done, per walk"
    desc = chart.find(f"{SVG}desc").text
    assert "Claimed: said “always”: 100%" in desc
    assert "Badge and safety round 5 of 8" in desc
    labels = [t.text for t in chart.iter(f"{SVG}text")]
    assert "5/8" in labels  # the numbers are on the chart, not only in colour
    assert "said “always”" in labels
    assert "100%" in labels
    text = _text(html)
    assert "The chart as a table" in text
    assert "Badge and safety round" in text
    assert "31%–86%" in text  # the table row's interval
    assert "“We always scan our badges.”" in text
    assert "Scanner display dark, nobody could scan" in text  # notes are listed too


def test_topic_view_charts_measurements_in_the_claims_unit(demo, analyst):
    client, _ = analyst
    html = client.get(f"/review/topics/{topic_id(demo, 'Changeover time')}").get_data(as_text=True)
    chart, _ = _svgs(html)
    labels = [t.text for t in chart.iter(f"{SVG}text")]
    assert "19" in labels  # 1140 s drawn as 19 min
    assert "said 10 min ±20%" in labels
    assert "said ≤ 15 min" in labels
    assert len(chart.findall(f".//{SVG}circle")) == 3
    assert "What was measured (min)" in html


def test_topics_list_counts_and_searches(demo, analyst):
    client, _ = analyst
    text = _text(client.get("/review/topics?sort=gaps").get_data(as_text=True))
    assert text.index("Badge scan at entry") < text.index("Safety glasses in press hall")
    found = _text(client.get("/review/topics?q=BADGE").get_data(as_text=True))
    assert "Badge scan at entry" in found
    assert "Changeover time" not in found
    assert client.get("/review/topics/99999").status_code == 404


def test_empathy_map_has_four_quadrants_linking_to_records(app, demo, analyst):
    client, user = analyst
    url = f"/review/personas/{demo.personas['fork']}"
    html = client.get(url).get_data(as_text=True)
    quadrants = re.findall(r'<section class="quadrant (\w+)"', html)
    assert quadrants == ["says", "thinks", "does", "feels"]
    says = html.split('class="quadrant says"')[1].split("</section>")[0]
    assert "Forklifts rarely go faster than walking pace here." in says
    assert f"/review/gaps/{demo.gap('speed')}" in says  # a contradicted statement links its gap
    does = html.split('class="quadrant does"')[1].split("</section>")[0]
    assert does.count("<li>") == 7
    assert f"/walks/{demo.walks['picking']}#r-" in does
    response = client.post(url, data={"text": "Thinks speed is expected by the planners"})
    assert response.status_code == 302
    assert response.location.endswith("#thinks")
    thinks = client.get(url).get_data(as_text=True).split('class="quadrant thinks"')[1]
    assert "Thinks speed is expected by the planners" in thinks.split("</section>")[0]
    with app.app_context():
        note = db.session.scalar(select(PersonaNote))
        assert note.author_id == user.id
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "persona"))
        assert (event.verb, event.object_id) == ("noted", demo.personas["fork"])
    assert "Write the note." in client.post(url, data={"text": " "}).get_data(as_text=True)


def test_feels_counts_pain_and_delight(demo, analyst):
    client, _ = analyst
    html = client.get(f"/review/personas/{demo.personas['op']}").get_data(as_text=True)
    feels = _text(html.split('class="quadrant feels"')[1].split("</section>")[0])
    assert "▼ 1 pain · ▲ 0 delight" in feels
    assert "Second changeover, waited for the die cart" in feels
    assert "Personas" in client.get("/review/personas").get_data(as_text=True)


def test_observers_read_the_empathy_map_but_add_no_notes(demo, observer):
    client, _ = observer
    url = f"/review/personas/{demo.personas['fork']}"
    assert "Add note" not in client.get(url).get_data(as_text=True)
    assert client.post(url, data={"text": "mine"}).status_code == 403


def test_walk_experience_map_puts_places_in_visit_order_with_pain_delight_and_gaps(demo, analyst):
    client, _ = analyst
    html = client.get(f"/review/walks/{demo.walks['changeover']}/experience").get_data(as_text=True)
    (picture,) = _svgs(html)
    names = [t.text for t in picture.iter(f"{SVG}text") if t.get("class") == "station-name"]
    assert names == ["Press line 3", "Die storage"]
    labels = [t.text for t in picture.iter(f"{SVG}text")]
    assert labels.count("⚠ 3 gaps") == 1
    assert "▼ 2" in labels
    assert "▲ 1" in labels
    cards = _text(html.split('<ol class="stations">')[1])
    assert cards.index("Press line 3") < cards.index("Die storage")
    assert "▼ 2 pain ▲ 1 delight ⚠ 3 gaps" in cards
    assert "Operators help each other set the die without being asked" in cards


def test_site_experience_map_merges_places_by_name(demo, analyst):
    client, _ = analyst
    html = client.get(f"/review/sites/{demo.site}/experience").get_data(as_text=True)
    (picture,) = _svgs(html)
    names = [t.text for t in picture.iter(f"{SVG}text") if t.get("class") == "station-name"]
    assert set(names) == {"Press line 3", "Die storage", "Gate 2", "Press hall", "Aisle 4"}
    text = _text(html)
    assert "In all: ▼ 4 pain, ▲ 1 delight" in text
    assert "all walks" in text


def test_walk_report_has_summary_gaps_with_evidence_and_actions(demo, analyst):
    client, _ = analyst
    gap_id = demo.gap("ten")
    client.post(
        f"/review/gaps/{gap_id}/actions/new",
        data={"title": "SMED workshop", "status": "open", "gaps": [gap_id], "owner": ""},
    )
    html = client.get(f"/review/walks/{demo.walks['changeover']}/report").get_data(as_text=True)
    text = _text(html)
    assert "Line 3 changeover" in text
    assert "Why is changeover on Line 3 slow?" in text
    assert "3 say-vs-do gaps touch this walk: 2 open, 1 actioned. 1 action decided." in text
    assert "1. “A changeover takes ten minutes.”" in text
    assert "3 contradicting facts in all, 3 seen on this walk" in text
    assert "SMED workshop" in text
    assert "data-print" in html
    assert "css/review.css" in html  # its print stylesheet


def test_report_of_a_walk_that_only_adds_evidence(app, demo, analyst):
    client, _ = analyst
    text = _text(client.get(f"/review/walks/{demo.walks['entry']}/report").get_data(as_text=True))
    assert "“We always scan our badges.”" in text
    assert "Marked by an observer as contradicting: “Said it in front of the scanner" in text


def test_walks_list_and_history(demo, analyst):
    client, user = analyst
    text = _text(client.get("/review/walks").get_data(as_text=True))
    assert "Line 3 changeover" in text
    assert "⚠ 3 gaps" in text
    client.post(f"/review/gaps/{demo.gap('torque')}/confirm", data={"confirm-note": "Seen"})
    history = _text(client.get("/review/history?type=gap").get_data(as_text=True))
    assert f"{user.label} gap Open → Confirmed" in history
    assert "Seen" in history
    assert "Nothing has changed yet." in client.get("/review/history?type=action").get_data(
        as_text=True
    )
