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
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Hashable
from typing import TypeVar

from flask import Flask, current_app
from flask_caching import Cache

from gemba.platform import revision

T = TypeVar("T")
cache = Cache()


def init_app(app: Flask) -> None:
    app.config.setdefault("CACHE_TYPE", "SimpleCache")
    app.config.setdefault("CACHE_KEY_PREFIX", "gemba:")
    cache.init_app(app)


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
    full_key = f"{name}:{revision.current(reads)}:{digest}"
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
