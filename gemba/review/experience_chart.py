"""The experience map as a picture: places left to right on a journey line.

Delight rises above the line as solid bars, pain hangs below it hatched and marked ▼,
and each place says in words how many gaps it holds, so the map reads without colour.
A place's name wraps to its column in two lines at most, shortened with the whole name
in a <title>. The stations come from `gemba.review.experience`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup

from gemba.review.chart_text import label as chart_label
from gemba.review.chart_text import text_width, wrap
from gemba.review.charts import el, svg


def experience_chart(chart_id: str, stations: Sequence, title: str) -> Markup:
    """Places left to right on a journey line: delight above, pain below (hatched)."""
    column, left = 140, 20
    legend = _("▲ delight (solid)   ▼ pain (hatched)   ⚠ gaps")
    # As wide as its places (or its legend): a phone shows two places without scrolling.
    width = math.ceil(2 * left + max(column * len(stations), text_width(legend, 11)))
    height, line, reach = 330, 150, 80
    most = max([1] + [max(s.pain, s.delight) for s in stations])
    body = [
        el("text", legend, x=left, y=16, class_="legend"),
        el("line", x1=left, x2=width - left, y1=line, y2=line, class_="journey"),
    ]
    for i, station in enumerate(stations):
        cx = left + column * i + column / 2
        up, down = _bar(station.delight, most, reach), _bar(station.pain, most, reach)
        if up:
            body.append(
                el("rect", x=cx - 14, y=line - 22 - up, width=28, height=up, class_="bar delight")
            )
        body.append(
            el("text", f"▲ {station.delight}", x=cx, y=line - 28 - up, class_="value count-up")
        )
        if down:
            body.append(
                el(
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
            el("text", f"▼ {station.pain}", x=cx, y=line + 38 + down, class_="value count-down")
        )
        body.append(el("circle", cx=cx, cy=line, r=15, class_="station"))
        body.append(el("text", str(i + 1), x=cx, y=line + 5, class_="station-number"))
        for n, text in enumerate(wrap(station.name, column - 12, "station-name", 2)):
            at = {"x": cx, "y": line + 136 + 15 * n}
            body.append(chart_label(text, station.name, **at, class_="station-name"))
        if station.gap_count:
            gaps = ngettext("⚠ %(num)d gap", "⚠ %(num)d gaps", station.gap_count)
            body.append(el("text", gaps, x=cx, y=line + 172, class_="station-gaps"))
    desc = "; ".join(
        _(
            "%(i)s. %(name)s: %(pain)s pain, %(delight)s delight, %(gaps)s gaps",
            i=i + 1,
            name=s.name,
            pain=s.pain,
            delight=s.delight,
            gaps=s.gap_count,
        )
        for i, s in enumerate(stations)
    )
    label = _("Experience map: %(title)s", title=title)
    return svg(chart_id, label, desc or _("No places yet."), body, width, height, natural=True)


def _bar(count: float, most: float, reach: float) -> float:
    """A bar's length for a count: from 0 to reach, a number an SVG can draw for any input."""
    length = reach * count / most if most > 0 else 0.0
    return min(max(length, 0.0), reach) if math.isfinite(length) else 0.0
