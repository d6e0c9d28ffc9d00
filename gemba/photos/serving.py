"""One photo copy as an HTTP response, for the pages (session) and the API (token) alike.

Only the re-encoded copies (thumbnail, display) are ever served, never the uploaded bytes.
A copy never changes under its key (the key is its SHA-256), so a client may keep it for a
year and revalidate with the key as ETag.
"""

from __future__ import annotations

import logging

from flask import Response, abort, current_app, redirect, request

from gemba.models import Photo
from gemba.photos import service as photos
from gemba.photos.s3_store import S3PhotoStore

log = logging.getLogger(__name__)

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
    store = photos.store()
    if isinstance(store, S3PhotoStore) and current_app.config.get("GEMBA_S3_PRESIGNED_URLS"):
        return _to_presigned(store, photo, variant, key)
    try:
        # Copies are small (a display copy is a few hundred KB): read and close at once.
        with store.open(key) as handle:
            body = handle.read()
    except KeyError:
        abort(404)
    except OSError:  # the store did not answer (a bucket out of reach, a failing disk)
        log.exception("could not read photo %s (%s) from the store", photo.id, variant)
        abort(503)
    return Response(body, mimetype=photo.mime or "image/jpeg", headers=headers)


def _to_presigned(store: S3PhotoStore, photo: Photo, variant: str, key: str) -> Response:
    """Send the browser to the object store for the bytes, by a URL that expires soon.

    The caller's login was checked before this; the redirect itself is not kept by any
    cache, since the URL in it stops working after GEMBA_S3_URL_SECONDS."""
    seconds = int(current_app.config.get("GEMBA_S3_URL_SECONDS") or 300)
    filename = f"photo-{photo.id}-{variant}.jpg"
    url = store.presigned_url(key, seconds, filename, photo.mime or "image/jpeg")
    response = redirect(url, code=302)
    response.headers["Cache-Control"] = "private, no-store"
    return response
