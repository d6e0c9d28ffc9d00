"""The gap page: statement beside its evidence, how the verdict was computed, history."""

from __future__ import annotations

import re
import uuid
from html import unescape

from gemba.extensions import db
from gemba.models import Photo
from tests.conftest import uid


def _text(html: str) -> str:
    """The page as plain text with single spaces, for reading numbers out of it."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_frequency_gap_shows_statement_facts_and_the_wilson_numbers(demo, analyst):
    client, _ = analyst
    html = client.get(f"/review/gaps/{demo.gap('torque')}").get_data(as_text=True)
    text = _text(html)
    assert "“We usually do the torque check before the first hit.”" in text
    assert "Maintenance technician (interview)" in text
    assert "Done — 6 contradicting of 8 observed" in text
    assert html.split('<details class="others">')[0].count('class="fact contradicting"') == 6
    assert "“usually” means done 70%–100% of the time." in text
    assert "done 2 of 8 times (25%)" in text
    assert "95% Wilson interval 7%–59%" in text
    assert "59% is below 70%: contradicted" in text
    assert 'role="img"' in html  # the rule as a picture, with its title for screen readers
    assert 'Now: Said "usually"; observed 2 of 8 (25%, 95% CI 7–59%)' in text


def test_measure_gaps_show_the_t_interval_or_the_limit(demo, analyst):
    client, _ = analyst
    typical = _text(client.get(f"/review/gaps/{demo.gap('ten')}").get_data(as_text=True))
    assert "about 10 min ±20%: band 8–12 min." in typical
    assert "3 measurements, mean 21.7 min" in typical
    assert "95% interval of the mean 15.4–27.9 min (Student's t = 4.30 for 2 degrees" in typical
    assert "Contradicted" in typical
    assert "1140 s" in typical  # the fact as logged, converted only in the numbers
    bound = _text(client.get(f"/review/gaps/{demo.gap('fifteen')}").get_data(as_text=True))
    assert "Claim ≤ 15 min: limit 15 min." in bound
    assert "highest 24 min ; 3 of 3 beyond the limit" in bound.replace(";", " ;")
    assert "one observation beyond it contradicts" in bound


def test_manual_link_shows_the_observers_note(demo, analyst):
    client, _ = analyst
    text = _text(client.get(f"/review/gaps/{demo.gap('badge')}").get_data(as_text=True))
    assert "Scanner display dark, nobody could scan" in text
    assert "Marked by an observer as contradicting: “Said it in front of the scanner" in text
    assert "1 fact marked by an observer as contradicting: a gap whatever the statistics" in text


def test_gap_page_lists_all_facts_on_the_topic_and_links_around(demo, analyst):
    client, _ = analyst
    html = client.get(f"/review/gaps/{demo.gap('speed')}").get_data(as_text=True)
    assert "All 7 facts on this topic" in html
    assert f"/review/topics/{demo.topics['forklift speeding']}" in html
    assert f"/review/personas/{demo.personas['fork']}" in html
    assert f"/review/walks/{demo.walks['picking']}/report" in html
    # k and j: the next stronger and the next weaker gap of the inbox, either side of this one.
    assert f'href="/review/gaps/{demo.gap("fifteen")}?back=/review/" data-key-prev' in html
    assert f'href="/review/gaps/{demo.gap("torque")}?back=/review/" data-key-next' in html


def test_unknown_gap_is_404(demo, analyst):
    client, _ = analyst
    assert client.get(f"/review/gaps/{uuid.uuid4()}").status_code == 404


def test_photos_of_the_statement_and_facts_appear_when_there_are_some(app, demo, analyst):
    client, _ = analyst
    html = client.get(f"/review/gaps/{demo.gap('badge')}").get_data(as_text=True)
    assert "data-photo-strip" not in html  # nothing rendered without photos
    with app.app_context():
        statement = uuid.UUID(demo.statements["badge"])
        db.session.add(
            Photo(
                id=uuid.UUID(uid()),
                walk_id=uuid.UUID(demo.walks["entry"]),
                statement_id=statement,
                sha256="0" * 64,
                size_bytes=10,
                source_format="jpeg",
                display_key="d" * 64,
                display_width=800,
                display_height=600,
                thumb_key="t" * 64,
                thumb_width=400,
                thumb_height=300,
            )
        )
        db.session.commit()
    html = client.get(f"/review/gaps/{demo.gap('badge')}").get_data(as_text=True)
    assert html.count("data-photo-strip") == 1
    assert "/thumb" in html


def test_previous_and_next_follow_the_inbox_order(demo, analyst):
    client, _ = analyst
    strongest = client.get(f"/review/gaps/{demo.gap('ten')}").get_data(as_text=True)
    assert "data-key-prev" not in strongest
    assert re.search(rf'href="/review/gaps/{demo.gap("fifteen")}[^"]*" data-key-next', strongest)
    middle = client.get(f"/review/gaps/{demo.gap('fifteen')}").get_data(as_text=True)
    assert re.search(rf'href="/review/gaps/{demo.gap("ten")}[^"]*" data-key-prev', middle)
    assert re.search(rf'href="/review/gaps/{demo.gap("speed")}[^"]*" data-key-next', middle)
