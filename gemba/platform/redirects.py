"""Where a redirect may lead: only to a path of this app, decided by parsing the URL.

A `next=` parameter comes from a link anyone can craft. Browsers are lenient: they strip
tabs and newlines from URLs, read a backslash as a slash, and treat `//host` as another
site, so a check by prefix ("starts with /") lets `/\\t/evil.example` through. Here the
target is refused outright when it holds anything a browser would rewrite (control
characters, whitespace, backslashes) and is otherwise parsed: no scheme, no host, an
absolute path that does not start with two slashes.
"""

from __future__ import annotations

from urllib.parse import urlsplit

MAX_LENGTH = 2000


def local_path(target: str | None) -> str | None:
    """The target if it is a path on this app, else None."""
    if not target or len(target) > MAX_LENGTH:
        return None
    if any(ord(ch) < 33 or ord(ch) == 127 or ch.isspace() or ch == "\\" for ch in target):
        return None
    try:
        parts = urlsplit(target)
    except ValueError:
        return None
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
