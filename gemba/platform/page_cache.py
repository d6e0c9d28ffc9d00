"""Rendered page parts, cached under the data revision they were read at.

The walk page and the gap inbox are read far more often than the data behind them
changes: an analyst goes back and forth between the inbox and gaps, a phone reloads
its walk. Their expensive parts (queries across 100,000 facts, dozens of cards) are
kept as rendered HTML keyed by the data revision (gemba/revision.py), so an entry is
only ever served while nothing has been written since it was made. What differs per
user or per session (CSRF tokens, the menu) is never inside a cached part.

The store is Flask-Caching: memory per worker process by default, or Redis shared by
all workers with `CACHE_TYPE = "RedisCache"` and `CACHE_REDIS_URL`. A cache that fails
(Redis gone) is logged and skipped: the page is rendered as if there were no cache.

Every key starts with the code's version (`code_version()`, computed once at start-up):
an entry is HTML that code and templates made, so a deploy must not serve the previous
release's pages from a shared Redis while they wait out their timeout.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
from collections.abc import Callable, Collection, Hashable
from pathlib import Path
from typing import TypeVar

from flask import Flask, current_app
from flask_babel import get_locale
from flask_caching import Cache

from gemba.platform import revision

T = TypeVar("T")
cache = Cache()
_PREFIX = "gemba_page_cache_prefix"  # app.extensions: what every key of this app starts with
_PACKAGE = Path(__file__).resolve().parent.parent  # the gemba package


def init_app(app: Flask) -> None:
    app.config.setdefault("CACHE_TYPE", "SimpleCache")
    app.config.setdefault("CACHE_KEY_PREFIX", "gemba:")
    cache.init_app(app)
    # In the key itself, not only in CACHE_KEY_PREFIX: not every store applies that.
    app.extensions[_PREFIX] = f"{code_version()}:"


@functools.cache
def code_version() -> str:
    """The version of the code that renders pages: the package's version and a hash of
    its Python sources and templates, so that any change to either gives new keys.

    Read from the files, not from git: an installed package has no repository. Once per
    process (some 600 kB, milliseconds); the same files give the same version on every
    server, so workers and servers that share one Redis share its entries.
    """
    try:
        version = importlib.metadata.version("gemba")
    except importlib.metadata.PackageNotFoundError:
        version = "0"
    sources = [p for p in _PACKAGE.rglob("*.py") if "__pycache__" not in p.parts]
    templates = [p for p in (_PACKAGE / "templates").rglob("*") if p.is_file()]
    templates += list((_PACKAGE / "translations").rglob("*.po"))  # the words are code too
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted(set(sources + templates)):
        name = path.relative_to(_PACKAGE).as_posix().encode()
        content = path.read_bytes()
        digest.update(b"%d:%s%d:" % (len(name), name, len(content)))
        digest.update(content)
    return f"{version}+{digest.hexdigest()}"


def cached(
    name: str,
    key: tuple[Hashable, ...],
    build: Callable[[], T],
    reads: Collection[str] | None = None,
) -> T:
    """`build()`'s result for this key at the current data revision, built at most once
    per revision (per worker, with the memory store).

    `reads` names every table `build()` reads: the entry then lasts until one of them
    is written. Without it, any write makes a new entry. The tokens must be read before
    the data `build()` reads; the session's user loader reads them first thing in every
    request, and this function before calling `build()`.
    """
    if not current_app.config.get("GEMBA_PAGE_CACHE", True):
        return build()
    digest = hashlib.blake2b(repr(key).encode(), digest_size=16).hexdigest()
    prefix = current_app.extensions.get(_PREFIX) or f"{code_version()}:"
    # A page part is cached per language: the same rows read differently in each.
    full_key = f"{prefix}{name}:{get_locale()}:{revision.current(reads)}:{digest}"
    try:
        found = cache.get(full_key)
    except Exception:  # noqa: BLE001  (a cache is an optimisation: never fail a page for it)
        current_app.logger.exception("page cache unavailable; rendering without it")
        return build()
    if found is not None:
        return found
    value = build()
    try:
        cache.set(full_key, value)
    except Exception:  # noqa: BLE001
        current_app.logger.exception("page cache unavailable; rendering without it")
    return value
