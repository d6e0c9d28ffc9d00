"""gzip for the JSON the API reads out: a site's export is 20 KB of repetitive text that
a phone on a weak network fetches when it opens a walk.

Only API reads (GET) are compressed. Pages are not: they carry a CSRF token next to
text a request can echo, the mix a compression side channel (BREACH) needs.
"""

from __future__ import annotations

import gzip

from flask import Response, request

# Below this a gzip header and checksum cost more than they save.
MIN_BYTES = 1024


def gzip_json(response: Response) -> Response:
    """after_request for the API: gzip a JSON answer the client accepts gzipped."""
    if (
        request.method != "GET"
        or response.direct_passthrough
        or response.status_code != 200
        or response.mimetype != "application/json"
        or "Content-Encoding" in response.headers
        or "gzip" not in request.headers.get("Accept-Encoding", "")
    ):
        return response
    data = response.get_data()
    if len(data) < MIN_BYTES:
        return response
    response.set_data(gzip.compress(data, compresslevel=6, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response
