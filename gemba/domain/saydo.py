"""Say-vs-do verdicts: does what was observed on the floor contradict what was said?

A verdict is a pure function of a claim, the observations on its topic at its site and
the facts an observer marked as contradicting it. No Flask, no database: the write path
and the full recompute both call :func:`judge`, and because the result does not depend
on the order of its inputs they always agree. The rules are explained in docs/saydo.md.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from gemba.domain import explanations as explain
from gemba.domain.bounds import is_measure, is_tolerance
from gemba.domain.intervals import wilson_interval
from gemba.domain.phrases import Phrase, english
from gemba.domain.quantiles import t_quantile_975
from gemba.domain.units import (
    IncompatibleUnits,
    canonical_unit,
    convert,
)

FREQUENCY_WORDS = ("always", "usually", "sometimes", "rarely", "never")
FREQUENCY_BANDS: dict[str, tuple[float, float]] = {
    "always": (1.0, 1.0),
    "usually": (0.7, 1.0),
    "sometimes": (0.2, 0.8),
    "rarely": (0.0, 0.2),
    "never": (0.0, 0.0),
}
DEFAULT_TOLERANCE = 0.2
NOTE_LIMIT = 80
_TINY = 1e-12

_COMPARATORS = {"<=": "<=", "≤": "<=", ">=": ">=", "≥": ">="}


@dataclass(frozen=True)
class FrequencyClaim:
    """Someone said how often a behaviour happens: "always", "usually", ..."""

    word: str


@dataclass(frozen=True)
class MeasureClaim:
    """Someone said how much or how long: a typical value ± tolerance, or a bound."""

    value: float
    unit: str | None
    tolerance: float | None = None  # fraction, e.g. 0.2 = ±20 %
    comparator: str | None = None  # None (typical value ± tolerance), "<=" or ">="


Claim = FrequencyClaim | MeasureClaim


@dataclass(frozen=True)
class Observation:
    """One fact on the topic at the site: a behaviour seen or not, or a measurement."""

    fact_id: str
    performed: bool | None = None  # behaviour facts
    value: float | None = None  # measurement facts
    unit: str | None = None


@dataclass(frozen=True)
class ManualLink:
    """An observer marked this fact as contradicting the statement."""

    fact_id: str
    note: str | None = None


@dataclass(frozen=True)
class Verdict:
    """What the evidence says about a claim, with the numbers and one readable line."""

    contradicted: bool
    kind: str  # "frequency" | "measure" | "manual" (manual when only manual links make it a gap)
    severity: float  # 0..1, how far outside the band
    confidence: float  # 0..1, how much evidence
    explanation: str  # one line a person can read
    evidence: tuple[str, ...]  # fact ids that contradict (sorted, unique), manual links included
    observed: int  # n: number of observations used in the statistics
    stats: dict  # JSON-serialisable numbers behind the verdict
    # The explanation as a phrase, for readers in other languages (gemba.domain.phrases).
    phrase: Phrase | None = field(default=None, compare=False)


def judge(
    claim: Claim | None,
    observations: Sequence[Observation],
    manual: Sequence[ManualLink] = (),
    *,
    ordered: bool = False,
    memo: dict | None = None,
) -> Verdict | None:
    """Decide whether observations (and observers' links) contradict a claim.

    `ordered=True` says the caller passes them in `in_order()`'s order already (the engine
    sorts each topic's list once, not once per claim on it). `memo` is a dict the caller
    keeps for one list of observations: claims judged against the same list then share
    the counting and the unit conversion of its observations (a topic's claims, in a
    recompute).
    """
    if not ordered:
        observations = in_order(observations)
    links = sorted(manual, key=lambda link: (link.fact_id, link.note or ""))
    if claim is None:
        verdict = None
    elif isinstance(claim, FrequencyClaim):
        verdict = _judge_frequency(claim, observations, memo)
    elif isinstance(claim, MeasureClaim):
        verdict = _judge_measure(claim, observations, memo)
    else:
        raise TypeError(f"not a claim: {claim!r}")
    return _apply_manual(verdict, links)


def in_order(observations: Iterable[Observation]) -> list[Observation]:
    """The one order verdicts are computed in, so input order never changes a verdict."""
    return sorted(observations, key=_observation_key)


def _observation_key(observation: Observation) -> tuple[str, str, str, str]:
    """Give observations a total order, so input order never changes a verdict."""
    return (
        observation.fact_id,
        repr(observation.performed),
        repr(observation.value),
        observation.unit or "",
    )


def _behaviours(observations: Sequence[Observation]) -> tuple[list[str], list[str]]:
    """The observations' facts seen performed, and seen not performed."""
    performed = [o.fact_id for o in observations if o.performed]
    missed = [o.fact_id for o in observations if o.performed is False]
    return performed, missed


def _judge_frequency(
    claim: FrequencyClaim, observations: Sequence[Observation], memo: dict | None = None
) -> Verdict | None:
    """Compare the rate of performed behaviour with the band of the frequency word."""
    word = claim.word.strip().lower()
    if word not in FREQUENCY_BANDS:
        raise ValueError(f"unknown frequency word {claim.word!r}; use one of {FREQUENCY_WORDS}")
    band_low, band_high = FREQUENCY_BANDS[word]
    if memo is None:
        performed, missed = _behaviours(observations)
    else:
        if "behaviours" not in memo:
            memo["behaviours"] = _behaviours(observations)
        performed, missed = memo["behaviours"]
    if not performed and not missed:
        return None
    k, n = len(performed), len(performed) + len(missed)
    rate = k / n
    low, high = wilson_interval(k, n)
    if high < band_low:
        evidence = missed
    elif low > band_high:
        evidence = performed
    else:
        evidence = []
    phrase = explain.frequency(word, k, n, rate, low, high)
    return Verdict(
        contradicted=bool(evidence),
        kind="frequency",
        severity=max(band_low - rate, rate - band_high, 0.0),
        confidence=1.0 - (high - low),
        explanation=english(phrase),
        evidence=_ids(evidence),
        observed=n,
        phrase=phrase,
        stats={
            "k": k,
            "n": n,
            "rate": rate,
            "ci_low": low,
            "ci_high": high,
            "band_low": band_low,
            "band_high": band_high,
        },
    )


def _judge_measure(
    claim: MeasureClaim, observations: Sequence[Observation], memo: dict | None = None
) -> Verdict | None:
    """Convert measurements into the claim's unit and apply the bound or typical-value rule."""
    if claim.comparator is not None and claim.comparator not in _COMPARATORS:
        raise ValueError(f"comparator must be '<=' or '>=', got {claim.comparator!r}")
    # Numbers beyond the bounds (NaN, 1e308 h) are refused when written; one stored before
    # says nothing, so no statistic meets an infinity and every result stays finite.
    usable_tolerance = claim.tolerance is None or is_tolerance(claim.tolerance)
    if not (is_measure(claim.value, claim.unit) and usable_tolerance):
        return None
    unit = canonical_unit(claim.unit) or "count"
    if memo is None:
        values, excluded = _measured(observations, unit)
    else:
        key = ("measured", unit)
        if key not in memo:
            memo[key] = _measured(observations, unit)
        values, excluded = memo[key]
    if not values:
        return None
    note = explain.excluded_note(excluded)
    if claim.comparator is None:
        verdict = _judge_typical(claim, unit, values, note)
    else:
        verdict = _judge_bound(claim, _COMPARATORS[claim.comparator], unit, values, note)
    return replace(verdict, stats={**verdict.stats, "excluded": sum(excluded.values())})


def _measured(
    observations: Sequence[Observation], unit: str
) -> tuple[list[tuple[str, float]], Counter[str]]:
    """The observations' values in the unit (fact id, value), and how many of each other
    unit could not be converted to it."""
    values: list[tuple[str, float]] = []
    excluded: Counter[str] = Counter()
    for observation in observations:
        if not is_measure(observation.value, observation.unit):
            continue
        try:
            value = float(convert(observation.value, observation.unit, unit))
        except IncompatibleUnits:
            excluded[canonical_unit(observation.unit) or "count"] += 1
        else:
            values.append((observation.fact_id, value))
    return values, excluded


def _judge_bound(
    claim: MeasureClaim,
    comparator: str,
    unit: str,
    values: list[tuple[str, float]],
    note: Phrase | None,
) -> Verdict:
    """Treat "≤ x" / "≥ x" as a universal claim: one observation beyond the bound contradicts."""
    tolerance = claim.tolerance or 0.0
    slack = abs(claim.value) * tolerance
    if comparator == "<=":
        limit, label = claim.value + slack, "max"
        worst = max(value for _, value in values)
        beyond = [fact_id for fact_id, value in values if value > limit]
        excess = worst - limit
    else:
        limit, label = claim.value - slack, "min"
        worst = min(value for _, value in values)
        beyond = [fact_id for fact_id, value in values if value < limit]
        excess = limit - worst
    n = len(values)
    low, high = wilson_interval(len(beyond), n)
    _, line = explain.bound(comparator, claim.value, unit, tolerance, len(beyond), n, worst)
    phrase = explain.with_note(line, note)
    return Verdict(
        contradicted=bool(beyond),
        kind="measure",
        severity=min(1.0, max(0.0, excess / (abs(limit) or 1.0))),
        confidence=1.0 - (high - low),
        explanation=english(phrase),
        evidence=_ids(beyond),
        observed=n,
        phrase=phrase,
        stats={
            "n": n,
            "beyond": len(beyond),
            "value": float(claim.value),
            "tolerance": tolerance,
            "limit": limit,
            label: worst,
            "ci_low": low,
            "ci_high": high,
            "unit": unit,
        },
    )


def _judge_typical(
    claim: MeasureClaim, unit: str, values: list[tuple[str, float]], note: Phrase | None
) -> Verdict:
    """Flag a typical value when the 95 % t interval of the mean lies wholly outside its band."""
    tolerance = DEFAULT_TOLERANCE if claim.tolerance is None else claim.tolerance
    half_width = abs(claim.value) * tolerance
    band_low, band_high = claim.value - half_width, claim.value + half_width
    samples = [value for _, value in values]
    n = len(samples)
    mean = statistics.fmean(samples)
    distance = max(band_low - mean, mean - band_high, 0.0)
    severity = min(1.0, distance / (abs(claim.value) or half_width or 1.0))
    said = explain.typical_claim(claim.value, unit, tolerance)
    stats: dict = {
        "n": n,
        "mean": mean,
        "value": float(claim.value),
        "tolerance": tolerance,
        "band_low": band_low,
        "band_high": band_high,
        "unit": unit,
    }
    if n == 1:
        phrase = explain.with_note(explain.typical_once(said, mean, unit), note)
        return Verdict(False, "measure", severity, 0.0, english(phrase), (), n, stats, phrase)
    sd = _stdev(samples, mean)
    t = t_quantile_975(n - 1)
    margin = t * sd / math.sqrt(n)
    low, high = mean - margin, mean + margin
    if high < band_low:
        evidence = [fact_id for fact_id, value in values if value < band_low]
    elif low > band_high:
        evidence = [fact_id for fact_id, value in values if value > band_high]
    else:
        evidence = []
    phrase = explain.with_note(explain.typical(said, mean, unit, n, low, high), note)
    return Verdict(
        contradicted=bool(evidence),
        kind="measure",
        severity=severity,
        confidence=1.0 - min(1.0, (high - low) / max(abs(mean), _TINY)),
        explanation=english(phrase),
        evidence=_ids(evidence),
        observed=n,
        phrase=phrase,
        stats={**stats, "sd": sd, "t": t, "ci_low": low, "ci_high": high},
    )


def _stdev(samples: list[float], mean: float) -> float:
    """The sample standard deviation in floats, two-pass with fsum: as exact as a verdict
    needs, and many times faster than `statistics.stdev`'s exact fractions."""
    return math.sqrt(math.fsum((x - mean) ** 2 for x in samples) / (len(samples) - 1))


def _apply_manual(verdict: Verdict | None, links: Sequence[ManualLink]) -> Verdict | None:
    """Make manual links a gap whatever the statistics, keeping statistical detail if any."""
    if not links:
        return verdict
    manual_ids = {link.fact_id for link in links}
    count = len(manual_ids)
    if verdict is not None and verdict.contradicted:
        line = verdict.phrase or Phrase(verdict.explanation.replace("%", "%%"))
        phrase = explain.manual_added(line, count)
        return replace(
            verdict,
            explanation=english(phrase),
            phrase=phrase,
            evidence=_ids([*verdict.evidence, *manual_ids]),
            stats={**verdict.stats, "manual": count},
        )
    note = next((_one_line(link.note) for link in links if link.note and link.note.strip()), None)
    phrase = explain.manual_only(note, count)
    return Verdict(
        contradicted=True,
        kind="manual",
        severity=0.5,
        confidence=1.0,
        explanation=english(phrase),
        phrase=phrase,
        evidence=_ids(manual_ids),
        observed=verdict.observed if verdict else 0,
        stats={**(verdict.stats if verdict else {}), "manual": count},
    )


def _ids(fact_ids: Iterable[str]) -> tuple[str, ...]:
    """Return fact ids sorted and unique, so evidence never depends on input order."""
    return tuple(sorted(set(fact_ids)))


def _one_line(note: str) -> str:
    """Collapse a note onto one line and cut it to NOTE_LIMIT characters."""
    text = " ".join(note.split())
    return text if len(text) <= NOTE_LIMIT else text[: NOTE_LIMIT - 1].rstrip() + "…"


def voiced(standard: str | None, verdict: Verdict) -> Verdict:
    """A plan's standard is not something a person said: 'The standard (SOP-12 rev C)
    says "always"; observed 11 of 15 …' instead of 'Said "always"; …'."""
    if standard is None or verdict.phrase is None:
        return verdict
    phrase = explain.voiced(standard, verdict.phrase)
    return replace(verdict, explanation=english(phrase), phrase=phrase)
