"""The topic page's charts: what was done and measured against what was claimed.

Behaviour facts become one point per walk (the share performed, with its 95 % Wilson
interval) against the frequency words said about the topic; measurements become one
point each, converted to one unit, against the claimed values and limits. Each chart
is drawn twice, for a laptop and for a phone, and its numbers go to a table beside it.
"""

from __future__ import annotations

import math
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from markupsafe import Markup

from gemba.domain.bounds import is_measure, is_tolerance
from gemba.domain.clock import local
from gemba.domain.saydo import DEFAULT_TOLERANCE, FREQUENCY_BANDS, FREQUENCY_WORDS, wilson_interval
from gemba.domain.units import (
    IncompatibleUnits,
    canonical_unit,
    convert,
    format_number,
    format_quantity,
)
from gemba.models import Fact, Statement
from gemba.review.charts import (
    HEIGHT,
    Band,
    axes,
    caption,
    claimed_bands,
    clamp,
    el,
    fitted,
    nice_ticks,
    number,
    pct,
    svg,
    unit_label,
    x_labels,
)
from gemba.review.crosswalk import TopicDetail

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


def rate_chart(
    chart_id: str,
    points: Sequence[RatePoint],
    bands: Sequence[Band],
    topic: str,
    narrow: bool = False,
) -> Markup:
    """Observed rate per walk (with its 95 % interval) against the claimed bands."""
    ticks = [0, 0.2, 0.4, 0.6, 0.8, 1.0]

    def fmt(v: float) -> str:
        return f"{round(v * 100)}%"

    frame = fitted(len(points), ticks, fmt, bands, narrow)
    labelled = LABELLED_POINTS // 2 if narrow else LABELLED_POINTS
    body = axes(frame, ticks, fmt, x_labels([p.at for p in points], 3 if narrow else 6))
    body += claimed_bands(frame, bands, chart_id)
    cumulative_k = cumulative_n = 0
    path = []
    for i, point in enumerate(points):
        cumulative_k += point.k
        cumulative_n += point.n
        path.append(f"{frame.x(i):.1f},{frame.y(cumulative_k / cumulative_n):.1f}")
    if len(path) > 1:
        body.append(el("polyline", points=" ".join(path), class_="cumulative"))
    for i, point in enumerate(points):
        x = frame.x(i)
        body.append(
            el("line", x1=x, x2=x, y1=frame.y(point.low), y2=frame.y(point.high), class_="ci")
        )
        body.append(
            f'<g class="point">{el("circle", cx=x, cy=frame.y(point.rate), r=5)}'
            f"{el('title', _point_title(point))}</g>"
        )
        if len(points) <= labelled:  # above the interval, or below it where there is no room
            ys = (frame.y(point.high) - 6, frame.y(point.low) + 15)
            body += number(frame, f"{point.k}/{point.n}", x, *ys)
    words = _("walks in date order · dot = share done, bar = 95% interval, dashed = all so far")
    if narrow:
        words = _("per walk · dot = share done, bar = 95% interval")
    body += caption(frame, words)
    said = "; ".join(band.words for band in bands) or _("no frequency claim")
    seen = ", ".join(_("%(walk)s %(k)s of %(n)s", walk=p.label, k=p.k, n=p.n) for p in points[:12])
    more = "…" if len(points) > 12 else "."
    desc = _("Claimed: %(said)s. Observed per walk: %(seen)s", said=said, seen=seen) + more
    title = _("How often “%(topic)s” was done, per walk", topic=topic)
    variant = "chart-narrow" if narrow else "chart-wide"
    return svg(chart_id, title, desc, body, frame.width, HEIGHT, variant=variant)


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
    finite = [v for v in values if math.isfinite(v)]
    low, high = min(finite, default=0.0), max(finite, default=1.0)
    if low >= 0:
        low = 0.0
    ticks = nice_ticks(low, clamp(high + (high / 2 - low / 2) * 0.16))  # 8 % headroom
    frame = fitted(len(points), ticks, format_number, bands, narrow, unit)
    labelled = LABELLED_POINTS // 2 if narrow else LABELLED_POINTS
    body = axes(frame, ticks, format_number, x_labels([p.at for p in points], 3 if narrow else 6))
    body += unit_label(frame, unit)
    body += claimed_bands(frame, bands, chart_id)
    for i, point in enumerate(points):
        x, y = frame.x(i), frame.y(point.value)
        body.append(
            f'<g class="point">{el("circle", cx=x, cy=y, r=4.5)}'
            f"{el('title', f'{point.label}: {format_number(point.value)} {unit}')}</g>"
        )
        if len(points) <= labelled:  # above the point, or below it
            body += number(frame, format_number(point.value), x, y - 8, y + 16)
    words = _(
        "measurements in time order, in %(unit)s · hatched = claimed band, dashed = limit",
        unit=unit,
    )
    if narrow:
        words = _("in time order, %(unit)s · hatched = claim, dashed = limit", unit=unit)
    body += caption(frame, words)
    said = "; ".join(band.words for band in bands) or _("no measure claim")
    seen = ", ".join(format_number(p.value) for p in points[:20])
    more = "…" if len(points) > 20 else "."
    desc = _("Claimed: %(said)s. Observed (%(unit)s): %(seen)s", said=said, unit=unit, seen=seen)
    desc += more
    title = _("Measured “%(topic)s” against the claim", topic=topic)
    variant = "chart-narrow" if narrow else "chart-wide"
    return svg(chart_id, title, desc, body, frame.width, HEIGHT, variant=variant)


# -- topic charts ----------------------------------------------------------------------------


@dataclass
class TopicChart:
    """One chart of a topic and the same numbers as table rows."""

    kind: str  # "rate" or "values"
    svg: Markup  # drawn for a laptop screen
    narrow: Markup  # the same, drawn for a phone
    rows: list[dict]
    unit: str | None = None
    excluded: int = 0


def topic_charts(detail: TopicDetail) -> list[TopicChart]:
    """Observed rate per walk for behaviours, measured values for measurements."""
    found = []
    zone = detail.site.time_zone  # dates under the charts are the site's days
    behaviours = [f for f in detail.facts if f.performed is not None]
    words = sorted(
        {s.claim_frequency for s in detail.statements if s.claim_frequency},
        key=FREQUENCY_WORDS.index,
    )
    if behaviours or words:
        found.append(_behaviour_chart(detail.topic.name, behaviours, words, zone))
    measured = [f for f in detail.facts if f.value is not None]
    claims = [s for s in detail.statements if s.claim_value is not None and not s.claim_frequency]
    if measured or claims:
        found.append(_measure_chart(detail.topic.name, measured, claims, zone))
    return found


def _behaviour_chart(
    topic: str, facts: list[Fact], words: list[str], zone: str | None = None
) -> TopicChart:
    """Share performed per walk, oldest walk first, against the frequency words said."""
    per_walk: dict[uuid.UUID, list[Fact]] = {}
    for fact in facts:
        per_walk.setdefault(fact.walk_id, []).append(fact)
    points = []
    for walk_facts in sorted(
        per_walk.values(), key=lambda fs: (fs[0].walk.started_at, fs[0].walk_id)
    ):
        k, n = sum(1 for f in walk_facts if f.performed), len(walk_facts)
        low, high = wilson_interval(k, n)
        walk = walk_facts[0].walk
        points.append(RatePoint(walk.title, local(walk.started_at, zone), k, n, low, high))
    bands = []
    for word in words:
        low, high = FREQUENCY_BANDS[word]
        span = pct(low) if low == high else f"{pct(low)}–{pct(high)}"
        bands.append(Band(_("said “%(word)s”", word=word), low, high, detail=span))
    rows = [
        {
            "walk": p.label,
            "date": p.at,
            "k": p.k,
            "n": p.n,
            "rate": pct(p.rate),
            "ci": f"{pct(p.low)}–{pct(p.high)}",
        }
        for p in points
    ]
    return TopicChart(
        "rate",
        rate_chart("chart-rate", points, bands, topic),
        rate_chart("chart-rate-narrow", points, bands, topic, narrow=True),
        rows,
    )


def _measure_chart(
    topic: str, facts: list[Fact], claims: list[Statement], zone: str | None = None
) -> TopicChart:
    """Each measurement in the claim's unit (facts in other dimensions left out)."""
    if claims:
        unit = canonical_unit(claims[0].claim_unit) or "count"
    else:
        unit = Counter(canonical_unit(f.unit) or "count" for f in facts).most_common(1)[0][0]
    points, rows, excluded = [], [], 0
    for fact in facts:
        if not is_measure(fact.value, fact.unit):
            continue  # stored before the bounds: the engine leaves it out too (gemba.domain.bounds)
        try:
            value = float(convert(fact.value, fact.unit, unit))
        except IncompatibleUnits:
            excluded += 1
            continue
        at = local(fact.observed_at, zone)
        points.append(ValuePoint(fact.text, at, value))
        rows.append(
            {
                "date": at,
                "text": fact.text,
                "as_logged": format_quantity(fact.value, fact.unit),
                "value": format_number(value),
                "walk": fact.walk.title,
            }
        )
    bands, seen = [], set()
    for claim in claims:
        band = _claim_band(claim, unit)
        if band is not None and band.label not in seen:
            seen.add(band.label)
            bands.append(band)
    wide = value_chart("chart-values", points, bands, unit, topic)
    narrow = value_chart("chart-values-narrow", points, bands, unit, topic, narrow=True)
    return TopicChart("values", wide, narrow, rows, unit, excluded)


def _claim_band(statement: Statement, unit: str) -> Band | None:
    """A measure claim as a band (value ± tolerance) or a limit, in the chart's unit."""
    tolerance = statement.claim_tolerance
    if not is_measure(statement.claim_value, statement.claim_unit) or not (
        tolerance is None or is_tolerance(tolerance)
    ):
        return None  # numbers the engine does not judge either
    try:
        value = float(convert(statement.claim_value, statement.claim_unit, unit))
    except IncompatibleUnits:
        return None
    said = format_quantity(statement.claim_value, statement.claim_unit)
    if statement.claim_comparator:
        tolerance = statement.claim_tolerance or 0.0
        symbol = "≤" if statement.claim_comparator == "<=" else "≥"
        sign = 1 if statement.claim_comparator == "<=" else -1
        limit = value + sign * abs(value) * tolerance
        return Band(
            _("said %(symbol)s %(said)s", symbol=symbol, said=said),
            limit,
            limit,
            bound=statement.claim_comparator,
            detail=_("limit %(n)s %(unit)s", n=format_number(limit), unit=unit),
        )
    tolerance = (
        DEFAULT_TOLERANCE if statement.claim_tolerance is None else statement.claim_tolerance
    )
    half = abs(value) * tolerance
    return Band(
        _("said %(said)s ±%(tolerance)s%%", said=said, tolerance=format_number(tolerance * 100)),
        value - half,
        value + half,
        detail=f"{format_number(value - half)}–{format_number(value + half)} {unit}",
    )


def _point_title(point) -> str:
    """ "Walk 3: 4 of 5 (80%)", the tooltip of one walk's dot."""
    return _(
        "%(walk)s: %(k)s of %(n)s (%(rate)s)",
        walk=point.label,
        k=point.k,
        n=point.n,
        rate=pct(point.rate),
    )
