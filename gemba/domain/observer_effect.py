"""Announced against unannounced walks: did they only do it because someone was watching?

People behave differently when a walk is announced (the Hawthorne effect). Splitting the
behaviour observations of a topic by whether their walk was announced, this module gives
each group's rate with its Wilson interval, tests whether the rates differ beyond chance
(:func:`gemba.domain.proportions.compare_rates`) and judges the claim on each group with
:func:`gemba.domain.saydo.judge`, so a reader sees when a verdict rests on announced walks
alone. Pure ``math``; explained in docs/saydo.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gemba.domain.explanations import percent
from gemba.domain.phrases import N_, Phrase, Word, english
from gemba.domain.proportions import FISHER, Z_TEST, RateComparison, compare_rates, format_p
from gemba.domain.saydo import Claim, FrequencyClaim, Observation, Verdict, judge, wilson_interval

ANNOUNCED = "announced"
UNANNOUNCED = "unannounced"


@dataclass(frozen=True)
class GroupRate:
    """How often the behaviour was seen on one kind of walk: k of n, with its 95 % interval."""

    k: int
    n: int
    rate: float | None  # None when the group has no behaviour observations
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True)
class ObserverEffect:
    """Announced against unannounced walks for one claim's topic.

    ``only_announced``: the overall verdict holds only on announced walks, i.e. the overall
    verdict's contradicted flag equals the announced group's, and the unannounced group
    has a verdict of its own with the opposite flag. ``only_unannounced`` likewise. At most
    one of the two is true; both are False when the claim is None or any verdict is None.
    """

    claim: Claim | None
    announced: GroupRate
    unannounced: GroupRate
    comparison: RateComparison  # announced is the first group, unannounced the second
    effect: bool  # the rates differ beyond chance
    verdict: Verdict | None  # the claim judged on all walks together
    verdict_announced: Verdict | None
    verdict_unannounced: Verdict | None
    only_announced: bool
    only_unannounced: bool


def split(
    claim: Claim | None,
    announced: Sequence[Observation],
    unannounced: Sequence[Observation],
    alpha: float = 0.05,
) -> ObserverEffect:
    """Compare behaviour on announced walks with behaviour on unannounced ones.

    Only behaviour observations count (``performed`` not None); measurements are ignored
    here, so a measure claim gets no verdicts. With claim None only the split is made.
    """
    done_announced = _behaviour(announced)
    done_unannounced = _behaviour(unannounced)
    first, second = _rate(done_announced), _rate(done_unannounced)
    comparison = compare_rates(first.k, first.n, second.k, second.n, alpha)
    if claim is None:
        overall = on_announced = on_unannounced = None
    else:
        overall = judge(claim, [*done_announced, *done_unannounced])
        on_announced = judge(claim, done_announced)
        on_unannounced = judge(claim, done_unannounced)
    return ObserverEffect(
        claim=claim,
        announced=first,
        unannounced=second,
        comparison=comparison,
        effect=comparison.differs,
        verdict=overall,
        verdict_announced=on_announced,
        verdict_unannounced=on_unannounced,
        only_announced=_holds_only_on(overall, on_announced, on_unannounced),
        only_unannounced=_holds_only_on(overall, on_unannounced, on_announced),
    )


def _behaviour(observations: Sequence[Observation]) -> list[Observation]:
    """Keep the observations that say whether the behaviour was performed."""
    return [o for o in observations if o.performed is not None]


def _rate(observations: Sequence[Observation]) -> GroupRate:
    """Count performed behaviour and put a Wilson interval around its rate."""
    n = len(observations)
    k = sum(1 for o in observations if o.performed)
    if n == 0:
        return GroupRate(0, 0, None, None, None)
    low, high = wilson_interval(k, n)
    return GroupRate(k, n, k / n, low, high)


def _holds_only_on(overall: Verdict | None, this: Verdict | None, other: Verdict | None) -> bool:
    """Say whether the overall verdict agrees with this group and the other group, which has
    evidence of its own, says the opposite."""
    if overall is None or this is None or other is None:
        return False
    return overall.contradicted == this.contradicted != other.contradicted


def describe(effect: ObserverEffect) -> list[str]:
    """Write the split as lines a person can read: each group's rate, whether the rates
    differ beyond chance, and when the verdict holds on one kind of walk only."""
    return [english(line) for line in phrased(effect)]


def phrased(effect: ObserverEffect) -> list[Phrase]:
    """The lines of `describe` as phrases, for readers in other languages."""
    lines = [
        Phrase(N_("Announced walks: %(rate)s"), {"rate": _group_text(effect.announced)}),
        Phrase(N_("Unannounced walks: %(rate)s"), {"rate": _group_text(effect.unannounced)}),
        _effect_text(effect.comparison),
    ]
    if effect.only_announced:
        lines.append(_only_text(effect, True, effect.unannounced))
    elif effect.only_unannounced:
        lines.append(_only_text(effect, False, effect.announced))
    return lines


def _group_text(group: GroupRate) -> Phrase:
    """ "13 of 14 done (93%, 95% CI 69–99%)", or that nothing was observed."""
    if group.rate is None or group.ci_low is None or group.ci_high is None:
        return Phrase(N_("no behaviour observed"))
    return Phrase(
        N_("%(k)s of %(n)s done (%(rate)s%%, 95%% CI %(low)s–%(high)s%%)"),
        {
            "k": group.k,
            "n": group.n,
            "rate": percent(group.rate),
            "low": percent(group.ci_low),
            "high": percent(group.ci_high),
        },
    )


# Why nothing was tested (gemba.domain.proportions writes these in English).
_REASONS = {
    "no observations in the first group": N_("no observations in the first group"),
    "no observations in the second group": N_("no observations in the second group"),
    "no observations in either group": N_("no observations in either group"),
}
_TESTS = {FISHER: N_("Fisher's exact test"), Z_TEST: N_("two-proportion z test")}


def _effect_text(comparison: RateComparison) -> Phrase:
    """Say whether the rates differ beyond chance, naming the test and its p-value."""
    if comparison.test is None:
        reason = comparison.reason or ""
        return Phrase(
            N_("No observer effect can be shown: %(reason)s"),
            {"reason": Word(_REASONS[reason]) if reason in _REASONS else reason},
        )
    detail = {
        "test": Word(_TESTS.get(comparison.test, comparison.test)),
        "p": format_p(comparison.p_value),
    }
    if comparison.differs:
        return Phrase(
            N_("Observer effect: the rates differ beyond chance (%(test)s, %(p)s)"), detail
        )
    return Phrase(N_("No observer effect shown (%(test)s, %(p)s)"), detail)


def _only_text(effect: ObserverEffect, on_announced: bool, other: GroupRate) -> Phrase:
    """ "The claim holds only on announced walks: on unannounced walks 5 of 14 done … contradicts
    "usually"", or the same for a gap that shows on one kind of walk only."""
    if isinstance(effect.claim, FrequencyClaim):
        said: Phrase | Word = Phrase(
            N_('"%(word)s"'), {"word": Word(effect.claim.word.strip().lower())}
        )
    else:
        said = Word(N_("the claim"))
    values = {"rate": _group_text(other), "said": said}
    if effect.verdict is not None and effect.verdict.contradicted:
        if on_announced:
            template = N_(
                "The gap shows only on announced walks: on unannounced walks %(rate)s fits %(said)s"
            )
        else:
            template = N_(
                "The gap shows only on unannounced walks: on announced walks %(rate)s fits %(said)s"
            )
    elif on_announced:
        template = N_(
            "The claim holds only on announced walks: "
            "on unannounced walks %(rate)s contradicts %(said)s"
        )
    else:
        template = N_(
            "The claim holds only on unannounced walks: "
            "on announced walks %(rate)s contradicts %(said)s"
        )
    return Phrase(template, values)
