"""The trends page's two charts per site, drawn with the review charts' kit
(gemba/review/charts.py): gaps flagged against gaps closed, and planned walks done on
time, late or missed against those due, one group of bars per period.

Nothing depends on colour: flagged bars are solid and closed ones hatched; on-time walks
are solid, late ones hatched, missed ones dotted, and the walks due are a dashed line;
the legend says so in words, each bar has its number in a <title>, and the table under
the charts has every number.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from markupsafe import Markup

from gemba.domain.trends import PeriodTrend
from gemba.review.chart_text import text_width
from gemba.review.charts import HEIGHT, LEFT, Frame, axes, caption, el, nice_ticks, number, svg

RIGHT = 24
LABELLED_GROUPS = 13  # above this many periods the numbers go to the table only
SOLID, HATCHED, DOTTED, DASHED = "solid", "hatched", "dotted", "dashed"


def _frame(n: int, high: int) -> tuple[Frame, list[float]]:
    """A frame for counts: whole-number ticks from 0 (at least up to 4)."""
    ticks = nice_ticks(0, max(high, 4))
    return Frame(n, ticks[0], ticks[-1], margins=(LEFT, RIGHT)), ticks


def _count(value: float) -> str:
    return str(int(value))


def _x_labels(trends: Sequence[PeriodTrend]) -> list[tuple[int, str]]:
    """Period labels under the groups, weeks without their year ("W03") so more fit; the
    full label is in each bar's <title> and in the table."""
    return [
        (i, t.period.label.split("-")[-1] if "-W" in t.period.label else t.period.label)
        for i, t in enumerate(trends)
    ]


def _bar_width(frame: Frame, bars: int) -> float:
    slot = (frame.x1 - frame.x0) / max(frame.n, 1)
    return min(22.0, slot * 0.8 / bars)


def _rect(frame, chart_id, kind, x, width, low, high, title) -> str:
    """One bar (or one part of a stacked bar) from `low` to `high`, in its pattern."""
    top, bottom = frame.y(high), frame.y(low)
    fills = {
        SOLID: ("station", None),
        HATCHED: ("bar pain", f"url(#{chart_id}-hatch)"),
        DOTTED: ("bar pain", f"url(#{chart_id}-dots)"),
    }
    css, fill = fills[kind]
    shape = el(
        "rect", x=x, y=top, width=width, height=max(bottom - top, 0.0), class_=css, fill=fill
    )
    return f"<g>{shape}{el('title', title)}</g>"


def _legend(chart_id: str, items: Sequence[tuple[str, str]]) -> list[str]:
    """The patterns' words above the plot, left to right."""
    body = [
        f'<defs><pattern id="{chart_id}-dots" width="5" height="5" '
        f'patternUnits="userSpaceOnUse"><circle cx="2.5" cy="2.5" r="1.2"/></pattern></defs>'
    ]
    x = float(LEFT)
    for kind, words in items:
        if kind == DASHED:
            body.append(el("line", x1=x, x2=x + 14, y1=11, y2=11, class_="bound"))
        else:
            fill = {HATCHED: f"url(#{chart_id}-hatch)", DOTTED: f"url(#{chart_id}-dots)"}
            css = "station" if kind == SOLID else "bar pain"
            body.append(el("rect", x=x, y=5, width=14, height=12, class_=css, fill=fill.get(kind)))
        body.append(el("text", words, x=x + 19, y=15, class_="legend"))
        x += 19 + text_width(words, 11) + 14
    return body


def gap_chart(chart_id: str, site: str, trends: Sequence[PeriodTrend]) -> Markup:
    """Per period: the gaps flagged (solid) beside the gaps closed (hatched): actioned,
    verified or closed by evidence."""
    closed = [t.gaps_actioned + t.gaps_verified + t.gaps_closed_by_evidence for t in trends]
    flagged = [t.gaps_flagged for t in trends]
    frame, ticks = _frame(len(trends), max([*flagged, *closed, 0]))
    body = _legend(chart_id, [(SOLID, _("flagged")), (HATCHED, _("closed"))])
    body += axes(frame, ticks, _count, _x_labels(trends))
    width = _bar_width(frame, 2)
    # Translated once per chart, not once per bar.
    words_flagged, words_closed = _("%(period)s: %(num)d flagged"), _("%(period)s: %(num)d closed")
    for i, trend in enumerate(trends):
        x, label = frame.x(i), trend.period.label
        for left, kind, value, words in (
            (x - width - 1, SOLID, flagged[i], words_flagged),
            (x + 1, HATCHED, closed[i], words_closed),
        ):
            title = words % {"period": label, "num": value}
            body.append(_rect(frame, chart_id, kind, left, width, 0, value, title))
            if len(trends) <= LABELLED_GROUPS:
                body += number(frame, str(value), left + width / 2, frame.y(value) - 4)
    body += caption(frame, _("closed = actioned + verified + closed by evidence"))
    seen = "; ".join(
        _(
            "%(period)s %(flagged)d flagged, %(closed)d closed",
            period=t.period.label,
            flagged=f,
            closed=c,
        )
        for t, f, c in zip(trends, flagged, closed, strict=True)
    )
    title = _("Gaps flagged and closed per period at %(site)s", site=site)
    return svg(chart_id, title, seen + ".", body, frame.width, HEIGHT)


def walk_chart(chart_id: str, site: str, trends: Sequence[PeriodTrend]) -> Markup:
    """Per period: the walks done on time (solid), late (hatched) and missed (dotted),
    stacked, against the walks due (a dashed line); what is left below the line is pending."""
    frame, ticks = _frame(len(trends), max([t.walks_due for t in trends] + [0]))
    body = _legend(
        chart_id,
        [(SOLID, _("on time")), (HATCHED, _("late")), (DOTTED, _("missed")), (DASHED, _("due"))],
    )
    body += axes(frame, ticks, _count, _x_labels(trends))
    width = _bar_width(frame, 1.5)
    words = {
        SOLID: _("%(period)s: %(num)d on time"),
        HATCHED: _("%(period)s: %(num)d late"),
        DOTTED: _("%(period)s: %(num)d missed"),
        DASHED: _("%(period)s: %(num)d due"),
    }
    for i, trend in enumerate(trends):
        x, label = frame.x(i), trend.period.label
        low = 0
        for kind, value in (
            (SOLID, trend.walks_on_time),
            (HATCHED, trend.walks_late),
            (DOTTED, trend.walks_missed),
        ):
            if value:
                title = words[kind] % {"period": label, "num": value}
                body.append(
                    _rect(frame, chart_id, kind, x - width / 2, width, low, low + value, title)
                )
            low += value
        y = frame.y(trend.walks_due)
        line = el("line", x1=x - width / 2 - 4, x2=x + width / 2 + 4, y1=y, y2=y, class_="bound")
        due = words[DASHED] % {"period": label, "num": trend.walks_due}
        body.append(f"<g>{line}{el('title', due)}</g>")
        if len(trends) <= LABELLED_GROUPS:
            body += number(frame, str(trend.walks_due), x, y - 5)
    body += caption(frame, _("bars = walks done or missed, dashed line = walks due"))
    seen = "; ".join(
        _(
            "%(period)s %(due)d due: %(on_time)d on time, %(late)d late, %(missed)d missed",
            period=t.period.label,
            due=t.walks_due,
            on_time=t.walks_on_time,
            late=t.walks_late,
            missed=t.walks_missed,
        )
        for t in trends
    )
    title = _("Planned walks per period at %(site)s", site=site)
    return svg(chart_id, title, seen + ".", body, frame.width, HEIGHT)
