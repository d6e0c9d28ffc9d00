"""The OpenAPI document: valid, complete, stable, and open to other modules' operations."""

from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from gemba.api import openapi, openapi_parts
from gemba.domain.gemba_json import RECORD_TYPES, validate_record
from tests.api.conftest import V1

OPERATION_IDS = {
    ("get", "/openapi.json"): "getOpenApiDocument",
    ("post", "/sync"): "syncRecords",
    ("get", "/sites"): "listSites",
    ("get", "/sites/{site_id}/topics"): "listSiteTopics",
    ("get", "/sites/{site_id}/export"): "exportSite",
    ("get", "/walks"): "listWalks",
    ("get", "/walks/{walk_id}"): "getWalk",
    ("get", "/walks/{walk_id}/export"): "exportWalk",
    ("get", "/gaps"): "listGaps",
    ("get", "/sites/{site_id}/export.zip"): "exportSiteArchive",
    ("get", "/walks/{walk_id}/export.zip"): "exportWalkArchive",
}


@pytest.fixture
def document(client) -> dict:
    response = client.get(V1 + "/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_operation_ids_are_stable(document):
    found = {
        (method, path): spec["operationId"]
        for path, item in document["paths"].items()
        for method, spec in item.items()
    }
    assert {k: v for k, v in found.items() if k in OPERATION_IDS} == OPERATION_IDS


def test_every_flask_route_of_the_api_is_described(app, document):
    described = {
        (method.upper(), V1 + path) for path, item in document["paths"].items() for method in item
    }
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)  # <int:id> -> {id}
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (method, path) in described, (method, path)


_ID = "6f1c2a4e-3b5d-4c7e-9f10-1a2b3c4d5e6f"
# Hand-written records, each with the verdict a client must expect: the document's schema
# and the server's validation both have to give it (neither is the other's source here).
RECORD_VERDICTS = [
    ({"type": "site", "id": _ID, "name": "Plant 2"}, True),
    ({"type": "site", "id": _ID}, False),
    ({"type": "site", "id": _ID, "name": "x" * 121}, False),
    ({"type": "persona", "id": _ID, "site": _ID, "name": "Operator"}, True),
    ({"type": "persona", "id": _ID, "name": "Operator"}, False),
    ({"type": "plan", "id": _ID, "site": _ID, "title": "Press line", "items": []}, True),
    (
        {
            "type": "plan",
            "id": _ID,
            "site": _ID,
            "title": "Press line",
            "items": [{"id": _ID, "topic": "Gloves", "question": "Gloves?", "kind": "rumour"}],
        },
        False,
    ),
    ({"type": "walk", "id": _ID, "site": _ID, "title": "Line 3", "status": "finished"}, True),
    ({"type": "walk", "id": _ID, "site": _ID, "title": "Line 3", "status": "paused"}, False),
    ({"type": "place", "id": _ID, "walk": _ID, "name": "Press 4", "lat": 48.1}, True),
    ({"type": "place", "id": _ID, "walk": _ID, "name": "Press 4", "lat": 91}, False),
    ({"type": "thing", "id": _ID, "walk": _ID, "name": "Torque wrench", "kind": "tool"}, True),
    ({"type": "thing", "id": _ID, "walk": _ID, "name": "Torque wrench", "kind": "gadget"}, False),
    ({"type": "statement", "id": _ID, "walk": _ID, "text": "We scan", "source": "sop"}, True),
    ({"type": "statement", "id": _ID, "walk": _ID, "text": "We scan", "source": "rumour"}, False),
    ({"type": "statement", "id": _ID, "walk": _ID, "text": "x", "claim": {"frequency": 3}}, False),
    ({"type": "fact", "id": _ID, "walk": _ID, "text": "Walked in", "performed": False}, True),
    ({"type": "fact", "id": _ID, "walk": _ID, "performed": False}, False),
    ({"type": "fact", "id": _ID, "walk": _ID, "text": "Walked in", "performed": "no"}, False),
    ({"type": "fact", "id": _ID, "walk": _ID, "text": "Walked in", "sentiment": "meh"}, False),
    ({"type": "contradiction", "id": _ID, "fact": _ID, "statement": _ID}, True),
    ({"type": "contradiction", "id": _ID, "fact": _ID}, False),
]


def test_every_record_type_is_in_the_document_and_checked_both_ways(document):
    schemas = document["components"]["schemas"]
    assert all(f"{t.capitalize()}Record" in schemas for t in RECORD_TYPES)
    checked = {(record["type"], valid) for record, valid in RECORD_VERDICTS}
    assert checked == {(t, valid) for t in RECORD_TYPES for valid in (True, False)}


@pytest.mark.parametrize(("record", "valid"), RECORD_VERDICTS)
def test_records_use_the_schemas_the_server_validates_with(document, record, valid):
    schema = document["components"]["schemas"][f"{record['type'].capitalize()}Record"]
    assert Draft202012Validator(schema).is_valid(record) is valid
    assert (validate_record(record) == []) is valid


def test_every_operation_but_the_document_and_its_page_needs_credentials(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}
    assert schemes["sessionCookie"]["in"] == "cookie"
    assert document["paths"]["/openapi.json"]["get"]["security"] == []
    assert document["paths"]["/reference"]["get"]["security"] == []
    for path, item in document["paths"].items():
        for spec in item.values():
            if path not in ("/openapi.json", "/reference"):
                assert "security" not in spec
                assert "401" in spec["responses"]


def test_another_module_can_add_an_operation(client, monkeypatch):
    monkeypatch.setattr(openapi, "OPERATIONS", dict(openapi.OPERATIONS))
    monkeypatch.setattr(openapi, "SCHEMAS", dict(openapi.SCHEMAS))
    openapi.add_schema("Photo", {"type": "object"})
    openapi.add_operation(
        "/photos/{photo_id}",
        "PUT",
        {
            "operationId": "putPhoto",
            "responses": {"200": openapi_parts.json_body(openapi_parts.ref("Photo"), "Stored.")},
        },
    )
    document = client.get(V1 + "/openapi.json").get_json()
    assert document["paths"]["/photos/{photo_id}"]["put"]["operationId"] == "putPhoto"
    assert "Photo" in document["components"]["schemas"]


@pytest.mark.parametrize(
    ("path", "method", "spec"),
    [
        ("/x", "fetch", {"operationId": "x"}),
        ("x", "get", {"operationId": "x"}),
        ("/x", "get", {}),
        ("/x", "get", {"operationId": "syncRecords"}),
    ],
)
def test_a_bad_operation_is_refused(monkeypatch, path, method, spec):
    monkeypatch.setattr(openapi, "OPERATIONS", dict(openapi.OPERATIONS))
    with pytest.raises(ValueError, match="operation|operationId"):
        openapi.add_operation(path, method, spec)
