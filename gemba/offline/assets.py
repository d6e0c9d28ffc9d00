"""The offline app shell's files and the version the service worker caches them under.

The version is a hash of every file the shell is made of, computed by the server
when it serves /sw.js: a deploy that changes any of them changes the service
worker's bytes, so browsers install the new worker and drop the old cache. The
shell's CSS and JavaScript are served under that version (`/app/assets/<version>/…`),
compressed and cacheable for a year, so a repeat load costs nothing even without
the worker, and a new version can never be mixed with an old file.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import threading
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
STATIC = PACKAGE / "static"
TEMPLATES = PACKAGE / "templates"

# CSS and JavaScript of the shell, relative to static/, served by offline.asset.
SHELL_ASSETS = (
    "css/gemba.css",
    "offline/offline.css",
    "offline/app.js",
    "offline/state.js",
    "offline/router.js",
    "offline/hints.js",
    "offline/to-check.js",
    "offline/for-you.js",
    "offline/screens/walks.js",
    "offline/screens/walk.js",
    "offline/screens/form.js",
    "offline/screens/ledger.js",
    "offline/screens/summary.js",
    "offline/screens/checklist.js",
    "offline/db.js",
    "offline/queue.js",
    "offline/sync.js",
    "offline/ui.js",
    "offline/vocabulary.js",
    "offline/drafts.js",
    "offline/plans.js",
    "offline/saydo.js",
    "offline/forms.js",
    "offline/form-parts.js",
    "offline/photo-review.js",
    "offline/walk-start.js",
    "offline/expired.js",
    "offline/claim-proposal.js",
    "offline/topic-suggest.js",
    "offline/quote-claims.js",
    "offline/photos.js",
    "offline/zip.js",
    "offline/i18n.js",
    "claim-rules.json",
)
# Shell files kept outside static/, under the name they are served by: the rules that read a
# claim in a quote are the server's own file (domain/), one source for both readers.
OUTSIDE_STATIC = {"claim-rules.json": PACKAGE / "domain" / "claim_rules.json"}
# Modules the first screen needs, preloaded in parallel: app.js and what it imports (the
# screens are small and routed without a round trip). The say-vs-do rules and the forms
# are asked for by app.js at start when the first screen is a walk or a form, a plan
# walk's checklist when it is the checklist; zip.js loads on first use (an export).
EAGER_MODULES = (
    "offline/app.js",
    "offline/state.js",
    "offline/router.js",
    "offline/hints.js",
    "offline/to-check.js",
    "offline/for-you.js",
    "offline/screens/walks.js",
    "offline/screens/walk.js",
    "offline/screens/form.js",
    "offline/screens/ledger.js",
    "offline/screens/summary.js",
    "offline/db.js",
    "offline/queue.js",
    "offline/sync.js",
    "offline/ui.js",
    "offline/vocabulary.js",
    "offline/drafts.js",
    "offline/plans.js",
    "offline/walk-start.js",
    "offline/expired.js",
    "offline/i18n.js",
)
# Images the shell shows, served by Flask's static route.
SHELL_IMAGES = ("icons/gemba.svg", "icons/apple-touch-icon.png")
# Files that change what the browser runs but are not precached themselves.
SHELL_TEMPLATES = ("offline/shell.html", "offline/sw.js")
# The capture vocabulary, embedded in the shell: a changed label is a new version.
SHELL_SOURCES = ("capture/vocabulary.py",)
MANIFEST_ICONS = (
    ("icons/gemba-192.png", "192x192", "any"),
    ("icons/gemba-512.png", "512x512", "any"),
    ("icons/gemba-maskable-512.png", "512x512", "maskable"),
)
MIMETYPES = {".js": "text/javascript", ".css": "text/css", ".json": "application/json"}

_lock = threading.Lock()
_cached: tuple[tuple, str] | None = None
_compressed: dict[str, tuple[tuple[int, int], bytes, bytes]] = {}


def _files() -> list[Path]:
    paths = [asset_path(p) for p in SHELL_ASSETS] + [STATIC / p for p in SHELL_IMAGES]
    paths += [STATIC / p for p, _, _ in MANIFEST_ICONS]
    paths += [TEMPLATES / p for p in SHELL_TEMPLATES]
    paths += [PACKAGE / p for p in SHELL_SOURCES]
    # The catalogs: a changed translation is a new shell in that language, so a new version.
    paths += sorted((PACKAGE / "translations").rglob("*.po"))
    return paths


def asset_path(name: str) -> Path:
    """Where a shell asset's file is: under static/, unless it is kept elsewhere."""
    return OUTSIDE_STATIC.get(name, STATIC / name)


def shell_version() -> str:
    """A short hash of the shell's files; recomputed only when one of them changes on disk."""
    global _cached
    paths = _files()
    signature = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths)
    with _lock:
        if _cached is not None and _cached[0] == signature:
            return _cached[1]
        digest = hashlib.sha256()
        for path in paths:
            digest.update(os.path.relpath(path, PACKAGE).encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
        version = digest.hexdigest()[:16]
        _cached = (signature, version)
        return version


def read_asset(name: str) -> tuple[bytes, bytes]:
    """An asset's bytes and their gzip form (compressed once per change of the file)."""
    if name not in SHELL_ASSETS:
        raise KeyError(name)
    path = asset_path(name)
    stat = path.stat()
    key = (stat.st_mtime_ns, stat.st_size)
    with _lock:
        hit = _compressed.get(name)
        if hit is not None and hit[0] == key:
            return hit[1], hit[2]
    data = path.read_bytes()
    packed = gzip.compress(data, compresslevel=9, mtime=0)
    with _lock:
        _compressed[name] = (key, data, packed)
    return data, packed
