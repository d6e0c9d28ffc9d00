"""One photo copy as an HTTP response, for the pages (session) and the API (token) alike.

The re-encoded copies (thumbnail, display) are served here to pages and API alike. A copy
never changes under its key (the key is its SHA-256), so a client may keep it for a year
and revalidate with the key as ETag. The uploaded bytes, where a site keeps them, are
served only by `original_response`, to admins, as a download no cache keeps.

Privacy (docs/works-council.md): a site that names the roles that may see its photos
(`sites.photo_roles`) refuses the others here, and every look at a photo of a
works-council site, a 304 or a redirect to the object store included, is logged
(`photos.view_log`), as is every look at an original on any site.
"""

from __future__ import annotations

import logging

from flask import Response, abort, current_app, redirect, request
from flask_babel import gettext as _
from flask_login import current_user

from gemba.models import Photo
from gemba.photos import service as photos
from gemba.photos import view_log
from gemba.photos.queries import may_see_photos
from gemba.photos.s3_store import S3PhotoStore

log = logging.getLogger(__name__)

VARIANTS = ("thumb", "display")
# Private: one user's evidence is never kept by a shared cache; immutable: the key names
# the bytes, so the client need not even revalidate.
CACHE_CONTROL = "private, max-age=31536000, immutable"
# An original is the unblurred upload: downloaded, never kept by any cache.
ORIGINAL_CACHE_CONTROL = "private, no-store"
_ORIGINAL_TYPES = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "HEIF": ("image/heic", "heic"),
    "WEBP": ("image/webp", "webp"),
}


def check_may_see(photo: Photo) -> None:
    """403 unless the user's role is one the photo's site shows its photos to."""
    if not may_see_photos(view_log.site_of(photo), current_user):
        abort(403, description=_("This site shows its photos to other roles only."))


def copy_response(photo: Photo, variant: str) -> Response:
    """The photo's thumbnail or display copy, 304 when the client has it (If-None-Match).

    403 for a role the site does not show its photos to; on a works-council site each
    view answered (304 and redirect included) is logged first."""
    check_may_see(photo)
    logged = view_log.logs_views(photo, variant)
    key = photo.thumb_key if variant == "thumb" else photo.display_key
    headers = {
        "ETag": f'"{key}"',
        "Cache-Control": CACHE_CONTROL,
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": f'inline; filename="photo-{photo.id}-{variant}.jpg"',
    }
    if request.if_none_match.contains(key):
        if logged:
            view_log.log_view(photo, current_user, variant)
        return Response(status=304, headers=headers)
    store = photos.store()
    if isinstance(store, S3PhotoStore) and current_app.config.get("GEMBA_S3_PRESIGNED_URLS"):
        response = _to_presigned(store, photo, variant, key)
    else:
        response = Response(
            _read(store, photo, key, variant), mimetype=photo.mime or "image/jpeg", headers=headers
        )
    if logged:
        view_log.log_view(photo, current_user, variant)
    return response


def original_response(photo: Photo) -> Response:
    """The photo's original upload as a download, logged; 404 when none was kept.

    Only the original route calls this, and only for admins: the unblurred upload shows
    faces, so it is never cached, never shown inline and never handed to the object
    store's presigned URLs (whose headers the app does not control)."""
    if not photo.original_key:
        abort(404)
    mime, extension = _ORIGINAL_TYPES.get(photo.source_format, ("application/octet-stream", "bin"))
    body = _read(photos.store(), photo, photo.original_key, "original")
    view_log.log_view(photo, current_user, "original")
    headers = {
        "Cache-Control": ORIGINAL_CACHE_CONTROL,
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": f'attachment; filename="photo-{photo.id}-original.{extension}"',
    }
    return Response(body, mimetype=mime, headers=headers)


def _read(store, photo: Photo, key: str, variant: str) -> bytes:
    """The stored file's bytes; 404 when the store has lost it, 503 when it does not answer."""
    try:
        # Copies are small (a display copy is a few hundred KB): read and close at once.
        with store.open(key) as handle:
            return handle.read()
    except KeyError:
        abort(404)
    except OSError:  # the store did not answer (a bucket out of reach, a failing disk)
        log.exception("could not read photo %s (%s) from the store", photo.id, variant)
        abort(503)


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
