"""Server-side SVG charts: observed against claimed, and the experience curve.

Plain functions from numbers to SVG markup (no JavaScript, no inline styles: colours
come from classes in review.css). Nothing depends on colour alone: claimed bands are
hatched and labelled in words, points carry their numbers, pain bars are hatched and
marked ▼, and every chart has a <title>, a <desc> and a table beside it on the page.

The shared kit lives here: the SVG elements (every text escaped), the hatch pattern,
round tick values, the frame that maps data to the plot area, its axes and the claimed
bands with their words. Each kind of chart draws with it in its own module:
`topic_charts` (observed against claimed, per walk or per measurement),
`verdict_chart` (one verdict's rule) and `experience_chart` (the journey line).
Every text is measured before it is drawn (`chart_text`): margins grow to hold the tick
labels and the claims' words, long words wrap or shorten with the whole in a <title>,
and a number that would print over another text is left to the table.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from markupsafe import Markup, escape

from gemba.platform.time_zones import local_time
from gemba.review.chart_text import (
    ASCENT,
    Placed,
    label,
    shorten,
    spread,
    svg_attrs,
    text_box,
    text_width,
    wrap,
)

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 52, 128, 30, 46  # the right margin holds the claims' words
# The phone drawing: narrower, so its text stays readable without zooming or scrolling.
NARROW, NARROW_LEFT, NARROW_RIGHT = 360, 42, 104
NOTE, NOTE_LINE = "band-note", 15  # the claims' words: 12 px, a line every 15 px
MAX_TICKS = 50  # whatever count a caller asks for, an axis never gets more ticks than this
REACH = 2.0  # how far (in plot heights) a coordinate may lie outside the plot area
FLOAT_MAX = sys.float_info.max


@dataclass(frozen=True)
class Band:
    """What was claimed: a band [low, high] (equal ends for "always"/"never") or a bound."""

    label: str  # what was said, e.g. 'said “always”' or "said ≤ 15 min"
    low: float
    high: float
    bound: str | None = None  # "<=" or ">=" for a limit drawn as a line
    detail: str = ""  # the band in numbers, e.g. "100%" or "8–12 min"

    @property
    def words(self) -> str:
        return f"{self.label}: {self.detail}" if self.detail else self.label


_attrs = svg_attrs


def el(tag: str, text: str | None = None, **attrs: object) -> str:
    if text is None:
        return f"<{tag} {_attrs(**attrs)}/>"
    return f"<{tag} {_attrs(**attrs)}>{escape(text)}</{tag}>"


def svg(
    chart_id: str,
    title: str,
    desc: str,
    body: list[str],
    width: int,
    height: int,
    natural: bool = False,
    variant: str = "",
) -> Markup:
    size = f'width="{width}" height="{height}" ' if natural else ""
    css = f"chart {variant}".strip()
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css}" id="{escape(chart_id)}" '
        f'viewBox="0 0 {width} {height}" {size}role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc">'
        f"{el('title', title, id=chart_id + '-title')}{el('desc', desc, id=chart_id + '-desc')}"
        f"<defs>"
        f'<pattern id="{escape(chart_id)}-hatch" width="6" height="6" '
        f'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<line x1="0" y1="0" x2="0" y2="6" class="hatch-line"/></pattern>'
        f"</defs>"
    )
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704 - every text part is escaped


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (1, 2 or 5 times a power of ten apart).

    Total for any floats. The ticks are multiples of the step computed in exact arithmetic
    (adding a step in floating point stalls once the step is below the spacing of floats
    there), so there are at most count + 3 of them; ticks that round to the same float are
    one, so a range narrower than float resolution gets the one or two floats it holds.
    Infinities and NaN are left out; with no finite end the axis is a single 0.
    """
    ends = [value for value in (low, high) if math.isfinite(value)]
    if not ends:
        return [0.0]
    low, high = min(ends), max(ends)
    if high == low:  # one value: an axis from it to twice it (0 to 1 for 0), never empty
        high = min(low + (abs(low) or 1.0), FLOAT_MAX)
    if high == low:  # the largest double: no room above it
        return [low]
    count = min(max(int(count), 1), MAX_TICKS)
    exact_low, exact_high = Fraction(low), Fraction(high)
    step = _nice_step((exact_high - exact_low) / count)
    ticks: list[float] = []
    for k in range(math.floor(exact_low / step), math.ceil(exact_high / step) + 1):
        tick = _to_float(k * step)  # correctly rounded: 0.3, not 0.30000000000000004
        if not ticks or tick > ticks[-1]:
            ticks.append(tick)
    return ticks


def _nice_step(raw: Fraction) -> Fraction:
    """The least of 1, 2, 5 or 10 times a power of ten that is at least raw (> 0), exactly."""
    magnitude = Fraction(10) ** math.floor(math.log10(raw.numerator) - math.log10(raw.denominator))
    while magnitude > raw:  # the logarithm, in floating point, may be one off at a power of 10
        magnitude /= 10
    while magnitude * 10 <= raw:
        magnitude *= 10
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)


def _to_float(value: Fraction) -> float:
    """The nearest float; beyond the largest double, the largest double."""
    try:
        return float(value)
    except OverflowError:
        return FLOAT_MAX if value > 0 else -FLOAT_MAX


def clamp(value: float) -> float:
    """A sum near the largest double saturates there instead of becoming infinite."""
    return min(max(value, -FLOAT_MAX), FLOAT_MAX)


def share(value: float, low: float, high: float) -> float:
    """Where a value sits from low (0) to high (1), finite and near the plot for any floats."""
    span = high / 2 - low / 2 or 0.5  # halves: the span of -1e308..1e308 is beyond a double
    result = (value / 2 - low / 2) / span
    if math.isnan(result):
        return 0.0
    return min(max(result, -REACH), 1 + REACH)


class Frame:
    """Maps data to the plot area: x by position in time order, y by value."""

    def __init__(
        self,
        n: int,
        y_low: float,
        y_high: float,
        narrow: bool = False,
        margins: tuple[float, float] | None = None,
    ) -> None:
        self.n, self.y_low, self.y_high = n, y_low, y_high
        self.narrow = narrow
        self.width = NARROW if narrow else WIDTH
        left, right = margins or ((NARROW_LEFT, NARROW_RIGHT) if narrow else (LEFT, RIGHT))
        self.x0, self.x1 = left, self.width - right
        self.y0, self.y1 = HEIGHT - BOTTOM, TOP
        self.placed = Placed(self.width, HEIGHT)  # the texts drawn so far

    def x(self, i: int) -> float:
        if self.n <= 1:
            return (self.x0 + self.x1) / 2
        pad = min(24.0, (self.x1 - self.x0) / (2 * self.n))
        return self.x0 + pad + i * (self.x1 - self.x0 - 2 * pad) / (self.n - 1)

    def y(self, value: float) -> float:
        return self.y0 - share(value, self.y_low, self.y_high) * (self.y0 - self.y1)


def fitted(
    n: int, ticks: Sequence[float], fmt, bands: Sequence[Band], narrow: bool, unit: str = ""
) -> Frame:
    """A frame whose margins hold its words: on the left the widest tick label (and the
    unit above them), on the right the claims' words, each side at most a share of the width."""
    width = NARROW if narrow else WIDTH
    widest = max([text_width(fmt(t), 13) for t in ticks] + [text_width(unit, 13)])
    left = min(max(NARROW_LEFT if narrow else LEFT, widest + 10), width * 0.3)
    room = width * (0.42 if narrow else 0.32) - 13  # for the words, after the tick and gap
    lines = [line for band in bands for line in _band_lines(band, room)]
    needed = max([text_width(line, 12, bold=True) for line in lines], default=0.0)
    right = min(needed, room) + 14 if bands else 24.0  # a pixel to spare for rounding
    return Frame(n, ticks[0], ticks[-1], narrow, (left, max(right, 24.0)))


def axes(frame: Frame, ticks: Sequence[float], fmt, x_labels: list[tuple[int, str]]) -> list:
    """Grid lines with their values on the left, dates under the plot; a text that would
    print over another (or outside) is left out."""
    body = []
    for tick in ticks:
        y = frame.y(tick)
        body.append(el("line", x1=frame.x0, x2=frame.x1, y1=y, y2=y, class_="grid"))
        text = fmt(tick)
        shown = shorten(text, frame.x0 - 8, "tick")
        if frame.placed.take(text_box(shown, frame.x0 - 6, y + 4, "tick tick-y")):
            body.append(label(shown, text, x=frame.x0 - 6, y=y + 4, class_="tick tick-y"))
    body.append(el("line", x1=frame.x0, x2=frame.x1, y1=frame.y0, y2=frame.y0, class_="axis"))
    body.append(el("line", x1=frame.x0, x2=frame.x0, y1=frame.y0, y2=frame.y1, class_="axis"))
    for i, text in x_labels:
        x = frame.x(i)
        half = text_width(text, 13) / 2  # kept between the tick labels and the claims' words
        centre = min(max(x, frame.x0 - 4 + half), frame.x1 + 6 - half)
        if frame.placed.take(text_box(text, centre, frame.y0 + 18, "tick tick-x")):
            body.append(el("line", x1=x, x2=x, y1=frame.y0, y2=frame.y0 + 4, class_="axis"))
            body.append(el("text", text, x=centre, y=frame.y0 + 18, class_="tick tick-x"))
    return body


def unit_label(frame: Frame, unit: str) -> list[str]:
    """The unit of the values, above their column."""
    shown = shorten(unit, frame.x0 - 8, "tick")
    frame.placed.add(text_box(shown, frame.x0 - 6, TOP - 14, "tick tick-y"))
    return [label(shown, unit, x=frame.x0 - 6, y=TOP - 14, class_="tick tick-y unit")]


def number(frame: Frame, text: str, x: float, *ys: float) -> list[str]:
    """A point's number at the first of the heights where it prints over nothing; none if
    there is no such height (the table beside the chart has every number)."""
    for y in ys:
        if frame.placed.take(text_box(text, x, y, "value")):
            return [el("text", text, x=x, y=y, class_="value")]
    return []


def caption(frame: Frame, text: str) -> list[str]:
    """The line under the chart that says how to read it, shortened to the width."""
    shown = shorten(text, frame.width - frame.x0 - 4, "caption")
    frame.placed.add(text_box(shown, frame.x0, HEIGHT - 6, "caption"))
    return [label(shown, text, x=frame.x0, y=HEIGHT - 6, class_="caption")]


def x_labels(times: Sequence[datetime], most: int = 6) -> list[tuple[int, str]]:
    """Date labels under a few evenly spread points (first and last always)."""
    n = len(times)
    if n == 0:
        return []
    count = min(n, most)
    picks = sorted({round(i * (n - 1) / max(count - 1, 1)) for i in range(count)})
    labels, seen = [], set()
    for i in picks:
        text = local_time(times[i], "UTC", "%d %b", label=False)  # month in the reader's words
        if text not in seen:
            labels.append((i, text))
            seen.add(text)
    return labels


def claimed_bands(frame: Frame, bands: Sequence[Band], chart_id: str) -> list[str]:
    """Hatched claimed bands (dashed lines for limits), labelled in the right margin."""
    body, labels = [], []
    for index, band in enumerate(bands):
        if band.bound:
            y = frame.y(band.low)
            body.append(el("line", x1=frame.x0, x2=frame.x1, y1=y, y2=y, class_="bound"))
            labels.append((y, band))
            continue
        top, bottom = frame.y(band.high), frame.y(band.low)
        if bottom - top < 4:  # "always" / "never": a band of zero width drawn as a thick line
            top, bottom = top - 2, bottom + 2
        body.append(
            el(
                "rect",
                x=frame.x0,
                y=top,
                width=frame.x1 - frame.x0,
                height=bottom - top,
                class_=f"band band-{index % 3}",
                fill=f"url(#{chart_id}-hatch)",
            )
        )
        labels.append(((top + bottom) / 2, band))
    # Words beside their band, wrapped to the margin and pushed apart so two claims never
    # print over each other; a claim there is no room for is in the chart's description.
    room = frame.width - frame.x1 - 13
    lines = [_band_lines(band, room) for _, band in labels]
    heights = [NOTE_LINE * len(band_lines) for band_lines in lines]
    blocks = [(y - h / 2, h) for (y, _), h in zip(labels, heights, strict=True)]
    tops = spread(blocks, 2, frame.y0 + 20)
    for (y, band), band_lines, top in zip(labels, lines, tops, strict=True):
        if top is None:
            continue
        body.append(el("line", x1=frame.x1, x2=frame.x1 + 6, y1=y, y2=y, class_="band-tick"))
        for n, line in enumerate(band_lines):
            baseline = top + 1 + ASCENT * 12 + NOTE_LINE * n
            frame.placed.add(text_box(line, frame.x1 + 9, baseline, NOTE))
            body.append(label(line, band.words, x=frame.x1 + 9, y=baseline, class_=NOTE))
    return body


def _band_lines(band: Band, room: float) -> list[str]:
    """A claim's words in lines that fit `room` px: what was said, then the band in numbers."""
    said = wrap(band.label, room, NOTE, 2)
    return said + (wrap(band.detail, room, NOTE, 1) if band.detail else [])


def pct(fraction: float) -> str:
    """A share as a whole percentage, halves up (as the explanations print it)."""
    percent = fraction * 100 + 0.5
    return f"{math.floor(percent)}%" if math.isfinite(percent) else "–"
