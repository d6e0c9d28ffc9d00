"""Trend measures on hand-built histories: periods on the site's clock, gap events, medians,
walks on time, stale topics, and figures that never change once a period is over."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from gemba.domain.trends import (
    GapHistory,
    PeriodTrend,
    TopicSeen,
    WalkDue,
    compare_sites,
    median,
    periods,
    site_trends,
)

WARSAW = ZoneInfo("Europe/Warsaw")
MEXICO = ZoneInfo("America/Mexico_City")
SITE = "plant-2"


def warsaw(day: int, hour: int = 0, minute: int = 0, month: int = 1) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=WARSAW)


def utc(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def january_weeks() -> list:
    """ISO weeks 2 and 3 of 2026 in Warsaw: Mon 5 Jan to Mon 19 Jan."""
    return periods(date(2026, 1, 5), date(2026, 1, 19), "week", "Europe/Warsaw")


def measures(spans, as_of, **histories) -> list[PeriodTrend]:
    return site_trends(SITE, spans, as_of, **histories)


# --- periods on the site's clock ------------------------------------------------------------


def test_a_week_starts_on_monday_midnight_on_the_sites_clock() -> None:
    week2, week3 = january_weeks()
    assert (week2.label, week3.label) == ("2026-W02", "2026-W03")
    assert week2.start == warsaw(5)
    assert week2.end == warsaw(12) == week3.start
    assert week2.start.isoformat() == "2026-01-05T00:00:00+01:00"


def test_sunday_2330_utc_in_warsaw_falls_in_mondays_week() -> None:
    # Sunday 11 Jan 23:30 UTC is Monday 12 Jan 00:30 in Warsaw: week 3, not week 2.
    gap = GapHistory("g", SITE, "t", utc(1, 11, 23, 30))
    week2, week3 = measures(january_weeks(), utc(1, 20), gaps=[gap])
    assert (week2.gaps_flagged, week3.gaps_flagged) == (0, 1)
    assert utc(1, 11, 23, 30) in week3.period
    assert utc(1, 11, 23, 30) not in week2.period


def test_a_month_boundary_in_mexico_city() -> None:
    march, april = periods(date(2026, 3, 1), date(2026, 5, 1), "month", "America/Mexico_City")
    assert (march.label, april.label) == ("2026-03", "2026-04")
    assert march.start.isoformat() == "2026-03-01T00:00:00-06:00"
    assert april.start == datetime(2026, 4, 1, tzinfo=MEXICO) == utc(4, 1, 6)
    gaps = [
        GapHistory("late-evening", SITE, "t", utc(4, 1, 3)),  # 31 Mar 21:00 in Mexico City
        GapHistory("midnight", SITE, "t", utc(4, 1, 6)),  # 1 Apr 00:00: the start is April's
    ]
    rows = measures([march, april], utc(5, 1, 12), gaps=gaps)
    assert [row.gaps_flagged for row in rows] == [1, 1]
    assert [row.gaps_open_at_end for row in rows] == [1, 2]


def elapsed(span) -> timedelta:
    """The time that went by in the period (two times of one zone subtract on the wall)."""
    return span.end.astimezone(UTC) - span.start.astimezone(UTC)


def test_the_week_the_clocks_go_forward_is_167_hours_and_still_one_week() -> None:
    # Summer time begins in Warsaw on Sunday 29 March 2026 at 02:00.
    week13, week14 = periods(date(2026, 3, 23), date(2026, 4, 6), "week", "Europe/Warsaw")
    assert week13.label == "2026-W13"
    assert elapsed(week13) == timedelta(hours=167)
    assert elapsed(week14) == timedelta(hours=168)
    assert week13.end.isoformat() == "2026-03-30T00:00:00+02:00"
    gaps = [
        GapHistory("sunday-night", SITE, "t", utc(3, 29, 21, 30)),  # 23:30 CEST, Sunday
        GapHistory("monday-early", SITE, "t", utc(3, 29, 22, 30)),  # 00:30 CEST, Monday
        # Saturday 12:00 CET to Sunday 12:00 CEST: 23 hours went by, not 24.
        GapHistory(
            "weekend",
            SITE,
            "t",
            warsaw(28, 12, month=3),
            [(warsaw(29, 12, month=3), "open", "confirmed")],
        ),
    ]
    rows = measures([week13, week14], utc(4, 6), gaps=gaps)
    assert [row.gaps_flagged for row in rows] == [2, 1]
    assert rows[0].median_hours_to_triage == 23.0


def test_periods_from_a_moment_begin_with_the_period_that_holds_it() -> None:
    # Wednesday 7 Jan 12:00 UTC up to Monday 12 Jan 00:00 Warsaw: week 2 only.
    found = periods(utc(1, 7, 12), warsaw(12), "week", "Europe/Warsaw")
    assert [span.label for span in found] == ["2026-W02"]
    december = periods(date(2025, 12, 15), date(2026, 1, 2), "month", "UTC")
    assert [span.label for span in december] == ["2025-12", "2026-01"]


def test_periods_refuse_unknown_units_and_zones_and_give_none_for_an_empty_range() -> None:
    assert periods(date(2026, 1, 5), date(2026, 1, 5), "week", "UTC") == []
    with pytest.raises(ValueError, match="unit"):
        periods(date(2026, 1, 5), date(2026, 2, 5), "day", "UTC")
    with pytest.raises(ValueError, match="time zone"):
        periods(date(2026, 1, 5), date(2026, 2, 5), "week", "Mars/Olympus")


# --- gaps -----------------------------------------------------------------------------------


def worked_example() -> list[GapHistory]:
    """The example of docs/trends.md: three gaps at a Warsaw site in January 2026."""
    return [
        GapHistory(
            "G1",
            SITE,
            "badge scan",
            warsaw(5, 8),
            [
                (warsaw(5, 20), "open", "confirmed"),
                (warsaw(7, 9), "confirmed", "open"),
                (warsaw(8, 9), "open", "dismissed"),
            ],
        ),
        GapHistory(
            "G2",
            SITE,
            "changeover time",
            warsaw(6, 0),
            [(warsaw(6, 10), "open", "confirmed"), (warsaw(9, 15), "confirmed", "actioned")],
            verified_at=warsaw(14, 10),
        ),
        GapHistory(
            "G3",
            SITE,
            "gloves",
            warsaw(10, 12),
            [(warsaw(11, 12), "open", "dismissed"), (warsaw(13, 7), "dismissed", "open")],
        ),
    ]


def test_worked_example_of_the_docs() -> None:
    week2, week3 = measures(january_weeks(), warsaw(19), gaps=worked_example())
    assert week2.to_row() == {
        "site": SITE,
        "period": "2026-W02",
        "start": "2026-01-05T00:00:00+01:00",
        "end": "2026-01-12T00:00:00+01:00",
        "as_of": "2026-01-19T00:00:00+01:00",
        "complete": True,
        "gaps_flagged": 3,
        "gaps_confirmed": 2,
        "gaps_dismissed": 2,
        "gaps_actioned": 1,
        "gaps_verified": 0,
        "gaps_closed_by_evidence": 0,
        "gaps_reopened": 1,
        "gaps_open_at_end": 1,  # G2: actioned, not verified yet
        "gaps_untriaged_at_end": 0,
        "median_hours_to_triage": 12.0,  # 10, 12 and 24 hours
        "gaps_first_triaged": 3,
        "median_days_to_verified": None,
        "gaps_timed_to_verified": 0,
        "walks_due": 0,
        "walks_on_time": 0,
        "walks_late": 0,
        "walks_missed": 0,
        "walks_pending": 0,
        "topics_observed": 0,
        "topics_stale": 0,
        "stale_weeks": 4,
    }
    assert (week3.gaps_flagged, week3.gaps_reopened, week3.gaps_verified) == (0, 1, 1)
    assert week3.median_days_to_verified == 8.0  # confirmed 6 Jan 10:00, verified 14 Jan 10:00
    assert week3.median_hours_to_triage is None  # no gap was first triaged in week 3
    assert (week3.gaps_open_at_end, week3.gaps_untriaged_at_end) == (1, 1)  # G3, re-opened


def test_reopen_then_retriage_counts_the_first_triage_for_the_median() -> None:
    # G1 was confirmed 12 hours after it was flagged, re-opened and dismissed days later:
    # its time to triage is 12 hours, not the 72 hours to its dismissal.
    (g1,) = [gap for gap in worked_example() if gap.gap_id == "G1"]
    week2, _ = measures(january_weeks(), warsaw(19), gaps=[g1])
    assert week2.median_hours_to_triage == 12.0
    assert week2.gaps_first_triaged == 1
    assert (week2.gaps_confirmed, week2.gaps_reopened, week2.gaps_dismissed) == (1, 1, 1)


def test_a_gap_dismissed_then_reopened_counts_in_both_periods() -> None:
    (g3,) = [gap for gap in worked_example() if gap.gap_id == "G3"]
    week2, week3 = measures(january_weeks(), warsaw(19), gaps=[g3])
    assert (week2.gaps_dismissed, week2.gaps_reopened, week2.gaps_open_at_end) == (1, 0, 0)
    assert (week3.gaps_dismissed, week3.gaps_reopened, week3.gaps_open_at_end) == (0, 1, 1)


def test_a_gap_counts_once_per_period_however_often_it_moves() -> None:
    moves = [
        (warsaw(5, 9), "open", "dismissed"),
        (warsaw(5, 10), "dismissed", "open"),
        (warsaw(5, 11), "open", "dismissed"),
        (warsaw(5, 12), "dismissed", "open"),
    ]
    gap = GapHistory("g", SITE, "t", warsaw(5, 8), moves)
    week2, _ = measures(january_weeks(), warsaw(19), gaps=[gap])
    assert (week2.gaps_dismissed, week2.gaps_reopened) == (1, 1)
    assert (week2.gaps_open_at_end, week2.gaps_untriaged_at_end) == (1, 1)


def test_closed_by_evidence_leaves_the_open_gaps_until_reopened() -> None:
    closed = GapHistory("c", SITE, "t", warsaw(5, 8), closed_at=warsaw(6, 8))
    reopened = GapHistory(
        "r",
        SITE,
        "t",
        warsaw(5, 8),
        [(warsaw(5, 9), "open", "confirmed"), (warsaw(13, 8), "confirmed", "open")],
        closed_at=warsaw(7, 8),
    )
    week2, week3 = measures(january_weeks(), warsaw(19), gaps=[closed, reopened])
    assert week2.gaps_closed_by_evidence == 2
    assert (week2.gaps_open_at_end, week3.gaps_open_at_end) == (0, 1)


def test_a_closing_the_evidence_undid_still_holds_for_the_periods_in_between() -> None:
    """Closed by evidence in week 2, flagged again in week 3: week 2 ended with the gap
    closed, and learning of the new flag does not change that."""
    gap = GapHistory("g", SITE, "t", warsaw(5, 8), closings=[(warsaw(7, 8), warsaw(14, 8))])
    week2, week3 = measures(january_weeks(), warsaw(19), gaps=[gap])
    assert (week2.gaps_closed_by_evidence, week3.gaps_closed_by_evidence) == (1, 0)
    assert (week2.gaps_open_at_end, week3.gaps_open_at_end) == (0, 1)
    assert week3.gaps_untriaged_at_end == 1
    as_then, _ = measures(january_weeks(), warsaw(12), gaps=[gap])
    assert (as_then.gaps_open_at_end, as_then.gaps_closed_by_evidence) == (0, 1)


def test_another_sites_gaps_do_not_count() -> None:
    gap = GapHistory("g", "elsewhere", "t", warsaw(5, 8))
    assert [row.gaps_flagged for row in measures(january_weeks(), warsaw(19), gaps=[gap])] == [
        0,
        0,
    ]


def test_an_unknown_status_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown gap status"):
        GapHistory("g", SITE, "t", warsaw(5), [(warsaw(6), "open", "solved")])


# --- medians --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [([], None), ([5], 5.0), ([4, 1], 2.5), ([3, 1, 2], 2.0), ([0, 0], 0.0)],
)
def test_median_of_none_one_two_and_three_values(values, expected) -> None:
    assert median(values) == expected


# --- walks ----------------------------------------------------------------------------------


def counts(row: PeriodTrend) -> tuple[int, ...]:
    return (row.walks_due, row.walks_on_time, row.walks_late, row.walks_missed, row.walks_pending)


def test_walks_due_done_on_time_late_missed_and_pending() -> None:
    as_of = utc(1, 19, 12)  # Monday 19 Jan 13:00 in Warsaw
    walks = [
        # Plan A, every Monday.
        WalkDue(SITE, "A", date(2026, 1, 5), utc(1, 5, 9)),  # on time
        # Done 00:30 on Monday 19 Jan in Warsaw (Sunday 23:30 UTC): the next due day, late.
        WalkDue(SITE, "A", date(2026, 1, 12), utc(1, 18, 23, 30)),
        WalkDue(SITE, "A", date(2026, 1, 19)),  # after the range: closes 12 Jan's window
        # Plan B, every Tuesday.
        WalkDue(SITE, "B", date(2026, 1, 6)),  # not done, 13 Jan has begun: missed
        WalkDue(SITE, "B", date(2026, 1, 13), utc(1, 19, 13)),  # done after as_of: pending
        WalkDue(SITE, "B", date(2026, 1, 20)),
        # Plan C, Wednesday and Thursday, then no more.
        WalkDue(SITE, "C", date(2026, 1, 14), utc(1, 14, 22, 30)),  # 23:30 Warsaw: on time
        WalkDue(SITE, "C", date(2026, 1, 15)),  # nothing after it: never missed
        WalkDue("elsewhere", "D", date(2026, 1, 14)),
    ]
    week2, week3 = measures(january_weeks(), as_of, walks=walks)
    assert counts(week2) == (2, 1, 0, 1, 0)
    assert counts(week3) == (4, 1, 1, 0, 2)
    _, later = measures(january_weeks(), utc(1, 21), walks=walks)
    assert counts(later) == (4, 2, 1, 0, 1)  # B's 13 Jan walk done before the 20th: on time


# --- topics ---------------------------------------------------------------------------------


def test_a_topic_not_observed_in_the_last_four_weeks_is_stale() -> None:
    (week3,) = periods(date(2026, 1, 12), date(2026, 1, 19), "week", "UTC")
    topics = [
        TopicSeen(SITE, "old", [utc(12, 20).replace(year=2025)]),
        TopicSeen(SITE, "edge", [utc(12, 22).replace(year=2025)]),  # exactly 4 weeks back
        # Observed at the period's end: that is the next week's; before, only in December.
        TopicSeen(SITE, "at-end", [utc(1, 19), utc(12, 1).replace(year=2025)]),
        TopicSeen(SITE, "never", [], since=utc(1, 1)),
        TopicSeen(SITE, "future", [], since=utc(1, 25)),
        TopicSeen("elsewhere", "other", [utc(1, 13)]),
    ]
    (row,) = measures([week3], utc(2, 1), topics=topics)
    assert (row.topics_observed, row.topics_stale) == (1, 3)
    (row,) = site_trends(SITE, [week3], utc(2, 1), topics=topics, stale_weeks=5)
    assert (row.topics_observed, row.topics_stale, row.stale_weeks) == (2, 2, 5)


# --- as of ------------------------------------------------------------------------------------


def test_last_months_figures_recomputed_later_as_of_its_end_are_the_same() -> None:
    spans = periods(date(2026, 1, 1), date(2026, 3, 1), "month", "Europe/Warsaw")
    january_end = spans[0].end
    gaps = worked_example()
    walks = [WalkDue(SITE, "A", date(2026, 1, 26)), WalkDue(SITE, "A", date(2026, 2, 2))]
    topics = [TopicSeen(SITE, "badge scan", [warsaw(2)])]
    before = measures(spans, january_end, gaps=gaps, walks=walks, topics=topics)[0]

    # February brings news about January's gaps, walk and topic.
    later_gaps = [
        GapHistory(
            gap.gap_id,
            gap.site_id,
            gap.topic_id,
            gap.flagged_at,
            [*gap.changes, (warsaw(3, 9, month=2), gap.changes[-1].to_status, "open")],
            verified_at=gap.verified_at,
            closed_at=warsaw(4, 9, month=2),
        )
        for gap in gaps
    ]
    later_gaps.append(GapHistory("G4", SITE, "new", warsaw(2, 8, month=2)))
    later_walks = [WalkDue(SITE, "A", date(2026, 1, 26), warsaw(5, 9, month=2)), walks[1]]
    later_topics = [TopicSeen(SITE, "badge scan", [warsaw(2), warsaw(3, month=2)])]
    history = {"gaps": later_gaps, "walks": later_walks, "topics": later_topics}

    again = measures(spans, january_end, **history)[0]
    assert again == before
    assert again.to_row() == before.to_row()
    now = measures(spans, warsaw(1, month=3), **history)[0]
    # Counted as of now, January's walk of the 26th is late: that news is February's.
    assert (before.walks_pending, before.walks_late) == (1, 0)
    assert (now.walks_pending, now.walks_late) == (0, 1)


def test_a_period_not_over_yet_is_counted_so_far() -> None:
    week2, week3 = measures(january_weeks(), warsaw(14), gaps=worked_example())
    assert (week2.complete, week3.complete) == (True, False)
    assert week3.gaps_verified == 0  # G2 is verified at 10:00 on the 14th, after as_of
    assert week3.gaps_open_at_end == 2  # G2 (actioned) and G3 (re-opened), as of now


# --- empty inputs and comparisons ---------------------------------------------------------------


def test_empty_inputs_give_zeros_and_no_medians() -> None:
    rows = measures(january_weeks(), warsaw(19))
    assert len(rows) == 2
    for row in rows:
        numbers = {k: v for k, v in row.to_row().items() if k.startswith(("gaps_", "walks_"))}
        assert set(numbers.values()) == {0}
        assert (row.median_hours_to_triage, row.median_days_to_verified) == (None, None)
        assert (row.topics_observed, row.topics_stale) == (0, 0)
    assert measures([], warsaw(19), gaps=worked_example()) == []
    assert compare_sites([]) == []


def test_sites_side_by_side_for_one_month_each_on_its_own_clock() -> None:
    (warsaw_march,) = periods(date(2026, 3, 1), date(2026, 4, 1), "month", "Europe/Warsaw")
    (mexico_march,) = periods(date(2026, 3, 1), date(2026, 4, 1), "month", "America/Mexico_City")
    as_of = utc(4, 2)
    # 31 Mar 23:30 UTC: April in Warsaw, still March in Mexico City.
    gaps = [GapHistory("w", "PL", "t", utc(3, 31, 23, 30)), GapHistory("m", "MX", "t", utc(4, 1))]
    (pl,) = site_trends("PL", [warsaw_march], as_of, gaps=gaps)
    (mx,) = site_trends("MX", [mexico_march], as_of, gaps=gaps)
    table = compare_sites([pl, mx], names={"PL": "Plant Warsaw", "MX": "Plant Mexico"})
    assert table[0] == {"measure": "period", "Plant Warsaw": "2026-03", "Plant Mexico": "2026-03"}
    by_measure = {row["measure"]: row for row in table}
    assert by_measure["gaps_flagged"] == {
        "measure": "gaps_flagged",
        "Plant Warsaw": 0,
        "Plant Mexico": 1,
    }
    assert list(by_measure)[:3] == ["period", "complete", "gaps_flagged"]
    (april,) = periods(date(2026, 4, 1), date(2026, 5, 1), "month", "UTC")
    (other,) = site_trends("XX", [april], as_of)
    with pytest.raises(ValueError, match="one period"):
        compare_sites([pl, other])
    with pytest.raises(ValueError, match="more than once"):
        compare_sites([pl, pl])
