"""The rules of a plan record that its JSON Schema cannot say."""

from __future__ import annotations

from gemba.domain import schedules
from gemba.domain.schema_errors import FieldError, Message


def plan_errors(record: dict) -> list[FieldError]:
    """What a plan's schema cannot say: a usable schedule, items listed once, and a
    standard of the item's kind (a frequency for a behaviour, a value for a measure)."""
    errors: list[FieldError] = []
    if record.get("schedule") and (message := schedules.rule_problem(record["schedule"])):
        errors.append(FieldError("schedule", message))
    seen: set[str] = set()
    for position, item in enumerate(record.get("items") or []):
        key = item["id"].replace("-", "").lower()
        if key in seen:
            errors.append(FieldError(f"items.{position}.id", "This item is listed twice."))
        seen.add(key)
        for name in ("topic", "question"):
            if not item[name].strip():
                errors.append(FieldError(f"items.{position}.{name}", "This field cannot be empty."))
        standard = item.get("standard")
        if standard and ("frequency" in standard) != (item["kind"] == "behaviour"):
            if item["kind"] == "behaviour":
                wanted = Message("A behaviour item's standard is a frequency.")
            else:
                wanted = Message("A measure item's standard is a value.")
            errors.append(FieldError(f"items.{position}.standard", wanted))
    return errors
