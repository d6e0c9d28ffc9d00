"""Server-side SVG charts: observed against claimed, and the experience curve.

Plain functions from numbers to SVG markup (no JavaScript, no inline styles: colours
come from classes in review.css). Nothing depends on colour alone: claimed bands are
hatched and labelled in words, points carry their numbers, pain bars are hatched and
marked ▼, and every chart has a <title>, a <desc> and a table beside it on the page.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup, escape

from gemba.domain.units import format_number

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 52, 128, 18, 46  # the right margin holds the claims' words
# The phone drawing: narrower, so its text stays readable without zooming or scrolling.
NARROW, NARROW_LEFT, NARROW_RIGHT = 360, 42, 104
LABELLED_POINTS = 24  # above this many points the numbers go to the table only


@dataclass(frozen=True)
class RatePoint:
    """One walk's behaviour facts on the topic: k performed of n, with the 95 % interval."""

    label: str
    at: datetime
    k: int
    n: int
    low: float
    high: float

    @property
    def rate(self) -> float:
        return self.k / self.n


@dataclass(frozen=True)
class ValuePoint:
    """One measurement, in the chart's unit."""

    label: str
    at: datetime
    value: float


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


def _attrs(**attrs: object) -> str:
    parts = []
    for key, value in attrs.items():
        if value is None:
            continue
        if isinstance(value, float):
            value = f"{value:.1f}"
        parts.append(f'{key.rstrip("_").replace("_", "-")}="{escape(str(value))}"')
    return " ".join(parts)


def _el(tag: str, text: str | None = None, **attrs: object) -> str:
    if text is None:
        return f"<{tag} {_attrs(**attrs)}/>"
    return f"<{tag} {_attrs(**attrs)}>{escape(text)}</{tag}>"


def _svg(
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
        f"{_el('title', title, id=chart_id + '-title')}{_el('desc', desc, id=chart_id + '-desc')}"
        f"<defs>"
        f'<pattern id="{escape(chart_id)}-hatch" width="6" height="6" '
        f'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<line x1="0" y1="0" x2="0" y2="6" class="hatch-line"/></pattern>'
        f"</defs>"
    )
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704 - every text part is escaped


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (1, 2 or 5 times a power of ten apart)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0]
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(value, 10))
    return ticks


class _Frame:
    """Maps data to the plot area: x by position in time order, y by value."""

    def __init__(self, n: int, y_low: float, y_high: float, narrow: bool = False) -> None:
        self.n, self.y_low, self.y_high = n, y_low, y_high
        self.narrow = narrow
        self.width = NARROW if narrow else WIDTH
        self.x0 = NARROW_LEFT if narrow else LEFT
        self.x1 = self.width - (NARROW_RIGHT if narrow else RIGHT)
        self.y0, self.y1 = HEIGHT - BOTTOM, TOP

    def x(self, i: int) -> float:
        if self.n <= 1:
            return (self.x0 + self.x1) / 2
        pad = min(24.0, (self.x1 - self.x0) / (2 * self.n))
        return self.x0 + pad + i * (self.x1 - self.x0 - 2 * pad) / (self.n - 1)

    def y(self, value: float) -> float:
        span = self.y_high - self.y_low or 1.0
        share = (value - self.y_low) / span
        return self.y0 - share * (self.y0 - self.y1)


def _axes(frame: _Frame, ticks: Sequence[float], fmt, x_labels: list[tuple[int, str]]) -> list:
    body = []
    for tick in ticks:
        y = frame.y(tick)
        body.append(_el("line", x1=frame.x0, x2=frame.x1, y1=y, y2=y, class_="grid"))
        body.append(_el("text", fmt(tick), x=frame.x0 - 6, y=y + 4, class_="tick tick-y"))
    body.append(_el("line", x1=frame.x0, x2=frame.x1, y1=frame.y0, y2=frame.y0, class_="axis"))
    body.append(_el("line", x1=frame.x0, x2=frame.x0, y1=frame.y0, y2=frame.y1, class_="axis"))
    for i, label in x_labels:
        x = frame.x(i)
        body.append(_el("line", x1=x, x2=x, y1=frame.y0, y2=frame.y0 + 4, class_="axis"))
        body.append(_el("text", label, x=x, y=frame.y0 + 18, class_="tick tick-x"))
    return body


def _x_labels(times: Sequence[datetime], most: int = 6) -> list[tuple[int, str]]:
    """Date labels under a few evenly spread points (first and last always)."""
    n = len(times)
    if n == 0:
        return []
    count = min(n, most)
    picks = sorted({round(i * (n - 1) / max(count - 1, 1)) for i in range(count)})
    labels, seen = [], set()
    for i in picks:
        text = f"{times[i]:%d %b}"
        if text not in seen:
            labels.append((i, text))
            seen.add(text)
    return labels


def _bands(frame: _Frame, bands: Sequence[Band], chart_id: str) -> list[str]:
    """Hatched claimed bands (dashed lines for limits), labelled in the right margin."""
    body, labels = [], []
    for index, band in enumerate(bands):
        if band.bound:
            y = frame.y(band.low)
            body.append(_el("line", x1=frame.x0, x2=frame.x1, y1=y, y2=y, class_="bound"))
            labels.append((y, band))
            continue
        top, bottom = frame.y(band.high), frame.y(band.low)
        if bottom - top < 4:  # "always" / "never": a band of zero width drawn as a thick line
            top, bottom = top - 2, bottom + 2
        body.append(
            _el(
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
    # Words beside their band, pushed apart so two claims never print over each other.
    floor = TOP + 4
    for y, band in sorted(labels, key=lambda item: item[0]):
        lines = [band.label] + ([band.detail] if band.detail else [])
        first = max(y - 7 * (len(lines) - 1) + 4, floor + 10)
        body.append(_el("line", x1=frame.x1, x2=frame.x1 + 6, y1=y, y2=y, class_="band-tick"))
        for n, line in enumerate(lines):
            body.append(_el("text", line, x=frame.x1 + 9, y=first + 14 * n, class_="band-note"))
        floor = first + 14 * (len(lines) - 1) + 6
    return body


def rate_chart(
    chart_id: str,
    points: Sequence[RatePoint],
    bands: Sequence[Band],
    topic: str,
    narrow: bool = False,
) -> Markup:
    """Observed rate per walk (with its 95 % interval) against the claimed bands."""
    frame = _Frame(len(points), 0.0, 1.0, narrow)
    labelled = LABELLED_POINTS // 2 if narrow else LABELLED_POINTS
    body = _axes(
        frame,
        [0, 0.2, 0.4, 0.6, 0.8, 1.0],
        lambda v: f"{round(v * 100)}%",
        _x_labels([p.at for p in points], 3 if narrow else 6),
    )
    body += _bands(frame, bands, chart_id)
    cumulative_k = cumulative_n = 0
    path = []
    for i, point in enumerate(points):
        cumulative_k += point.k
        cumulative_n += point.n
        path.append(f"{frame.x(i):.1f},{frame.y(cumulative_k / cumulative_n):.1f}")
    if len(path) > 1:
        body.append(_el("polyline", points=" ".join(path), class_="cumulative"))
    for i, point in enumerate(points):
        x = frame.x(i)
        body.append(
            _el("line", x1=x, x2=x, y1=frame.y(point.low), y2=frame.y(point.high), class_="ci")
        )
        body.append(
            f'<g class="point">{_el("circle", cx=x, cy=frame.y(point.rate), r=5)}'
            f"{_el('title', f'{point.label}: {point.k} of {point.n} ({pct(point.rate)})')}</g>"
        )
        if len(points) <= labelled:
            y = frame.y(point.high) - 6
            if y < TOP + 12:  # no room above the interval: write it below
                y = frame.y(point.low) + 15
            body.append(_el("text", f"{point.k}/{point.n}", x=x, y=y, class_="value"))
    caption = "walks in date order · dot = share done, bar = 95% interval, dashed = all so far"
    if narrow:
        caption = "per walk · dot = share done, bar = 95% interval"
    body.append(_el("text", caption, x=frame.x0, y=HEIGHT - 6, class_="caption"))
    said = "; ".join(band.words for band in bands) or "no frequency claim"
    seen = ", ".join(f"{p.label} {p.k} of {p.n}" for p in points[:12])
    desc = f"Claimed: {said}. Observed per walk: {seen}" + ("…" if len(points) > 12 else ".")
    title = f"How often “{topic}” was done, per walk"
    variant = "chart-narrow" if narrow else "chart-wide"
    return _svg(chart_id, title, desc, body, frame.width, HEIGHT, variant=variant)


def value_chart(
    chart_id: str,
    points: Sequence[ValuePoint],
    bands: Sequence[Band],
    unit: str,
    topic: str,
    narrow: bool = False,
) -> Markup:
    """Each measurement in time order against the claimed values and limits."""
    values = [p.value for p in points] + [v for b in bands for v in (b.low, b.high)]
    low, high = min(values, default=0.0), max(values, default=1.0)
    if low >= 0:
        low = 0.0
    ticks = nice_ticks(low, high + (high - low) * 0.08)
    frame = _Frame(len(points), ticks[0], ticks[-1], narrow)
    labelled = LABELLED_POINTS // 2 if narrow else LABELLED_POINTS
    body = _axes(
        frame,
        ticks,
        lambda v: format_number(v),
        _x_labels([p.at for p in points], 3 if narrow else 6),
    )
    body.append(_el("text", unit, x=frame.x0 - 6, y=TOP - 4, class_="tick tick-y unit"))
    body += _bands(frame, bands, chart_id)
    for i, point in enumerate(points):
        x, y = frame.x(i), frame.y(point.value)
        body.append(
            f'<g class="point">{_el("circle", cx=x, cy=y, r=4.5)}'
            f"{_el('title', f'{point.label}: {format_number(point.value)} {unit}')}</g>"
        )
        if len(points) <= labelled:
            body.append(_el("text", format_number(point.value), x=x, y=y - 8, class_="value"))
    caption = f"measurements in time order, in {unit} · hatched = claimed band, dashed = limit"
    if narrow:
        caption = f"in time order, {unit} · hatched = claim, dashed = limit"
    body.append(_el("text", caption, x=frame.x0, y=HEIGHT - 6, class_="caption"))
    said = "; ".join(band.words for band in bands) or "no measure claim"
    seen = ", ".join(format_number(p.value) for p in points[:20])
    desc = f"Claimed: {said}. Observed ({unit}): {seen}" + ("…" if len(points) > 20 else ".")
    title = f"Measured “{topic}” against the claim"
    variant = "chart-narrow" if narrow else "chart-wide"
    return _svg(chart_id, title, desc, body, frame.width, HEIGHT, variant=variant)


def interval_bar(
    chart_id: str,
    *,
    band: tuple[float, float] | None,
    interval: tuple[float, float] | None,
    point: float | None,
    domain: tuple[float, float],
    fmt,
    label: str,
) -> Markup:
    """A one-line picture of the rule: the claimed band and the observed interval."""
    width, height, left, right = 360, 80, 14, 14
    ticks = nice_ticks(*domain, count=4)
    lo, hi = ticks[0], ticks[-1]
    span = (hi - lo) or 1.0

    def x(value: float) -> float:
        return left + (min(max(value, lo), hi) - lo) / span * (width - left - right)

    body = [_el("line", x1=left, x2=width - right, y1=44, y2=44, class_="axis")]
    for i, value in enumerate(ticks):
        anchor = "start" if i == 0 else "end" if i == len(ticks) - 1 else "middle"
        body.append(_el("line", x1=x(value), x2=x(value), y1=44, y2=48, class_="axis"))
        body.append(_el("text", fmt(value), x=x(value), y=62, class_="tick", text_anchor=anchor))
    if band is not None:
        x0, x1 = x(band[0]), x(band[1])
        if x1 - x0 < 4:
            x0, x1 = x0 - 2, x1 + 2
        body.append(
            _el(
                "rect",
                x=x0,
                y=36,
                width=x1 - x0,
                height=16,
                class_="band band-0",
                fill=f"url(#{chart_id}-hatch)",
            )
        )
        body.append(_el("text", "claimed", x=(x0 + x1) / 2, y=29, class_="band-label centre"))
    if interval is not None:
        body.append(
            _el("line", x1=x(interval[0]), x2=x(interval[1]), y1=44, y2=44, class_="ci thick")
        )
        for end in interval:
            body.append(_el("line", x1=x(end), x2=x(end), y1=37, y2=51, class_="ci"))
    if point is not None:
        body.append(f'<g class="point">{_el("circle", cx=x(point), cy=44, r=5)}</g>')
        body.append(_el("text", "observed", x=x(point), y=14, class_="value"))
    return _svg(chart_id, label, label, body, width, height)


def pct(fraction: float) -> str:
    """A share as a whole percentage, halves up (as the explanations print it)."""
    return f"{math.floor(fraction * 100 + 0.5)}%"


# -- experience map --------------------------------------------------------------------------


def experience_chart(chart_id: str, stations: Sequence, title: str) -> Markup:
    """Places left to right on a journey line: delight above, pain below (hatched)."""
    column, left = 140, 20
    width = max(420, 2 * left + column * len(stations))
    height, line, reach = 330, 150, 80
    most = max([1] + [max(s.pain, s.delight) for s in stations])
    body = [
        _el("text", "▲ delight (solid)   ▼ pain (hatched)   ⚠ gaps", x=left, y=16, class_="legend"),
        _el("line", x1=left, x2=width - left, y1=line, y2=line, class_="journey"),
    ]
    for i, station in enumerate(stations):
        cx = left + column * i + column / 2
        up = reach * station.delight / most
        down = reach * station.pain / most
        if up:
            body.append(
                _el("rect", x=cx - 14, y=line - 22 - up, width=28, height=up, class_="bar delight")
            )
        body.append(
            _el("text", f"▲ {station.delight}", x=cx, y=line - 28 - up, class_="value count-up")
        )
        if down:
            body.append(
                _el(
                    "rect",
                    x=cx - 14,
                    y=line + 22,
                    width=28,
                    height=down,
                    class_="bar pain",
                    fill=f"url(#{chart_id}-hatch)",
                )
            )
        body.append(
            _el("text", f"▼ {station.pain}", x=cx, y=line + 38 + down, class_="value count-down")
        )
        body.append(_el("circle", cx=cx, cy=line, r=15, class_="station"))
        body.append(_el("text", str(i + 1), x=cx, y=line + 5, class_="station-number"))
        for n, text in enumerate(_wrap(station.name, 16, 2)):
            body.append(_el("text", text, x=cx, y=line + 136 + 15 * n, class_="station-name"))
        if station.gap_count:
            gaps = f"⚠ {station.gap_count} gap" + ("" if station.gap_count == 1 else "s")
            body.append(_el("text", gaps, x=cx, y=line + 172, class_="station-gaps"))
    desc = "; ".join(
        f"{i + 1}. {s.name}: {s.pain} pain, {s.delight} delight, {s.gap_count} gaps"
        for i, s in enumerate(stations)
    )
    label = f"Experience map: {title}"
    return _svg(chart_id, label, desc or "No places yet.", body, width, height, natural=True)


def _wrap(text: str, width: int, lines: int) -> list[str]:
    """Break a short name into at most `lines` lines of about `width` characters."""
    words, out, current = text.split(), [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        out.append(current)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1] + "…"
    return [line if len(line) <= width + 4 else line[: width + 3] + "…" for line in out]


def verdict_chart(chart_id: str, verdict) -> Markup | None:
    """The verdict's rule as a picture: claimed band, observed interval and point."""
    stats = verdict.stats
    if verdict.kind == "frequency" or "rate" in stats:
        if "rate" not in stats:
            return None
        return interval_bar(
            chart_id,
            band=(stats["band_low"], stats["band_high"]),
            interval=(stats["ci_low"], stats["ci_high"]),
            point=stats["rate"],
            domain=(0.0, 1.0),
            fmt=pct,
            label="Claimed band and the 95% interval of the observed share",
        )
    unit = stats.get("unit") or ""
    if "limit" in stats:
        worst = stats.get("max", stats.get("min"))
        limit = stats["limit"]
        top = max(worst, limit) * 1.15 or 1.0
        low = min(0.0, worst, limit)
        band = (low, limit) if "max" in stats else (limit, top)
        point, interval = worst, None
    elif "mean" in stats:
        band = (stats["band_low"], stats["band_high"])
        interval = (stats["ci_low"], stats["ci_high"]) if "ci_low" in stats else None
        point = stats["mean"]
        values = [*band, point, *(interval or ())]
        low, top = min(values), max(values)
        pad = (top - low) * 0.15 or abs(top) * 0.15 or 1.0
        low, top = (max(0.0, low - pad) if low >= 0 else low - pad), top + pad
    else:
        return None
    return interval_bar(
        chart_id,
        band=band,
        interval=interval,
        point=point,
        domain=(low, top),
        fmt=lambda v: f"{format_number(v)} {unit}".strip(),
        label="Claimed band or limit and what was observed",
    )
