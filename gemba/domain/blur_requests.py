"""The `blur` field of a photo upload: the areas the observer wants blurred, read strictly.

The capture app shows the detector's proposals on the phone; the observer keeps, removes
or adds boxes and sends the result with the photo. The field is JSON:

    {"boxes": [{"x": 0.41, "y": 0.12, "w": 0.08, "h": 0.11, "source": "observer"}],
     "reviewed": true}

Coordinates are fractions of the upright picture, so they hold at any size the picture
is sent or stored at. `reviewed` says the list is final (the observer saw the proposals);
without it the server's own detection is added. Pure Python, no Flask.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from gemba.domain.faces import Box
from gemba.domain.schema_errors import Message

__all__ = ["MAX_BOXES", "BlurRequest", "BlurRequestError", "parse_blur"]

MAX_BOXES = 100
SOURCES = ("detector", "observer")


class BlurRequestError(ValueError):
    """A `blur` field that cannot be read; the message says what to fix."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class BlurRequest:
    """What the observer asked for: boxes to blur, and whether the list is final."""

    boxes: tuple[Box, ...] = ()
    reviewed: bool = False


def parse_blur(text: str | None) -> BlurRequest:
    """Read the field; absent or blank means no boxes and no review (detect everything)."""
    if text is None or not text.strip():
        return BlurRequest()
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise BlurRequestError(Message("`blur` must be a JSON object.")) from exc
    if not isinstance(value, dict):
        raise BlurRequestError(Message("`blur` must be a JSON object."))
    reviewed = value.get("reviewed", False)
    if not isinstance(reviewed, bool):
        raise BlurRequestError(Message("`blur.reviewed` must be true or false."))
    raw_boxes = value.get("boxes", [])
    if not isinstance(raw_boxes, list):
        raise BlurRequestError(Message("`blur.boxes` must be a list of boxes."))
    if len(raw_boxes) > MAX_BOXES:
        raise BlurRequestError(
            Message("`blur.boxes` holds at most %(limit)s boxes.", limit=MAX_BOXES)
        )
    boxes = tuple(_box(raw, number) for number, raw in enumerate(raw_boxes, start=1))
    return BlurRequest(boxes=boxes, reviewed=reviewed)


def _box(raw: object, number: int) -> Box:
    """One box: x, y, w, h as fractions of the picture, inside it, and a known source."""
    if not isinstance(raw, dict):
        raise BlurRequestError(Message("Box %(number)s must be an object.", number=number))
    values: list[float] = []
    for name in ("x", "y", "w", "h"):
        number_value = raw.get(name)
        if (
            isinstance(number_value, bool)
            or not isinstance(number_value, int | float)
            or not math.isfinite(number_value)
            or not 0 <= number_value <= 1
        ):
            raise BlurRequestError(
                Message(
                    "Box %(number)s: `%(name)s` must be a fraction of the picture, from 0 to 1.",
                    number=number,
                    name=name,
                )
            )
        values.append(float(number_value))
    x, y, w, h = values
    if w <= 0 or h <= 0 or x + w > 1.0001 or y + h > 1.0001:
        raise BlurRequestError(
            Message("Box %(number)s must have a size and lie inside the picture.", number=number)
        )
    source = raw.get("source", "observer")
    if source not in SOURCES:
        raise BlurRequestError(
            Message(
                "Box %(number)s: `source` must be detector or observer.",
                number=number,
            )
        )
    return Box(x, y, w, h, source=source)
