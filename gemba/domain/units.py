"""Units of measure: spelling, dimension, conversion and display.

Observers type units by hand on a phone ("secs", "Min", "hrs"), so every
comparison goes through one canonical spelling. Units this module does not know
are kept (lower-cased) and compare only with themselves, so an unusual unit is
never silently mixed with another.
"""

from __future__ import annotations

import functools
import math


class IncompatibleUnits(ValueError):
    """Raised when a value would have to cross dimensions, e.g. kilograms into minutes."""


# canonical unit -> (dimension, size in the dimension's smallest unit). Integer sizes keep
# conversions exact where they can be: 600 s is exactly 10 min, 150 cm exactly 1.5 m.
_UNITS: dict[str, tuple[str, int]] = {
    "s": ("time", 1),
    "min": ("time", 60),
    "h": ("time", 3600),
    "mm": ("length", 1),
    "cm": ("length", 10),
    "m": ("length", 1000),
    "g": ("mass", 1),
    "kg": ("mass", 1000),
    "count": ("count", 1),
}

_SPELLINGS: dict[str, tuple[str, ...]] = {
    "s": ("s", "sec", "secs", "second", "seconds"),
    "min": ("min", "mins", "minute", "minutes"),
    "h": ("h", "hr", "hrs", "hour", "hours"),
    "mm": ("mm", "millimetre", "millimetres", "millimeter", "millimeters"),
    "cm": ("cm", "centimetre", "centimetres", "centimeter", "centimeters"),
    "m": ("m", "metre", "metres", "meter", "meters"),
    "g": ("g", "gram", "grams", "gramme", "grammes"),
    "kg": ("kg", "kilogram", "kilograms", "kilogramme", "kilogrammes", "kilo", "kilos"),
    "count": ("count", "counts", "pcs", "pc", "piece", "pieces", "item", "items", "each", "x", ""),
}

_ALIASES: dict[str, str] = {
    spelling: canonical for canonical, spellings in _SPELLINGS.items() for spelling in spellings
}
# The most a value grows when it is expressed in its dimension's smallest unit (h -> s).
LARGEST_FACTOR = max(size for _, size in _UNITS.values())


@functools.lru_cache(maxsize=4096)  # a few spellings, asked for per observation judged
def canonical_unit(unit: str | None) -> str | None:
    """Return the one spelling of a unit, so "secs", "Sec" and "s" compare equal."""
    if unit is None:
        return "count"
    key = " ".join(unit.split()).lower()
    return _ALIASES.get(key, key)


def dimension(unit: str | None) -> str:
    """Return what a unit measures, so only values of the same kind are compared."""
    canonical = canonical_unit(unit) or "count"
    known = _UNITS.get(canonical)
    return known[0] if known else f"unit:{canonical}"


def convert(value: float, from_unit: str | None, to_unit: str | None) -> float:
    """Express a value in another unit of the same dimension, so 600 s can meet 10 min."""
    source, target = canonical_unit(from_unit), canonical_unit(to_unit)
    if source == target:
        return value
    if source not in _UNITS or target not in _UNITS or dimension(source) != dimension(target):
        raise IncompatibleUnits(f"cannot convert {source} to {target}")
    return value * _UNITS[source][1] / _UNITS[target][1]


def base_value(value: float, unit: str | None) -> float:
    """Express a value in its dimension's smallest unit (2 h -> 7200 s); unknown units as is.

    The bounds on a measurement look at this value: it is what every conversion starts from.
    """
    known = _UNITS.get(canonical_unit(unit) or "count")
    return value * known[1] if known else value


def format_number(value: float) -> str:
    """Show a number to at most 3 significant digits without a trailing ".0", for people."""
    if not math.isfinite(value):
        return str(value)
    if value == 0:
        return "0"
    # Digits before the decimal point; whole-number digits are never rounded away, so a
    # reading of 1004 s is not shown as the 1000 s it was compared against.
    integer_digits = math.floor(math.log10(abs(value))) + 1
    text = f"{value:.{max(0, 3 - integer_digits)}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def format_quantity(value: float, unit: str | None) -> str:
    """Show a value with its canonical unit ("24 min"); counts show the bare number."""
    canonical = canonical_unit(unit)
    number = format_number(value)
    return number if canonical == "count" else f"{number} {canonical}"
