"""Walk plans' schedules: when leader standard work falls due, and what became of each time.

A schedule is iCalendar text: `DTSTART;TZID=Europe/Warsaw:20260105T000000` and
`RRULE:FREQ=DAILY;BYHOUR=6,14,22;BYMINUTE=0;BYSECOND=0`, expanded on the site's wall clock:
a daily 06:00 walk stays at 06:00 in Warsaw when summer time begins, so in UTC it moves from
05:00 to 04:00. A time the clocks skip (02:30 on the spring-forward night) falls at 03:30; a
time they repeat falls the first time round. A plan recurs at most daily and at most 24
times a day: it is a routine for people, not a timer. Every occurrence is a due walk, and a
walk that references the plan counts for one of them (:func:`classify`):

- Slots. Occurrence o_i owns the slot [s_i, s_i+1). s_i is the start (00:00) of o_i's local
  day when o_i is the first occurrence that day, else o_i itself; so with shifts at 06:00,
  14:00 and 22:00 the slots are 00:00-14:00, 14:00-22:00 and 22:00-00:00, and a weekly
  Tuesday walk's slot runs until the next walk's day begins. The last slot ends where the
  slot of `next_due` (the occurrence after the window) would start; without it, never.
- Walks. A walk counts for the occurrence whose slot holds its start time; one starting
  exactly on a boundary counts for the later slot, one before the first slot for none. An
  occurrence takes its earliest walk; more walks in the same slot do not count twice.
- Status. Walked: "done" when the walk started on the occurrence's local day (earlier that
  day included), "late" when after that day. Not walked: "missed" once its slot has ended,
  and a missed walk stays missed: nothing is rescheduled. Before that it is "overdue" after
  its local day (it can still be walked, late), "due" during its local day (the
  observer's walks today, earlier in the day included) and "upcoming" before it.
- Completion (:func:`completion`): walked = done + late, out of done + late + missed +
  overdue; walks still due or upcoming are not counted yet.
"""

from __future__ import annotations

import functools
import math
import re
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import islice
from typing import Any

from dateutil.rrule import rrule, rrulestr

from gemba.domain import clock

MAX_RULE = 500  # characters of schedule text accepted
MAX_PER_DAY = 24
HORIZON_YEARS = 10  # a rule whose first walk is further off than this is refused
LIFETIME_YEARS = 100  # occurrences are generated this far after DTSTART and no further

DONE, LATE, MISSED, OVERDUE, DUE, UPCOMING = "done", "late", "missed", "overdue", "due", "upcoming"
STATUSES = (DONE, LATE, MISSED, OVERDUE, DUE, UPCOMING)
FREQUENCIES = ("daily", "weekly", "monthly")
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

_DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DTSTART = re.compile(
    r"DTSTART(?:;TZID=(?P<zone>[^:;]+))?:(?P<stamp>\d{8}T\d{6})(?P<utc>Z?)", re.IGNORECASE
)
_EXAMPLE = f"DTSTART;TZID={clock.EXAMPLE_ZONE}:20260105T000000"
_DAY = timedelta(days=1)
_SLACK = 86_400  # seconds: the most a clock change moves a later wall time before an earlier


class _Refused(ValueError):
    """The text is not a usable schedule; the message says why, for the person who wrote it."""


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One due walk of a plan and what became of it (see the module's rules)."""

    due_at: datetime  # UTC
    status: str  # one of STATUSES
    walk: Any | None  # the id of the walk that counts for it, as the caller passed it
    walked_at: datetime | None


def rule_problem(text: str) -> str | None:
    """Why the schedule text is not a usable rule (for a form field or an API error), or None."""
    try:
        _schedule(text)
    except _Refused as refused:
        return str(refused)
    return None


def zone_of(text: str) -> str:
    """The zone of the schedule's DTSTART; "UTC" when it has none (or an unknown one)."""
    found = _DTSTART.search(text)
    zone = found["zone"] if found else None
    return (clock.canonical_zone(zone.strip()) if zone else None) or "UTC"


def occurrences(text: str, start: datetime, end: datetime) -> list[datetime]:
    """Occurrences t with start <= t < end in UTC, up to LIFETIME_YEARS after DTSTART. They are
    generated once per process and kept, so a second call is a search. A time without a zone
    is UTC. ValueError, with rule_problem's message, for a schedule it refuses."""
    low, high = _seconds(start), _seconds(end)
    found = _schedule(text).kept.window(low, high) if low < high else []
    return [datetime.fromtimestamp(stamp, UTC) for stamp in found]


def next_occurrence(text: str, moment: datetime) -> datetime | None:
    """The first occurrence at or after the moment (the `next_due` of a window ending there);
    None when the rule has ended (or has a gap of over HORIZON_YEARS)."""
    for days in (35, round(365.25 * HORIZON_YEARS)):
        if found := occurrences(text, moment, _utc(moment) + timedelta(days=days))[:1]:
            return found[0]
    return None


def compose(
    *,
    frequency: str,
    start: date,
    zone: str,
    times: list[time] | None = None,
    weekdays: list[int] | None = None,
    month_day: int | None = None,
    interval: int = 1,
) -> str:
    """The schedule text a plan form builds, from the local times of day (default 06:00),
    weekdays 0=Mon..6=Sun (weekly; default the start's) and a day of the month 1..31
    (monthly; default the start's; a month without it uses its last day). Fields another
    frequency uses are ignored, so a form can pass them all. ValueError says what is wrong."""
    known = clock.canonical_zone(zone)
    if known is None:
        raise ValueError(clock.ZONE_MESSAGE)
    if frequency not in FREQUENCIES:
        raise ValueError(f"Frequency is one of {', '.join(FREQUENCIES)}.")
    days = weekdays if weekdays is not None and frequency == "weekly" else [start.weekday()]
    day = start.day if month_day is None else month_day
    parts = _rule_parts(frequency, [time(6)] if times is None else times, days, day, interval)
    text = f"DTSTART;TZID={known}:{start:%Y%m%d}T000000\nRRULE:{_rrule(parts)}"
    if len(text) > MAX_RULE:
        raise ValueError("Too many different times of day for one schedule.")
    return text


def describe(text: str) -> str:
    """One line a person reads, e.g. "Weekly on Tue, Thu at 07:30"; the RRULE text for a rule
    a plan form would not build."""
    try:
        parts = _schedule(text).parts
    except _Refused:
        rules = [line.strip() for line in text.splitlines() if line.strip()[:6].upper() == "RRULE:"]
        return rules[0][6:] if rules else text.strip()
    plan = _plan_of(parts)
    if plan is None:
        return _rrule(parts)
    frequency, times, days, month_day, interval = plan
    unit = {"daily": "days", "weekly": "weeks", "monthly": "months"}[frequency]
    words = [frequency.capitalize() if interval == 1 else f"Every {interval} {unit}"]
    if frequency == "weekly":
        words.append("on " + ", ".join(DAY_NAMES[day] for day in days))
    elif frequency == "monthly":
        words.append(f"on day {month_day}" + (" (or the month's last)" if month_day > 28 else ""))
    shown = ", ".join(f"{t:%H:%M:%S}" if t.second else f"{t:%H:%M}" for t in times)
    return " ".join([*words, f"at {shown}"])


def classify(
    due: Sequence[datetime],
    walks: Iterable[tuple[Any, datetime]],
    now: datetime,
    zone: str,
    next_due: datetime | None = None,
) -> list[Occurrence]:
    """What became of each occurrence in `due`, by the rules in this module's docstring.
    `walks` are (walk id, started_at) of the plan's walks, `zone` the site's, `next_due` the
    occurrence after the window (None: the last slot stays open). Sorted by due time."""
    place = clock.zone(zone)
    times = sorted({_utc(moment) for moment in due})
    days = [moment.astimezone(place).date() for moment in times]
    midnight = {day: _day_start(day, place) for day in {*days, *(day + _DAY for day in days)}}
    starts = [
        midnight[day] if i == 0 or days[i - 1] != day else times[i] for i, day in enumerate(days)
    ]  # a day's first occurrence's slot starts where the day does
    ends: list[datetime | None] = [*starts[1:], None]
    if times and next_due is not None and _utc(next_due) > times[-1]:
        following = _utc(next_due)
        day = following.astimezone(place).date()
        ends[-1] = following if day == days[-1] else _day_start(day, place)
    taken: dict[int, tuple[Any, datetime | None]] = {}
    for walk, started in sorted(((w, _utc(t)) for w, t in walks), key=lambda pair: pair[1]):
        i = bisect_right(starts, started) - 1
        end = ends[i] if i >= 0 else None
        if i >= 0 and i not in taken and (end is None or started < end):
            taken[i] = (walk, started)
    now = _utc(now)
    result = []
    for i, (due_at, day) in enumerate(zip(times, days, strict=True)):
        walk, walked_at = taken.get(i, (None, None))
        day_end, end = midnight[day + _DAY], ends[i]
        if walked_at is not None:
            status = DONE if walked_at < day_end else LATE
        elif end is not None and now >= end:
            status = MISSED
        elif now >= day_end:
            status = OVERDUE
        else:
            status = DUE if now >= midnight[day] else UPCOMING
        result.append(Occurrence(due_at, status, walk, walked_at))
    return result


def completion(
    occurrences: Sequence[Occurrence], since: datetime, now: datetime
) -> tuple[int, int]:
    """(walked, counted) over occurrences with since <= due_at < now: walked = done + late,
    counted = done + late + missed + overdue; walks still due or upcoming are not counted."""
    statuses = [o.status for o in occurrences if since <= o.due_at < now]
    walked = sum(status in (DONE, LATE) for status in statuses)
    return walked, walked + sum(status in (MISSED, OVERDUE) for status in statuses)


def _day_start(day: date, place: tzinfo) -> datetime:
    """00:00 of the local day in UTC; where the clocks skip midnight, the moment they jump."""
    return datetime.combine(day, time(), tzinfo=place).astimezone(UTC)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _seconds(moment: datetime) -> int:
    """Seconds since the epoch, rounded up: compares with whole-second occurrences alike."""
    return math.ceil(_utc(moment).timestamp())


@dataclass(frozen=True, slots=True)
class _Schedule:
    zone: str
    parts: dict[str, str]  # the RRULE's NAME=VALUE pairs, upper case, in their order
    kept: _Kept


@functools.lru_cache(maxsize=4096)  # a big site's every plan stays expanded
def _schedule(text: str) -> _Schedule:
    """The parsed, checked schedule (cached per text: a page expands the same plans again)."""
    if len(text) > MAX_RULE:
        raise _Refused(f"A schedule is at most {MAX_RULE} characters.")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    starts = [line for line in lines if line[:7].upper() == "DTSTART"]
    rules = [line for line in lines if line[:6].upper() == "RRULE:"]
    if not starts:
        raise _Refused(f"The schedule needs a DTSTART line, e.g. {_EXAMPLE}.")
    if not rules:
        raise _Refused("The schedule needs an RRULE line, e.g. RRULE:FREQ=DAILY;BYHOUR=6.")
    if len(lines) != 2 or len(starts) != 1:
        raise _Refused("A schedule is one DTSTART line and one RRULE line.")
    zone, dtstart = _dtstart(starts[0])
    parts = _parts(rules[0][6:])
    try:
        rule = rrulestr(_rrule(parts), dtstart=dtstart)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as error:
        raise _Refused(f"The RRULE is not valid: {error}.") from None
    _check_occurs(parts, dtstart)
    if next(iter(rule), None) is None:
        raise _Refused("The schedule never falls due: its COUNT or UNTIL ends it first.")
    return _Schedule(zone, parts, _Kept(rule, dtstart))


def _dtstart(line: str) -> tuple[str, datetime]:
    found = _DTSTART.fullmatch(line)
    if found is None:
        raise _Refused(f"DTSTART is not like {_EXAMPLE}.")
    zone = clock.canonical_zone(found["zone"].strip()) if found["zone"] else "UTC"
    if zone is None:
        raise _Refused(f"DTSTART's time zone {found['zone']!r}: {clock.ZONE_MESSAGE}")
    if found["zone"] and found["utc"]:
        raise _Refused("DTSTART has a TZID, so its time is local: drop the Z.")
    try:
        moment = datetime.strptime(found["stamp"].upper(), "%Y%m%dT%H%M%S")
    except ValueError:
        raise _Refused(f"DTSTART {found['stamp']} is not a date and time.") from None
    return zone, moment.replace(tzinfo=clock.zone(zone))


def _parts(value: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for pair in re.sub(r"\s+", "", value).upper().split(";"):
        name, equals, setting = pair.partition("=")
        if not (name and equals and setting) or name in parts:
            raise _Refused(f"The RRULE is not NAME=VALUE pairs, each name once: {pair!r}.")
        parts[name] = setting
    frequency = parts.get("FREQ")
    if frequency in ("HOURLY", "MINUTELY", "SECONDLY"):
        raise _Refused(f"A walk plan recurs at most daily: FREQ={frequency} is too often.")
    if frequency not in ("DAILY", "WEEKLY", "MONTHLY", "YEARLY"):
        raise _Refused("The RRULE needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY.")
    if not parts.get("INTERVAL", "1").isdecimal() or int(parts.get("INTERVAL", "1")) < 1:
        raise _Refused("The RRULE's INTERVAL is a whole number from 1.")
    return parts


def _check_occurs(parts: dict[str, str], dtstart: datetime) -> None:
    """Refuse a rule that never falls due, or too often. dateutil looks for the first
    occurrence up to the year 9999, so the probe runs the rule on the same calendar a
    multiple of 400 years on (the Gregorian calendar's cycle, weekdays and leap years alike),
    shortly before 9999: at most a few centuries of looking."""
    shift = (9999 - HORIZON_YEARS - dtstart.year) // 400 * 400
    begin = dtstart.replace(tzinfo=None, year=dtstart.year + shift)
    endless = {key: value for key, value in parts.items() if key not in ("COUNT", "UNTIL")}
    first = list(islice(rrulestr(_rrule(endless), dtstart=begin), MAX_PER_DAY + 1))
    if not first or first[0] - begin > timedelta(days=round(365.25 * HORIZON_YEARS)):
        raise _Refused(f"The schedule never falls due in the {HORIZON_YEARS} years from DTSTART.")
    if len(first) > MAX_PER_DAY and first[-1] - first[0] < _DAY:
        raise _Refused(f"A walk plan falls due at most {MAX_PER_DAY} times a day.")


def _rule_parts(
    frequency: str, times: list[time], days: list[int], month_day: int, interval: int
) -> dict[str, str]:
    """RRULE pairs for a plan. Times with different minutes (06:00, 14:30) are picked out of
    BYHOUR x BYMINUTE with BYSETPOS; a month_day over 28 is "the last of 28..day" the same way
    (dateutil numbers a first, partial week's set from its first day: every day picks alike)."""
    if not times:
        raise ValueError("A schedule needs at least one time of day.")
    if not 1 <= interval <= 366:
        raise ValueError("The interval is a whole number from 1 to 366.")
    clocks = sorted({(t.hour, t.minute, t.second) for t in times})
    hours, minutes, seconds = (sorted({c[k] for c in clocks}) for k in range(3))
    grid = [(h, m, s) for h in hours for m in minutes for s in seconds]
    picked = [grid.index(c) for c in clocks]
    parts = {"FREQ": frequency.upper()} | ({"INTERVAL": str(interval)} if interval > 1 else {})
    if frequency == "weekly":
        if not days or not all(0 <= day <= 6 for day in days):
            raise ValueError("A weekly schedule needs weekdays from 0 (Monday) to 6 (Sunday).")
        parts["BYDAY"] = ",".join(_DAY_CODES[day] for day in sorted(set(days)))
    elif frequency == "monthly":
        if not 1 <= month_day <= 31:
            raise ValueError("The day of the month is 1 to 31.")
        parts["BYMONTHDAY"] = _join(range(min(month_day, 28), month_day + 1))
    parts |= {"BYHOUR": _join(hours), "BYMINUTE": _join(minutes), "BYSECOND": _join(seconds)}
    if frequency == "monthly" and month_day > 28:
        parts["BYSETPOS"] = _join(p - len(grid) for p in picked)
    elif len(picked) < len(grid):
        period = len(set(days)) if frequency == "weekly" else 1
        parts["BYSETPOS"] = _join(k * len(grid) + p + 1 for k in range(period) for p in picked)
    return parts


def _plan_of(parts: dict[str, str]) -> tuple[str, list[time], list[int], int, int] | None:
    """(frequency, times, weekdays, month_day, interval) when compose builds this rule."""
    frequency = parts["FREQ"].lower()
    try:
        hours, minutes, seconds = (_ints(parts[key]) for key in ("BYHOUR", "BYMINUTE", "BYSECOND"))
        grid = [time(h, m, s) for h in hours for m in minutes for s in seconds]
        # BYSETPOS counts from 1, or back from -1 at the end of the period's set
        picks = {grid[(p - 1 if p > 0 else p) % len(grid)] for p in _ints(parts.get("BYSETPOS"))}
        times = sorted(picks or grid)
        days = [_DAY_CODES.index(code) for code in parts.get("BYDAY", "MO").split(",")]
        month_day = max(_ints(parts.get("BYMONTHDAY", "1")))
        interval = int(parts.get("INTERVAL", "1"))
        rebuilt = _rule_parts(frequency, times, days, month_day, interval)
    except (KeyError, ValueError, IndexError):
        return None
    known = rebuilt == parts and frequency in FREQUENCIES
    return (frequency, times, days, month_day, interval) if known else None


def _rrule(parts: dict[str, str]) -> str:
    return ";".join(f"{key}={value}" for key, value in parts.items())


def _ints(text: str | None) -> list[int]:
    return [int(item) for item in text.split(",")] if text else []


def _join(numbers: Iterable[int]) -> str:
    return ",".join(str(number) for number in numbers)


class _Kept:
    """A rule's occurrences as UTC seconds since the epoch, sorted, generated as far as asked
    and kept: dateutil starts every search at DTSTART, which grows slow as a plan grows old.
    A lock keeps threads from generating the same rule at once."""

    def __init__(self, rule: rrule, dtstart: datetime) -> None:
        self._source = iter(rule)
        self._stamps = array("q")
        self._done = False
        self._lock = threading.Lock()
        self._last = dtstart.timestamp() + min(LIFETIME_YEARS, 9999 - dtstart.year) * 31_557_600

    def window(self, low: int, high: int) -> list[int]:
        with self._lock:
            stamps = self._stamps
            while not self._done and (not stamps or stamps[-1] < high + _SLACK):
                moment = next(self._source, None)
                seconds = math.inf if moment is None else moment.timestamp()
                if seconds > self._last:
                    self._done = True
                elif not stamps or seconds > stamps[-1]:
                    stamps.append(int(seconds))
                elif stamps[i := bisect_left(stamps, int(seconds))] != seconds:
                    stamps.insert(i, int(seconds))  # a clock change put it before the last
            return stamps[bisect_left(stamps, low) : bisect_left(stamps, high)].tolist()
