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

from flask import Flask, current_app

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


def local_time(
    moment: datetime | None, zone: object = None, fmt: str = clock.DATE_TIME, label: bool = True
) -> str:
    """Jinja `|local_time(zone, fmt)`: `03 Dec 2026 08:48 CET` on the zone's clock."""
    if not isinstance(moment, datetime):
        return "" if moment is None else str(moment)
    return clock.format_local(moment, _zone_or_default(zone), fmt, label)


def local_date(moment: datetime | None, zone: object = None, fmt: str = clock.DATE) -> str:
    """Jinja `|local_date(zone)`: the day on the zone's calendar, `03 Dec 2026`."""
    return local_time(moment, zone, fmt, label=False)


def init_app(app: Flask) -> None:
    """Settle the default zone (refusing an unknown one) and register the filters."""
    app.config[CONFIG_KEY] = resolve_default(app.config.get(CONFIG_KEY))
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.globals["time_zone_names"] = clock.zone_names
