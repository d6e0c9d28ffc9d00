"""Two observers on one walk: their facts paired topic by topic and place by place."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gemba.domain.calibration import CheckedFact, compare

T0 = datetime(2026, 11, 2, 8, tzinfo=UTC)


def facts(walk, observer, topic, outcomes, place="press 2", start=0):
    return [
        CheckedFact(walk, observer, topic, place, T0 + timedelta(minutes=start + i), done)
        for i, done in enumerate(outcomes)
    ]


def test_identical_logs_agree_perfectly():
    log = [True, False, True, True, False]
    result = compare([facts("w1", "ana", "gloves", log) + facts("w2", "ben", "gloves", log)])
    agreement = result.by_pair[("ana", "ben")]
    assert (agreement.n, agreement.agreed, agreement.kappa) == (5, 5, 1.0)
    assert result.by_topic["gloves"].kappa == 1.0
    assert not result.low()


def test_facts_pair_only_on_the_same_topic_and_place_in_time_order():
    group = (
        facts("w1", "ana", "gloves", [True, False, True])
        + facts("w2", "ben", "gloves", [True, True], start=10)  # logged later, same order
        + facts("w2", "ben", "gloves", [False], place="paint shop")  # no partner there
        + facts("w1", "ana", "guard", [True])  # ben never logged it
    )
    result = compare([group])
    agreement = result.by_pair[("ana", "ben")]
    assert (agreement.n, agreement.agreed) == (2, 1)
    assert set(result.by_topic) == {"gloves"}
    assert result.unpaired == 1  # ana's third glove check had no partner
    place = result.places[0]
    assert (place.topic, place.place, place.disagreed, place.done) == (
        "gloves",
        "press 2",
        1,
        (1, 2),
    )


def test_a_third_observer_pairs_with_both_and_only_the_odd_one_is_flagged():
    log = [True, False, True] * 4
    group = (
        facts("w1", "ana", "gloves", log)
        + facts("w2", "ben", "gloves", log)
        + facts("w3", "cy", "gloves", [not x for x in log])
    )
    result = compare([group])
    assert set(result.by_pair) == {("ana", "ben"), ("ana", "cy"), ("ben", "cy")}
    # Every event told apart: as far below chance as these shares allow.
    assert result.by_pair[("ana", "cy")].kappa == pytest.approx(-0.8)
    # cy disagrees with both on every event: the one to walk with.
    assert result.by_observer["cy"].kappa < result.by_observer["ana"].kappa
    # ana's pooled kappa is low too (she disagrees with cy), but ben agrees with her.
    assert result.by_observer["ana"].kappa < 0.4
    assert result.low() == ["cy"]


def test_low_agreement_is_flagged_only_on_enough_events():
    pattern = [True, False, True, True, False, False, True, False, True, False, True, True]
    opposite = [not x for x in pattern]
    few = compare(
        [facts("w1", "ana", "gloves", pattern[:6]) + facts("w2", "cy", "gloves", opposite[:6])]
    )
    assert few.by_observer["cy"].kappa < 0.4
    assert few.low() == []  # six events single nobody out
    many = compare([facts("w1", "ana", "gloves", pattern) + facts("w2", "cy", "gloves", opposite)])
    assert set(many.low()) == {"ana", "cy"}  # with two observers neither can be told apart


def test_places_with_most_disagreement_come_first():
    group = (
        facts("w1", "ana", "gloves", [True] * 4, place="a")
        + facts("w2", "ben", "gloves", [True, True, True, False], place="a")
        + facts("w1", "ana", "gloves", [True, True], place="b")
        + facts("w2", "ben", "gloves", [False, False], place="b")
    )
    result = compare([group])
    assert [p.place for p in result.places] == ["b", "a"]


def test_groups_are_compared_separately_and_pooled_per_pair():
    first = facts("w1", "ana", "gloves", [True, False]) + facts(
        "w2", "ben", "gloves", [True, False]
    )
    second = facts("w3", "ben", "gloves", [True, True]) + facts(
        "w4", "ana", "gloves", [True, False]
    )
    result = compare([first, second])
    agreement = result.by_pair[("ana", "ben")]
    assert (agreement.n, agreement.agreed) == (4, 3)
    # w1 never pairs with w3: they are different walks, not one calibration group.
    assert len(result.places) == 2
