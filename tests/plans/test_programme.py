"""The programme at a fixed moment: what became of every walk a plan made due, per plan
and per observer, and the walks due to one observer.

NOW is Monday 2 March 2026, 11:00 in Warsaw; the daily plan falls due at 06:00 there
(05:00 UTC) from Monday 5 January, the weekly one on Tuesdays at 07:30 (06:30 UTC)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.plans.conftest import behaviour
from tests.plans.helpers import (
    DAILY_6,
    DAILY_14,
    NOW,
    TUESDAYS,
    due_for,
    schedule_changed_at,
    shown,
    statuses,
    utc,
    walk,
)


def _row(programme, title):
    return next(row for row in programme.plans if row.plan.title == title)


def _observer(programme, user):
    return next(row for row in programme.observers if row.user.id == user.id)


def test_a_daily_plan_is_done_on_its_day_missed_after_it_and_due_today(plant):
    plan = plant.plan([behaviour()], title="Press line", schedule=DAILY_6)
    walk(plant, plan, "2026-02-27 07:00")
    row = _row(shown(plant), "Press line")
    found = statuses(row.occurrences)
    assert found["2026-02-27 05:00"] == "done"
    assert found["2026-02-28 05:00"] == "missed"
    assert found["2026-03-02 05:00"] == "due"
    # 5 January to 2 March: 57 occurrences, today's not counted yet.
    assert len(found) == 57
    assert row.tally.counts["done"] == 1
    assert row.tally.counts["missed"] == 55
    assert row.tally.counts["due"] == 1
    assert row.tally.rates[4] == (1, 27)  # 3 February to 1 March
    assert row.tally.rates[12] == (1, 56)
    assert row.next_due == utc("2026-03-03 06:00")


def test_the_walk_of_a_day_counts_once_and_a_walk_earlier_that_day_counts(plant):
    plan = plant.plan([behaviour()], title="Press line", schedule=DAILY_6)
    first = walk(plant, plan, "2026-02-27 05:30")  # before 06:00, the same day
    walk(plant, plan, "2026-02-27 09:00")
    row = _row(shown(plant), "Press line")
    walked = [o for o in row.occurrences if o.walk is not None]
    assert [str(o.walk[0]) for o in walked] == [first]
    assert walked[0].status == "done"


def test_a_weekly_plan_walked_days_later_is_late_and_unwalked_this_week_overdue(plant):
    plan = plant.plan([behaviour()], title="Weekly 5S", schedule=TUESDAYS)
    walk(plant, plan, "2026-02-10 09:00")  # on the day
    walk(plant, plan, "2026-02-19 10:00")  # Tuesday the 17th's, on Thursday
    found = statuses(_row(shown(plant), "Weekly 5S").occurrences)
    assert found["2026-02-10 06:30"] == "done"
    assert found["2026-02-17 06:30"] == "late"
    assert found["2026-02-03 06:30"] == "missed"
    # Tuesday the 24th's can still be walked until Tuesday 3 March begins.
    assert found["2026-02-24 06:30"] == "overdue"


def test_a_late_walk_counts_as_walked_in_the_rate(plant):
    plan = plant.plan([behaviour()], title="Weekly 5S", schedule=TUESDAYS)
    walk(plant, plan, "2026-02-19 10:00")
    row = _row(shown(plant), "Weekly 5S")
    # 3, 10, 17, 24 February: one walked (late), three not (one still overdue).
    assert row.tally.rates[4] == (1, 4)
    assert row.tally.rate(4) == 0.25


def test_a_schedule_changed_mid_window_keeps_its_earlier_occurrences(plant):
    plan = plant.plan([behaviour()], title="Press line", schedule=DAILY_6)
    walk(plant, plan, "2026-02-10 07:00")
    plan["schedule"] = DAILY_14
    assert plant.write(plant.analyst, plan).results[0].status == "updated"
    changed = utc("2026-02-16 12:00")
    schedule_changed_at(plant, plan, changed)
    found = statuses(_row(shown(plant), "Press line").occurrences)
    before = {due: s for due, s in found.items() if due < "2026-02-16 11:00"}
    after = {due: s for due, s in found.items() if due >= "2026-02-16 11:00"}
    assert found["2026-02-10 05:00"] == "done"
    assert found["2026-02-15 05:00"] == "missed"  # missed under the old schedule, still missed
    assert all(due.endswith("05:00") for due in before)
    assert "2026-02-16 05:00" in before  # the change came after that morning's walk was due
    assert all(due.endswith("13:00") for due in after)  # 14:00 in Warsaw
    assert "2026-02-16 13:00" in after
    assert found["2026-03-02 13:00"] == "due"


def test_a_plan_without_schedule_is_never_due(plant):
    plant.plan([behaviour()], title="Whenever", assignees=[plant.observer.email])
    row = _row(shown(plant), "Whenever")
    assert row.occurrences == []
    assert row.next_due is None
    assert row.tally.rate(4) is None
    assert due_for(plant, plant.observer) == []


def test_each_observer_counts_their_own_walks_and_the_ones_nobody_walked(plant, make_user):
    second = make_user("observer")
    colleague = make_user("observer")
    plan = plant.plan(
        [behaviour()],
        title="Press line",
        schedule=DAILY_6,
        assignees=[plant.observer.email, second.email],
    )
    walk(plant, plan, "2026-02-25 07:00")  # the first observer
    walk(plant, plan, "2026-02-26 07:00", user=second)
    walk(plant, plan, "2026-02-27 07:00", user=colleague)  # not assigned
    programme = shown(plant, weeks=1)  # from 23 February 10:00 UTC: 24 February to 2 March
    first, other = _observer(programme, plant.observer), _observer(programme, second)
    assert {row.user.id for row in programme.observers} == {plant.observer.id, second.id}
    # Each: one done; the other's walk and the colleague's count for neither side; the
    # 24th, 28th and 1st missed by both; today due for both.
    for row in (first, other):
        assert row.tally.counts["done"] == 1
        assert row.tally.counts["missed"] == 3
        assert row.tally.counts["late"] == row.tally.counts["overdue"] == 0
        assert row.tally.counts["due"] == 1
        assert row.tally.rates[4] == (1, 4)
    assert _row(programme, "Press line").tally.counts["done"] == 3


def test_a_plan_assigned_to_a_role_is_everyone_of_that_role(plant, make_user):
    second = make_user("observer")
    plant.plan([behaviour()], title="Press line", schedule=DAILY_6, assignee_role="observer")
    programme = shown(plant)
    ids = {row.user.id for row in programme.observers}
    assert {plant.observer.id, second.id} <= ids
    assert plant.analyst.id not in ids
    assert due_for(plant, second) == [("Press line", "2026-03-02 05:00", "due")]
    assert due_for(plant, plant.analyst) == []


def test_due_for_lists_todays_walks_and_the_overdue_earliest_first(plant):
    mine = [plant.observer.email]
    daily = plant.plan([behaviour()], title="Press line", schedule=DAILY_6, assignees=mine)
    plant.plan([behaviour()], title="Weekly 5S", schedule=TUESDAYS, assignees=mine)
    plant.plan([behaviour()], title="Not mine", schedule=DAILY_6)
    assert due_for(plant, plant.observer) == [
        ("Weekly 5S", "2026-02-24 06:30", "overdue"),
        ("Press line", "2026-03-02 05:00", "due"),
    ]
    walk(plant, daily, "2026-03-02 08:00")
    assert due_for(plant, plant.observer) == [("Weekly 5S", "2026-02-24 06:30", "overdue")]


def test_an_occurrence_later_today_is_not_due_yet_but_is_by_the_day(plant):
    plant.plan(
        [behaviour()],
        title="Night round",
        schedule=DAILY_6.replace("BYHOUR=6", "BYHOUR=22"),
        assignees=[plant.observer.email],
    )
    morning = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # 07:00 in Warsaw
    assert due_for(plant, plant.observer, morning) == [("Night round", "2026-03-02 21:00", "due")]
    yesterday = statuses(_row(shown(plant, morning), "Night round").occurrences)
    assert yesterday["2026-03-01 21:00"] == "missed"


def test_the_programme_of_a_site_keeps_to_that_site(plant, make_site, make_user):
    plant.plan([behaviour()], title="Press line", schedule=DAILY_6)
    other = plant.__class__(plant.app, make_user, make_site)
    other.plan([behaviour()], title="Elsewhere", schedule=DAILY_6)
    titles = [row.plan.title for row in shown(plant).plans]
    assert titles == ["Press line"]
    assert shown(plant, NOW - timedelta(days=365)).plans[0].occurrences == []
