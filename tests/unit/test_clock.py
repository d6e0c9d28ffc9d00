"""The plant's clock: zone names checked, UTC shown as the site's local time, DST edges."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gemba.domain import clock
from gemba.domain.gemba_json import validate_record
from gemba.platform import time_zones
from tests.conftest import uid


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "known"),
    [
        ("Europe/Warsaw", "Europe/Warsaw"),
        ("europe/warsaw", "Europe/Warsaw"),
        ("  America/Chicago ", "America/Chicago"),
        ("UTC", "UTC"),
        ("Europe/Atlantis", None),
        ("", None),
        ("CET+1", None),
        ("../../etc/passwd", None),
        ("/usr/share/zoneinfo/UTC", None),
        ("Europe/Warsaw\x00", None),
        ("x" * 1000, None),
        (None, None),
        (42, None),
    ],
)
def test_a_zone_is_known_by_its_iana_name_and_nothing_else(name, known):
    assert clock.canonical_zone(name) == known
    assert (clock.zone_problem(name) is None) == (known is not None)


def test_a_walk_at_0748_utc_in_warsaw_happened_at_0848_cet():
    moment = utc(2026, 12, 3, 7, 48)
    assert clock.format_local(moment, "Europe/Warsaw") == "03 Dec 2026 08:48 CET"
    assert clock.format_local(moment, "Europe/Warsaw", "%H:%M", label=False) == "08:48"
    assert clock.iso_local(moment, "Europe/Warsaw") == "2026-12-03T08:48:00+01:00"
    assert clock.iso_local(moment, "America/Chicago") == "2026-12-03T01:48:00-06:00"


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        # Warsaw moves its clocks on the last Sunday of March (29 Mar 2026) at 01:00 UTC...
        (utc(2026, 3, 29, 0, 59), "29 Mar 2026 01:59 CET"),
        (utc(2026, 3, 29, 1, 0), "29 Mar 2026 03:00 CEST"),
        # ...and back on the last Sunday of October (25 Oct 2026) at 01:00 UTC: 02:30 twice.
        (utc(2026, 10, 25, 0, 30), "25 Oct 2026 02:30 CEST"),
        (utc(2026, 10, 25, 1, 30), "25 Oct 2026 02:30 CET"),
        (utc(2026, 10, 25, 2, 0), "25 Oct 2026 03:00 CET"),
    ],
)
def test_the_local_time_follows_daylight_saving_either_side_of_the_change(moment, shown):
    assert clock.format_local(moment, "Europe/Warsaw") == shown


def test_the_iso_form_keeps_the_two_0230s_of_october_apart():
    first = clock.iso_local(utc(2026, 10, 25, 0, 30), "Europe/Warsaw")
    second = clock.iso_local(utc(2026, 10, 25, 1, 30), "Europe/Warsaw")
    assert (first, second) == ("2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00")
    assert datetime.fromisoformat(second) - datetime.fromisoformat(first) == (
        utc(2026, 10, 25, 1, 30) - utc(2026, 10, 25, 0, 30)
    )


def test_a_late_evening_in_utc_is_the_next_day_in_warsaw():
    assert clock.format_local(utc(2026, 12, 31, 23, 30), "Europe/Warsaw", clock.DATE, False) == (
        "01 Jan 2027"
    )


def test_a_display_never_fails():
    assert clock.format_local(None, "Europe/Warsaw") == ""
    assert clock.iso_local(None, "Europe/Warsaw") == ""
    # A stored time without a zone is UTC; an unknown zone shows UTC.
    assert clock.format_local(datetime(2026, 12, 3, 7, 48), "Europe/Warsaw") == (
        "03 Dec 2026 08:48 CET"
    )
    assert clock.format_local(utc(2026, 12, 3, 7, 48), "Nowhere/Else") == "03 Dec 2026 07:48 UTC"
    # The last moment Python can hold has no later local form: it stays in UTC.
    assert clock.local(datetime.max.replace(tzinfo=UTC), "Pacific/Kiritimati").year == 9999


def test_every_listed_zone_opens():
    names = clock.zone_names()
    assert {"Europe/Warsaw", "America/Chicago"} <= set(names)
    assert list(names) == sorted(names)
    for name in names:
        clock.local(utc(2026, 12, 3, 7, 48), name)


def test_the_site_record_accepts_a_zone_and_refuses_a_bad_one():
    site = {"type": "site", "id": uid(), "name": "Plant 2"}
    assert validate_record({**site, "time_zone": "Europe/Warsaw"}) == []
    assert validate_record({**site, "time_zone": None}) == []
    errors = validate_record({**site, "time_zone": "Europe/Atlantis"})
    assert [(e.field, e.message) for e in errors] == [("time_zone", clock.ZONE_MESSAGE)]
    assert [e.field for e in validate_record({**site, "time_zone": 7})] == ["time_zone"]
    assert [e.field for e in validate_record({**site, "time_zone": "x" * 65})] == ["time_zone"]


def test_the_default_zone_is_the_configured_one_else_the_machines(monkeypatch):
    assert time_zones.resolve_default("europe/warsaw") == "Europe/Warsaw"
    monkeypatch.setenv("TZ", "America/Chicago")
    assert time_zones.resolve_default(None) == "America/Chicago"
    monkeypatch.setenv("TZ", ":Europe/Warsaw")
    assert time_zones.resolve_default("") == "Europe/Warsaw"
    with pytest.raises(ValueError, match="GEMBA_DEFAULT_TIME_ZONE"):
        time_zones.resolve_default("Mars/Olympus_Mons")


def test_the_machines_zone_is_a_known_name_or_utc(monkeypatch):
    monkeypatch.setenv("TZ", "Not/A_Zone")
    assert clock.canonical_zone(time_zones.machine_zone()) is not None
