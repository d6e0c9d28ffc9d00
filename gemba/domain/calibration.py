"""Calibration walks: two observers log the same walk independently, and how far their
behaviour facts agree says whether the observations can be trusted.

Facts are compared where both walks logged the topic at the same place (by name, case
and spaces aside; no place counts as a place of its own). There, the i-th fact of one
observer pairs with the i-th of the other, in the order they were observed: two people
watching the same station log the same events in the same order. Agreement is Cohen's
kappa (gemba.domain.agreement), pooled per observer pair, per topic and per observer.
An observer is flagged when kappa with the others is below moderate (< 0.40) on enough
paired events (LOW_MIN_PAIRS) and no other observer agrees well with them, which is what
analysts act on; observers never see it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import combinations

from gemba.domain.agreement import Agreement, cohens_kappa, pair_in_order

LOW_KAPPA = 0.40  # below Landis & Koch's "moderate"
LOW_MIN_PAIRS = 10  # fewer paired events say too little to single anyone out
DONE, NOT_DONE = "done", "not done"


@dataclass(frozen=True)
class CheckedFact:
    """One behaviour fact of a calibration walk, as comparing needs it."""

    walk: Hashable
    observer: Hashable
    topic: Hashable
    place: str  # the place's matching key, "" when none
    observed_at: datetime
    performed: bool


@dataclass(frozen=True)
class Disagreement:
    """Where two walks of a calibration group logged one topic at one place differently."""

    walks: tuple[Hashable, Hashable]
    observers: tuple[Hashable, Hashable]
    topic: Hashable
    place: str
    agreement: Agreement
    done: tuple[int, int]  # each observer's "done" among the paired events
    unpaired: int  # events one observer logged and the other did not

    @property
    def disagreed(self) -> int:
        return self.agreement.n - self.agreement.agreed


@dataclass
class Calibration:
    """Agreement pooled every way an analyst asks for it."""

    by_pair: dict[tuple[Hashable, Hashable], Agreement] = field(default_factory=dict)
    by_topic: dict[Hashable, Agreement] = field(default_factory=dict)
    by_observer: dict[Hashable, Agreement] = field(default_factory=dict)
    places: list[Disagreement] = field(default_factory=list)  # most disagreement first
    unpaired: int = 0

    def low(self) -> list[Hashable]:
        """Observers whose agreement with the others is low, on enough paired events, and
        who agree well with no one: of three observers where one sees things differently,
        the other two also agree poorly with that one, but they agree with each other."""
        return [
            observer
            for observer, agreement in self.by_observer.items()
            if _is_low(agreement)
            and not any(
                observer in pair and _is_enough(paired) and not _is_low(paired)
                for pair, paired in self.by_pair.items()
            )
        ]


def _is_enough(agreement: Agreement) -> bool:
    return agreement.n >= LOW_MIN_PAIRS and agreement.kappa is not None


def _is_low(agreement: Agreement) -> bool:
    return _is_enough(agreement) and agreement.kappa < LOW_KAPPA


def compare(groups: Iterable[Sequence[CheckedFact]]) -> Calibration:
    """Agreement over calibration groups, each the behaviour facts of one walk and the
    walks that shadow it."""
    pooled: dict[str, dict[Hashable, list[tuple[str, str]]]] = {
        "pair": defaultdict(list),
        "topic": defaultdict(list),
        "observer": defaultdict(list),
    }
    result = Calibration()
    for facts in groups:
        for place in _compare_group(facts, pooled):
            result.places.append(place)
            result.unpaired += place.unpaired
    result.by_pair = {k: cohens_kappa(v) for k, v in pooled["pair"].items()}
    result.by_topic = {k: cohens_kappa(v) for k, v in pooled["topic"].items()}
    result.by_observer = {k: cohens_kappa(v) for k, v in pooled["observer"].items()}
    result.places.sort(key=_most_disagreement)
    return result


def _compare_group(
    facts: Sequence[CheckedFact], pooled: dict[str, dict[Hashable, list[tuple[str, str]]]]
) -> list[Disagreement]:
    """Every pair of the group's walks, topic by topic and place by place."""
    by_walk: dict[Hashable, dict[tuple[Hashable, str], list[CheckedFact]]] = defaultdict(
        lambda: defaultdict(list)
    )
    observer_of: dict[Hashable, Hashable] = {}
    for fact in sorted(facts, key=lambda f: (f.observed_at, str(f.walk))):
        by_walk[fact.walk][(fact.topic, fact.place)].append(fact)
        observer_of[fact.walk] = fact.observer
    out = []
    for first, second in combinations(sorted(by_walk, key=str), 2):
        observers = (observer_of[first], observer_of[second])
        pair_key = tuple(sorted(observers, key=str))
        for spot in sorted(set(by_walk[first]) & set(by_walk[second]), key=str):
            a = [_rating(f) for f in by_walk[first][spot]]
            b = [_rating(f) for f in by_walk[second][spot]]
            pairs, unpaired = pair_in_order(a, b)
            swapped = [(y, x) for x, y in pairs]
            # Each pooled table is oriented one way: the pair's first observer, the
            # observer whose agreement with the others it measures.
            pooled["pair"][pair_key].extend(pairs if pair_key == observers else swapped)
            pooled["topic"][spot[0]].extend(pairs)
            pooled["observer"][observers[0]].extend(pairs)
            if observers[1] != observers[0]:
                pooled["observer"][observers[1]].extend(swapped)
            done = (sum(x == DONE for x, _ in pairs), sum(y == DONE for _, y in pairs))
            agreement = cohens_kappa(pairs)
            out.append(
                Disagreement(
                    (first, second), observers, spot[0], spot[1], agreement, done, unpaired
                )
            )
    return out


def _rating(fact: CheckedFact) -> str:
    return DONE if fact.performed else NOT_DONE


def _most_disagreement(place: Disagreement) -> tuple[float, int, str]:
    share = place.disagreed / place.agreement.n if place.agreement.n else 0.0
    return -share, -place.disagreed, f"{place.topic}|{place.place}"
