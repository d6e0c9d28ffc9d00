"""API reads are gzipped for clients that take it: the same JSON, fewer bytes on the floor."""

from __future__ import annotations

import gzip
import json

from tests.api.conftest import V1
from tests.conftest import uid


def _site_with_records(api, n: int = 30) -> str:
    site, walk = uid(), uid()
    batch = [
        {"type": "site", "id": site, "name": "Plant 2"},
        {"type": "walk", "id": walk, "site": site, "title": "Press line"},
    ]
    batch += [
        {"type": "fact", "id": uid(), "walk": walk, "text": f"Guard open {i}", "topic": "Guards"}
        for i in range(n)
    ]
    assert api.sync(*batch).status_code == 200
    return site


def test_a_large_read_is_gzipped_when_accepted_and_decodes_to_the_same_json(api):
    site = _site_with_records(api)
    plain = api.get(f"/sites/{site}/export")
    packed = api.client.get(
        f"{V1}/sites/{site}/export", headers={**api.headers, "Accept-Encoding": "gzip"}
    )
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert len(packed.data) < len(plain.data) / 3
    assert json.loads(gzip.decompress(packed.data)) == plain.get_json()


def test_small_answers_errors_and_writes_are_sent_as_they_are(api):
    gzip_headers = {**api.headers, "Accept-Encoding": "gzip"}
    small = api.client.get(f"{V1}/sites?limit=1", headers=gzip_headers)
    missing = api.client.get(f"{V1}/walks/{uid()}", headers=gzip_headers)
    write = api.client.post(
        f"{V1}/sync", headers=gzip_headers, json={"format": "gemba/v1", "records": []}
    )
    for response in (small, missing, write):
        assert "Content-Encoding" not in response.headers, response.request.path
