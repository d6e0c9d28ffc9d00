"""One vocabulary: the offline app's forms and the server's capture pages show the same
fields in the same order, with the same labels, hints and choices, all from
`capture.vocabulary`; a label changed on one side only fails here."""

from __future__ import annotations

import uuid

import pytest

from gemba.capture import records, vocabulary
from gemba.capture.forms import FactForm, PlaceForm, StatementForm, ThingForm, WalkForm
from gemba.extensions import db
from gemba.models import Persona, User
from tests.offline.conftest import log_in

pytestmark = pytest.mark.browser

KINDS = ("walk", "place", "thing", "fact", "statement")
FORMS = {"walk": WalkForm, "place": PlaceForm, "thing": ThingForm, "fact": FactForm}
FORMS["statement"] = StatementForm
# Server-only fields: the photo-GPS choice belongs to the server's photo upload.
SERVER_ONLY = {"photo_gps"}
CHOICE_FIELDS = {"kind": "kind", "claim": "claim", "outcome": "outcome", "sentiment": "sentiment"}

FIELDS_JS = """() => [...document.querySelectorAll("form [data-field]")].map((el) => {
  const label = el.querySelector(":scope > label, :scope > fieldset > legend");
  const hint = el.querySelector(":scope > p.hint");
  return {
    name: el.dataset.field,
    label: label ? label.textContent.trim() : "",
    hint: hint ? hint.textContent.trim() : "",
    choices: [...el.querySelectorAll("label.choice span")].map((s) => s.textContent.trim()),
    options: [...el.querySelectorAll("select option")].map((o) => o.textContent.trim()),
  };
})"""


def test_server_form_labels_come_from_the_vocabulary(app):
    with app.test_request_context():
        for kind, form_class in FORMS.items():
            form = form_class(meta={"csrf": False})
            for spec in vocabulary.FIELDS[kind]:
                assert getattr(form, spec["name"]).label.text == spec["label"], (kind, spec)


@pytest.fixture
def walk_with_everything(app, make_user, make_site):
    """A walk whose forms show every field: a persona, a place, a thing and a statement."""
    user = make_user("observer", email="vocab@example.com")
    site = make_site("Plant 2")
    walk, place = str(uuid.uuid4()), str(uuid.uuid4())
    with app.app_context():
        db.session.add(Persona(site_id=uuid.UUID(site), name="Night-shift operator"))
        db.session.commit()
        actor = db.session.get(User, user.id)
        records.write(
            actor,
            [
                {"type": "walk", "id": walk, "site": site, "title": "Press line"},
                {"type": "place", "id": place, "walk": walk, "name": "Press 2"},
                {"type": "thing", "id": str(uuid.uuid4()), "walk": walk, "name": "Guard"},
                {
                    "type": "statement",
                    "id": str(uuid.uuid4()),
                    "walk": walk,
                    "text": "Gloves are always worn.",
                    "topic": "Gloves at press",
                },
            ],
        )
        db.session.remove()
    return user, walk


def _fields(page, url: str, form_kind: str) -> list[dict]:
    page.goto(url)
    page.wait_for_selector(f"form[data-kind={form_kind}]")
    return [f for f in page.evaluate(FIELDS_JS) if f["name"] not in SERVER_ONLY]


def test_app_and_server_forms_agree_with_the_vocabulary(server, walk_with_everything, browser):
    user, walk = walk_with_everything
    app_page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    log_in(app_page, server.url, user.email)
    basic = browser.new_context(viewport={"width": 390, "height": 844})
    basic.add_init_script("localStorage.setItem('gemba.basic', '1')")
    server_page = basic.new_page()
    log_in(server_page, server.url, user.email)
    try:
        for kind in KINDS:
            if kind == "walk":
                app_url, server_url = "/app/walks/new", "/walks/new"
            else:
                app_url, server_url = f"/app/walks/{walk}/new/{kind}", f"/walks/{walk}/{kind}s/new"
            on_phone = _fields(app_page, server.url + app_url, kind)
            on_server = _fields(server_page, server.url + server_url, kind)
            assert on_phone == on_server, kind
            _assert_matches_vocabulary(kind, on_phone)
    finally:
        app_page.context.close()
        basic.close()


def _assert_matches_vocabulary(kind: str, shown: list[dict]) -> None:
    specs = {f["name"]: f for f in vocabulary.FIELDS[kind]}
    order = [f["name"] for f in vocabulary.FIELDS[kind]]
    names = [f["name"] for f in shown]
    assert names == [n for n in order if n in names], "fields out of the vocabulary's order"
    assert set(names) == set(order), f"{kind}: every field shows when there is data for it"
    for field in shown:
        spec = specs[field["name"]]
        assert field["label"] == spec["label"]
        assert field["hint"] == spec["hint"]
        choice = CHOICE_FIELDS.get(field["name"])
        if choice:
            words = vocabulary.document()["choices"][choice]
            assert field["choices"] == [label for _, label in words]
    sources = next((f["options"] for f in shown if f["name"] == "source"), None)
    if sources is not None:
        assert sources == list(vocabulary.SOURCE_LABELS.values())
