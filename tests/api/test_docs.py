"""The documented example is a real document: it imports cleanly and round-trips."""

from __future__ import annotations

import json
import re
from pathlib import Path

from gemba.domain.gemba_json import RECORD_TYPES

DOC = Path(__file__).resolve().parents[2] / "docs" / "gemba-json.md"


def documented_example() -> dict:
    text = DOC.read_text(encoding="utf-8")
    block = re.search(r"```json\n(.*?)```", text, re.DOTALL).group(1)
    return json.loads(block)


def test_the_documented_example_has_every_record_type_and_imports_cleanly(api_as):
    example = documented_example()
    assert {r["type"] for r in example["records"]} == set(RECORD_TYPES)
    api = api_as("analyst")
    body = api.post("/sync", json=example).get_json()
    assert [r["status"] for r in body["results"]] == ["created"] * len(example["records"])
    assert body["gaps"], "the example shows a contradiction"
    walk = next(r["id"] for r in example["records"] if r["type"] == "walk")
    exported = api.get(f"/walks/{walk}/export").get_json()
    assert len(exported["records"]) == len(example["records"])
    again = api.post("/sync", json=exported).get_json()
    assert {r["status"] for r in again["results"]} == {"unchanged"}
