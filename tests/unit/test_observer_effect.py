"""Announced against unannounced walks: rates, the test between them, per-group verdicts."""

from __future__ import annotations

import pytest

from gemba.domain.observer_effect import GroupRate, ObserverEffect, describe, split
from gemba.domain.proportions import FISHER, fisher_exact
from gemba.domain.saydo import FrequencyClaim, MeasureClaim, Observation, wilson_interval


def walks(prefix: str, performed: int, missed: int) -> list[Observation]:
    """Make behaviour facts: `performed` seen done, `missed` seen not done."""
    return [Observation(f"{prefix}p{i}", performed=True) for i in range(performed)] + [
        Observation(f"{prefix}m{i}", performed=False) for i in range(missed)
    ]


def flags(effect: ObserverEffect) -> tuple[bool | None, bool | None, bool | None]:
    """Say which verdicts are gaps: (all walks, announced, unannounced); None for no verdict."""
    overall, announced, unannounced = (
        None if v is None else v.contradicted
        for v in (effect.verdict, effect.verdict_announced, effect.verdict_unannounced)
    )
    return overall, announced, unannounced


def test_effect_and_a_claim_that_holds_only_on_announced_walks() -> None:
    # 13 of 14 on announced walks, 5 of 14 unannounced. "usually" (≥ 70 %) holds on all 28
    # (18 of 28, CI 46–79 %) and on announced walks, but unannounced walks contradict it.
    effect = split(FrequencyClaim("usually"), walks("a", 13, 1), walks("u", 5, 9))
    assert (effect.announced.k, effect.announced.n) == (13, 14)
    assert effect.announced.rate == pytest.approx(13 / 14)
    assert (effect.announced.ci_low, effect.announced.ci_high) == wilson_interval(13, 14)
    assert (effect.unannounced.k, effect.unannounced.n) == (5, 14)
    assert effect.comparison.test == FISHER
    assert effect.comparison.p_value == pytest.approx(fisher_exact(13, 1, 5, 9))
    assert effect.comparison.p_value == pytest.approx(0.004424, rel=1e-3)  # scipy fisher_exact
    assert effect.effect
    assert flags(effect) == (False, False, True)
    assert effect.only_announced
    assert not effect.only_unannounced
    assert describe(effect) == [
        "Announced walks: 13 of 14 done (93%, 95% CI 69–99%)",
        "Unannounced walks: 5 of 14 done (36%, 95% CI 16–61%)",
        "Observer effect: the rates differ beyond chance (Fisher's exact test, p = 0.0044)",
        "The claim holds only on announced walks: on unannounced walks "
        '5 of 14 done (36%, 95% CI 16–61%) contradicts "usually"',
    ]


def test_a_gap_that_shows_only_on_unannounced_walks() -> None:
    # "always": every announced walk fits it, so the gap (on all walks and on unannounced
    # ones) rests on the unannounced walks alone.
    effect = split(FrequencyClaim("always"), walks("a", 14, 0), walks("u", 5, 9))
    assert effect.effect
    assert flags(effect) == (True, False, True)
    assert effect.only_unannounced
    assert not effect.only_announced
    assert describe(effect)[-1] == (
        "The gap shows only on unannounced walks: on announced walks "
        '14 of 14 done (100%, 95% CI 78–100%) fits "always"'
    )


def test_no_effect() -> None:
    effect = split(FrequencyClaim("usually"), walks("a", 10, 4), walks("u", 9, 5))
    assert not effect.effect
    assert effect.comparison.p_value == pytest.approx(1.0)
    assert not effect.only_announced
    assert not effect.only_unannounced
    assert describe(effect) == [
        "Announced walks: 10 of 14 done (71%, 95% CI 45–88%)",
        "Unannounced walks: 9 of 14 done (64%, 95% CI 39–84%)",
        "No observer effect shown (Fisher's exact test, p = 1.00)",
    ]


def test_same_verdict_everywhere_is_not_one_sided() -> None:
    # "always" is contradicted on both kinds of walk: nothing holds on one kind only.
    effect = split(FrequencyClaim("always"), walks("a", 12, 2), walks("u", 5, 9))
    assert flags(effect) == (True, True, True)
    assert not effect.only_announced
    assert not effect.only_unannounced


def test_empty_group() -> None:
    effect = split(FrequencyClaim("always"), walks("a", 4, 0), [])
    assert effect.unannounced == GroupRate(0, 0, None, None, None)
    assert effect.verdict_unannounced is None
    assert effect.verdict_announced is not None
    assert not effect.effect
    assert effect.comparison.reason == "no observations in the second group"
    assert not effect.only_announced  # the other group has no evidence of its own
    assert describe(effect) == [
        "Announced walks: 4 of 4 done (100%, 95% CI 51–100%)",
        "Unannounced walks: no behaviour observed",
        "No observer effect can be shown: no observations in the second group",
    ]


def test_both_groups_empty() -> None:
    effect = split(FrequencyClaim("always"), [], [])
    assert effect.verdict is None
    assert not effect.effect
    assert describe(effect)[0] == "Announced walks: no behaviour observed"


def test_measurements_are_ignored() -> None:
    timing = [Observation("t1", value=12.0, unit="min"), Observation("t2", value=3.0, unit="min")]
    effect = split(FrequencyClaim("usually"), walks("a", 13, 1) + timing, walks("u", 5, 9))
    plain = split(FrequencyClaim("usually"), walks("a", 13, 1), walks("u", 5, 9))
    assert effect.announced == plain.announced
    assert effect.verdict == plain.verdict
    assert effect.only_announced


def test_measure_claim_gets_no_verdicts() -> None:
    effect = split(MeasureClaim(10, "min"), walks("a", 13, 1), walks("u", 5, 9))
    assert effect.verdict is None
    assert effect.effect
    assert not effect.only_announced
    assert not effect.only_unannounced


def test_claim_none_gives_only_the_split() -> None:
    effect = split(None, walks("a", 14, 0), walks("u", 5, 9))
    assert effect.claim is None
    assert (effect.verdict, effect.verdict_announced, effect.verdict_unannounced) == (
        None,
        None,
        None,
    )
    assert effect.effect
    assert not effect.only_announced
    assert not effect.only_unannounced
    assert len(describe(effect)) == 3


def test_alpha_is_passed_on() -> None:
    effect = split(None, walks("a", 13, 1), walks("u", 5, 9), alpha=0.001)
    assert not effect.effect
    assert describe(effect)[-1] == "No observer effect shown (Fisher's exact test, p = 0.0044)"
