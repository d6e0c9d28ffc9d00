"""The verdict's rule as a picture: the claimed band, the observed interval and point.

A gap's page shows why the engine judged as it did; one line with the claimed band
(hatched, labelled "claimed") and the observed interval and value reads faster than
the numbers alone, which stay written beside it.
"""

from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup

from gemba.domain.units import format_number
from gemba.review.chart_text import Placed, shorten, style_of, text_box, text_width
from gemba.review.chart_text import label as chart_label
from gemba.review.charts import clamp, el, nice_ticks, pct, share, svg


def interval_bar(
    chart_id: str,
    *,
    band: tuple[float, float] | None,
    interval: tuple[float, float] | None,
    point: float | None,
    domain: tuple[float, float],
    fmt,
    label: str,
    unit: str = "",
) -> Markup:
    """A one-line picture of the rule: the claimed band and the observed interval.

    Values are written as fmt(value) followed by the unit; where that makes the tick
    labels print over each other, fewer ticks, then the numbers alone with the unit
    on a line of its own."""
    width, left, right = 360, 14, 14
    ticks, texts, unit_line = _ticks(domain, fmt, unit, width, left, right)
    lo, hi = ticks[0], ticks[-1]
    height = 96 if unit_line else 80

    def x(value: float) -> float:
        return left + share(min(max(value, lo), hi), lo, hi) * (width - left - right)

    body = [el("line", x1=left, x2=width - right, y1=44, y2=44, class_="axis")]
    for i, (value, text) in enumerate(zip(ticks, texts, strict=True)):
        body.append(el("line", x1=x(value), x2=x(value), y1=44, y2=48, class_="axis"))
        if text:
            anchor = _anchor(i, len(ticks))
            body.append(el("text", text, x=x(value), y=66, class_="tick", text_anchor=anchor))
    if unit_line:
        shown = shorten(unit_line, width - 2 * left, "tick")
        at = {"x": width - right, "y": 86, "text_anchor": "end"}
        body.append(chart_label(shown, unit_line, **at, class_="tick unit"))
    if band is not None:
        body += _claimed(chart_id, x(band[0]), x(band[1]), width)
    if interval is not None:
        body.append(
            el("line", x1=x(interval[0]), x2=x(interval[1]), y1=44, y2=44, class_="ci thick")
        )
        for end in interval:
            body.append(el("line", x1=x(end), x2=x(end), y1=37, y2=51, class_="ci"))
    if point is not None:
        body.append(f'<g class="point">{el("circle", cx=x(point), cy=44, r=5)}</g>')
        centre = _within(x(point), _("observed"), "value", width)
        body.append(el("text", _("observed"), x=centre, y=14, class_="value"))
    return svg(chart_id, label, label, body, width, height)


def _claimed(chart_id: str, x0: float, x1: float, width: float) -> list[str]:
    """The claimed band, hatched, with its word above it (moved in from the edges)."""
    if x1 - x0 < 4:
        x0, x1 = x0 - 2, x1 + 2
    hatch = f"url(#{chart_id}-hatch)"
    centre = _within((x0 + x1) / 2, _("claimed"), "band-label centre", width)
    return [
        el("rect", x=x0, y=36, width=x1 - x0, height=16, class_="band band-0", fill=hatch),
        el("text", _("claimed"), x=centre, y=29, class_="band-label centre"),
    ]


def _anchor(i: int, n: int) -> str:
    return "start" if i == 0 else "end" if i == n - 1 else "middle"


def _ticks(domain, fmt, unit: str, width: float, left: float, right: float):
    """Ticks whose labels fit side by side: (values, labels, the unit on a line of its own
    or ""). Fewer ticks before the unit leaves the labels; the ends alone at worst."""
    span = width - left - right
    for with_unit in (True, False):
        for count in (4, 3, 2):
            ticks = nice_ticks(*domain, count=count)
            lo, hi = ticks[0], ticks[-1]
            texts = [f"{fmt(v)} {unit}".strip() if with_unit else fmt(v) for v in ticks]
            boxes = [
                text_box(t, left + share(v, lo, hi) * span, 66, "tick", _anchor(i, len(ticks)))
                for i, (v, t) in enumerate(zip(ticks, texts, strict=True))
            ]
            placed = Placed(width, 80)
            if all(placed.take(box) for box in boxes):
                return ticks, texts, "" if with_unit else unit
    ticks = nice_ticks(*domain, count=2)
    ends = ["" if 0 < i < len(ticks) - 1 else fmt(v) for i, v in enumerate(ticks)]
    return ticks, [shorten(t, span / 2 - 4, "tick") for t in ends], unit


def _within(centre: float, text: str, css: str, width: float) -> float:
    """A centred label's centre, moved in from the edges so the whole word shows."""
    size, bold = style_of(css)
    half = text_width(text, size, bold) / 2 + 1
    return min(max(centre, half), width - half)


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
            label=_("Claimed band and the 95% interval of the observed share"),
        )
    unit = stats.get("unit") or ""
    if "limit" in stats:
        worst = stats.get("max", stats.get("min"))
        limit = stats["limit"]
        low, top = _padded([0.0, worst, limit])
        band = (low, limit) if "max" in stats else (limit, top)
        point, interval = worst, None
    elif "mean" in stats:
        band = (stats["band_low"], stats["band_high"])
        interval = (stats["ci_low"], stats["ci_high"]) if "ci_low" in stats else None
        point = stats["mean"]
        low, top = _padded([*band, point, *(interval or ())])
    else:
        return None
    return interval_bar(
        chart_id,
        band=band,
        interval=interval,
        point=point,
        domain=(low, top),
        fmt=format_number,
        label=_("Claimed band or limit and what was observed"),
        unit=unit,
    )


def _padded(values: list[float]) -> tuple[float, float]:
    """The range of the values with 15 % of room around it (none below a range from 0 up).

    Computed in halves and saturated, so values near the largest double stay finite.
    """
    low, top = min(values), max(values)
    pad = (top / 2 - low / 2) * 0.3 or abs(top) * 0.15 or 1.0
    return (max(0.0, low - pad) if low >= 0 else clamp(low - pad)), clamp(top + pad)
