"""What an analyst reads: the announced / unannounced split on the topic and gap pages, and
the calibration page with its pairs, topics and the observer who sees things differently."""

from __future__ import annotations

import uuid

from gemba.models import gap_id_for
from tests.conftest import login, uid
from tests.evidence.conftest import behaviours, ok, site_record, walk_record


def claim(walk_id: str, topic: str, word: str) -> dict:
    return {
        "type": "statement",
        "id": uid(),
        "walk": walk_id,
        "topic": topic,
        "text": f"We {word} wear gloves",
        "claim": {"frequency": word},
    }


def announced_and_not(write, people, site_id, told: int, quiet: int, word="always"):
    """14 checks on announced walks with `told` done, 14 unannounced with `quiet` done."""
    ok(write(people["admin"], site_record(site_id)))
    walks = [uid() for _ in range(4)]
    said = claim(walks[0], "gloves", word)
    batch = [
        walk_record(site_id, walks[0], day=0, announced=True),
        walk_record(site_id, walks[1], day=1, announced=True),
        walk_record(site_id, walks[2], day=2, announced=False),
        walk_record(site_id, walks[3], day=3, announced=False),
        said,
    ]
    for index, (walk, done) in enumerate(zip(walks, (told, 0, quiet, 0), strict=True)):
        total = 7
        outcomes = [True] * min(done, total) + [False] * (total - min(done, total))
        if index in (1, 3):  # the second walk of each kind: what the first one left
            rest = (told if index == 1 else quiet) - 7
            outcomes = [True] * max(rest, 0) + [False] * (total - max(rest, 0))
        batch += behaviours(walk, "gloves", outcomes, day=index)
    ok(write(people["ana"], *batch))
    return said["id"]


def topic_page(client, app, site_id) -> str:
    from gemba.extensions import db
    from gemba.models import Topic

    with app.app_context():
        topic = db.session.query(Topic).filter_by(site_id=uuid.UUID(site_id)).one()
        topic_id = topic.id
    return client.get(f"/review/topics/{topic_id}").get_data(as_text=True)


def test_an_observer_effect_is_flagged_with_its_test_and_numbers(
    app, client, write, people, site_id
):
    said = announced_and_not(write, people, site_id, told=14, quiet=5)
    login(client, people["analyst"])
    page = topic_page(client, app, site_id)
    assert "Announced and unannounced walks" in page
    assert "14 of 14" in page
    assert "5 of 14" in page
    effect = "Observer effect: the rates differ beyond chance"
    assert f"{effect} (Fisher&#39;s exact test, p &lt; 0.001)" in page
    gap = client.get(f"/review/gaps/{gap_id_for(uuid.UUID(said))}").get_data(as_text=True)
    assert "The gap shows only on unannounced walks: on announced walks 14 of 14 done" in gap


def test_no_effect_is_claimed_where_the_rates_agree(app, client, write, people, site_id):
    announced_and_not(write, people, site_id, told=10, quiet=9, word="usually")
    login(client, people["analyst"])
    page = topic_page(client, app, site_id)
    assert "10 of 14" in page
    assert "9 of 14" in page
    assert "No observer effect shown (Fisher&#39;s exact test, p = 1" in page
    assert "Observer effect: the rates differ" not in page


def calibration_walks(write, people, site_id, ben_agrees: bool) -> None:
    """ana walks; ben and cy shadow her, twelve glove checks each at Press 2."""
    ok(write(people["admin"], site_record(site_id)))
    pattern = [True, False, True, True, False, False, True, False, True, False, True, True]
    original, by_ben, by_cy = uid(), uid(), uid()
    ok(
        write(
            people["ana"],
            walk_record(site_id, original),
            *behaviours(original, "gloves", pattern, "Press 2"),
        )
    )
    ben_log = pattern if ben_agrees else [not x for x in pattern]
    ok(
        write(
            people["ben"],
            walk_record(site_id, by_ben, calibrates=original),
            *behaviours(by_ben, "gloves", ben_log, "press 2"),
        )
    )
    ok(
        write(
            people["cy"],
            walk_record(site_id, by_cy, calibrates=original),
            *behaviours(by_cy, "gloves", [not x for x in pattern], "Press 2"),
        )
    )


def test_the_calibration_page_shows_agreement_and_who_disagrees(client, write, people, site_id):
    calibration_walks(write, people, site_id, ben_agrees=True)
    login(client, people["analyst"])
    page = client.get(f"/review/calibration?site={site_id}").get_data(as_text=True)
    assert "ana &amp; ben" in page
    assert "Agreed on 12 of 12 (100%); Cohen&#39;s kappa 1.00" in page
    assert "Agreed on 0 of 12 (0%)" in page  # ana & cy, ben & cy
    assert "Low agreement with the others:</strong> cy." in page
    assert "gloves</strong> at Press 2:\n      disagreed on 12 of 12." in page


def test_observers_never_see_the_calibration_page(app, client, write, people, site_id):
    calibration_walks(write, people, site_id, ben_agrees=False)
    login(client, people["ana"])
    assert client.get("/review/calibration").status_code == 403
    assert "/review/calibration" not in client.get("/review/").get_data(as_text=True)
    desk = login(app.test_client(), people["analyst"])
    assert "/review/calibration" in desk.get("/review/").get_data(as_text=True)


def test_an_empty_calibration_page_says_how_to_start(client, people):
    login(client, people["analyst"])
    page = client.get("/review/calibration").get_data(as_text=True)
    assert "No calibration walks yet" in page
