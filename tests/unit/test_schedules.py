"""Walk plans' schedules: wall-clock expansion across DST, slots, statuses, completion, rules."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from gemba.domain.schedules import (
    DONE,
    DUE,
    LATE,
    MAX_RULE,
    MISSED,
    OVERDUE,
    UPCOMING,
    Occurrence,
    classify,
    completion,
    compose,
    describe,
    next_occurrence,
    occurrences,
    rule_problem,
    zone_of,
)

WARSAW = "Europe/Warsaw"
DAILY = "RRULE:FREQ=DAILY;BYHOUR=6;BYMINUTE=0;BYSECOND=0"


def at(zone: str, *parts: int) -> datetime:
    """A wall-clock time in the zone."""
    return datetime(*parts, tzinfo=ZoneInfo(zone))


def on_clock(moments: list[datetime], zone: str = WARSAW) -> list[str]:
    return [m.astimezone(ZoneInfo(zone)).strftime("%a %d %b %H:%M") for m in moments]


def schedule(start: str = "20260105T000000", rule: str = DAILY, zone: str = WARSAW) -> str:
    return f"DTSTART;TZID={zone}:{start}\n{rule}"


# --- Wall clock and daylight saving ------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "first", "utc_hours"),
    [
        (WARSAW, date(2026, 3, 28), [5, 4, 4]),  # summer time from 29 March
        (WARSAW, date(2026, 10, 24), [4, 5, 5]),  # winter time from 25 October
        ("America/New_York", date(2026, 3, 7), [11, 10, 10]),  # from 8 March
        ("America/New_York", date(2026, 10, 31), [10, 11, 11]),  # back on 1 November
    ],
)
def test_a_daily_walk_keeps_its_local_time_when_the_clocks_change(zone, first, utc_hours):
    text = compose(frequency="daily", start=date(2026, 1, 5), zone=zone)
    start = datetime.combine(first, time(), ZoneInfo(zone))
    end = datetime.combine(first + timedelta(days=3), time(), ZoneInfo(zone))
    found = occurrences(text, start, end)
    assert [m.astimezone(ZoneInfo(zone)).time() for m in found] == [time(6)] * 3
    assert [(m.date(), m.hour) for m in found] == [
        (first + timedelta(days=i), hour) for i, hour in enumerate(utc_hours)
    ]
    assert all(m.tzinfo is UTC for m in found)


def test_a_time_the_clocks_skip_falls_an_hour_later_and_a_repeated_one_the_first_time():
    text = compose(frequency="daily", start=date(2026, 1, 5), zone=WARSAW, times=[time(2, 30)])
    spring = occurrences(text, at(WARSAW, 2026, 3, 28), at(WARSAW, 2026, 3, 31))
    assert on_clock(spring) == ["Sat 28 Mar 02:30", "Sun 29 Mar 03:30", "Mon 30 Mar 02:30"]
    autumn = occurrences(text, at(WARSAW, 2026, 10, 25), at(WARSAW, 2026, 10, 26))
    assert autumn == [datetime(2026, 10, 25, 0, 30, tzinfo=UTC)]  # 02:30 summer time


def test_a_skipped_time_that_lands_after_a_later_one_is_found_and_counted_once():
    """On 29 March 02:30 is 01:30 UTC, after 03:00 (01:00 UTC) and equal to 03:30."""
    times = [time(2, 30), time(3), time(3, 30)]
    text = compose(frequency="daily", start=date(2026, 3, 2), zone=WARSAW, times=times)
    morning = datetime(2026, 3, 29, tzinfo=UTC)
    assert occurrences(text, morning, morning + timedelta(hours=1, minutes=15)) == [
        morning + timedelta(hours=1)
    ]
    assert occurrences(text, morning, morning + timedelta(hours=2)) == [
        morning + timedelta(hours=1),
        morning + timedelta(hours=1, minutes=30),
    ]


# --- Rules a plan form builds ------------------------------------------------------------------


def test_a_shift_plan_falls_due_three_times_a_day():
    text = compose(
        frequency="daily", start=date(2026, 1, 5), zone=WARSAW, times=[time(22), time(6), time(14)]
    )
    assert text == schedule(rule="RRULE:FREQ=DAILY;BYHOUR=6,14,22;BYMINUTE=0;BYSECOND=0")
    found = occurrences(text, at(WARSAW, 2026, 1, 1), at(WARSAW, 2026, 1, 7))
    assert on_clock(found) == [
        f"{day} {hour}"
        for day in ("Mon 05 Jan", "Tue 06 Jan")
        for hour in ("06:00", "14:00", "22:00")
    ]


def test_times_with_different_minutes_are_exactly_those_times():
    text = compose(
        frequency="daily", start=date(2026, 1, 5), zone=WARSAW, times=[time(6), time(14, 30)]
    )
    found = occurrences(text, at(WARSAW, 2026, 1, 5), at(WARSAW, 2026, 1, 7))
    assert on_clock(found) == [
        "Mon 05 Jan 06:00",
        "Mon 05 Jan 14:30",
        "Tue 06 Jan 06:00",
        "Tue 06 Jan 14:30",
    ]


@pytest.mark.parametrize(
    ("start", "interval", "times", "expected"),
    [
        (
            date(2026, 1, 5),
            1,
            [time(7, 30)],
            ["Tue 06 Jan 07:30", "Thu 08 Jan 07:30", "Tue 13 Jan 07:30", "Thu 15 Jan 07:30"],
        ),
        # every other week counts calendar weeks (Monday to Sunday) from the start's week
        (
            date(2026, 1, 7),
            2,
            [time(7, 30)],
            ["Thu 08 Jan 07:30", "Tue 20 Jan 07:30", "Thu 22 Jan 07:30", "Tue 03 Feb 07:30"],
        ),
        # a first week begun on Wednesday still gets both times on Thursday
        (
            date(2026, 1, 7),
            1,
            [time(6), time(14, 30)],
            ["Thu 08 Jan 06:00", "Thu 08 Jan 14:30", "Tue 13 Jan 06:00", "Tue 13 Jan 14:30"],
        ),
    ],
)
def test_a_weekly_plan_falls_on_its_weekdays(start, interval, times, expected):
    text = compose(
        frequency="weekly",
        start=start,
        zone=WARSAW,
        times=times,
        weekdays=[3, 1],
        interval=interval,
    )
    assert rule_problem(text) is None
    assert on_clock(occurrences(text, at(WARSAW, 2026, 1, 1), at(WARSAW, 2026, 3, 1)))[:4] == (
        expected
    )


@pytest.mark.parametrize(
    ("month_day", "year", "expected_days"),
    [
        (31, 2026, [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]),
        (30, 2026, [30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30]),
        (29, 2026, [29, 28, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29]),
        (31, 2028, [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]),  # a leap year
        (15, 2026, [15] * 12),
    ],
)
def test_a_monthly_plan_uses_the_last_day_of_a_month_without_its_day(
    month_day, year, expected_days
):
    text = compose(
        frequency="monthly",
        start=date(2026, 1, 1),
        zone=WARSAW,
        times=[time(9), time(17, 30)],
        month_day=month_day,
    )
    found = occurrences(text, at(WARSAW, year, 1, 1), at(WARSAW, year + 1, 1, 1))
    local = [m.astimezone(ZoneInfo(WARSAW)) for m in found]
    assert [m.day for m in local[::2]] == expected_days
    assert {m.strftime("%H:%M") for m in local} == {"09:00", "17:30"}
    assert len(local) == 24


def test_every_third_month_counts_from_the_start():
    text = compose(
        frequency="monthly", start=date(2026, 2, 10), zone=WARSAW, month_day=1, interval=3
    )
    found = occurrences(text, at(WARSAW, 2026, 1, 1), at(WARSAW, 2027, 1, 1))
    assert on_clock(found) == ["Fri 01 May 06:00", "Sat 01 Aug 06:00", "Sun 01 Nov 06:00"]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        (
            {"frequency": "daily", "times": [time(6), time(14), time(22)]},
            "Daily at 06:00, 14:00, 22:00",
        ),
        (
            {"frequency": "weekly", "times": [time(7, 30)], "weekdays": [1, 3]},
            "Weekly on Tue, Thu at 07:30",
        ),
        ({"frequency": "monthly", "times": [time(9)], "month_day": 1}, "Monthly on day 1 at 09:00"),
        ({"frequency": "weekly", "weekdays": [0], "interval": 2}, "Every 2 weeks on Mon at 06:00"),
        ({"frequency": "daily", "interval": 3}, "Every 3 days at 06:00"),
        ({"frequency": "weekly"}, "Weekly on Mon at 06:00"),  # the start's weekday
        ({"frequency": "monthly"}, "Monthly on day 5 at 06:00"),  # the start's day
        (
            {"frequency": "monthly", "month_day": 31, "times": [time(18), time(6, 15, 30)]},
            "Monthly on day 31 (or the month's last) at 06:15:30, 18:00",
        ),
        (
            {"frequency": "weekly", "weekdays": [4, 0, 2], "times": [time(6), time(14, 30)]},
            "Weekly on Mon, Wed, Fri at 06:00, 14:30",
        ),
        # fields another frequency uses are ignored
        ({"frequency": "daily", "weekdays": [3], "month_day": 9}, "Daily at 06:00"),
    ],
)
def test_a_composed_schedule_is_valid_and_reads_as_built(kwargs, expected):
    text = compose(start=date(2026, 1, 5), zone="europe/warsaw", **kwargs)
    assert text.startswith("DTSTART;TZID=Europe/Warsaw:20260105T000000\nRRULE:FREQ=")
    assert rule_problem(text) is None
    assert describe(text) == expected
    assert zone_of(text) == WARSAW


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"frequency": "hourly"}, "Frequency is one of"),
        ({"frequency": "daily", "zone": "Europe/Atlantis"}, "Not a known time zone"),
        ({"frequency": "daily", "times": []}, "at least one time"),
        ({"frequency": "weekly", "weekdays": []}, "weekdays from 0"),
        ({"frequency": "weekly", "weekdays": [7]}, "weekdays from 0"),
        ({"frequency": "monthly", "month_day": 32}, "day of the month"),
        ({"frequency": "monthly", "month_day": 0}, "day of the month"),
        ({"frequency": "daily", "interval": 0}, "interval"),
        (
            {
                "frequency": "weekly",
                "weekdays": list(range(7)),
                "times": [time(h, h) for h in range(24)],
            },
            "Too many different times",
        ),
    ],
)
def test_compose_says_what_is_wrong(kwargs, message):
    with pytest.raises(ValueError, match=message):
        compose(**{"start": date(2026, 1, 5), "zone": WARSAW} | kwargs)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (schedule(rule="RRULE:FREQ=YEARLY;BYMONTH=3;BYHOUR=9"), "FREQ=YEARLY;BYMONTH=3;BYHOUR=9"),
        (schedule(rule=DAILY + ";COUNT=10"), "FREQ=DAILY;BYHOUR=6;BYMINUTE=0;BYSECOND=0;COUNT=10"),
        (schedule(rule="RRULE:FREQ=DAILY;BYHOUR=14,6"), "FREQ=DAILY;BYHOUR=14,6"),
        (schedule(rule="RRULE:FREQ=HOURLY"), "FREQ=HOURLY"),  # refused: its rule as written
        ("not a schedule", "not a schedule"),
    ],
)
def test_describe_falls_back_to_the_rule_text(text, expected):
    assert describe(text) == expected


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        (schedule(zone="america/new_york"), "America/New_York"),
        ("DTSTART:20260105T060000Z\n" + DAILY, "UTC"),
        ("DTSTART:20260105T060000\n" + DAILY, "UTC"),
        (schedule(zone="Europe/Atlantis"), "UTC"),
        (DAILY, "UTC"),
    ],
)
def test_zone_of_names_the_dtstart_zone(text, zone):
    assert zone_of(text) == zone


# --- Which texts are refused -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "needs a DTSTART line"),
        ("every day at six", "needs a DTSTART line"),
        (DAILY, "needs a DTSTART line"),
        ("DTSTART;TZID=Europe/Warsaw:20260105T000000", "needs an RRULE line"),
        (schedule() + "\n" + DAILY, "one DTSTART line and one RRULE line"),
        (schedule() + "\nEXDATE:20260106T060000", "one DTSTART line and one RRULE line"),
        (schedule(zone="Europe/Atlantis"), "Not a known time zone"),
        (schedule(zone="../../etc/passwd"), "Not a known time zone"),
        ("DTSTART;TZID=Europe/Warsaw:20260105T000000Z\n" + DAILY, "drop the Z"),
        ("DTSTART;VALUE=DATE:20260105\n" + DAILY, "DTSTART is not like"),
        (schedule(start="20261332T000000"), "is not a date and time"),
        (schedule(rule="RRULE:FREQ=HOURLY"), "at most daily: FREQ=HOURLY"),
        (schedule(rule="RRULE:FREQ=MINUTELY;INTERVAL=30"), "at most daily: FREQ=MINUTELY"),
        (schedule(rule="RRULE:FREQ=SECONDLY"), "at most daily: FREQ=SECONDLY"),
        (schedule(rule="RRULE:FREQ=FORTNIGHTLY"), "needs FREQ=DAILY, WEEKLY"),
        (schedule(rule="RRULE:BYHOUR=6"), "needs FREQ=DAILY, WEEKLY"),
        (schedule(rule="RRULE:FREQ=DAILY;BANANA"), "not NAME=VALUE pairs"),
        (schedule(rule="RRULE:FREQ=DAILY;FREQ=WEEKLY"), "not NAME=VALUE pairs"),
        (schedule(rule="RRULE:FREQ=DAILY;INTERVAL=0"), "INTERVAL is a whole number"),
        (schedule(rule="RRULE:FREQ=DAILY;INTERVAL=-1"), "INTERVAL is a whole number"),
        (schedule(rule="RRULE:FREQ=DAILY;BYHOUR=25"), "The RRULE is not valid"),
        (schedule(rule="RRULE:FREQ=DAILY;BYDAY=XX"), "The RRULE is not valid"),
        (schedule(rule="RRULE:FREQ=DAILY;BYSETPOS=0"), "The RRULE is not valid"),
        (schedule(rule="RRULE:FREQ=DAILY;WHEN=NOW"), "The RRULE is not valid"),
        (schedule(rule="RRULE:FREQ=DAILY;UNTIL=20270101"), "must be specified in UTC"),
        (schedule(rule="RRULE:FREQ=DAILY;COUNT=0"), "never falls due: its COUNT or UNTIL"),
        (schedule(rule=DAILY + ";UNTIL=20250101T000000Z"), "never falls due: its COUNT or UNTIL"),
        (schedule(rule="RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"), "never falls due in the 10"),
        (schedule(rule="RRULE:FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31"), "never falls due in the 10"),
        (schedule(rule="RRULE:FREQ=DAILY;INTERVAL=7;BYDAY=TU"), "never falls due in the 10"),
        (schedule(rule="RRULE:FREQ=MONTHLY;BYMONTHDAY=40"), "never falls due in the 10"),
        (
            schedule(rule="RRULE:FREQ=DAILY;BYMINUTE=" + ",".join(map(str, range(0, 60, 2)))),
            "at most 24 times a day",
        ),
        (schedule(rule=DAILY + ";" + "BYMONTH=1," * 60), f"at most {MAX_RULE} characters"),
    ],
)
def test_rule_problem_refuses_with_a_reason(text, message):
    problem = rule_problem(text)
    assert problem is not None
    assert message in problem
    assert problem.endswith(".")
    with pytest.raises(ValueError, match=f"^{re.escape(problem)}$"):
        occurrences(text, at(WARSAW, 2026, 1, 1), at(WARSAW, 2026, 2, 1))


@pytest.mark.parametrize(
    "text",
    [
        schedule(rule=DAILY + ";COUNT=10"),
        schedule(rule=DAILY + ";UNTIL=20261231T230000Z"),
        schedule(rule="rrule:freq=weekly;byday=mo,fr;byhour=7;byminute=0"),
        "dtstart;tzid=europe/warsaw:20260105t000000\r\n" + DAILY + "\r\n",
        "DTSTART:20260105T060000Z\n" + DAILY,
        "DTSTART:20260105T060000\n" + DAILY,  # no zone: UTC
        schedule(rule="RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"),  # every leap year
        schedule(rule="RRULE:FREQ=DAILY;BYHOUR=" + ",".join(map(str, range(24)))),
        schedule(rule="RRULE:FREQ=DAILY; BYHOUR = 6"),
    ],
)
def test_rule_problem_accepts_rules_that_fall_due(text):
    assert rule_problem(text) is None
    assert next_occurrence(text, at(WARSAW, 2026, 1, 5)) is not None


def test_count_and_until_end_a_schedule():
    counted = schedule(rule=DAILY + ";COUNT=3")
    found = occurrences(counted, at(WARSAW, 2026, 1, 1), at(WARSAW, 2027, 1, 1))
    assert on_clock(found) == ["Mon 05 Jan 06:00", "Tue 06 Jan 06:00", "Wed 07 Jan 06:00"]
    assert next_occurrence(counted, at(WARSAW, 2026, 1, 7, 6, 0, 1)) is None
    until = schedule(rule=DAILY + ";UNTIL=20260107T050000Z")
    assert occurrences(until, at(WARSAW, 2026, 1, 1), at(WARSAW, 2027, 1, 1)) == found


# --- Occurrences in a window -------------------------------------------------------------------


def test_a_window_includes_its_start_and_excludes_its_end():
    text = schedule()
    six = at(WARSAW, 2026, 2, 2, 6)
    assert occurrences(text, six, six + timedelta(days=1)) == [six.astimezone(UTC)]
    assert occurrences(text, six - timedelta(days=1), six) == [six.astimezone(UTC) - timedelta(1)]
    assert occurrences(text, six, six) == []
    assert occurrences(text, six + timedelta(microseconds=1), six + timedelta(hours=1)) == []
    naive = datetime(2026, 2, 2, 4, 59)  # taken as UTC
    assert occurrences(text, naive, naive + timedelta(minutes=2)) == [six.astimezone(UTC)]


def test_nothing_falls_due_before_the_start_or_long_after_it():
    text = schedule()
    assert occurrences(text, at(WARSAW, 2025, 1, 1), at(WARSAW, 2026, 1, 5)) == []
    assert len(occurrences(text, at(WARSAW, 2125, 1, 1), at(WARSAW, 2125, 1, 11))) == 10
    assert occurrences(text, at(WARSAW, 2127, 1, 1), at(WARSAW, 2128, 1, 1)) == []


def test_next_occurrence_is_the_first_at_or_after_the_moment():
    text = compose(frequency="monthly", start=date(2026, 1, 5), zone=WARSAW, month_day=31)
    assert next_occurrence(text, at(WARSAW, 2026, 2, 1)) == at(WARSAW, 2026, 2, 28, 6)
    assert next_occurrence(text, at(WARSAW, 2026, 2, 28, 6)) == at(WARSAW, 2026, 2, 28, 6)
    yearly = schedule(rule="RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYHOUR=6")
    assert next_occurrence(yearly, at(WARSAW, 2028, 3, 1)) == at(WARSAW, 2032, 2, 29, 6)


_ZONES = st.sampled_from([WARSAW, "America/New_York", "Australia/Lord_Howe", "UTC", "Asia/Tokyo"])


@settings(database=None, max_examples=100, deadline=None)
@given(
    zone=_ZONES,
    frequency=st.sampled_from(["daily", "weekly", "monthly"]),
    times=st.lists(st.times().map(lambda t: t.replace(microsecond=0)), min_size=1, max_size=3),
    weekdays=st.lists(st.integers(0, 6), min_size=1, max_size=3),
    month_day=st.integers(1, 31),
    interval=st.integers(1, 3),
    start=st.dates(date(2024, 1, 1), date(2027, 12, 31)),
    offsets=st.lists(st.integers(0, 900 * 24), min_size=2, max_size=4),
)
def test_occurrences_agree_with_dateutil_whatever_windows_are_asked_first(
    zone, frequency, times, weekdays, month_day, interval, start, offsets
):
    text = compose(
        frequency=frequency,
        start=start,
        zone=zone,
        times=times,
        weekdays=weekdays,
        month_day=month_day,
        interval=interval,
    )
    base = datetime(2024, 1, 1, tzinfo=UTC)
    cuts = sorted(base + timedelta(hours=offset) for offset in offsets)
    rule = rrulestr(text, tzids=ZoneInfo)  # dateutil's own reading of the text
    windows = [(cuts[-2], cuts[-1]), (cuts[0], cuts[-1]), *zip(cuts, cuts[1:], strict=False)]
    for low, high in windows:  # the last first: the kept occurrences must grow right
        expected = sorted(
            {m.astimezone(UTC) for m in rule.between(low - timedelta(2), high + timedelta(2))}
        )
        assert occurrences(text, low, high) == [m for m in expected if low <= m < high]


# --- What became of each occurrence ------------------------------------------------------------

TUE_THU = compose(
    frequency="weekly", start=date(2026, 1, 5), zone=WARSAW, times=[time(7, 30)], weekdays=[1, 3]
)
TUESDAY, THURSDAY = at(WARSAW, 2026, 1, 6, 7, 30), at(WARSAW, 2026, 1, 8, 7, 30)
NEXT_TUESDAY = at(WARSAW, 2026, 1, 13, 7, 30)


def statuses_of(walks, now, next_due=NEXT_TUESDAY) -> list[tuple[str, object]]:
    found = classify([THURSDAY, TUESDAY], walks, now, WARSAW, next_due)
    assert [o.due_at for o in found] == [TUESDAY.astimezone(UTC), THURSDAY.astimezone(UTC)]
    return [(o.status, o.walk) for o in found]


@pytest.mark.parametrize(
    ("walks", "now", "expected"),
    [
        # done, earlier that day included
        ([(1, at(WARSAW, 2026, 1, 6, 7, 40))], (2026, 1, 6, 9), [(DONE, 1), (UPCOMING, None)]),
        ([(1, at(WARSAW, 2026, 1, 6, 5))], (2026, 1, 6, 9), [(DONE, 1), (UPCOMING, None)]),
        # late: after its day, before the next occurrence's slot
        ([(1, at(WARSAW, 2026, 1, 7, 8))], (2026, 1, 8, 9), [(LATE, 1), (DUE, None)]),
        ([(1, at(WARSAW, 2026, 1, 7, 23, 59))], (2026, 1, 9), [(LATE, 1), (OVERDUE, None)]),
        ([(1, at(WARSAW, 2026, 1, 7))], (2026, 1, 7, 9), [(LATE, 1), (UPCOMING, None)]),
        # not walked
        ([], (2026, 1, 5, 12), [(UPCOMING, None), (UPCOMING, None)]),
        ([], (2026, 1, 6, 5), [(DUE, None), (UPCOMING, None)]),  # earlier that day
        ([], (2026, 1, 6, 23, 59), [(DUE, None), (UPCOMING, None)]),
        ([], (2026, 1, 7), [(OVERDUE, None), (UPCOMING, None)]),
        ([], (2026, 1, 8), [(MISSED, None), (DUE, None)]),  # the next slot began
        ([], (2026, 1, 12, 23), [(MISSED, None), (OVERDUE, None)]),
        ([], (2026, 1, 13), [(MISSED, None), (MISSED, None)]),
        # a missed walk stays missed, even when someone walks later
        ([(1, at(WARSAW, 2026, 1, 8, 1))], (2026, 1, 9), [(MISSED, None), (DONE, 1)]),
        # a walk exactly on a slot boundary counts for the later slot
        ([(1, at(WARSAW, 2026, 1, 8))], (2026, 1, 9), [(MISSED, None), (DONE, 1)]),
        # a walk before the first slot counts for nothing
        ([(1, at(WARSAW, 2026, 1, 5, 23, 59))], (2026, 1, 6, 9), [(DUE, None), (UPCOMING, None)]),
        # a walk in the next occurrence's slot is not this window's
        ([(1, at(WARSAW, 2026, 1, 13))], (2026, 1, 13, 1), [(MISSED, None), (MISSED, None)]),
    ],
)
def test_each_occurrence_is_done_late_missed_overdue_due_or_upcoming(walks, now, expected):
    assert statuses_of(walks, at(WARSAW, *now)) == expected


def test_two_walks_in_one_slot_count_once_and_the_earliest_counts():
    walks = [("b", at(WARSAW, 2026, 1, 6, 9)), ("a", at(WARSAW, 2026, 1, 6, 7))]
    found = classify([TUESDAY, THURSDAY], walks, at(WARSAW, 2026, 1, 9), WARSAW, NEXT_TUESDAY)
    assert found[0] == Occurrence(TUESDAY.astimezone(UTC), DONE, "a", at(WARSAW, 2026, 1, 6, 7))
    assert (found[1].status, found[1].walk) == (OVERDUE, None)


def test_without_next_due_the_last_slot_stays_open():
    late = [(7, at(WARSAW, 2026, 1, 20))]
    assert statuses_of([], at(WARSAW, 2026, 2, 1), None) == [(MISSED, None), (OVERDUE, None)]
    assert statuses_of(late, at(WARSAW, 2026, 2, 1), None) == [(MISSED, None), (LATE, 7)]
    assert statuses_of(late, at(WARSAW, 2026, 2, 1)) == [(MISSED, None), (MISSED, None)]


SHIFTS = compose(
    frequency="daily", start=date(2026, 1, 5), zone=WARSAW, times=[time(6), time(14), time(22)]
)


@pytest.mark.parametrize(
    ("walked", "counts_for"),
    [
        ((0, 0), 6),
        ((5, 40), 6),
        ((13, 59), 6),
        ((14, 0), 14),
        ((14, 1), 14),
        ((21, 59, 59), 14),
        ((22, 0), 22),
        ((23, 59), 22),
    ],
)
def test_a_shift_walk_counts_for_the_shift_whose_slot_holds_it(walked, counts_for):
    day = occurrences(SHIFTS, at(WARSAW, 2026, 1, 6), at(WARSAW, 2026, 1, 7))
    following = next_occurrence(SHIFTS, at(WARSAW, 2026, 1, 7))
    walks = [("w", at(WARSAW, 2026, 1, 6, *walked))]
    found = classify(day, walks, at(WARSAW, 2026, 1, 7, 1), WARSAW, following)
    assert following == at(WARSAW, 2026, 1, 7, 6)
    assert [(o.due_at.astimezone(ZoneInfo(WARSAW)).hour, o.status) for o in found] == [
        (hour, DONE if hour == counts_for else MISSED) for hour in (6, 14, 22)
    ]


def test_a_shift_not_walked_is_missed_once_the_next_shift_begins():
    day = occurrences(SHIFTS, at(WARSAW, 2026, 1, 6), at(WARSAW, 2026, 1, 7))
    found = classify(day, [], at(WARSAW, 2026, 1, 6, 15), WARSAW)
    assert [o.status for o in found] == [MISSED, DUE, DUE]


def test_classify_sorts_and_merges_the_occurrences_it_is_given():
    assert classify([], [(1, TUESDAY)], TUESDAY, WARSAW) == []
    found = classify([THURSDAY, TUESDAY, TUESDAY.astimezone(UTC)], [], TUESDAY, WARSAW)
    assert [o.due_at for o in found] == [TUESDAY, THURSDAY]


# --- Completion --------------------------------------------------------------------------------


def test_completion_over_four_and_twelve_weeks():
    """Mon/Wed/Fri at 07:00 for 12 weeks: Mondays walked on time, Wednesdays the day after,
    Fridays on time for six weeks and then not at all."""
    text = compose(
        frequency="weekly", start=date(2026, 1, 5), zone=WARSAW, times=[time(7)], weekdays=[0, 2, 4]
    )
    now = at(WARSAW, 2026, 3, 30, 6)  # a Monday morning, after the change to summer time
    due = occurrences(text, at(WARSAW, 2026, 1, 5), now)
    walks = []
    for week in range(12):
        monday = date(2026, 1, 5) + timedelta(weeks=week)
        walks.append((f"mon{week}", datetime.combine(monday, time(7, 10), ZoneInfo(WARSAW))))
        thursday = datetime.combine(monday + timedelta(3), time(8), ZoneInfo(WARSAW))
        walks.append((f"wed{week}", thursday))
        if week < 6:
            friday = datetime.combine(monday + timedelta(4), time(7, 5), ZoneInfo(WARSAW))
            walks.append((f"fri{week}", friday))
    found = classify(due, walks, now, WARSAW, next_occurrence(text, now))
    assert len(found) == 36
    assert [o.status for o in found[-3:]] == [DONE, LATE, MISSED]
    assert completion(found, now - timedelta(weeks=12), now) == (30, 36)
    assert completion(found, now - timedelta(weeks=4), now) == (8, 12)


def test_completion_counts_overdue_walks_and_not_those_still_due():
    now = datetime(2026, 1, 10, tzinfo=UTC)
    found = [
        Occurrence(now - timedelta(days=days), status, None, None)
        for days, status in [(9, DONE), (8, LATE), (7, MISSED), (6, OVERDUE), (0.5, DUE)]
    ] + [
        Occurrence(now - timedelta(days=30), MISSED, None, None),  # before the window
        Occurrence(now, DUE, None, None),
        Occurrence(now + timedelta(days=1), UPCOMING, None, None),
    ]
    assert completion(found, now - timedelta(days=28), now) == (2, 4)
    assert completion([], now - timedelta(days=28), now) == (0, 0)
