"""Query parameters read as values a view can always use.

A query string is whatever someone typed, bookmarked or crafted. Views read each
parameter through one of these functions, so an odd value is a sensible default or a
clear 400, never a 500: `page=99999999999999999999` reads as the last page there can be
(an OFFSET that large overflows the database), `topic_id=²` as no topic, and `q=%00` (a
NUL that PostgreSQL refuses even in a comparison) as a 400 naming the character. The
same goes for ids in paths: `/review/topics/99999999999999999999` is a 404.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from flask import Flask
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from gemba.domain import text

# Far beyond any real list (25 gaps a page: 250,000 gaps), far below an OFFSET overflow.
MAX_PAGE = 10_000
# The largest value of an INTEGER column, as ids of topics, actions and tokens are.
MAX_ID = 2**31 - 1


class ParamInvalid(BadRequest):
    """A query parameter breaks the text rules: a 400 that says which one and why."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(description=f"The query parameter {name!r} is not valid. {message}")
        self.field = name
        self.message = message


def page(args: Mapping[str, str], name: str = "page") -> int:
    """A page number from 1 to MAX_PAGE: a larger one reads as MAX_PAGE, anything that is
    not a whole number (empty, negative, "2.5", "٣") as page 1."""
    raw = args.get(name) or ""
    if not raw.isascii() or not raw.isdigit():
        return 1
    if len(raw) > len(str(MAX_PAGE)):  # int() of thousands of digits is refused, or slow
        return MAX_PAGE
    return min(max(int(raw), 1), MAX_PAGE)


def whole_number(args: Mapping[str, str], name: str, high: int = MAX_ID) -> int | None:
    """A whole number from 1 to `high` (an id), or None when it is absent or not one."""
    raw = args.get(name) or ""
    if not raw.isascii() or not raw.isdigit() or len(raw) > len(str(high)):
        return None
    value = int(raw)
    return value if 1 <= value <= high else None


def uuid_or_none(args: Mapping[str, str], name: str) -> uuid.UUID | None:
    """A UUID filter, or None when it is absent or malformed (a filter that matches
    nothing would only hide everything)."""
    try:
        return uuid.UUID(args.get(name) or "")
    except ValueError:
        return None


def search_text(args: Mapping[str, str], name: str, max_length: int) -> str | None:
    """Text to search for, stripped and cut to `max_length`; None when empty. Text the
    rules of `domain.text` refuse is a ParamInvalid (400)."""
    raw = args.get(name) or ""
    message = text.problem(raw)
    if message is not None:
        raise ParamInvalid(name, message)
    return raw.strip()[:max_length] or None


def check_text(args: Mapping[str, str]) -> None:
    """Every value in the query string follows the text rules, or a ParamInvalid says
    which does not: for a form read from the query string as a whole."""
    items = args.items(multi=True) if hasattr(args, "getlist") else args.items()
    for name, value in items:
        message = text.problem(value)
        if message is not None:
            raise ParamInvalid(name, message)


class IdConverter(IntegerConverter):
    """`<int:...>` in a route: a whole number an INTEGER column can hold, else a 404 (a
    larger one overflows the database's comparison)."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Bound `<int:...>` in every route; call before the blueprints are registered."""
    app.url_map.converters["int"] = IdConverter
