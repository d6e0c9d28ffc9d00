"""Pausing Python's cycle collector while a request builds many small objects at once."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Pause the cycle collector while many small objects are allocated (a recompute's
    verdicts, a trends page's histories).

    None of them form cycles, but every few hundred allocations the collector walks them
    all again: about a tenth of a full recompute, and up to half of a trends page's
    counting. Reference counting still frees everything, and the collector runs as usual
    afterwards.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
