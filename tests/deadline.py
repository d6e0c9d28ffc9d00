"""A time limit for one block of a test, so code that never returns fails instead of hanging.

The suite has no timeout plugin; a SIGALRM interrupts pure Python loops in the main
thread (where the test client runs a request), which is where such a hang would be.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager


class DeadlineExceeded(AssertionError):
    """The block ran longer than it was allowed to."""


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Fail the test with DeadlineExceeded if the block runs longer than `seconds`."""

    def expire(signum, frame):
        raise DeadlineExceeded(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
