"""The main site's static files: a content digest in their URLs, cached for good, gzipped.

`url_for("static", filename="css/gemba.css")` gives `/static/css/gemba.css?v=<digest>`,
the first 16 hex digits of the file's SHA-256, through an `app.url_defaults` hook. A
request whose `v` is the file's current digest is answered with `immutable` caching for
a year: a new version of the file is a new URL, so a browser never asks again and never
keeps an old copy. Any other request for a static file (no `v`, an old or made-up one,
an image) is served as well, with `no-cache`, so it is revalidated by its ETag.

CSS, JavaScript and SVG are sent gzip-compressed to a browser that accepts it. Their
bytes, digest and gzip form are kept in memory per file and made again only when the
file's modification time or size changes, so editing a stylesheet in development gives
it a new URL on the next page, and no request hashes or compresses anything twice.

Only CSS and JavaScript carry the digest: the icons are also listed by the offline app's
service worker, which matches them by path (its shell has its own version, gemba.offline).

A build step (flask-static-digest writes hashed copies and .gz files with `flask digest
compile`) was not chosen: Gemba ships plain files with no build, and its development
mode would fall back to undigested URLs.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import threading
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, abort, current_app, request, send_from_directory
from werkzeug.security import safe_join

# Files whose URL carries their digest: what every page loads.
DIGESTED = (".css", ".js")
# Files worth compressing (text), with their media types.
COMPRESSED = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
DIGEST_LENGTH = 16


@dataclass(frozen=True)
class StaticFile:
    """One file's bytes as last read, the stat they were read under, and their forms."""

    signature: tuple[int, int]  # (mtime_ns, size)
    mtime: float
    data: bytes
    packed: bytes
    digest: str


_lock = threading.Lock()
_files: dict[str, StaticFile] = {}


def _path(folder: str, filename: str) -> str | None:
    """The file's path inside `folder`, or None for a name that leaves it or is no file."""
    path = safe_join(folder, filename)
    if path is None or not os.path.isfile(path):
        return None
    return path


def load(folder: str, filename: str) -> StaticFile | None:
    """A text file's bytes, gzip form and digest; read again only when the file changed."""
    if os.path.splitext(filename)[1] not in COMPRESSED:
        return None
    path = _path(folder, filename)
    if path is None:
        return None
    try:
        stat = os.stat(path)
        signature = (stat.st_mtime_ns, stat.st_size)
        with _lock:
            hit = _files.get(path)
        if hit is not None and hit.signature == signature:
            return hit
        with open(path, "rb") as f:
            data = f.read()
    except OSError:  # removed or replaced meanwhile: as if it were not there
        return None
    loaded = StaticFile(
        signature=signature,
        mtime=stat.st_mtime,
        data=data,
        packed=gzip.compress(data, compresslevel=9, mtime=0),
        digest=hashlib.sha256(data).hexdigest()[:DIGEST_LENGTH],
    )
    with _lock:
        _files[path] = loaded
    return loaded


def inject_digest(endpoint: str | None, values: dict[str, Any]) -> None:
    """url_defaults: add `v=<digest>` to the URL of a static CSS or JavaScript file."""
    if endpoint != "static" or "v" in values:
        return
    filename = values.get("filename")
    if not isinstance(filename, str) or not filename.endswith(DIGESTED):
        return
    folder = current_app.static_folder
    found = load(folder, filename) if folder else None
    if found is not None:  # a missing file keeps its plain URL (and answers 404)
        values["v"] = found.digest


def send_static_file(filename: str) -> Response:
    """The static route: text files from memory, gzipped when accepted; images from disk."""
    folder = current_app.static_folder
    if not folder:
        abort(404)
    found = load(folder, filename)
    if found is None:
        # Not text (or no such file): Flask sends it, with its ETag and no-cache.
        response = send_from_directory(folder, filename)
        response.headers["Cache-Control"] = REVALIDATE
        return response
    gzip_ok = request.accept_encodings["gzip"] > 0 and len(found.packed) < len(found.data)
    response = Response(
        found.packed if gzip_ok else found.data,
        mimetype=COMPRESSED[os.path.splitext(filename)[1]],
    )
    if gzip_ok:
        response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    # One ETag per encoding: the two bodies differ, so a cache must not swap them.
    response.set_etag(found.digest + ("-gz" if gzip_ok else ""))
    response.last_modified = found.mtime
    current = filename.endswith(DIGESTED) and request.args.get("v") == found.digest
    response.headers["Cache-Control"] = IMMUTABLE if current else REVALIDATE
    return response.make_conditional(request)


def init_app(app: Flask) -> None:
    """Put the digest in static URLs and serve static files through this module."""
    if not app.has_static_folder:
        return
    app.url_defaults(inject_digest)
    app.view_functions["static"] = send_static_file
