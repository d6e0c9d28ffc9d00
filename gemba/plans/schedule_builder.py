"""The plan form's schedule builder: a frequency, times of day, weekdays or a day of the
month, to and from schedule text.

People pick "weekly on Tue, Thu at 07:30"; the plan keeps iCalendar text built by
`domain.schedules.compose`. An edit form starts from the plan's schedule read back into
the builder's fields, and a form sent back unchanged keeps the schedule's text as it
was, so saving a plan's title does not start a new schedule version every day (a
composed schedule starts today). A rule the builder cannot show (an imported one, every
2 weeks, until a date) is offered as "keep as it is".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time

from gemba.domain import schedules

NONE, KEEP = "", "keep"
TIMES_MESSAGE = "Write times of day on the 24-hour clock, e.g. 06:00, 14:00, 22:00."
_TIME = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?$")
_DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


class BuilderInvalid(ValueError):
    """A builder field the schedule cannot be made from: (field name, message)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Builder:
    """The builder's fields: frequency "" (none), daily, weekly or monthly."""

    frequency: str
    times: tuple[time, ...] = (time(6),)
    weekdays: tuple[int, ...] = ()
    month_day: int | None = None

    def shape(self) -> tuple:
        """What the schedule means: fields another frequency ignores are left out."""
        if self.frequency == "daily":
            return ("daily", self.times)
        if self.frequency == "weekly":
            return ("weekly", self.times, self.weekdays)
        if self.frequency == "monthly":
            return ("monthly", self.times, self.month_day)
        return (self.frequency,)


def parse_times(text: str | None) -> tuple[time, ...]:
    """ "06:00, 14:00 22:00" as sorted times; "6" and "6.30" are read too."""
    found: set[time] = set()
    for part in re.split(r"[,;\s]+", (text or "").strip()):
        if not part:
            continue
        match = _TIME.match(part)
        hour = int(match[1]) if match else 99
        minute = int(match[2] or 0) if match else 99
        if hour > 23 or minute > 59:
            raise BuilderInvalid("times", TIMES_MESSAGE)
        found.add(time(hour, minute))
    if not found:
        raise BuilderInvalid("times", "Give at least one time of day, e.g. 06:00.")
    return tuple(sorted(found))


def format_times(times: tuple[time, ...]) -> str:
    return ", ".join(f"{t:%H:%M}" for t in times)


def compose(builder: Builder, start: date, zone: str) -> str | None:
    """The schedule text for the builder, starting on `start` in the site's zone; None for
    no schedule. BuilderInvalid names the field to correct."""
    if builder.frequency == NONE:
        return None
    if builder.frequency == "weekly" and not builder.weekdays:
        raise BuilderInvalid("weekdays", "Choose at least one day of the week.")
    if builder.frequency == "monthly" and builder.month_day is None:
        raise BuilderInvalid("month_day", "Give the day of the month, 1 to 31.")
    try:
        return schedules.compose(
            frequency=builder.frequency,
            start=start,
            zone=zone,
            times=list(builder.times),
            weekdays=list(builder.weekdays),
            month_day=builder.month_day,
        )
    except ValueError as error:
        raise BuilderInvalid("frequency", str(error)) from None


def read(text: str | None) -> Builder | None:
    """The builder that makes this schedule (whatever day it started), or None when the
    builder cannot make it; Builder("") for no schedule."""
    if not text:
        return Builder(NONE)
    found = _rule(text)
    if found is None:
        return None
    parts = found
    frequency = parts.get("FREQ", "").lower()
    try:
        hours, minutes = _ints(parts["BYHOUR"]), _ints(parts["BYMINUTE"])
        grid = [time(h, m) for h in hours for m in minutes]
        picks = _ints(parts.get("BYSETPOS", ""))
        times = {grid[(p - 1) % len(grid) if p > 0 else p % len(grid)] for p in picks}
        days = tuple(sorted(_DAY_CODES.index(d) for d in parts.get("BYDAY", "").split(",") if d))
        month_days = _ints(parts.get("BYMONTHDAY", ""))
        builder = Builder(
            frequency,
            tuple(sorted(times or grid)),
            days,
            max(month_days) if month_days else None,
        )
        again = compose(builder, date(2026, 1, 5), "UTC")
    except (KeyError, ValueError, IndexError, ZeroDivisionError):
        return None
    return builder if again is not None and _rule(again) == parts else None


def _rule(text: str) -> dict[str, str] | None:
    """The RRULE's NAME=VALUE pairs, upper case; None without exactly one RRULE line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    rules = [line[len("RRULE:") :] for line in lines if line.upper().startswith("RRULE:")]
    if len(rules) != 1:
        return None
    parts: dict[str, str] = {}
    for pair in re.sub(r"\s+", "", rules[0]).upper().split(";"):
        name, _, value = pair.partition("=")
        parts[name] = value
    return parts


def _ints(text: str) -> list[int]:
    return [int(item) for item in text.split(",")] if text else []
