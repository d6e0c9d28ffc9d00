"""Say-vs-do verdicts: frequency bands, measure rules, manual links, determinism."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gemba.domain.quantiles import t_quantile_975
from gemba.domain.saydo import (
    FREQUENCY_BANDS,
    FREQUENCY_WORDS,
    FrequencyClaim,
    ManualLink,
    MeasureClaim,
    Observation,
    Verdict,
    judge,
    wilson_interval,
)


def behaviour(performed: int, missed: int) -> list[Observation]:
    """Make `performed` facts where the behaviour was seen and `missed` where it was not."""
    return [Observation(f"p{i:05d}", performed=True) for i in range(performed)] + [
        Observation(f"m{i:05d}", performed=False) for i in range(missed)
    ]


def measured(*values: float, unit: str | None = "min") -> list[Observation]:
    """Make one measurement fact per value, ids v0, v1, ..."""
    return [Observation(f"v{i}", value=value, unit=unit) for i, value in enumerate(values)]


def verdict_of(claim: FrequencyClaim | MeasureClaim, observations: list[Observation]) -> Verdict:
    """Judge and insist that there is something to say."""
    verdict = judge(claim, observations)
    assert verdict is not None
    return verdict


# --- Wilson interval and t quantile -------------------------------------------------------


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        (0, 3, 0.0, 0.5615),
        (5, 10, 0.2366, 0.7634),
        (3, 3, 0.4385, 1.0),
        (0, 1, 0.0, 0.7935),
        (1, 1, 0.2065, 1.0),
        (7, 10, 0.3968, 0.8922),
        (60, 100, 0.5020, 0.6906),
    ],
)
def test_wilson_interval_matches_known_figures(k: int, n: int, low: float, high: float) -> None:
    assert wilson_interval(k, n) == pytest.approx((low, high), abs=5e-5)


def test_wilson_interval_is_exact_at_the_edges() -> None:
    assert wilson_interval(0, 7)[0] == 0.0
    assert wilson_interval(7, 7)[1] == 1.0
    assert wilson_interval(6, 7)[1] < 1.0
    assert wilson_interval(1, 7)[0] > 0.0


def test_wilson_interval_stays_inside_the_edges_for_huge_n() -> None:
    low, high = wilson_interval(10**17 - 1, 10**17)
    assert high < 1.0
    low, high = wilson_interval(1, 10**17)
    assert low > 0.0


@pytest.mark.parametrize(("k", "n"), [(0, 0), (1, 0), (-1, 3), (4, 3), (0, -2)])
def test_wilson_interval_rejects_impossible_counts(k: int, n: int) -> None:
    with pytest.raises(ValueError, match="must be"):
        wilson_interval(k, n)


@pytest.mark.parametrize(
    ("df", "expected"),
    [
        (1, 12.706),
        (2, 4.303),
        (5, 2.571),
        (10, 2.228),
        (20, 2.086),
        (30, 2.042),
        (31, 2.040),
        (40, 2.021),
        (60, 2.000),
        (100, 1.984),
        (1000, 1.962),
    ],
)
def test_t_quantile_matches_tables(df: int, expected: float) -> None:
    assert t_quantile_975(df) == pytest.approx(expected, abs=5e-4)


def test_t_quantile_falls_steadily_towards_the_normal_quantile() -> None:
    quantiles = [t_quantile_975(df) for df in range(1, 500)]
    assert all(a > b for a, b in zip(quantiles, quantiles[1:], strict=False))
    assert quantiles[-1] > 1.959963984540054


def test_t_quantile_needs_a_degree_of_freedom() -> None:
    with pytest.raises(ValueError, match="degrees of freedom"):
        t_quantile_975(0)


# --- Frequency claims ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "performed", "missed", "contradicted"),
    [
        # always = 100 %: any miss contradicts, k == n never does
        ("always", 3, 0, False),
        ("always", 1, 0, False),
        ("always", 1000, 0, False),
        ("always", 0, 1, True),
        ("always", 2, 1, True),
        ("always", 999, 1, True),
        # never = 0 %: any performance contradicts
        ("never", 0, 5, False),
        ("never", 0, 1, False),
        ("never", 1, 0, True),
        ("never", 1, 999, True),
        # usually >= 70 %: needs evidence
        ("usually", 7, 3, False),
        ("usually", 10, 0, False),
        ("usually", 0, 1, False),
        ("usually", 69, 31, False),
        ("usually", 680, 320, False),
        ("usually", 0, 2, True),
        ("usually", 60, 40, True),
        ("usually", 670, 330, True),
        ("usually", 6900, 3100, True),
        # sometimes 20-80 %: both edges
        ("sometimes", 2, 8, False),
        ("sometimes", 0, 10, False),
        ("sometimes", 0, 15, False),
        ("sometimes", 200, 800, False),
        ("sometimes", 0, 16, True),
        ("sometimes", 170, 830, True),
        ("sometimes", 8, 2, False),
        ("sometimes", 15, 0, False),
        ("sometimes", 800, 200, False),
        ("sometimes", 16, 0, True),
        ("sometimes", 830, 170, True),
        # rarely <= 20 %
        ("rarely", 0, 100, False),
        ("rarely", 20, 80, False),
        ("rarely", 25, 75, False),
        ("rarely", 1, 1, False),
        ("rarely", 1, 0, True),
        ("rarely", 30, 70, True),
        ("rarely", 230, 770, True),
    ],
)
def test_frequency_band_edges(word: str, performed: int, missed: int, contradicted: bool) -> None:
    verdict = verdict_of(FrequencyClaim(word), behaviour(performed, missed))
    assert verdict.contradicted is contradicted
    assert verdict.kind == "frequency"
    assert verdict.observed == performed + missed


def test_every_frequency_word_has_a_band() -> None:
    assert set(FREQUENCY_WORDS) == set(FREQUENCY_BANDS)
    assert all(0.0 <= low <= high <= 1.0 for low, high in FREQUENCY_BANDS.values())


def test_one_miss_contradicts_always() -> None:
    verdict = verdict_of(FrequencyClaim("always"), behaviour(0, 1))
    assert verdict.contradicted
    assert verdict.evidence == ("m00000",)
    assert verdict.severity == 1.0


def test_one_performed_contradicts_never() -> None:
    verdict = verdict_of(FrequencyClaim("never"), behaviour(1, 4))
    assert verdict.contradicted
    assert verdict.evidence == ("p00000",)
    assert verdict.severity == pytest.approx(0.2)


def test_zero_of_three_against_always_reads_like_the_product_example() -> None:
    verdict = verdict_of(FrequencyClaim("always"), behaviour(0, 3))
    assert verdict.explanation == 'Said "always"; observed 0 of 3 (0%, 95% CI 0–56%)'
    assert verdict.stats == {
        "k": 0,
        "n": 3,
        "rate": 0.0,
        "ci_low": 0.0,
        "ci_high": pytest.approx(0.5615, abs=5e-5),
        "band_low": 1.0,
        "band_high": 1.0,
    }
    assert verdict.confidence == pytest.approx(1 - 0.5615, abs=5e-5)


def test_agreeing_frequency_evidence_gets_the_same_sentence() -> None:
    verdict = verdict_of(FrequencyClaim("usually"), behaviour(7, 3))
    assert not verdict.contradicted
    assert verdict.evidence == ()
    assert verdict.explanation == 'Said "usually"; observed 7 of 10 (70%, 95% CI 40–89%)'
    assert verdict.severity == 0.0


def test_rate_below_band_cites_the_misses() -> None:
    verdict = verdict_of(FrequencyClaim("usually"), behaviour(60, 40))
    assert verdict.evidence == tuple(f"m{i:05d}" for i in range(40))
    assert verdict.severity == pytest.approx(0.1)


def test_rate_above_band_cites_the_performances() -> None:
    verdict = verdict_of(FrequencyClaim("rarely"), behaviour(3, 7))
    assert not verdict.contradicted
    verdict = verdict_of(FrequencyClaim("sometimes"), behaviour(16, 0))
    assert verdict.evidence == tuple(f"p{i:05d}" for i in range(16))
    assert verdict.severity == pytest.approx(0.2)


def test_percentages_round_half_up() -> None:
    verdict = verdict_of(FrequencyClaim("sometimes"), behaviour(1, 7))
    assert "observed 1 of 8 (13%," in verdict.explanation


def test_frequency_word_is_read_case_insensitively() -> None:
    verdict = verdict_of(FrequencyClaim("  Always "), behaviour(0, 1))
    assert verdict.explanation.startswith('Said "always"')


def test_unknown_frequency_word_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown frequency word"):
        judge(FrequencyClaim("often"), behaviour(1, 1))


def test_facts_without_a_behaviour_do_not_count() -> None:
    observations = [*behaviour(2, 0), Observation("x", value=3.0, unit="min"), Observation("y")]
    verdict = verdict_of(FrequencyClaim("always"), observations)
    assert verdict.observed == 2
    assert not verdict.contradicted


def test_frequency_claim_without_behaviour_facts_says_nothing() -> None:
    assert judge(FrequencyClaim("always"), []) is None
    assert judge(FrequencyClaim("always"), measured(3.0)) is None


def test_nothing_to_say_without_claim_or_links() -> None:
    assert judge(None, behaviour(1, 1)) is None


def test_a_non_claim_is_refused() -> None:
    with pytest.raises(TypeError, match="not a claim"):
        judge("always", behaviour(1, 1))  # type: ignore[arg-type]


# --- Measure claims with a bound ---------------------------------------------------------


@pytest.mark.parametrize(
    ("claim", "values", "unit", "contradicted"),
    [
        (MeasureClaim(15, "min", comparator="<="), (15,), "min", False),
        (MeasureClaim(15, "min", comparator="<="), (900,), "s", False),
        (MeasureClaim(15, "min", comparator="<="), (0.25,), "h", False),
        (MeasureClaim(15, "min", comparator="<="), (901,), "s", True),
        (MeasureClaim(15, "min", comparator="<="), (15.01,), "min", True),
        (MeasureClaim(15, "min", comparator="<="), (1, 2, 3, 16), "min", True),
        (MeasureClaim(15, "min", comparator="≤"), (16,), "min", True),
        (MeasureClaim(98, None, comparator=">="), (98,), None, False),
        (MeasureClaim(98, None, comparator=">="), (97.9,), "pcs", True),
        (MeasureClaim(98, "pcs", comparator="≥"), (100, 99, 97), None, True),
        (MeasureClaim(15, "min", tolerance=0.1, comparator="<="), (16.5,), "min", False),
        (MeasureClaim(15, "min", tolerance=0.1, comparator="<="), (16.6,), "min", True),
        (MeasureClaim(100, "mm", tolerance=0.05, comparator=">="), (9.5,), "cm", False),
        (MeasureClaim(100, "mm", tolerance=0.05, comparator=">="), (9.4,), "cm", True),
        (MeasureClaim(0, None, comparator="<="), (0, 0), None, False),
        (MeasureClaim(0, None, comparator="<="), (0, 1), None, True),
        (MeasureClaim(-5, "g", comparator="<="), (-5,), "g", False),
        (MeasureClaim(-5, "g", comparator="<="), (-4.9,), "g", True),
    ],
)
def test_bound_edges(
    claim: MeasureClaim, values: tuple[float, ...], unit: str | None, contradicted: bool
) -> None:
    verdict = verdict_of(claim, measured(*values, unit=unit))
    assert verdict.contradicted is contradicted
    assert verdict.kind == "measure"


def test_one_observation_above_contradicts_at_most() -> None:
    verdict = verdict_of(MeasureClaim(15, "min", comparator="<="), measured(24))
    assert verdict.explanation == "Said ≤ 15 min; 1 of 1 observations above (max 24 min)"
    assert verdict.evidence == ("v0",)
    assert verdict.severity == pytest.approx(0.6)
    low, high = wilson_interval(1, 1)
    assert verdict.confidence == pytest.approx(1 - (high - low))


def test_observations_below_contradict_at_least() -> None:
    verdict = verdict_of(
        MeasureClaim(98, "count", comparator=">="), measured(100, 90, 99, 95, 98, unit=None)
    )
    assert verdict.explanation == "Said ≥ 98 count; 2 of 5 observations below (min 90)"
    assert verdict.evidence == ("v1", "v3")
    assert verdict.severity == pytest.approx(8 / 98)


def test_observations_within_bound_agree() -> None:
    verdict = verdict_of(MeasureClaim(15, "min", comparator="<="), measured(10, 14, 12, 840 / 60))
    assert not verdict.contradicted
    assert verdict.explanation == "Said ≤ 15 min; 0 of 4 observations above (max 14 min)"
    assert verdict.severity == 0.0
    assert verdict.evidence == ()


def test_bound_severity_is_capped_at_one() -> None:
    verdict = verdict_of(MeasureClaim(15, "min", comparator="<="), measured(2, unit="h"))
    assert verdict.severity == 1.0


def test_bound_of_zero_measures_excess_in_claimed_units() -> None:
    verdict = verdict_of(MeasureClaim(0, "mm", comparator="<="), measured(0.3, unit="mm"))
    assert verdict.severity == pytest.approx(0.3)


def test_bound_tolerance_appears_in_the_explanation() -> None:
    claim = MeasureClaim(15, "min", tolerance=0.1, comparator="<=")
    verdict = verdict_of(claim, measured(17))
    assert verdict.explanation == (
        "Said ≤ 15 min (tolerance 10%); 1 of 1 observations above (max 17 min)"
    )
    assert verdict.stats["limit"] == pytest.approx(16.5)


# --- Measure claims with a typical value --------------------------------------------------


@pytest.mark.parametrize(
    ("claim", "values", "contradicted"),
    [
        # 10 min ±20 % is the band 8..12 min; identical values have a zero-width interval
        (MeasureClaim(10, "min"), (12, 12), False),
        (MeasureClaim(10, "min"), (12.5, 12.5), True),
        (MeasureClaim(10, "min"), (8, 8), False),
        (MeasureClaim(10, "min"), (7.5, 7.5), True),
        (MeasureClaim(10, "min"), (10, 10, 10), False),
        (MeasureClaim(10, "min", tolerance=0.5), (15, 15), False),
        (MeasureClaim(10, "min", tolerance=0.5), (15.5, 15.5), True),
        (MeasureClaim(10, "min", tolerance=0.0), (10, 10), False),
        (MeasureClaim(10, "min", tolerance=0.0), (10.1, 10.1), True),
        # spread widens the interval: two values far apart prove nothing
        (MeasureClaim(10, "min"), (20, 30), False),
        (MeasureClaim(10, "min"), (24, 26), True),
        (MeasureClaim(10, "min"), (13, 14, 13, 14, 13, 14), True),
        (MeasureClaim(10, "min"), (11, 14, 12, 15, 13), False),
        # negative and zero claimed values
        (MeasureClaim(-10, "g"), (-12, -12), False),
        (MeasureClaim(-10, "g"), (-13, -13), True),
        (MeasureClaim(0, "g"), (0, 0), False),
        (MeasureClaim(0, "g"), (1, 1), True),
    ],
)
def test_typical_value_edges(
    claim: MeasureClaim, values: tuple[float, ...], contradicted: bool
) -> None:
    unit = claim.unit
    verdict = verdict_of(claim, measured(*values, unit=unit))
    assert verdict.contradicted is contradicted
    assert verdict.observed == len(values)


def test_one_observation_is_never_enough_for_a_typical_value() -> None:
    verdict = verdict_of(MeasureClaim(10, "min"), measured(24))
    assert not verdict.contradicted
    assert verdict.explanation == (
        "Said 10 min ±20%; observed 24 min once (one observation is not enough)"
    )
    assert verdict.confidence == 0.0
    assert verdict.evidence == ()
    json.dumps(verdict.stats, allow_nan=False)


def test_two_identical_values_outside_the_band_contradict() -> None:
    verdict = verdict_of(MeasureClaim(10, "min"), measured(13, 13))
    assert verdict.contradicted
    assert verdict.stats["ci_low"] == verdict.stats["ci_high"] == 13.0
    assert verdict.confidence == 1.0
    assert verdict.severity == pytest.approx(0.1)


def test_typical_value_explanation_shows_mean_and_interval() -> None:
    verdict = verdict_of(MeasureClaim(10, "min"), measured(24, 26))
    assert verdict.explanation == (
        "Said 10 min ±20%; observed mean 25 min over 2 (95% CI 12.3–37.7 min)"
    )
    assert verdict.severity == 1.0
    assert verdict.stats["mean"] == 25.0
    assert verdict.stats["t"] == pytest.approx(12.706, abs=1e-3)


def test_typical_value_evidence_is_only_the_side_that_contradicts() -> None:
    verdict = verdict_of(MeasureClaim(10, "min"), measured(11.9, 13, 13, 13, 13, 13, 13))
    assert verdict.contradicted
    assert verdict.evidence == ("v1", "v2", "v3", "v4", "v5", "v6")


def test_typical_value_below_band_cites_low_observations() -> None:
    verdict = verdict_of(MeasureClaim(10, "min"), measured(5, 5, 6, 6, 5, 6, 9))
    assert verdict.contradicted
    assert verdict.evidence == ("v0", "v1", "v2", "v3", "v4", "v5")


def test_typical_value_severity_is_relative_to_the_claim() -> None:
    verdict = verdict_of(MeasureClaim(10, "min"), measured(14, 14))
    assert verdict.severity == pytest.approx(0.2)
    verdict = verdict_of(MeasureClaim(0, "g"), measured(0.5, 0.5, unit="g"))
    assert verdict.severity == pytest.approx(0.5)


def test_units_convert_before_comparison() -> None:
    observations = [
        Observation("a", value=600, unit="secs"),
        Observation("b", value=10, unit="Minutes"),
        Observation("c", value=1 / 6, unit="hrs"),
    ]
    verdict = verdict_of(MeasureClaim(10, "min"), observations)
    assert not verdict.contradicted
    assert verdict.stats["mean"] == pytest.approx(10.0)


def test_incompatible_units_are_excluded_and_reported() -> None:
    observations = [
        *measured(24, 26),
        Observation("k1", value=3, unit="kg"),
        Observation("k2", value=4, unit="kilograms"),
    ]
    verdict = verdict_of(MeasureClaim(10, "min"), observations)
    assert verdict.observed == 2
    assert verdict.contradicted
    assert verdict.explanation.endswith("; 2 observations in kg not comparable")
    assert verdict.stats["excluded"] == 2
    assert "k1" not in verdict.evidence


def test_several_incompatible_units_are_listed_in_order() -> None:
    observations = [
        *measured(24),
        Observation("k", value=3, unit="kg"),
        Observation("c", value=3, unit="pcs"),
        Observation("c2", value=3),
    ]
    verdict = verdict_of(MeasureClaim(15, "min", comparator="<="), observations)
    assert verdict.explanation == (
        "Said ≤ 15 min; 1 of 1 observations above (max 24 min); "
        "2 observations in count, 1 in kg not comparable"
    )


def test_only_incompatible_observations_say_nothing() -> None:
    assert judge(MeasureClaim(10, "min"), measured(3, unit="kg")) is None


def test_measurements_without_value_are_ignored() -> None:
    observations = [*measured(13, 13), Observation("b", performed=True)]
    assert verdict_of(MeasureClaim(10, "min"), observations).observed == 2
    assert judge(MeasureClaim(10, "min"), [Observation("b", performed=False)]) is None
    assert judge(MeasureClaim(10, "min"), [Observation("n", value=float("nan"))]) is None


@pytest.mark.parametrize(
    ("claim", "message"),
    [
        (MeasureClaim(10, "min", comparator="<"), "comparator"),
    ],
)
def test_malformed_measure_claims_are_refused(claim: MeasureClaim, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        judge(claim, measured(10))


@pytest.mark.parametrize(
    "claim",
    [MeasureClaim(float("nan"), "min"), MeasureClaim(10, "min", tolerance=-0.1)],
)
def test_claims_whose_numbers_are_out_of_bounds_say_nothing(claim: MeasureClaim) -> None:
    # Stored before the bounds existed (docs/saydo.md): a verdict on them would mislead.
    assert judge(claim, measured(10, 12)) is None


# --- Manual links -----------------------------------------------------------------------


def test_manual_link_is_a_gap_without_any_claim() -> None:
    verdict = judge(None, [], [ManualLink("f1", "Operator skipped the torque check")])
    assert verdict == Verdict(
        contradicted=True,
        kind="manual",
        severity=0.5,
        confidence=1.0,
        explanation='Marked as contradicting by an observer: "Operator skipped the torque check"',
        evidence=("f1",),
        observed=0,
        stats={"manual": 1},
    )


def test_manual_link_overrides_agreeing_statistics() -> None:
    verdict = verdict_of(FrequencyClaim("usually"), behaviour(9, 1))
    assert not verdict.contradicted
    verdict = judge(FrequencyClaim("usually"), behaviour(9, 1), [ManualLink("m00000")])
    assert verdict is not None
    assert verdict.contradicted
    assert verdict.kind == "manual"
    assert verdict.observed == 10
    assert verdict.evidence == ("m00000",)
    assert verdict.explanation == "Marked as contradicting by an observer (1 fact)"


def test_manual_link_makes_a_gap_when_one_observation_is_not_enough() -> None:
    verdict = judge(MeasureClaim(10, "min"), measured(24), [ManualLink("v0", "took ages")])
    assert verdict is not None
    assert verdict.contradicted
    assert verdict.kind == "manual"
    assert verdict.explanation == 'Marked as contradicting by an observer: "took ages"'


def test_manual_links_without_notes_are_counted_by_fact() -> None:
    links = [ManualLink("b"), ManualLink("a", "  "), ManualLink("b")]
    verdict = judge(None, [], links)
    assert verdict is not None
    assert verdict.explanation == "Marked as contradicting by an observer (2 facts)"
    assert verdict.evidence == ("a", "b")


def test_manual_note_is_one_line_and_truncated() -> None:
    note = "word " * 40
    verdict = judge(None, [], [ManualLink("a", "first\nline"), ManualLink("b", note)])
    assert verdict is not None
    assert verdict.explanation == 'Marked as contradicting by an observer: "first line"'
    verdict = judge(None, [], [ManualLink("a", note)])
    assert verdict is not None
    quoted = verdict.explanation.split(": ", 1)[1].strip('"')
    assert len(quoted) <= 80
    assert quoted.endswith("…")


def test_manual_links_join_contradicting_statistics() -> None:
    verdict = judge(FrequencyClaim("always"), behaviour(2, 1), [ManualLink("z", "seen twice")])
    assert verdict is not None
    assert verdict.kind == "frequency"
    assert verdict.severity == pytest.approx(1 / 3)
    assert verdict.evidence == ("m00000", "z")
    assert verdict.explanation == (
        'Said "always"; observed 2 of 3 (67%, 95% CI 21–94%); 1 fact marked by an observer'
    )
    assert verdict.stats["manual"] == 1


def test_manual_links_on_already_cited_facts_are_not_duplicated() -> None:
    links = [ManualLink("m00000"), ManualLink("extra")]
    verdict = judge(FrequencyClaim("always"), behaviour(2, 1), links)
    assert verdict is not None
    assert verdict.evidence == ("extra", "m00000")
    assert verdict.explanation.endswith("; 2 facts marked by an observer")


# --- Determinism --------------------------------------------------------------------------

CLAIMS = [
    FrequencyClaim("always"),
    FrequencyClaim("usually"),
    FrequencyClaim("sometimes"),
    FrequencyClaim("rarely"),
    FrequencyClaim("never"),
    MeasureClaim(10, "min"),
    MeasureClaim(10, "min", tolerance=0.05),
    MeasureClaim(15, "min", comparator="<="),
    MeasureClaim(98, None, comparator=">="),
    MeasureClaim(0, "g"),
    None,
]

observation_strategy = st.builds(
    Observation,
    fact_id=st.text(alphabet="abcdef", min_size=1, max_size=3),
    performed=st.one_of(st.none(), st.booleans()),
    value=st.one_of(
        st.none(), st.floats(min_value=-1e4, max_value=1e4, allow_nan=False), st.integers(0, 200)
    ),
    unit=st.sampled_from([None, "min", "s", "h", "kg", "pcs", "litres"]),
)
link_strategy = st.builds(
    ManualLink,
    fact_id=st.text(alphabet="abcdef", min_size=1, max_size=3),
    note=st.one_of(st.none(), st.text(max_size=100)),
)


@settings(database=None, max_examples=300)
@given(
    claim=st.sampled_from(CLAIMS),
    observations=st.lists(observation_strategy, max_size=30),
    links=st.lists(link_strategy, max_size=3),
    data=st.data(),
)
def test_verdict_does_not_depend_on_input_order(
    claim: FrequencyClaim | MeasureClaim | None,
    observations: list[Observation],
    links: list[ManualLink],
    data: st.DataObject,
) -> None:
    shuffled = data.draw(st.permutations(observations))
    shuffled_links = data.draw(st.permutations(links))
    verdict = judge(claim, observations, links)
    assert verdict == judge(claim, shuffled, shuffled_links)
    if verdict is None:
        return
    assert list(verdict.evidence) == sorted(set(verdict.evidence))
    assert 0.0 <= verdict.severity <= 1.0
    assert 0.0 <= verdict.confidence <= 1.0
    assert "\n" not in verdict.explanation
    assert verdict.contradicted == bool(verdict.evidence)
    json.dumps(verdict.stats, allow_nan=False)


_MIXED = st.lists(
    st.one_of(
        st.builds(Observation, st.text("abcdef", min_size=1, max_size=4), st.booleans()),
        st.builds(
            Observation,
            st.text("abcdef", min_size=1, max_size=4),
            st.none(),
            st.floats(-1e6, 1e6, allow_nan=False),
            st.sampled_from(["min", "s", "h", "kg", "count", None]),
        ),
        st.builds(Observation, st.text("abcdef", min_size=1, max_size=4)),
    ),
    max_size=30,
)
_CLAIMS = st.lists(
    st.one_of(
        st.builds(FrequencyClaim, st.sampled_from(FREQUENCY_WORDS)),
        st.builds(
            MeasureClaim,
            st.floats(0.1, 1e4),
            st.sampled_from(["min", "s", "h", "kg", None]),
            st.one_of(st.none(), st.floats(0, 1)),
            st.sampled_from([None, "<=", ">="]),
        ),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=150, deadline=None)
@given(observations=_MIXED, claims=_CLAIMS)
def test_claims_sharing_a_memo_get_the_verdicts_they_get_alone(observations, claims):
    """The engine judges a topic's claims with one memo of its counts and converted values;
    each verdict is the one the claim gets on its own."""
    memo: dict = {}
    for claim in claims:
        assert judge(claim, observations, memo=memo) == judge(claim, observations)
