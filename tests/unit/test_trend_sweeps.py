"""The fast paths of the trend tallies count exactly what their rules say: the open gaps
at each period's end (swept over a gap's own moments) against `_open_at` asked at every
end, and the observed and stale topics against `topic_state` per period, on random
histories with moments on and around the period edges."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from gemba.domain.trend_coverage import TopicSeen, tally_topics, topic_state
from gemba.domain.trend_gaps import (
    GAP_STATUSES,
    GapHistory,
    StatusChange,
    _open_at,
    tally_gaps,
)
from gemba.domain.trend_periods import MONTH, WEEK, periods

ZONE = "Europe/Warsaw"  # clocks change in March and October
START = datetime(2026, 1, 5, tzinfo=UTC)


def _moment(rng: random.Random, spans) -> datetime:
    """A moment anywhere, or exactly on (or a second off) a period's edge."""
    if rng.random() < 0.3:
        edge = rng.choice(spans).end.astimezone(UTC)
        return edge + timedelta(seconds=rng.choice((-1, 0, 0, 1)))
    return START + timedelta(minutes=rng.randrange(0, 60 * 24 * 400))


def _gap(rng: random.Random, n: int, spans) -> GapHistory:
    flagged = _moment(rng, spans)
    changes, at = [], flagged
    status = "open"
    for _ in range(rng.choice((0, 0, 1, 2, 4))):
        at = at + timedelta(hours=rng.randrange(0, 24 * 40)) if rng.random() < 0.9 else at
        new = rng.choice(GAP_STATUSES)
        changes.append(StatusChange(at, status, new))
        status = new
    later = [None, None, _moment(rng, spans)]
    closings = []
    if rng.random() < 0.3:  # closed by evidence, then flagged again
        closed = _moment(rng, spans)
        closings.append((closed, closed + timedelta(hours=rng.randrange(0, 24 * 60))))
    return GapHistory(
        gap_id=n,
        site_id="s",
        topic_id=None,
        flagged_at=flagged,
        changes=changes,
        verified_at=rng.choice(later),
        closed_at=rng.choice(later),
        closings=closings,
    )


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("unit", [WEEK, MONTH])
def test_open_gaps_swept_over_their_moments_match_the_rule_at_every_end(seed, unit):
    rng = random.Random(seed)
    spans = periods(START, START + timedelta(days=300), unit, ZONE)
    as_of = _moment(rng, spans)
    gaps = [_gap(rng, n, spans) for n in range(60)]
    tallies = tally_gaps(gaps, spans, as_of)
    for index, span in enumerate(spans):
        statuses = [
            _open_at(g, [c for c in g.changes if c.at <= as_of], span.end, as_of)
            for g in gaps
            if g.flagged_at <= as_of
        ]
        assert tallies[index].open_at_end == sum(s is not None for s in statuses), index
        assert tallies[index].untriaged_at_end == sum(s == "open" for s in statuses), index


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("unit", [WEEK, MONTH])
@pytest.mark.parametrize("weeks", [1, 4])
def test_observed_and_stale_topics_match_the_rule_per_period(seed, unit, weeks):
    rng = random.Random(seed)
    spans = periods(START, START + timedelta(days=300), unit, ZONE)
    as_of = _moment(rng, spans)
    topics = [
        TopicSeen(
            "s",
            n,
            [_moment(rng, spans) for _ in range(rng.choice((0, 1, 3, 8)))],
            rng.choice((None, _moment(rng, spans))),
        )
        for n in range(80)
    ]
    counts = tally_topics(topics, spans, as_of, weeks)
    for index, span in enumerate(spans):
        states = [topic_state(t, span, as_of, weeks) for t in topics]
        assert counts[index] == {
            "observed": states.count("observed"),
            "stale": states.count("stale"),
        }, index
