"""Whether the site keeps looking: planned walks done on time, and topics gone stale.

Two halves of the trends (see :mod:`gemba.domain.trends`), counted per period on the
site's clock and as of a moment, like the gap measures:

- Walks. A due walk counts in the period that holds its due day. It was done on time when
  it was done before the plan's next due day began (early included), late when done after
  that, missed when not done and the next due day has begun; until then it is pending. A
  plan's last due walk has no next due day, so it is never late nor missed: pass the plan's
  first due day after the range too (it falls in no period, so it is not counted).
- Topics. At a period's end a topic was observed when its latest observation before the
  end lies in the last N weeks (N = 4 unless told) on the site's clock, and stale when it
  is older or there is none; a topic counts from its first observation or its creation.

The rules in words are in docs/trends.md.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from gemba.domain.trend_periods import Period, as_utc, local_midnight, locate_day

ON_TIME, LATE, MISSED, PENDING = "on_time", "late", "missed", "pending"
WALK_OUTCOMES = (ON_TIME, LATE, MISSED, PENDING)
OBSERVED, STALE = "observed", "stale"
DEFAULT_STALE_WEEKS = 4


@dataclass(frozen=True, slots=True)
class WalkDue:
    """One time a plan fell due at a site, and when the walk that counts for it was done."""

    site_id: Hashable
    plan_id: Hashable
    due: date  # the due day on the site's calendar
    done_at: datetime | None = None  # when the walk that counts for it was done (started)

    def __post_init__(self) -> None:
        if self.done_at is not None:
            object.__setattr__(self, "done_at", as_utc(self.done_at))


@dataclass(frozen=True, slots=True)
class TopicSeen:
    """A topic of a site and every moment it was observed (a fact on it), oldest first.

    Several facts at the same moment may be given once; `since` is when the topic came to
    be (its first statement), so a topic never observed can still be stale.
    """

    site_id: Hashable
    topic_id: Hashable
    seen: Sequence[datetime] = field(default=())
    since: datetime | None = None

    def __post_init__(self) -> None:
        # Sorting a sorted list is linear, so a query that orders its rows costs nothing here.
        object.__setattr__(self, "seen", tuple(sorted(as_utc(m) for m in self.seen)))
        if self.since is not None:
            object.__setattr__(self, "since", as_utc(self.since))


def walk_outcome(walk: WalkDue, next_due: date | None, period: Period, as_of: datetime) -> str:
    """What became of a due walk as of the moment: on time, late, missed or pending."""
    zone = period.start.tzinfo
    deadline = local_midnight(next_due, zone) if next_due is not None else None
    if walk.done_at is not None and walk.done_at <= as_of:
        return ON_TIME if deadline is None or walk.done_at < deadline else LATE
    return MISSED if deadline is not None and deadline <= as_of else PENDING


def tally_walks(
    walks: Iterable[WalkDue], spans: Sequence[Period], as_of: datetime
) -> list[dict[str, int]]:
    """Per period: the walks due in it, and how many of them were on time, late, missed or
    still pending as of the moment."""
    counts: list[dict[str, int]] = [dict.fromkeys(("due", *WALK_OUTCOMES), 0) for _ in spans]
    if not spans:
        return counts
    first_days = [span.first_day for span in spans]
    by_plan: dict[Hashable, list[WalkDue]] = defaultdict(list)
    for walk in walks:
        by_plan[walk.plan_id].append(walk)
    for dues in by_plan.values():
        dues.sort(key=lambda walk: walk.due)
        days = [walk.due for walk in dues]
        for walk in dues:
            index = locate_day(walk.due, spans, first_days)
            if index is None:
                continue
            later = bisect_right(days, walk.due)
            next_due = days[later] if later < len(days) else None
            counts[index]["due"] += 1
            counts[index][walk_outcome(walk, next_due, spans[index], as_of)] += 1
    return counts


def topic_state(topic: TopicSeen, period: Period, as_of: datetime, weeks: int) -> str | None:
    """Whether the topic was observed in the last `weeks` weeks at the period's end (as of
    the moment, for a period not over yet), stale, or None when it did not exist yet."""
    # Only what happened before the period's end and by the as-of moment counts.
    known = min(bisect_left(topic.seen, period.end), bisect_right(topic.seen, as_of))
    first = topic.seen[0] if known else None
    if topic.since is not None and (first is None or topic.since < first):
        first = topic.since
    if first is None or first >= period.end or first > as_of:
        return None
    # The window is counted on the site's clock: four weeks back from Monday 00:00 is a
    # Monday 00:00 even when the clocks changed in between.
    reference = period.end if period.end <= as_of else as_of.astimezone(period.start.tzinfo)
    cutoff = reference - timedelta(weeks=weeks)
    return OBSERVED if known and topic.seen[known - 1] >= cutoff else STALE


def tally_topics(
    topics: Iterable[TopicSeen],
    spans: Sequence[Period],
    as_of: datetime,
    weeks: int = DEFAULT_STALE_WEEKS,
) -> list[dict[str, int]]:
    """Per period: the topics observed in the last `weeks` weeks at its end, and the stale."""
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1, got {weeks!r}")
    counts: list[dict[str, int]] = [{OBSERVED: 0, STALE: 0} for _ in spans]
    # `topic_state` per topic and period, with what depends on the period alone worked out
    # once: whether its end has passed, and where its stale window begins.
    # In UTC, like the moments they are compared with: comparing two times of one zone
    # object skips working out each one's offset, which was most of the cost.
    as_of = as_utc(as_of)
    edges = []
    for span in spans:
        done = span.end <= as_of
        reference = span.end if done else as_of.astimezone(span.start.tzinfo)
        edges.append((as_utc(span.end), done, as_utc(reference - timedelta(weeks=weeks))))
    for topic in topics:
        seen, since = topic.seen, topic.since
        upto_as_of = bisect_right(seen, as_of)
        for index, (end, done, cutoff) in enumerate(edges):
            known = min(bisect_left(seen, end), upto_as_of) if done else upto_as_of
            first = seen[0] if known else None
            if since is not None and (first is None or since < first):
                first = since
            if first is None or first >= end or first > as_of:
                continue
            observed = known and seen[known - 1] >= cutoff
            counts[index][OBSERVED if observed else STALE] += 1
    return counts
