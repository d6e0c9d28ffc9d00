"""The server's default time zone, and the Jinja filters that show times on a site's clock.

A site keeps its own zone; the default is what a new site starts with and what times
tied to no site (an API token's last use, a deleted record) are shown in. It is
`GEMBA_DEFAULT_TIME_ZONE` when set, else the machine's own zone, else UTC.
"""

from __future__ import annotations

import contextlib
import os
from datetime import datetime
from pathlib import Path

from babel.dates import format_datetime, format_skeleton
from flask import Flask, current_app, has_request_context
from flask_babel import get_locale

from gemba.domain import clock

CONFIG_KEY = "GEMBA_DEFAULT_TIME_ZONE"


def machine_zone() -> str:
    """The IANA name of the machine's local zone (TZ, /etc/timezone, the /etc/localtime
    link), or UTC when none of them names a known zone."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError, UnicodeDecodeError):
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    try:
        target = str(Path("/etc/localtime").resolve())
    except (OSError, RuntimeError):
        target = ""
    if "zoneinfo/" in target:
        candidates.append(target.rpartition("zoneinfo/")[2])
    for name in candidates:
        known = clock.canonical_zone(name) if name else None
        if known:
            return known
    return "UTC"


def resolve_default(configured: object) -> str:
    """The default zone from the configured value: a known name (spelt as the database
    spells it), or the machine's zone when none is configured. A name that is not a zone
    is a start-up error that says so, not a silent UTC."""
    if configured in (None, ""):
        return machine_zone()
    known = clock.canonical_zone(configured)
    if known is None:
        raise ValueError(f"{CONFIG_KEY} = {configured!r}: {clock.ZONE_MESSAGE}")
    return known


def default_zone() -> str:
    """The zone of times tied to no site, and of a new site unless it names another."""
    return current_app.config[CONFIG_KEY]


def _zone_or_default(zone: object) -> str:
    # Templates pass a site's zone, or nothing (an Undefined, None or '') for the default.
    return zone if isinstance(zone, str) and zone else default_zone()


def _reader_locale() -> str:
    """The language of this request's pages (English outside a request)."""
    if not has_request_context():
        return "en"
    return str(get_locale() or "en")


def in_language(moment: datetime, zone: str, fmt: str, locale: str, label: bool) -> str:
    """The moment on the zone's clock with month and day names in `locale` (Babel), in the
    order that language writes a date; the zone's abbreviation as in English."""
    shown = clock.local(moment, zone)
    parts = clock.LOCALISED.get(fmt)
    if parts is None:
        text = format_datetime(shown, clock.cldr_pattern(fmt), tzinfo=shown.tzinfo, locale=locale)
    else:
        skeleton, joint, time_pattern = parts
        text = format_skeleton(skeleton, shown, tzinfo=shown.tzinfo, locale=locale)
        if time_pattern:
            time_text = format_datetime(shown, time_pattern, tzinfo=shown.tzinfo, locale=locale)
            text = f"{text}{joint}{time_text}"
    return f"{text} {shown.tzname() or 'UTC'}" if label else text


def local_time(
    moment: datetime | None, zone: object = None, fmt: str = clock.DATE_TIME, label: bool = True
) -> str:
    """Jinja `|local_time(zone, fmt)`: `03 Dec 2026 08:48 CET` on the zone's clock; in
    another language with its own month names (`3. Dez. 2026 08:48 CET`). English, and
    formats without names, are strftime's as they always were."""
    if not isinstance(moment, datetime):
        return "" if moment is None else str(moment)
    zone_name = _zone_or_default(zone)
    locale = _reader_locale()
    if locale != "en" and clock.names_words(fmt):
        return in_language(moment, zone_name, fmt, locale, label)
    return clock.format_local(moment, zone_name, fmt, label)


def local_date(moment: datetime | None, zone: object = None, fmt: str = clock.DATE) -> str:
    """Jinja `|local_date(zone)`: the day on the zone's calendar, `03 Dec 2026`."""
    return local_time(moment, zone, fmt, label=False)


def init_app(app: Flask) -> None:
    """Settle the default zone (refusing an unknown one) and register the filters."""
    app.config[CONFIG_KEY] = resolve_default(app.config.get(CONFIG_KEY))
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.globals["time_zone_names"] = clock.zone_names
