"""What became of a site's say-vs-do gaps, period by period, as of a moment.

A gap's history is the moment it was flagged, its status changes (the triage audit trail:
at, from, to), the moment an action answering it was verified by evidence, and the moment
the evidence stopped contradicting it. Counted per period on the site's clock:

- flagged, confirmed, dismissed, actioned (moved to actioned: closed by an action),
  reopened (moved back to open from any other status), verified, closed by evidence: the
  gaps that did so in the period, each gap once per period however often it did;
- open at the period's end: flagged before it, not dismissed then, and not verified or
  closed by evidence before it unless re-opened since (a closing the evidence undid by
  flagging the gap again counts only until then); "untriaged" are those still open;
- the median hours from flag to first triage (the first move to confirmed, dismissed,
  needs observation or actioned; a later re-triage does not count), over the gaps first
  triaged in the period, and the median days from that first triage to verification, over
  the gaps verified in the period.

Only history at or before `as_of` counts, so a period's figures never change once it is
over and `as_of` is past its end. The rules in words are in docs/trends.md.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from gemba.domain.trend_periods import Period, as_utc, locate

OPEN, CONFIRMED, DISMISSED = "open", "confirmed", "dismissed"
NEEDS_OBSERVATION, ACTIONED = "needs_observation", "actioned"
GAP_STATUSES = (OPEN, CONFIRMED, DISMISSED, NEEDS_OBSERVATION, ACTIONED)
TRIAGED = frozenset({CONFIRMED, DISMISSED, NEEDS_OBSERVATION, ACTIONED})
# The counted events, in the order a table shows them.
FLAGGED, REOPENED, VERIFIED, CLOSED_BY_EVIDENCE = "flagged", "reopened", "verified", "closed"
EVENTS = (FLAGGED, CONFIRMED, DISMISSED, ACTIONED, REOPENED, VERIFIED, CLOSED_BY_EVIDENCE)
OPEN_AT_END, UNTRIAGED_AT_END = "open_at_end", "untriaged_at_end"
_BY_TARGET = {CONFIRMED: CONFIRMED, DISMISSED: DISMISSED, ACTIONED: ACTIONED, OPEN: REOPENED}
HOUR, DAY = 3600.0, 86400.0


class StatusChange(NamedTuple):
    """One move of a gap's status, as the triage audit trail holds it."""

    at: datetime
    from_status: str
    to_status: str


@dataclass(frozen=True, slots=True)
class GapHistory:
    """Everything trends need to know about one gap; `changes` may be plain tuples."""

    gap_id: Hashable
    site_id: Hashable
    topic_id: Hashable | None
    flagged_at: datetime
    changes: Sequence[StatusChange] = field(default=())
    verified_at: datetime | None = None  # an action answering it was verified by evidence
    closed_at: datetime | None = None  # the evidence stopped contradicting it
    # Earlier closings the evidence undid: (closed, flagged again), oldest first. A closing
    # holds only until the flag that undid it, so a later flag never changes the past.
    closings: Sequence[tuple[datetime, datetime]] = field(default=())

    def __post_init__(self) -> None:
        changes = [StatusChange(as_utc(at), old, new) for at, old, new in self.changes]
        for change in changes:
            for status in (change.from_status, change.to_status):
                if status not in GAP_STATUSES:
                    raise ValueError(f"unknown gap status {status!r}; use one of {GAP_STATUSES}")
        # Stable: two changes at the same moment keep the order the audit trail gave them.
        object.__setattr__(self, "changes", tuple(sorted(changes, key=lambda c: c.at)))
        object.__setattr__(self, "flagged_at", as_utc(self.flagged_at))
        for name in ("verified_at", "closed_at"):
            moment = getattr(self, name)
            if moment is not None:
                object.__setattr__(self, name, as_utc(moment))
        spans = tuple(sorted((as_utc(c), as_utc(r)) for c, r in self.closings))
        object.__setattr__(self, "closings", spans)

    def resolutions(self, moment: datetime, as_of: datetime, strict: bool) -> list[datetime]:
        """The moments that resolved the gap and still held at `moment` (before it when
        `strict`, else at or before it): its verification, its last closing, and any earlier
        closing not yet undone by the flag that followed it."""
        found = []
        for at in (_known(self.verified_at, as_of), _known(self.closed_at, as_of)):
            if at is not None and (at < moment if strict else at <= moment):
                found.append(at)
        for closed, again in self.closings:
            if closed <= as_of and (
                closed < moment <= again if strict else closed <= moment < again
            ):
                found.append(closed)
        return found


@dataclass
class GapTally:
    """The gap measures of one period while they are being counted."""

    events: dict[str, int] = field(default_factory=lambda: dict.fromkeys(EVENTS, 0))
    open_at_end: int = 0
    untriaged_at_end: int = 0
    hours_to_triage: list[float] = field(default_factory=list)
    days_to_verified: list[float] = field(default_factory=list)


def first_triage(changes: Sequence[StatusChange]) -> StatusChange | None:
    """The gap's first triage: its first move to a triaged status."""
    return next((change for change in changes if change.to_status in TRIAGED), None)


def _known(moment: datetime | None, as_of: datetime) -> datetime | None:
    """The moment if it happened by `as_of`, else None (not known yet)."""
    return moment if moment is not None and moment <= as_of else None


def _events(gap: GapHistory, changes: Sequence[StatusChange], as_of: datetime):
    """The gap's counted events as (moment, event), known by `as_of`."""
    yield gap.flagged_at, FLAGGED
    for change in changes:
        event = _BY_TARGET.get(change.to_status)
        if event is not None and change.from_status != change.to_status:
            yield change.at, event
    for moment, event in ((gap.verified_at, VERIFIED), (gap.closed_at, CLOSED_BY_EVIDENCE)):
        if _known(moment, as_of) is not None:
            yield moment, event
    for closed, _again in gap.closings:
        if closed <= as_of:
            yield closed, CLOSED_BY_EVIDENCE


def _open_at(
    gap: GapHistory, changes: Sequence[StatusChange], end: datetime, as_of: datetime
) -> str | None:
    """The gap's status just before `end` when it is still open then, else None.

    A dismissed gap is not open, nor one verified or closed by evidence, unless it was
    re-opened (moved to open) after that.
    """
    if gap.flagged_at >= end:
        return None
    before = changes[: bisect_left([c.at for c in changes], end)]
    status = before[-1].to_status if before else OPEN
    if status == DISMISSED:
        return None
    resolved = gap.resolutions(end, as_of, strict=True)
    if resolved:
        reopened = any(c.to_status == OPEN and c.at >= max(resolved) for c in before)
        if not reopened:
            return None
    return status


def _open_after(
    gap: GapHistory, changes: Sequence[StatusChange], moment: datetime, as_of: datetime
) -> str | None:
    """`_open_at` for an end just after `moment`: what counts is what happened by then."""
    before = changes[: bisect_right([c.at for c in changes], moment)]
    status = before[-1].to_status if before else OPEN
    if status == DISMISSED:
        return None
    resolved = gap.resolutions(moment, as_of, strict=False)
    if resolved and not any(c.to_status == OPEN and c.at >= max(resolved) for c in before):
        return None
    return status


def tally_gaps(
    gaps: Iterable[GapHistory], spans: Sequence[Period], as_of: datetime
) -> list[GapTally]:
    """Per period: the gaps' events, the gaps open at its end and the medians' values."""
    tallies = [GapTally() for _ in spans]
    # In UTC, like the gaps' moments: comparing two times of one zone object skips working
    # out each one's offset.
    starts = [as_utc(span.start) for span in spans]
    ends = [as_utc(span.end) for span in spans]  # UTC like the gaps' moments: cheap to compare
    opened, untriaged = [0] * len(spans), [0] * len(spans)
    count = len(spans)
    for gap in gaps:
        if gap.flagged_at > as_of or not spans:
            continue
        if not (gap.changes or gap.verified_at or gap.closed_at or gap.closings):
            # Flagged and nothing since (most gaps): counted where the full rules below would
            # count it, without working out its moments.
            index = locate(gap.flagged_at, starts, ends)
            if index is not None:
                tallies[index].events[FLAGGED] += 1
            low = bisect_right(ends, gap.flagged_at)
            if low < count:
                opened[low] += 1
                untriaged[low] += 1
            continue
        changes = [change for change in gap.changes if change.at <= as_of]
        marked = set()
        for moment, event in _events(gap, changes, as_of):
            index = locate(moment, starts, ends)
            if index is not None and (index, event) not in marked:
                marked.add((index, event))
                tallies[index].events[event] += 1
        _tally_durations(gap, changes, starts, ends, as_of, tallies)
        _sweep_open(gap, changes, ends, as_of, opened, untriaged)
    running_open = running_untriaged = 0
    for index, tally in enumerate(tallies):
        running_open += opened[index]
        running_untriaged += untriaged[index]
        tally.open_at_end, tally.untriaged_at_end = running_open, running_untriaged
    return tallies


def _sweep_open(
    gap: GapHistory,
    changes: Sequence[StatusChange],
    ends: Sequence[datetime],
    as_of: datetime,
    opened: list[int],
    untriaged: list[int],
) -> None:
    """Add the gap to the open (and untriaged) counts of the periods it was open at the end
    of, as differences: +1 at the first such period, -1 after the last.

    `_open_at` is the rule; it changes value only at the gap's own moments (flagged, each
    status change, verified, closed), so it is asked once per moment, not once per period:
    its value just after a moment holds for every period end up to the next moment.
    """
    moments = sorted(
        {
            gap.flagged_at,
            *(c.at for c in changes if c.at > gap.flagged_at),
            *(m for m in (gap.verified_at, gap.closed_at) if m is not None and m > gap.flagged_at),
            *(m for span in gap.closings for m in span if m > gap.flagged_at),
        }
    )
    count = len(ends)
    for position, moment in enumerate(moments):
        status = _open_after(gap, changes, moment, as_of)
        if status is None:
            continue
        low = bisect_right(ends, moment)
        high = bisect_right(ends, moments[position + 1]) if position + 1 < len(moments) else count
        if low >= high:
            continue
        opened[low] += 1
        untriaged[low] += status == OPEN
        if high < count:
            opened[high] -= 1
            untriaged[high] -= status == OPEN


def _tally_durations(
    gap: GapHistory,
    changes: Sequence[StatusChange],
    starts: Sequence[datetime],
    ends: Sequence[datetime],
    as_of: datetime,
    tallies: list[GapTally],
) -> None:
    """Add the gap's time to first triage, and from it to verification, to their periods."""
    triage = first_triage(changes)
    if triage is None:
        return
    index = locate(triage.at, starts, ends)
    if index is not None:
        elapsed = (triage.at - gap.flagged_at).total_seconds()
        tallies[index].hours_to_triage.append(elapsed / HOUR)
    verified = _known(gap.verified_at, as_of)
    if verified is None or verified < triage.at:
        return
    index = locate(verified, starts, ends)
    if index is not None:
        tallies[index].days_to_verified.append((verified - triage.at).total_seconds() / DAY)
