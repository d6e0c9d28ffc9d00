"""A script that knows only the OpenAPI document: sync a walk, resend, read back, export, import."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.api.conftest import Api, assert_conforms
from tests.api.test_roundtrip import one_of_each, wipe


class Script:
    """Calls operations by operationId, with paths and methods read from the document."""

    def __init__(self, api: Api) -> None:
        self.api = api
        document = api.client.get("/api/v1/openapi.json").get_json()
        self.server = document["servers"][0]["url"]
        self.operations = {
            spec["operationId"]: (method, path)
            for path, item in document["paths"].items()
            for method, spec in item.items()
        }

    def call(self, operation_id: str, body: Any = None, **path_params: str):
        method, template = self.operations[operation_id]
        url = self.server + template.format(**path_params)
        response = self.api.client.open(
            url, method=method.upper(), json=body, headers=self.api.headers
        )
        assert_conforms(response, template, method)
        return response


def _same(sent: dict, stored: dict) -> bool:
    """Every field sent comes back, timestamps as the same instant (exports write UTC)."""
    for key, value in sent.items():
        if key.endswith("_at"):
            if datetime.fromisoformat(stored[key]) != datetime.fromisoformat(value):
                return False
        elif stored.get(key) != value:
            return False
    return True


def test_a_script_syncs_resends_reads_exports_and_reimports_a_walk(app, api_as):
    script = Script(api_as("admin"))
    batch = one_of_each()
    walk_id = next(r["id"] for r in batch if r["type"] == "walk")
    assert {r["type"] for r in batch} == {
        "site",
        "persona",
        "plan",
        "walk",
        "place",
        "thing",
        "statement",
        "fact",
        "contradiction",
    }

    first = script.call("syncRecords", {"format": "gemba/v1", "records": batch}).get_json()
    assert [r["status"] for r in first["results"]] == ["created"] * len(batch)
    assert first["gaps"], "the badge fact contradicts 'always' at once"

    again = script.call("syncRecords", {"format": "gemba/v1", "records": batch}).get_json()
    assert [r["status"] for r in again["results"]] == ["unchanged"] * len(batch)

    walk = script.call("getWalk", walk_id=walk_id).get_json()
    stored = {r["id"]: r for r in walk["records"]}
    assert len(stored) == len(batch)
    for record in batch:
        assert _same(record, stored[record["id"]]), (record, stored[record["id"]])

    export = script.call("exportWalk", walk_id=walk_id)
    assert export.headers["Content-Disposition"].startswith("attachment")
    document = export.get_json()
    resent = script.call("syncRecords", document).get_json()
    assert {r["status"] for r in resent["results"]} == {"unchanged"}

    wipe(app)
    imported = script.call("syncRecords", document).get_json()
    assert [r["status"] for r in imported["results"]] == ["created"] * len(batch)
    assert script.call("exportWalk", walk_id=walk_id).get_data() == export.get_data()
