"""Pages of every API list: `limit`, and an opaque `cursor` or the older `offset`.

An offset page shifts when rows are added before it, so a script walking a growing
list sees an item twice or misses one. A cursor names the last item's place in the
list's order (its sort key and id, a keyset), so the next page starts right after it
whatever was added meanwhile. The cursor is base64url JSON, tagged with the list it
belongs to; clients treat it as opaque, and a malformed or foreign one is a 400.

Answers keep their older members (`total`, `offset`, `next_offset`) and add
`next_cursor` (null on the last page) and a `Link: <…>; rel="next"` header.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from flask import Response, jsonify, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from gemba.domain.gemba_json import FieldError
from gemba.domain.schema_errors import Message
from gemba.extensions import db

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_OFFSET = 1_000_000_000  # beyond any real list; keeps OFFSET inside every database's range
MAX_CURSOR = 1000  # characters; a real one is under 200


class QueryInvalid(Exception):
    """A query parameter is malformed; carries (field, message) pairs."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class Page:
    """What the caller asked for: how many, and where to start (a cursor or an offset)."""

    limit: int
    offset: int = 0
    cursor: str | None = None
    unpaged: bool = False  # no limit and no cursor, on a list whose old answer was whole


@dataclass(frozen=True)
class Key:
    """One column of a list's order: what it sorts by, which way, and its value's kind."""

    column: Any
    kind: str  # "str", "int", "float", "uuid" or "time"
    descending: bool = False


def _integer(args: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    """A bounded whole number; digits only, so "1e3" or " 5" is an error, not a guess."""
    raw = args.get(name)
    if raw is None:
        return default
    wrong = Message("Must be a whole number from %(low)s to %(high)s.", low=low, high=high)
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        raise QueryInvalid([FieldError(name, wrong)])
    value = int(raw)
    if not low <= value <= high:
        raise QueryInvalid([FieldError(name, wrong)])
    return value


def page_params(args: Mapping[str, str], *, whole_by_default: bool = False) -> Page:
    """limit (1..200, default 50), and cursor or offset, from the query string.

    `whole_by_default`: a list the capture app has always read whole (plans, walks due)
    stays whole unless the caller asks for a page."""
    cursor = args.get("cursor")  # with a cursor, an offset is ignored: the cursor says where
    unpaged = whole_by_default and "limit" not in args and cursor is None
    return Page(
        limit=_integer(args, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        offset=_integer(args, "offset", 0, 0, MAX_OFFSET),
        cursor=cursor,
        unpaged=unpaged,
    )


# -- cursors ---------------------------------------------------------------------------------


def encode(list_name: str, values: Sequence[Any]) -> str:
    """The cursor after an item whose sort key is `values`."""
    raw = json.dumps([list_name, [_plain(v) for v in values]], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _parse(kind: str, value: Any) -> Any:
    """One value of a cursor, checked against its column's kind (ValueError if it is not)."""
    if kind == "str" and isinstance(value, str) and "\x00" not in value:
        value.encode()  # a lone surrogate is no text a database takes
        return value
    if kind == "int" and type(value) is int and abs(value) < 2**63:
        return value
    if kind == "float" and type(value) in (int, float) and math.isfinite(value):
        return float(value)
    if kind == "uuid" and isinstance(value, str):
        return uuid.UUID(value)
    if kind == "time" and isinstance(value, str):
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is not None:
            return moment.astimezone(UTC)
    raise ValueError(f"not a {kind}")


def decode(list_name: str, cursor: str, kinds: Sequence[str]) -> list[Any]:
    """The sort key a cursor of this list names; QueryInvalid if it is not one."""
    try:
        if len(cursor) > MAX_CURSOR or not cursor.isascii():
            raise ValueError("too long")
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name, values = json.loads(raw)
        if name != list_name or not isinstance(values, list) or len(values) != len(kinds):
            raise ValueError("another list's cursor")
        return [_parse(kind, value) for kind, value in zip(kinds, values, strict=True)]
    except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeError):
        message = _l("Not a cursor of this list; use next_cursor from a previous page.")
        raise QueryInvalid([FieldError("cursor", message)]) from None


def _after(keys: Sequence[Key], values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows after the given sort key, in the keys' order: the keyset condition."""
    branches = []
    for i, key in enumerate(keys):
        equal = [k.column == v for k, v in zip(keys[:i], values[:i], strict=True)]
        beyond = key.column < values[i] if key.descending else key.column > values[i]
        branches.append(and_(*equal, beyond))
    return or_(*branches)


# -- pages -----------------------------------------------------------------------------------


def keyset_page(
    list_name: str,
    query: Select,
    keys: Sequence[Key],
    page: Page,
    to_json: Callable[..., dict[str, Any]],
    key_of: Callable[..., Sequence[Any]],
) -> dict[str, Any]:
    """One page of the query in the keys' order, with the total and the next cursor.

    `key_of(*row)` gives a row's sort key (the values of `keys`), for its cursor."""
    query = query.order_by(*(k.column.desc() if k.descending else k.column for k in keys))
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    total = total or 0
    if page.cursor is not None:
        after = decode(list_name, page.cursor, [k.kind for k in keys])
        rows = db.session.execute(query.where(_after(keys, after)).limit(page.limit + 1)).all()
    elif page.unpaged:
        rows = db.session.execute(query).all()
    else:
        rows = db.session.execute(query.limit(page.limit + 1).offset(page.offset)).all()
    more = not page.unpaged and len(rows) > page.limit
    rows = rows[: page.limit] if more else rows
    return _body(
        [to_json(*row) for row in rows],
        total,
        page,
        encode(list_name, key_of(*rows[-1])) if more else None,
    )


def list_page(
    list_name: str, items: Sequence[Any], kinds: Sequence[str], key_of, page: Page
) -> tuple[list[Any], dict[str, Any]]:
    """A page of a list computed in Python (walks due), sorted by `key_of` ascending.

    Returns the page's items and the paging members (total, limit, cursors)."""
    ordered = sorted(items, key=key_of)
    if page.cursor is not None:
        after = tuple(_plain(v) for v in decode(list_name, page.cursor, kinds))
        ordered = [item for item in ordered if tuple(map(_plain, key_of(item))) > after]
        start = 0
    else:
        start = page.offset
    chosen = ordered if page.unpaged else ordered[start : start + page.limit + 1]
    more = not page.unpaged and len(chosen) > page.limit
    chosen = chosen[: page.limit] if more else chosen
    next_cursor = encode(list_name, key_of(chosen[-1])) if more else None
    body = _body(list(chosen), len(items), page, next_cursor)
    del body["items"]
    return chosen, body


def _body(items: list[Any], total: int, page: Page, next_cursor: str | None) -> dict[str, Any]:
    by_offset = page.cursor is None
    end = page.offset + len(items)
    return {
        "items": items,
        "total": total,
        "limit": None if page.unpaged else page.limit,
        "offset": page.offset if by_offset else None,
        "next_offset": end if by_offset and next_cursor is not None else None,
        "next_cursor": next_cursor,
    }


def respond(body: dict[str, Any]) -> Response:
    """The page as JSON, with a `Link: <…>; rel="next"` header when there is a next page."""
    response = jsonify(body)
    next_cursor = body.get("next_cursor")
    if next_cursor:
        args = [(k, v) for k, v in request.args.items(multi=True) if k not in ("cursor", "offset")]
        url = f"{request.base_url}?{urlencode([*args, ('cursor', next_cursor)])}"
        response.headers["Link"] = f'<{url}>; rel="next"'
    return response
