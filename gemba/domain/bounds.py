"""Numbers a person can mean: the bounds on every measurement and tolerance.

Nothing timed, counted or weighed on a walk is beyond a trillion in its unit. A number that
is (1e308 h, a JSON 1e400, NaN) is a slip or an attack, and once stored it turns into
infinity in a unit conversion and breaks every statistic on its topic. So the write path
refuses it, with words a person can act on, the same for forms, sync and import; and the
engine and the charts leave out any such number that was stored before the bounds existed.
"""

from __future__ import annotations

import math
from typing import Any

from gemba.domain.units import LARGEST_FACTOR, base_value

MAX_MEASURE = 1e12  # in the value's own unit
MAX_BASE = MAX_MEASURE * LARGEST_FACTOR  # once converted to the dimension's smallest unit
MAX_TOLERANCE = 10.0  # a fraction: 0..10 is 0..1000 %

MEASURE_MESSAGE = "Enter a number between -1,000,000,000,000 and 1,000,000,000,000."
TOLERANCE_MESSAGE = "Enter a tolerance between 0 and 10 (0–1000 %)."
PERCENT_MESSAGE = "Enter a tolerance between 0 and 1000 %."  # forms take the tolerance in %

# What the published JSON Schema says (and the schema validator checks first).
MEASURE_SCHEMA = {"type": "number", "minimum": -MAX_MEASURE, "maximum": MAX_MEASURE}
TOLERANCE_SCHEMA = {"type": "number", "minimum": 0, "maximum": MAX_TOLERANCE}


def _finite(value: Any) -> float | None:
    """The value as a finite float, or None (also for booleans, text and ints beyond a double)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def is_measure(value: Any, unit: Any = None) -> bool:
    """Is this a value someone can have measured or claimed, also once converted?"""
    number = _finite(value)
    if number is None or abs(number) > MAX_MEASURE:
        return False
    base = base_value(number, unit if isinstance(unit, str) else None)
    return math.isfinite(base) and abs(base) <= MAX_BASE


def is_tolerance(value: Any) -> bool:
    """Is this a tolerance a claim can carry: a fraction from 0 to 10 (0–1000 %)?"""
    number = _finite(value)
    return number is not None and 0 <= number <= MAX_TOLERANCE


def number_errors(record_type: str, record: dict) -> list[tuple[str, str]]:
    """The (field, message) pairs of a Gemba JSON record whose numbers break the bounds."""
    errors = []
    value = record.get("value") if record_type == "fact" else None
    if value is not None and not is_measure(value, record.get("unit")):
        errors.append(("value", MEASURE_MESSAGE))
    claim = record.get("claim") if record_type == "statement" else None
    if isinstance(claim, dict) and claim.get("value") is not None:
        if not is_measure(claim["value"], claim.get("unit")):
            errors.append(("claim.value", MEASURE_MESSAGE))
        if claim.get("tolerance") is not None and not is_tolerance(claim["tolerance"]):
            errors.append(("claim.tolerance", TOLERANCE_MESSAGE))
    return errors


def schema_message(schema: Any) -> str | None:
    """The words for a broken minimum or maximum, when the schema is one of these bounds."""
    if schema == MEASURE_SCHEMA:
        return MEASURE_MESSAGE
    if schema == TOLERANCE_SCHEMA:
        return TOLERANCE_MESSAGE
    return None
