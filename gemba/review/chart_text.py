"""The words on the charts, measured before they are drawn.

An SVG drawn on the server cannot ask the browser how wide a text will be, so each is
estimated from its characters, on the wide side: per character class, in ems of DejaVu
Sans (the widest of the usual sans-serif faces, and the one a Linux browser falls back
to), a tenth more when bold. The sizes are those review.css gives `.chart text` and its
classes. With a box for every text, a chart sizes its margins to its labels, wraps or
shortens a label that cannot fit (the whole of it then in a <title>, shown on hover and
read by screen readers), and leaves out a number that would print over another (each is
also in the chart's table). tests/review/test_chart_labels.py holds every chart to it,
by this estimate and by what Chromium measures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import escape

# (font size in px, bold) per class, as review.css draws them; others are 13 px.
STYLES = {
    "value": (11.0, True),
    "caption": (11.0, False),
    "legend": (11.0, False),
    "band-note": (12.0, True),
    "band-label": (13.0, True),
    "station-number": (13.0, True),
    "station-name": (13.0, True),
    "station-gaps": (13.0, True),
}
DEFAULT_STYLE = (13.0, False)
# How review.css anchors a class; the others anchor where their text-anchor says.
ANCHORS = {
    "tick-y": "end",
    "band-label": "end",
    "tick-x": "middle",
    "value": "middle",
    "centre": "middle",
    "station-number": "middle",
    "station-name": "middle",
    "station-gaps": "middle",
}
ASCENT, DESCENT = 0.93, 0.24  # of the font size, above and below the baseline
ELLIPSIS = "…"

_NARROW = set("ijlI.,:;'|!·` ")
_SLIM = set('frt()[]{}/\\-"“”‘’*')
_WIDE = set("mwMW%@—…")


def char_width(char: str) -> float:
    """An upper estimate of one character's advance, in ems."""
    if char in _NARROW:
        return 0.34
    if char in _SLIM:
        return 0.52
    if char in _WIDE or not char.isascii():
        return 1.0
    if char.isupper():
        return 0.8
    return 0.66


def text_width(text: str, size: float, bold: bool = False) -> float:
    """An upper estimate of the text's width in px at this size."""
    return sum(char_width(c) for c in text) * size * (1.1 if bold else 1.0)


def style_of(css: str) -> tuple[float, bool]:
    for name in css.split():
        if name in STYLES:
            return STYLES[name]
    return DEFAULT_STYLE


def anchor_of(css: str, given: str | None = None) -> str:
    names = css.split()
    if "band-label" in names and "centre" in names:
        return "middle"
    for name in names:
        if name in ANCHORS:
            return ANCHORS[name]
    return given or "start"


@dataclass(frozen=True)
class Box:
    """A text's extent in the chart's coordinates."""

    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box, slack: float = 0.5) -> bool:
        return (
            self.x0 < other.x1 - slack
            and other.x0 < self.x1 - slack
            and self.y0 < other.y1 - slack
            and other.y0 < self.y1 - slack
        )

    def inside(self, width: float, height: float) -> bool:
        return self.x0 >= 0 and self.y0 >= 0 and self.x1 <= width and self.y1 <= height


def text_box(text: str, x: float, y: float, css: str = "", anchor: str | None = None) -> Box:
    """The estimated box of a text drawn at (x, y) with these classes."""
    size, bold = style_of(css)
    width = text_width(text, size, bold)
    start = {"start": x, "middle": x - width / 2, "end": x - width}[anchor_of(css, anchor)]
    return Box(start, y - ASCENT * size, start + width, y + DESCENT * size)


def shorten(text: str, room: float, css: str = "") -> str:
    """The text, or as much of it as fits in `room` px followed by an ellipsis."""
    size, bold = style_of(css)
    if text_width(text, size, bold) <= room:
        return text
    budget = room / (size * (1.1 if bold else 1.0)) - char_width(ELLIPSIS)
    used, cut = 0.0, 0
    for char in text:  # one pass: a text may be a number hundreds of digits long
        used += char_width(char)
        if used > budget:
            break
        cut += 1
    return text[:cut].rstrip() + ELLIPSIS


def wrap(text: str, room: float, css: str = "", lines: int = 2) -> list[str]:
    """The words in at most `lines` lines of `room` px; the last shortened if need be."""
    size, bold = style_of(css)
    out: list[list[str]] = []
    width = 0.0
    for word in text.split():
        extra = text_width(word, size, bold)
        if out and len(out) <= lines and width + text_width(" ", size, bold) + extra <= room:
            out[-1].append(word)
            width += text_width(" ", size, bold) + extra
        elif len(out) < lines:
            out.append([word])
            width = extra
        else:
            out[-1].append(word)  # past the last line: shortened below
    return [shorten(" ".join(words), room, css) for words in out]


def svg_attrs(**attrs: object) -> str:
    """Keyword arguments as SVG attributes: `text_anchor="end"` is text-anchor, `class_` is
    class, None is left out, floats to one decimal."""
    parts = []
    for key, value in attrs.items():
        if value is None:
            continue
        if isinstance(value, float):
            value = f"{value:.1f}"
        parts.append(f'{key.rstrip("_").replace("_", "-")}="{escape(str(value))}"')
    return " ".join(parts)


def label(text: str, full: str | None = None, **attrs: object) -> str:
    """An SVG <text>; when it shows only part of `full`, the whole in a <title> inside it."""
    hover = f"<title>{escape(full)}</title>" if full and full != text else ""
    return f"<text {svg_attrs(**attrs)}>{escape(text)}{hover}</text>"


class Placed:
    """The boxes of the texts drawn so far: a new text goes in only where it fits."""

    def __init__(self, width: float, height: float) -> None:
        self.width, self.height = width, height
        self.boxes: list[Box] = []

    def fits(self, box: Box) -> bool:
        return box.inside(self.width, self.height) and not any(box.overlaps(b) for b in self.boxes)

    def add(self, box: Box) -> None:
        self.boxes.append(box)

    def take(self, box: Box) -> bool:
        """Add the box if it fits; whether it did."""
        if self.fits(box):
            self.add(box)
            return True
        return False


def spread(blocks: Sequence[tuple[float, float]], top: float, bottom: float) -> list[float | None]:
    """Tops for blocks given as (wanted top, height): each near its wanted top, none over
    another, all within [top, bottom]; the blocks there is no room for get None."""
    order = sorted(range(len(blocks)), key=lambda i: blocks[i][0])
    kept: list[int] = []
    used = 0.0
    for i in order:
        if used + blocks[i][1] > bottom - top:
            break
        kept.append(i)
        used += blocks[i][1]
    tops: list[float] = []
    floor = top
    for i in kept:  # down past the one above
        tops.append(max(blocks[i][0], floor))
        floor = tops[-1] + blocks[i][1]
    limit = bottom
    for n in range(len(kept) - 1, -1, -1):  # then up from the bottom where they overflow
        tops[n] = min(tops[n], limit - blocks[kept[n]][1])
        limit = tops[n]
    placed: list[float | None] = [None] * len(blocks)
    for i, value in zip(kept, tops, strict=True):
        placed[i] = value
    return placed
