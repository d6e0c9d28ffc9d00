"""The plant's clock: times are stored in UTC and shown in the site's time zone.

A walk at 07:48 UTC in Warsaw happened at 08:48 on the shop floor, and that is the
time the observer wrote on the whiteboard and the analyst asks about. Zones are IANA
names (`Europe/Warsaw`), checked against the zone database Python sees (the system's,
or the `tzdata` package where a system has none), so a name is either known
everywhere Gemba runs or refused with a message.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, available_timezones

MAX_ZONE_NAME = 64  # the longest IANA name is about half of this
EXAMPLE_ZONE = "Europe/Warsaw"
ZONE_MESSAGE = f"Not a known time zone. Use an IANA name such as {EXAMPLE_ZONE} or UTC."
DATE_TIME = "%d %b %Y %H:%M"
DATE = "%d %b %Y"
# The same formats in a reader's own language (Babel, CLDR): a date skeleton the locale
# orders and spells itself (`3. Dez. 2026`), then the time and what joins them. A format
# without names of months or days reads the same everywhere and stays as strftime has it.
LOCALISED: dict[str, tuple[str, str, str]] = {
    DATE_TIME: ("yMMMd", " ", "HH:mm"),
    DATE: ("yMMMd", "", ""),
    "%d %b %Y, %H:%M": ("yMMMd", ", ", "HH:mm"),
    "%a %d %b": ("MMMEd", "", ""),
}
_NAMED = ("%a", "%A", "%b", "%B")
_CLDR = {
    "%d": "dd",
    "%b": "MMM",
    "%B": "MMMM",
    "%Y": "y",
    "%m": "MM",
    "%H": "HH",
    "%M": "mm",
    "%S": "ss",
    "%a": "EEE",
    "%A": "EEEE",
    "%y": "yy",
    "%%": "%",
}


@functools.cache
def zone_names() -> tuple[str, ...]:
    """Every IANA zone name known here, sorted (read once: scanning the database is slow)."""
    return tuple(sorted(available_timezones()))


@functools.cache
def _by_folded_name() -> dict[str, str]:
    return {name.casefold(): name for name in zone_names()}


def canonical_zone(name: object) -> str | None:
    """The zone's name as the database spells it (`europe/warsaw` -> `Europe/Warsaw`), or
    None when it names no zone. Looked up, never opened as a path, so any text is safe."""
    if not isinstance(name, str) or len(name) > MAX_ZONE_NAME:
        return None
    return _by_folded_name().get(name.strip().casefold())


def zone_problem(name: object) -> str | None:
    """Why the text is not a time zone, or None when it is one."""
    return None if canonical_zone(name) is not None else ZONE_MESSAGE


@functools.lru_cache(maxsize=256)
def _zone(name: str) -> tzinfo:
    return ZoneInfo(name)


def zone(name: str | None) -> tzinfo:
    """The time zone of that name; UTC for none or an unknown one (a display never fails)."""
    known = canonical_zone(name) if name else None
    return _zone(known) if known else UTC


def local(moment: datetime, zone_name: str | None) -> datetime:
    """The moment on the clocks of the zone. A time without a zone is taken as UTC, as
    every stored time is; one the zone's calendar cannot hold (year 9999 east of
    Greenwich) stays in UTC rather than failing."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(zone(zone_name))
    except OverflowError:
        return moment.astimezone(UTC)


def abbreviation(moment: datetime, zone_name: str | None) -> str:
    """The zone's short name at that moment: CET in winter, CEST in summer, or an offset
    like +04 where the zone has no letters."""
    return local(moment, zone_name).tzname() or "UTC"


def format_local(
    moment: datetime | None, zone_name: str | None, fmt: str = DATE_TIME, label: bool = True
) -> str:
    """The moment as the zone's clocks showed it, e.g. `03 Dec 2026 08:48 CET`; '' for none.
    `label=False` leaves the zone's abbreviation off (times in a list under one heading)."""
    if moment is None:
        return ""
    shown = local(moment, zone_name)
    text = shown.strftime(fmt)
    return f"{text} {shown.tzname() or 'UTC'}" if label else text


def iso_local(moment: datetime | None, zone_name: str | None) -> str:
    """ISO 8601 on the zone's clocks with its offset, e.g. `2026-12-03T08:48:00+01:00`:
    what a spreadsheet user reads as plant time, still one exact instant."""
    if moment is None:
        return ""
    return local(moment, zone_name).isoformat(timespec="seconds")


def names_words(fmt: str) -> bool:
    """Whether the format writes a month's or a day's name (which a language spells)."""
    return any(code in fmt for code in _NAMED)


def cldr_pattern(fmt: str) -> str:
    """A strftime format as a CLDR date pattern (`%d %b %Y` -> `dd MMM y`), literal text
    quoted; for a format `LOCALISED` does not know."""
    out, literal, i = [], [], 0
    while i < len(fmt):
        code = fmt[i : i + 2]
        if code in _CLDR:
            if literal:
                out.append("'" + "".join(literal).replace("'", "''") + "'")
                literal = []
            out.append(_CLDR[code])
            i += 2
        else:
            literal.append(fmt[i])
            i += 1
    if literal:
        out.append("'" + "".join(literal).replace("'", "''") + "'")
    return "".join(out)
