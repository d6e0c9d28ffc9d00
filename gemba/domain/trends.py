"""Trends: is a site getting better at closing its say-vs-do gaps and keeping up its walks?

The measures are pure functions of plain histories that a query layer fills from the
database, so they are testable by hand and explainable to a plant manager:

- :class:`~gemba.domain.trend_gaps.GapHistory`: a gap's flag, its status changes, its
  verification and the end of its contradiction (gemba/domain/trend_gaps.py);
- :class:`~gemba.domain.trend_coverage.WalkDue` and
  :class:`~gemba.domain.trend_coverage.TopicSeen`: planned walks and observed topics
  (gemba/domain/trend_coverage.py);
- :func:`~gemba.domain.trend_periods.periods`: ISO weeks or calendar months on the site's
  clock (gemba/domain/trend_periods.py).

:func:`site_trends` gives one :class:`PeriodTrend` per period, counted "as of" a moment:
history after it is ignored, so last month's row recomputed next year, with everything
that happened since, is the row it was. :func:`compare_sites` puts sites side by side for
one period. Every measure is defined in words in docs/trends.md.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime

from gemba.domain.trend_coverage import (
    DEFAULT_STALE_WEEKS,
    LATE,
    MISSED,
    OBSERVED,
    ON_TIME,
    PENDING,
    STALE,
    TopicSeen,
    WalkDue,
    tally_topics,
    tally_walks,
)
from gemba.domain.trend_gaps import (
    ACTIONED,
    CLOSED_BY_EVIDENCE,
    CONFIRMED,
    DISMISSED,
    FLAGGED,
    REOPENED,
    VERIFIED,
    GapHistory,
    StatusChange,
    tally_gaps,
)
from gemba.domain.trend_periods import MONTH, WEEK, Period, as_utc, median, periods

__all__ = [
    "MONTH",
    "WEEK",
    "GapHistory",
    "Period",
    "PeriodTrend",
    "StatusChange",
    "TopicSeen",
    "WalkDue",
    "compare_sites",
    "median",
    "periods",
    "site_trends",
]

MEDIAN_DECIMALS = 1  # a table shows "13.5 h", not "13.499999999"


@dataclass(frozen=True, slots=True)
class PeriodTrend:
    """One site's measures for one period, counted as of a moment (see docs/trends.md)."""

    site_id: Hashable
    period: Period
    as_of: datetime
    complete: bool  # the period was over by `as_of`; else its figures are so far
    gaps_flagged: int
    gaps_confirmed: int
    gaps_dismissed: int
    gaps_actioned: int  # closed by an action: moved to actioned
    gaps_verified: int  # an action answering it was verified by evidence
    gaps_closed_by_evidence: int  # the evidence stopped contradicting it
    gaps_reopened: int
    gaps_open_at_end: int
    gaps_untriaged_at_end: int  # of the open ones, those never triaged or re-opened
    median_hours_to_triage: float | None  # flag -> first triage, gaps first triaged here
    gaps_first_triaged: int  # how many values that median is over
    median_days_to_verified: float | None  # first triage -> verified, gaps verified here
    gaps_timed_to_verified: int  # how many values that median is over
    walks_due: int
    walks_on_time: int
    walks_late: int
    walks_missed: int
    walks_pending: int  # not done, and the next due day has not begun
    topics_observed: int  # observed in the last `stale_weeks` weeks at the period's end
    topics_stale: int
    stale_weeks: int

    def to_row(self) -> dict[str, object]:
        """The measures as an ordered row for a CSV file or a table; medians rounded, times
        on the site's clock in ISO 8601, a missing median left as None."""
        row: dict[str, object] = {
            "site": str(self.site_id),
            "period": self.period.label,
            "start": self.period.start.isoformat(),
            "end": self.period.end.isoformat(),
            "as_of": self.as_of.astimezone(self.period.start.tzinfo).isoformat(),
            "complete": self.complete,
        }
        for item in fields(self)[4:]:
            value = getattr(self, item.name)
            if isinstance(value, float):
                value = round(value, MEDIAN_DECIMALS)
            row[item.name] = value
        return row


def site_trends(
    site_id: Hashable,
    spans: Sequence[Period],
    as_of: datetime,
    gaps: Iterable[GapHistory] = (),
    walks: Iterable[WalkDue] = (),
    topics: Iterable[TopicSeen] = (),
    stale_weeks: int = DEFAULT_STALE_WEEKS,
) -> list[PeriodTrend]:
    """One site's measures for each period, counting only history at or before `as_of`.

    `spans` come from :func:`periods` in the site's zone; histories of other sites are
    skipped, so one list of every site's histories can be passed for each site.
    """
    as_of = as_utc(as_of)
    spans = list(spans)
    gap_tallies = tally_gaps((g for g in gaps if g.site_id == site_id), spans, as_of)
    walk_counts = tally_walks((w for w in walks if w.site_id == site_id), spans, as_of)
    topic_counts = tally_topics(
        (t for t in topics if t.site_id == site_id), spans, as_of, stale_weeks
    )
    found = []
    for span, gap, walk, topic in zip(spans, gap_tallies, walk_counts, topic_counts, strict=True):
        found.append(
            PeriodTrend(
                site_id=site_id,
                period=span,
                as_of=as_of,
                complete=span.end <= as_of,
                gaps_flagged=gap.events[FLAGGED],
                gaps_confirmed=gap.events[CONFIRMED],
                gaps_dismissed=gap.events[DISMISSED],
                gaps_actioned=gap.events[ACTIONED],
                gaps_verified=gap.events[VERIFIED],
                gaps_closed_by_evidence=gap.events[CLOSED_BY_EVIDENCE],
                gaps_reopened=gap.events[REOPENED],
                gaps_open_at_end=gap.open_at_end,
                gaps_untriaged_at_end=gap.untriaged_at_end,
                median_hours_to_triage=median(gap.hours_to_triage),
                gaps_first_triaged=len(gap.hours_to_triage),
                median_days_to_verified=median(gap.days_to_verified),
                gaps_timed_to_verified=len(gap.days_to_verified),
                walks_due=walk["due"],
                walks_on_time=walk[ON_TIME],
                walks_late=walk[LATE],
                walks_missed=walk[MISSED],
                walks_pending=walk[PENDING],
                topics_observed=topic[OBSERVED],
                topics_stale=topic[STALE],
                stale_weeks=stale_weeks,
            )
        )
    return found


def compare_sites(
    trends: Iterable[PeriodTrend], names: Mapping[Hashable, str] | None = None
) -> list[dict[str, object]]:
    """Sites side by side for one period: a row per measure, a column per site.

    Each site's period is on its own clock (March in Warsaw and March in Mexico City), so
    the trends must share the period's label and unit, and one `as_of`; a site appears
    once. Columns are named by `names` (site id -> name), else by the site id.
    """
    chosen = list(trends)
    if not chosen:
        return []
    first = chosen[0]
    sites = [trend.site_id for trend in chosen]
    if len(set(sites)) != len(sites):
        raise ValueError("a site appears more than once")
    for trend in chosen[1:]:
        if (trend.period.label, trend.period.unit) != (first.period.label, first.period.unit):
            raise ValueError(f"{trend.period.label} is not {first.period.label}: one period only")
        if trend.as_of != first.as_of:
            raise ValueError("the sites are counted as of different moments")
    columns = [(names or {}).get(site, str(site)) for site in sites]
    rows_by_site = [trend.to_row() for trend in chosen]
    measures = [name for name in rows_by_site[0] if name not in ("site", "start", "end", "as_of")]
    table = []
    for measure in measures:
        row: dict[str, object] = {"measure": measure}
        for column, site_row in zip(columns, rows_by_site, strict=True):
            row[column] = site_row[measure]
        table.append(row)
    return table
