"""ETags on reads: a script polling a list gets a short 304 until something changes."""

from __future__ import annotations

import gzip

import pytest

from tests.api.loop_helpers import get, make_gaps


@pytest.mark.parametrize("path", ["/gaps", "/walks", "/sites", "/actions", "/plans", "/walks/due"])
def test_an_unchanged_read_is_a_304_without_a_body(api, path):
    make_gaps(api, 2)
    first = api.get(path)
    tag = first.headers["ETag"]
    assert tag.startswith('W/"')
    again = get(api, path, headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == tag


def test_a_change_gives_the_list_a_new_tag(api):
    made = make_gaps(api, 1)
    tag = api.get("/gaps").headers["ETag"]
    api.post(f"/gaps/{made['gaps'][0]}/triage", json={"status": "confirmed"})
    changed = get(api, "/gaps", headers={"If-None-Match": tag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != tag


def test_the_tag_is_the_same_gzipped_or_not(api):
    make_gaps(api, 8)  # over a kilobyte: gzipped when asked
    plain = api.get("/gaps")
    packed = get(api, "/gaps", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    assert packed.headers["ETag"] == plain.headers["ETag"]
    cached = get(
        api, "/gaps", headers={"Accept-Encoding": "gzip", "If-None-Match": plain.headers["ETag"]}
    )
    assert cached.status_code == 304


def test_writes_and_errors_carry_no_read_tag(api):
    made = make_gaps(api, 1)
    assert (
        "ETag" not in api.post(f"/gaps/{made['gaps'][0]}/triage", json={"status": "open"}).headers
    )
    assert "ETag" not in api.get("/gaps", query_string={"limit": "0"}).headers


def test_the_document_and_the_reference_page_are_tagged_too(client):
    for path in ("/api/v1/openapi.json", "/api/v1/reference"):
        tag = client.get(path).headers["ETag"]
        assert client.get(path, headers={"If-None-Match": tag}).status_code == 304
