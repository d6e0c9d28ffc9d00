"""The API reference page: every operation of the document, readable without a login or
a script, and allowed by the Content-Security-Policy."""

from __future__ import annotations

import re

from gemba.api import openapi


def test_the_page_lists_every_operation_with_its_examples(client):
    response = client.get("/api/v1/reference")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    for (path, method), spec in openapi.OPERATIONS.items():
        assert f'id="op-{spec["operationId"]}"' in page, (method, path)
    assert "/api/v1/gaps/{gap_id}/triage" in page
    assert "Fix the badge reader at the north gate" in page  # the action's example
    assert 'id="schema-ActionCreate"' in page


def test_the_page_needs_no_inline_script_or_style(client):
    response = client.get("/api/v1/reference")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy
    page = response.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert " style=" not in page
    assert "<style" not in page


def test_descriptions_are_escaped_with_their_code_spans_kept(client):
    page = client.get("/api/v1/reference").get_data(as_text=True)
    assert "<code>If-Match</code>" in page
    assert "<script>" not in page


def test_the_page_speaks_the_readers_language(client):
    page = client.get("/api/v1/reference", headers={"Accept-Language": "es"})
    assert "Referencia de la API" in page.get_data(as_text=True)
