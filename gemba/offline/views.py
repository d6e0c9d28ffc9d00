"""The offline capture app: its shell page, service worker, web manifest and who is logged in.

The shell is the same page for everyone (no user data, no CSRF token in it), so the
service worker can cache it and start it with no network. It carries the capture
vocabulary (`capture.vocabulary.document()`) as JSON: the phone's forms use the server's
words, in the server's order, offline too. What belongs to a user
comes from /app/me and the API once the page runs.
"""

from __future__ import annotations

import gzip
import hashlib
import os

from flask import (
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from gemba.capture import vocabulary
from gemba.offline import assets, bp
from gemba.offline.catalog import app_catalog
from gemba.platform.errors import problem
from gemba.platform.languages import role_name, select_locale

# Metres: a GPS fix less accurate than this gets a warning (each phone may change it).
DEFAULT_GPS_WARN_METRES = 50
THEME_COLOUR = "#1f4e5f"


def asset_url(name: str) -> str:
    """Where the shell's CSS or JavaScript file `name` is served in this version."""
    return url_for("offline.asset", version=assets.shell_version(), name=name)


# The shell's bytes and their gzip form, per shell version and mount point.
_shells: dict[tuple[str, str], tuple[bytes, bytes]] = {}


@bp.get("/app")
@bp.get("/app/<path:route>")
def shell(route: str = ""):
    """The app shell; the page itself routes /app/… in the browser. The same bytes for
    everyone who reads the same language, so they are made once per version and language,
    sent gzipped, and may be kept by the browser (revalidated): nothing in them belongs to
    a user. The language's words ride along (the vocabulary and the app's catalog)."""
    language = select_locale()
    key = (assets.shell_version(), request.script_root, language)
    if key not in _shells:
        if any(k[0] != key[0] for k in _shells):
            _shells.clear()  # an older version's bytes are never asked for again
        html = render_template(
            "offline/shell.html",
            modules=[asset_url(p) for p in assets.EAGER_MODULES],
            asset_url=asset_url,
            theme=THEME_COLOUR,
            language=language,
            vocabulary=vocabulary.document(),
            catalog={"language": language, "messages": app_catalog(language)},
        ).encode()
        _shells[key] = (html, gzip.compress(html, compresslevel=9, mtime=0))
    html, packed = _shells[key]
    gzip_ok = "gzip" in request.headers.get("Accept-Encoding", "")
    response = Response(packed if gzip_ok else html, mimetype="text/html")
    if gzip_ok:
        response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    # The language follows the user's choice (the session cookie) or the browser's.
    response.vary.update(("Accept-Language", "Cookie"))
    response.headers["Content-Language"] = language
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/app/assets/<version>/<path:name>")
def asset(version: str, name: str):
    """A shell file, gzip-compressed for browsers that take it; cached for good when the
    version in its URL is the current one (a new version is a new URL)."""
    try:
        data, packed = assets.read_asset(name)
    except (KeyError, OSError):
        abort(404)
    etag = hashlib.sha256(data).hexdigest()[:20]
    gzip_ok = "gzip" in request.headers.get("Accept-Encoding", "")
    response = Response(
        packed if gzip_ok else data, mimetype=assets.MIMETYPES[os.path.splitext(name)[1]]
    )
    if gzip_ok:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    response.set_etag(etag)
    if version == assets.shell_version():
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)


@bp.get("/app/me")
def me():
    """The logged-in user, a fresh CSRF token for the API, and the phone's settings."""
    if not current_user.is_authenticated:
        return problem(401, "Log in to sync.")
    gps_warn = current_app.config.get("GEMBA_GPS_WARN_METRES", DEFAULT_GPS_WARN_METRES)
    return jsonify(
        {
            "id": current_user.id,
            "email": current_user.email,
            "label": current_user.label,
            "role": current_user.role,
            "role_name": role_name(current_user.role),  # the role in the user's language
            "csrf_token": generate_csrf(),
            "settings": {"gps_warn_m": gps_warn},
            # The shell's language for this user now: another one means reload the shell.
            "language": select_locale(),
        }
    )


@bp.get("/sw.js")
def service_worker():
    """The service worker, from the root so it may serve /app; its cache is the shell's hash."""
    precache = [url_for("offline.shell"), url_for("offline.manifest")]
    precache += [asset_url(p) for p in assets.SHELL_ASSETS]
    precache += [url_for("static", filename=p) for p in assets.SHELL_IMAGES]
    body = render_template(
        "offline/sw.js", version=assets.shell_version(), precache=precache[1:], shell=precache[0]
    )
    response = Response(body, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    # Always revalidated: a new deploy must reach the browser's update check at once.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/manifest.webmanifest")
def manifest():
    """The web app manifest: installable, standalone, starting at the capture shell."""
    icons = [
        {
            "src": url_for("static", filename=path),
            "sizes": sizes,
            "type": "image/png",
            "purpose": purpose,
        }
        for path, sizes, purpose in assets.MANIFEST_ICONS
    ]
    body = {
        "name": "Gemba — walk the floor",
        "short_name": "Gemba",
        "description": "Log places, things, facts and what was said on a Gemba walk, offline.",
        "id": url_for("offline.shell"),
        "start_url": url_for("offline.shell"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f4f6f8",
        "theme_color": THEME_COLOUR,
        "icons": icons,
    }
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    response.headers["Cache-Control"] = "no-cache"
    return response
