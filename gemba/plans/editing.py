"""Changes to a plan as changes to its whole record.

A plan record is the plan's whole state (see `capture.plan_records`): a page reads the
plan's current record, changes what its form changed and saves the record through the
one write path. So an edit never drops what the form does not show (an imported item's
standard in seconds, a retired item's history), and two analysts editing at once only
overwrite each other's change to the same field. These functions take a record and
return a new one; they read and write nothing.
"""

from __future__ import annotations

import copy
from typing import Any

from gemba.domain.units import format_number

COMPARATOR_WORDS = {"<=": "≤", ">=": "≥"}


class ItemMissing(LookupError):
    """The item is not (or no longer) on the plan's checklist."""


def _copy(record: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(record)
    out["items"] = list(out.get("items") or [])
    return out


def _index(items: list[dict], item_id: str) -> int:
    key = item_id.lower()
    for index, item in enumerate(items):
        if item["id"].lower() == key:
            return index
    raise ItemMissing(item_id)


def _active_count(items: list[dict]) -> int:
    return sum(1 for item in items if not item.get("retired"))


def with_fields(record: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """The plan with some of its own fields replaced (None clears one)."""
    return {**_copy(record), **fields}


def with_item(record: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    """The item changed in place, or added at the end of the checklist (before the
    retired ones); an item shared from another plan keeps its id."""
    out = _copy(record)
    items = out["items"]
    try:
        index = _index(items, item["id"])
    except ItemMissing:
        items.insert(_active_count(items), item)
    else:
        kept = {"retired": True} if items[index].get("retired") else {}
        items[index] = {**item, **kept}
    return out


def moved(record: dict[str, Any], item_id: str, step: int) -> dict[str, Any]:
    """The item one place up (step -1) or down (+1) among the active items; at either
    end it stays where it is."""
    out = _copy(record)
    items = out["items"]
    index = _index(items, item_id)
    if items[index].get("retired"):
        raise ItemMissing(item_id)
    active = [i for i, item in enumerate(items) if not item.get("retired")]
    position = active.index(index) + step
    if 0 <= position < len(active):
        other = active[position]
        items[index], items[other] = items[other], items[index]
    return out


def retired(record: dict[str, Any], item_id: str) -> dict[str, Any]:
    """The item off the checklist; it stays on the plan's record, marked retired, so its
    checks keep their history and it can come back."""
    out = _copy(record)
    items = out["items"]
    index = _index(items, item_id)
    item = items.pop(index)
    items.append({**item, "retired": True})
    return out


def restored(record: dict[str, Any], item_id: str) -> dict[str, Any]:
    """A retired item back at the end of the checklist."""
    out = _copy(record)
    items = out["items"]
    item = items.pop(_index(items, item_id))
    item.pop("retired", None)
    items.insert(_active_count(items), item)
    return out


def shared(record: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    """Another plan's item (as that plan's record has it) on this checklist too, at the
    end; one this plan had retired comes back."""
    item = {k: v for k, v in item.items() if k != "retired"}
    try:
        _index(record.get("items") or [], item["id"])
    except ItemMissing:
        return with_item(record, item)
    return restored(record, item["id"])


def item_of(record: dict[str, Any], item_id: str) -> dict[str, Any]:
    """The item's record, or ItemMissing."""
    items = record.get("items") or []
    return items[_index(items, item_id)]


def position_of(record: dict[str, Any], item_id: str) -> int:
    """The item's index in the record (the `items.N` of the write path's errors)."""
    return _index(record.get("items") or [], item_id)


def standard_words(standard: dict[str, Any] | None) -> str:
    """A standard in a few words: "always", "≤ 10 min", "10 min ±20%"; "" for none."""
    if not standard:
        return ""
    if standard.get("frequency"):
        return standard["frequency"]
    value = standard.get("value")
    if value is None:
        return ""
    unit = f" {standard['unit']}" if standard.get("unit") else ""
    comparator = standard.get("comparator")
    if comparator:
        return f"{COMPARATOR_WORDS.get(comparator, comparator)} {format_number(value)}{unit}"
    tolerance = standard.get("tolerance")
    tolerance = 0.2 if tolerance is None else tolerance
    return f"{format_number(value)}{unit} ±{format_number(tolerance * 100)}%"
