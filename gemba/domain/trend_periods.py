"""The periods trends are counted in: ISO weeks or calendar months on the site's own clock.

A plant manager in Warsaw reads "week 3" as Monday 00:00 to the next Monday 00:00 in
Warsaw, not in UTC, so a gap flagged on Sunday at 23:30 UTC (Monday 00:30 in Warsaw)
belongs to the Monday's week. Each period is a half-open interval [start, end) of aware
datetimes in the site's IANA zone: a moment exactly at `end` belongs to the next period,
so no moment is counted twice and none falls between two periods. A week in which the
clocks change is 167 or 169 hours long; it is still one week. The rules are explained in
docs/trends.md.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from gemba.domain import clock

WEEK, MONTH = "week", "month"
UNITS = (WEEK, MONTH)
MAX_PERIODS = 1200  # a hundred years of months: more is a mistake, not a trend


@dataclass(frozen=True, slots=True)
class Period:
    """One week or month on a site's clock: the moments from `start` up to, not including, `end`."""

    label: str  # "2026-W03" (ISO week) or "2026-01"
    unit: str  # WEEK or MONTH
    zone: str  # the IANA name whose clock drew it
    start: datetime  # aware, local midnight in `zone`
    end: datetime  # aware, the next period's start

    def __contains__(self, moment: object) -> bool:
        return isinstance(moment, datetime) and self.start <= as_utc(moment) < self.end

    @property
    def first_day(self) -> date:
        """The period's first day on the site's calendar."""
        return self.start.date()

    @property
    def end_day(self) -> date:
        """The first day after the period on the site's calendar."""
        return self.end.date()


def as_utc(moment: datetime) -> datetime:
    """The moment in UTC; a time without a zone is UTC already, as every stored time is.

    Inputs are kept in UTC because Python subtracts two times of the same zone on the wall
    clock: 12:00 on the Saturday to 12:00 on the Sunday the clocks go forward is 24 hours
    there, though 23 went by.
    """
    if moment.tzinfo is UTC:  # most are: stored times are read back in UTC
        return moment
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def site_zone(name: str) -> tzinfo:
    """The zone of that IANA name; ValueError for a name the zone database does not know
    (a trend drawn on the wrong clock would be silently wrong, unlike a display)."""
    known = clock.canonical_zone(name)
    if known is None:
        raise ValueError(f"{name!r}: {clock.ZONE_MESSAGE}")
    return ZoneInfo(known)


def local_midnight(day: date, zone: tzinfo) -> datetime:
    """The moment the day begins on the zone's clock. Where the clocks skip midnight the day
    begins when they resume (00:00 read as the offset before, then normalised)."""
    return datetime.combine(day, time(), zone).astimezone(UTC).astimezone(zone)


def local_day(moment: datetime, zone: tzinfo) -> date:
    """The day on the site's calendar that the moment falls on."""
    return as_utc(moment).astimezone(zone).date()


def _first_day(day: date, unit: str) -> date:
    """The first day of the week (Monday) or month that holds the day."""
    return day - timedelta(days=day.weekday()) if unit == WEEK else day.replace(day=1)


def _next_first_day(day: date, unit: str) -> date:
    """The first day of the period after the one starting on `day`."""
    if unit == WEEK:
        return day + timedelta(days=7)
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _label(day: date, unit: str) -> str:
    if unit == WEEK:
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day.year}-{day.month:02d}"


def _moment(value: date | datetime, zone: tzinfo) -> datetime:
    """A bound as a moment: a date means that day's local midnight."""
    if isinstance(value, datetime):
        return as_utc(value)
    return local_midnight(value, zone)


def periods(
    start: date | datetime, end: date | datetime, unit: str = WEEK, zone: str = "UTC"
) -> list[Period]:
    """The weeks or months on the zone's clock that cover [start, end), oldest first.

    The first period holds `start` (a date is that day's local midnight), the last one holds
    the last moment before `end`; an `end` at or before `start` gives none. Weeks are ISO
    weeks (Monday to Sunday), months are calendar months.
    """
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS}, got {unit!r}")
    tz = site_zone(zone)
    name = clock.canonical_zone(zone) or zone
    stop = _moment(end, tz)
    begin = _moment(start, tz)
    day = _first_day(local_day(begin, tz), unit)
    opening = local_midnight(day, tz)
    found: list[Period] = []
    while opening < stop:
        if len(found) >= MAX_PERIODS:
            raise ValueError(f"more than {MAX_PERIODS} periods; choose a shorter range")
        following = _next_first_day(day, unit)
        closing = local_midnight(following, tz)
        found.append(Period(_label(day, unit), unit, name, opening, closing))
        day, opening = following, closing
    return found


def locate(moment: datetime, starts: Sequence[datetime], ends: Sequence[datetime]) -> int | None:
    """The index of the period that holds the UTC moment, or None outside them all.

    `starts` and `ends` are the periods' edges in UTC, oldest first (the periods of
    :func:`periods` converted once by the caller): comparing two times of one zone object
    skips working out each one's offset, which locating many moments would repeat.
    """
    index = bisect_right(starts, moment) - 1
    if index < 0 or moment >= ends[index]:
        return None
    return index


def locate_day(day: date, spans: Sequence[Period], first_days: Sequence[date]) -> int | None:
    """The index of the period whose site calendar holds the day, or None outside them all."""
    index = bisect_right(first_days, day) - 1
    if index < 0 or day >= spans[index].end_day:
        return None
    return index


def median(values: Sequence[float]) -> float | None:
    """The middle value; with an even count the mean of the middle two; None for no values
    (never 0: "no gap was triaged" is not "gaps were triaged instantly")."""
    ordered = sorted(values)
    count = len(ordered)
    if count == 0:
        return None
    middle = count // 2
    if count % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2
