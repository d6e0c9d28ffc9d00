"""The API's refusals in the request's language: a problem document's title and detail and
a rejected record's errors follow the user's choice, then Accept-Language, and say which
in Content-Language; with neither, they are English, byte for byte as before. Only the
sentences change: type, status, field names and the record's own members stay as sent."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from gemba.extensions import db
from gemba.models import User
from tests.api.conftest import V1, Api, token_for
from tests.conftest import uid

PACKAGE = Path(__file__).resolve().parents[2] / "gemba"
KEYWORDS = {"_l": None, "lazy_pgettext": ((1, "c"), 2)}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@pytest.fixture
def caller(app, make_user):
    """Factory: an API caller with a bearer token, as a new user of the role (or a given one)."""

    def make(role: str = "observer", user: User | None = None) -> Api:
        user = user or make_user(role)
        return Api(app.test_client(), user, token_for(app, user))

    return make


@pytest.fixture
def analyst(caller) -> Api:
    return caller("analyst")


def _site_and_walk() -> tuple[str, list[dict]]:
    site, walk = uid(), uid()
    return walk, [
        {"type": "site", "id": site, "name": "Plant 2"},
        {"type": "walk", "id": walk, "site": site, "title": "Line 3 changeover"},
    ]


def _someone_elses_walk(caller) -> str:
    """A walk of one observer; returns its id."""
    walk, records = _site_and_walk()
    assert caller("analyst").sync(*records).status_code == 200
    return walk


def _delete(caller: Api, walk: str, **headers: str):
    return caller.client.delete(f"{V1}/records/walk/{walk}", headers={**caller.headers, **headers})


def test_a_record_refused_in_german_has_german_words(caller):
    walk = _someone_elses_walk(caller)
    response = _delete(caller("observer"), walk, **{"Accept-Language": "de-DE,de;q=0.9"})
    assert response.status_code == 403
    assert response.headers["Content-Language"] == "de"
    assert response.mimetype == "application/problem+json"
    assert response.get_json() == {
        "type": "about:blank",
        "title": "Das dürfen Sie nicht.",
        "status": 403,
        "detail": "Sie können nur Einträge Ihrer eigenen Rundgänge löschen.",
    }


def test_without_a_language_the_refusal_is_english_as_before(caller):
    walk = _someone_elses_walk(caller)
    response = _delete(caller("observer"), walk)
    assert response.status_code == 403
    assert response.headers["Content-Language"] == "en"
    expected = {
        "detail": "You can only delete records of your own walks.",
        "status": 403,
        "title": "You are not allowed to do that.",
        "type": "about:blank",
    }
    compact = json.dumps(expected, sort_keys=True, separators=(",", ":"))
    assert response.get_data() == (compact + "\n").encode()


def test_a_records_validation_errors_in_polish(caller):
    api = caller("analyst")
    walk, records = _site_and_walk()
    place = {"type": "place", "id": uid(), "walk": walk}  # no name
    fact = {"type": "fact", "id": uid(), "walk": walk, "text": "A\x1bB", "performed": True}
    response = api.client.post(
        f"{V1}/sync",
        json={"format": "gemba/v1", "records": [*records, place, fact]},
        headers={**api.headers, "Accept-Language": "pl"},
    )
    assert response.status_code == 200
    results = {r["id"]: r for r in response.get_json()["results"]}
    assert results[place["id"]]["status"] == "rejected"
    assert results[place["id"]]["errors"] == [
        {"field": "name", "message": "To pole jest wymagane."}
    ]
    assert results[place["id"]]["reason"] == "To pole jest wymagane."
    # A sentence with a value in it, and a named character translated in its context.
    assert results[fact["id"]]["errors"] == [
        {"field": "text", "message": "Usuń znak sterujący U+001B (escape) na pozycji 2."}
    ]


def test_without_a_language_a_records_errors_are_english(caller):
    api = caller("analyst")
    walk, records = _site_and_walk()
    place = {"type": "place", "id": uid(), "walk": walk}
    fact = {"type": "fact", "id": uid(), "walk": walk, "text": "A\x1bB", "performed": True}
    results = {r["id"]: r for r in api.sync(*records, place, fact).get_json()["results"]}
    assert results[place["id"]]["errors"] == [
        {"field": "name", "message": "This field is required."}
    ]
    assert (
        results[fact["id"]]["reason"]
        == "Remove the control character U+001B (escape) at position 2."
    )


def test_the_users_own_language_beats_the_header(app, caller, make_user):
    user = make_user("observer")
    with app.app_context():
        db.session.get(User, user.id).language = "es"
        db.session.commit()
    walk = _someone_elses_walk(caller)
    response = _delete(caller(user=user), walk, **{"Accept-Language": "de"})
    assert response.headers["Content-Language"] == "es"
    body = response.get_json()
    assert body["title"] == "No tienes permiso para hacer eso."
    assert body["detail"] == "Solo puedes eliminar registros de tus propios recorridos."
    assert (body["type"], body["status"]) == ("about:blank", 403)


def test_a_query_parameters_error_keeps_its_field_and_changes_its_words(analyst):
    response = analyst.client.get(
        f"{V1}/walks?limit=0", headers={**analyst.headers, "Accept-Language": "de"}
    )
    assert response.status_code == 400
    body = response.get_json()
    assert body["detail"] == "Ein Abfrageparameter ist ungültig."
    assert body["errors"] == [
        {"field": "limit", "message": "Muss eine ganze Zahl von 1 bis 200 sein."}
    ]


def test_an_http_error_in_german_says_the_statuss_sentence(analyst):
    response = analyst.client.put(
        f"{V1}/sync", headers={**analyst.headers, "Accept-Language": "de"}
    )
    assert response.status_code == 405
    assert response.headers["Content-Language"] == "de"
    assert response.get_json()["detail"] == "Das ist hier nicht möglich."
    english = analyst.client.put(f"{V1}/sync", headers=analyst.headers).get_json()
    assert english["detail"] == "The method is not allowed for the requested URL."


def test_a_bearer_refusal_in_polish(client):
    response = client.get(f"{V1}/walks", headers={"Accept-Language": "pl"})
    assert response.status_code == 401
    assert response.headers["Content-Language"] == "pl"
    assert response.get_json()["detail"].startswith("Zaloguj się")


@pytest.mark.parametrize("language", ["es", "de", "pl"])
def test_the_csrf_refusal_still_names_csrf(language):
    """The phone fetches a fresh token when a 400 mentions CSRF, in any language."""
    with (PACKAGE / "translations" / language / "api.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    assert "CSRF" in catalog["Missing or invalid CSRF token."].string


def _built_templates() -> set[tuple[str | None, str]]:
    """Every template a domain or API module builds as a Message."""
    found = set()
    for path in [*(PACKAGE / "domain").glob("*.py"), *(PACKAGE / "api").glob("*.py")]:
        constants = {}
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        constants[target.id] = node.value.value
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            literal = node.args and isinstance(node.args[0], ast.Constant)
            if isinstance(func, ast.Name) and func.id == "Message" and literal:
                found.add((None, ast.literal_eval(node.args[0])))
            if isinstance(func, ast.Attribute) and func.attr == "word":
                context, word = node.args
                context = constants.get(getattr(context, "id", ""), getattr(context, "value", None))
                found.add((context, ast.literal_eval(word)))
    return found


def test_every_template_the_domain_builds_is_marked_for_the_catalog():
    marked = {
        (context, message)
        for _line, message, _comments, context in extract_from_file(
            "python", str(PACKAGE / "api" / "wording.py"), keywords=KEYWORDS
        )
    }
    built = _built_templates()
    assert len(built) > 20
    assert built <= marked, built - marked


@pytest.mark.parametrize("language", ["es", "de", "pl"])
def test_every_api_message_is_translated_with_its_placeholders(language):
    with (PACKAGE / "translations" / language / "api.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    messages = [m for m in catalog if m.id]
    assert len(messages) > 80
    for message in messages:
        assert message.string, message.id
        assert PLACEHOLDER.findall(message.string) == PLACEHOLDER.findall(message.id) or sorted(
            PLACEHOLDER.findall(message.string)
        ) == sorted(PLACEHOLDER.findall(message.id)), message.id
