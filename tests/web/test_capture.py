"""Capture on the phone: start a walk, log one of each record, see contradictions."""

from __future__ import annotations

import re

import pytest

from gemba.extensions import db
from gemba.models import Contradiction, Fact, Place, Statement, Thing, Walk
from tests.conftest import PASSWORD, login, uid


def _csrf(html: bytes) -> str:
    return re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1).decode()


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_new_user_creates_admin_and_logs_a_walk_with_csrf_on(csrf_app):
    """End to end with CSRF protection on: setup, site, walk, one record of each kind."""
    client = csrf_app.test_client()
    page = client.get("/setup").data
    client.post(
        "/setup",
        data={"csrf_token": _csrf(page), "email": "a@example.com", "password": PASSWORD,
              "confirm": PASSWORD},
    )  # fmt: skip
    page = client.get("/manage/sites").data
    client.post("/manage/sites", data={"csrf_token": _csrf(page), "name": "Plant 2"})
    page = client.get("/walks/new").data
    site_id = re.search(rb'<option (?:selected )?value="([0-9a-f-]{36})"', page).group(1).decode()
    response = client.post(
        "/walks/new",
        data={"csrf_token": _csrf(page), "site": site_id, "title": "Line 3 changeover"},
    )
    walk_url = response.location
    walk_id = walk_url.rsplit("/", 1)[1]

    def add(record_kind: str, **fields) -> None:
        form = client.get(f"/walks/{walk_id}/{record_kind}s/new").data
        response = client.post(
            f"/walks/{walk_id}/{record_kind}s/new", data={"csrf_token": _csrf(form), **fields}
        )
        assert response.status_code == 302, response.data

    add("place", name="Press 2")
    add("thing", name="Torque wrench", kind="tool")
    add("statement", text="We always scan badges", speaker="Shift lead", topic="Badge scan",
        claim="always", source="interview")  # fmt: skip
    add("fact", text="Walked in without scanning", topic="badge SCAN", outcome="not_done")
    page = client.get(walk_url).data
    assert b"Contradicts: \xe2\x80\x9cWe always scan badges\xe2\x80\x9d" in page
    for model in (Walk, Place, Thing, Statement, Fact):
        assert _count(csrf_app, model) == 1


def test_post_without_csrf_token_is_refused_and_saves_nothing(csrf_app, make_user, make_walk):
    user = make_user()
    walk = make_walk(user)
    client = login(csrf_app.test_client(), user)
    response = client.post(f"/walks/{walk}/places/new", data={"name": "Press 2"})
    assert response.status_code == 400
    assert b"form expired" in response.data
    assert _count(csrf_app, Place) == 0


@pytest.fixture
def observer(app, login_as, make_walk):
    client, user = login_as("observer")
    return client, user, make_walk(user)


def test_invalid_fact_rerenders_with_input_kept_and_error_by_field(app, observer):
    client, _, walk = observer
    response = client.post(
        f"/walks/{walk}/facts/new",
        data={"text": "Cycle time of press", "outcome": "measurement", "value": "", "unit": "s"},
    )
    assert response.status_code == 200
    html = response.data.decode()
    assert "Enter the measured value." in html
    assert "Cycle time of press" in html
    assert 'value="s"' in html
    assert _count(app, Fact) == 0


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        ("place", {"name": "x" * 201}, "Field cannot be longer than 200 characters."),
        ("place", {"name": ""}, "This field is required."),
        ("thing", {"name": "Cart", "kind": "spaceship"}, "Not a valid choice."),
        ("fact", {"text": "x", "outcome": "sideways"}, "Not a valid choice."),
        ("fact", {"text": "x", "outcome": "measurement", "value": "ten"}, "Not a valid float"),
        ("statement", {"text": "x", "claim": "often", "source": "interview"}, "Not a valid choice"),
        ("statement", {"text": "x", "claim": "measure", "source": "interview"},
         "Enter the number that was claimed."),
        ("statement", {"text": "x", "source": "tv"}, "Not a valid choice"),
        ("fact", {"text": "x", "outcome": "note", "place": "not-a-uuid"}, "Not a valid"),
        ("fact", {"text": "x", "outcome": "note", "persona": uid()}, "Unknown persona"),
    ],
)  # fmt: skip
def test_bad_form_input_is_refused_by_its_field_never_500(app, observer, kind, data, message):
    client, _, walk = observer
    response = client.post(f"/walks/{walk}/{kind}s/new", data=data)
    assert response.status_code in (200, 403, 404)
    assert message in response.data.decode()
    assert _count(app, Fact) + _count(app, Place) + _count(app, Statement) == 0


def test_measure_claim_is_saved_with_tolerance_as_a_fraction(app, observer):
    client, _, walk = observer
    client.post(
        f"/walks/{walk}/statements/new",
        data={"text": "Takes ten minutes", "claim": "measure", "claim_value": "10",
              "claim_unit": "min", "claim_tolerance": "25", "source": "meeting"},
    )  # fmt: skip
    with app.app_context():
        statement = db.session.scalar(db.select(Statement))
        assert statement.claim == {"value": 10.0, "unit": "min", "tolerance": 0.25}


def test_manual_link_saved_with_the_fact_in_one_action(app, observer, write):
    client, user, walk = observer
    statement = uid()
    write(user, {"type": "statement", "id": statement, "walk": walk, "text": "Scanner works"})
    response = client.post(
        f"/walks/{walk}/facts/new",
        data={"text": "Scanner dark", "outcome": "note", "contradicts": statement,
              "contradiction_note": "Display off"},
    )  # fmt: skip
    assert response.status_code == 302
    assert _count(app, Contradiction) == 1
    page = client.get(f"/walks/{walk}").data
    assert b"Marked as contradicting by an observer" in page


def test_edit_and_delete_with_confirmation(app, observer, write):
    client, user, walk = observer
    place = uid()
    write(user, {"type": "place", "id": place, "walk": walk, "name": "Press 2"})
    form = client.get(f"/walks/{walk}/places/{place}/edit").data
    assert b'value="Press 2"' in form
    client.post(f"/walks/{walk}/places/{place}/edit", data={"name": "Press 3"})
    assert b"Press 3" in client.get(f"/walks/{walk}").data
    confirm = client.get(f"/walks/{walk}/places/{place}/delete")
    assert b"Delete this place?" in confirm.data
    assert _count(app, Place) == 1
    client.post(f"/walks/{walk}/places/{place}/delete")
    assert _count(app, Place) == 0


def test_retried_form_post_with_the_same_record_id_is_not_duplicated(app, observer):
    client, _, walk = observer
    record_id = uid()
    for _ in range(2):
        client.post(f"/walks/{walk}/places/new", data={"name": "Dock", "record_id": record_id})
    assert _count(app, Place) == 1


def test_finish_and_reopen_walk(app, observer):
    client, _, walk = observer
    client.post(f"/walks/{walk}/finish")
    with app.app_context():
        assert db.session.scalar(db.select(Walk.status)) == "finished"
    client.post(f"/walks/{walk}/finish")
    with app.app_context():
        assert db.session.scalar(db.select(Walk.status)) == "in_progress"


def test_unknown_walk_is_404_not_500(observer):
    client, _, _ = observer
    assert client.get(f"/walks/{uid()}").status_code == 404
    assert client.get("/walks/not-a-uuid").status_code == 404
    assert client.post(f"/walks/{uid()}/facts/new", data={"text": "x"}).status_code == 404


def test_a_contradicting_save_returns_to_the_top_where_the_hint_shows(app, observer, write):
    client, user, walk = observer
    write(
        user,
        {"type": "statement", "id": uid(), "walk": walk, "topic": "Badge", "text": "Always",
         "claim": {"frequency": "always"}},
    )  # fmt: skip
    agreeing = client.post(
        f"/walks/{walk}/facts/new", data={"text": "Scanned", "topic": "Badge", "outcome": "done"}
    )
    assert "#r-" in agreeing.location
    contradicting = client.post(
        f"/walks/{walk}/facts/new",
        data={"text": "No scan", "topic": "Badge", "outcome": "not_done"},
    )
    assert "#r-" not in contradicting.location
    page = client.get(contradicting.location).data.decode()
    assert "Contradicts: “Always”" in page


def test_a_fact_with_a_topic_and_no_words_is_written_as_topic_and_outcome(app, observer):
    client, _, walk = observer
    response = client.post(
        f"/walks/{walk}/facts/new", data={"topic": "Gloves at press", "outcome": "not_done"}
    )
    assert response.status_code == 302
    with app.app_context():
        fact = db.session.scalar(db.select(Fact))
        assert (fact.text, fact.performed) == ("Gloves at press — not done", False)


def test_a_fact_with_neither_words_nor_topic_is_refused_by_its_field(app, observer):
    client, _, walk = observer
    response = client.post(f"/walks/{walk}/facts/new", data={"text": " ", "outcome": "done"})
    assert response.status_code == 200
    assert "Write what happened, or give a topic." in response.data.decode()
    assert _count(app, Fact) == 0
