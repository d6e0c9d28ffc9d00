"""ETags on every API read, so a script polling a list or an action learns "nothing
changed" from a 304 without the body, and an edit can say which version it saw.

The tag is a digest of the JSON body as it is before compression, weak because the
same JSON goes out gzipped or not. An answer that already carries its own tag (a
photo's bytes) keeps it. Edits use the same tag: `If-Match` with a stale one is 412.
"""

from __future__ import annotations

import hashlib

from flask import Response, request

READS = {"GET", "HEAD"}


def tag_of(body: bytes) -> str:
    """The weak tag of a body, as the header carries it."""
    return f'W/"{hashlib.sha256(body).hexdigest()[:32]}"'


def conditional_read(response: Response) -> Response:
    """after_request for the API: tag a read's answer; 304 when the caller has it already."""
    if (
        request.method not in READS
        or response.status_code != 200
        or response.direct_passthrough
        or response.is_streamed
        or "ETag" in response.headers
    ):
        return response
    response.headers["ETag"] = tag_of(response.get_data())
    return response.make_conditional(request)


def matches(header: str | None, tag: str) -> bool:
    """Whether an If-Match header names the tag (or is `*`); weak and strong compare alike
    here, because the tag is of the JSON and gzip does not change what was seen."""
    if header is None:
        return True
    wanted = {part.strip().removeprefix("W/") for part in header.split(",")}
    return "*" in wanted or tag.removeprefix("W/") in wanted
