"""Unit spelling, dimensions, conversion and display."""

from __future__ import annotations

import pytest

from gemba.domain.units import (
    IncompatibleUnits,
    canonical_unit,
    convert,
    dimension,
    format_number,
    format_quantity,
)


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("s", "s"),
        ("sec", "s"),
        ("secs", "s"),
        ("second", "s"),
        ("Seconds", "s"),
        ("min", "min"),
        ("mins", "min"),
        ("minute", "min"),
        (" Minutes ", "min"),
        ("h", "h"),
        ("hr", "h"),
        ("HRS", "h"),
        ("hour", "h"),
        ("hours", "h"),
        ("mm", "mm"),
        ("millimetres", "mm"),
        ("cm", "cm"),
        ("centimeter", "cm"),
        ("m", "m"),
        ("M", "m"),
        ("metre", "m"),
        ("metres", "m"),
        ("meter", "m"),
        ("meters", "m"),
        ("g", "g"),
        ("grams", "g"),
        ("kg", "kg"),
        ("Kilogram", "kg"),
        ("kilos", "kg"),
        ("count", "count"),
        ("pcs", "count"),
        ("pc", "count"),
        ("pieces", "count"),
        ("items", "count"),
        ("each", "count"),
        ("x", "count"),
        ("", "count"),
        ("   ", "count"),
        (None, "count"),
    ],
)
def test_spellings_share_one_canonical_unit(spelling: str | None, canonical: str) -> None:
    assert canonical_unit(spelling) == canonical


def test_unknown_unit_is_lower_cased_and_stripped() -> None:
    assert canonical_unit("  Litres ") == "litres"
    assert canonical_unit("Bar  Gauge") == "bar gauge"


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("secs", "time"),
        ("min", "time"),
        ("hours", "time"),
        ("mm", "length"),
        ("metres", "length"),
        ("kg", "mass"),
        ("g", "mass"),
        ("pcs", "count"),
        (None, "count"),
        ("Litres", "unit:litres"),
    ],
)
def test_dimension_says_what_a_unit_measures(unit: str | None, expected: str) -> None:
    assert dimension(unit) == expected


@pytest.mark.parametrize(
    ("value", "source", "target", "expected"),
    [
        (600, "s", "min", 10.0),
        (10, "min", "secs", 600.0),
        (1.5, "h", "min", 90.0),
        (90, "minutes", "hours", 1.5),
        (5400, "s", "h", 1.5),
        (150, "cm", "m", 1.5),
        (1.5, "m", "mm", 1500.0),
        (25, "mm", "cm", 2.5),
        (2.5, "kg", "g", 2500.0),
        (250, "g", "kg", 0.25),
        (7, "pcs", None, 7),
        (7, "items", "each", 7),
        (3, "litres", "Litres", 3),
    ],
)
def test_convert_within_a_dimension(
    value: float, source: str | None, target: str | None, expected: float
) -> None:
    assert convert(value, source, target) == pytest.approx(expected)


def test_six_hundred_seconds_is_exactly_ten_minutes() -> None:
    assert convert(600, "s", "min") == 10.0


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("kg", "min"),
        ("s", "m"),
        ("pcs", "g"),
        (None, "s"),
        ("litres", "kg"),
        ("litres", "gallons"),
        ("min", "litres"),
    ],
)
def test_convert_across_dimensions_is_refused(source: str | None, target: str | None) -> None:
    with pytest.raises(IncompatibleUnits):
        convert(1, source, target)


def test_incompatible_units_is_a_value_error() -> None:
    assert issubclass(IncompatibleUnits, ValueError)


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (24, "min", "24 min"),
        (24.0, "mins", "24 min"),
        (2.5, "hours", "2.5 h"),
        (600, "s", "600 s"),
        (600.0, "secs", "600 s"),
        (3, "pcs", "3"),
        (3.0, None, "3"),
        (12.345, "min", "12.3 min"),
        (1.23456, "kg", "1.23 kg"),
        (0.012345, "m", "0.0123 m"),
        (9.996, "g", "10 g"),
        (0, "min", "0 min"),
        (-0.0001, "min", "-0.0001 min"),
        (-12.345, "mm", "-12.3 mm"),
        (1004, "s", "1004 s"),
        (5, "Litres", "5 litres"),
    ],
)
def test_format_quantity_is_short_and_readable(
    value: float, unit: str | None, expected: str
) -> None:
    assert format_quantity(value, unit) == expected


def test_format_number_never_shows_negative_zero() -> None:
    assert format_number(-0.0) == "0"
    assert format_number(-0.0001) == "-0.0001"
    assert format_number(-0.00001234) == "-0.0000123"


def test_format_number_passes_non_finite_values_through() -> None:
    assert format_number(float("inf")) == "inf"
    assert format_number(float("nan")) == "nan"
