"""One photo copy as an HTTP response, for the pages (session) and the API (token) alike.

Only the re-encoded copies (thumbnail, display) are ever served, never the uploaded bytes.
A copy never changes under its key (the key is its SHA-256), so a client may keep it for a
year and revalidate with the key as ETag.
"""

from __future__ import annotations

from flask import Response, abort, request

from gemba.models import Photo
from gemba.photos import service as photos

VARIANTS = ("thumb", "display")
# Private: one user's evidence is never kept by a shared cache; immutable: the key names
# the bytes, so the client need not even revalidate.
CACHE_CONTROL = "private, max-age=31536000, immutable"


def copy_response(photo: Photo, variant: str) -> Response:
    """The photo's thumbnail or display copy, 304 when the client has it (If-None-Match)."""
    key = photo.thumb_key if variant == "thumb" else photo.display_key
    headers = {
        "ETag": f'"{key}"',
        "Cache-Control": CACHE_CONTROL,
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": f'inline; filename="photo-{photo.id}-{variant}.jpg"',
    }
    if request.if_none_match.contains(key):
        return Response(status=304, headers=headers)
    try:
        # Copies are small (a display copy is a few hundred KB): read and close at once.
        with photos.store().open(key) as handle:
            body = handle.read()
    except KeyError:
        abort(404)
    return Response(body, mimetype=photo.mime or "image/jpeg", headers=headers)
