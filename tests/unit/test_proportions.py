"""Comparing two rates: Fisher's exact test, the two-proportion z test and the choice."""

from __future__ import annotations

import math

import pytest

from gemba.domain.proportions import (
    FISHER,
    Z_TEST,
    RateComparison,
    compare_rates,
    fisher_exact,
    format_p,
    two_proportion_z,
)

# --- Fisher's exact test against published values ----------------------------------------


def test_lady_tasting_tea() -> None:
    # Fisher (1935): 8 cups, 4 with milk first, all but one guessed right. Two-sided
    # p = 34/70 = 0.4857, one-sided ("greater") 17/70 = 0.2429.
    assert fisher_exact(3, 1, 1, 3) == pytest.approx(34 / 70, rel=1e-9)
    assert fisher_exact(3, 1, 1, 3) == pytest.approx(0.4857, abs=5e-5)
    assert fisher_exact(3, 1, 1, 3, alternative="greater") == pytest.approx(0.2429, abs=5e-5)
    assert fisher_exact(3, 1, 1, 3, alternative="less") == pytest.approx(69 / 70, rel=1e-9)


def test_wikipedia_fisher_example() -> None:
    # Wikipedia "Fisher's exact test": men/women dieting [[1, 9], [11, 3]];
    # R's fisher.test gives p-value = 0.002759.
    assert fisher_exact(1, 9, 11, 3) == pytest.approx(0.002759, rel=1e-3)


def test_published_small_table() -> None:
    # [[8, 2], [1, 5]]: fisher.test in R and scipy.stats.fisher_exact give p = 0.03497.
    assert fisher_exact(8, 2, 1, 5) == pytest.approx(0.03497, rel=1e-3)


def test_complete_separation() -> None:
    # [[0, 10], [10, 0]]: only this table and its mirror are as extreme, each with
    # probability 1 / C(20, 10) = 1 / 184756.
    assert fisher_exact(0, 10, 10, 0) == pytest.approx(2 / math.comb(20, 10), rel=1e-9)
    assert fisher_exact(0, 5, 5, 0) == pytest.approx(2 / 252, rel=1e-9)


@pytest.mark.parametrize(
    "table",
    [(0, 0, 0, 0), (0, 0, 5, 3), (5, 0, 3, 0), (0, 3, 0, 4), (10, 0, 0, 0), (0, 0, 0, 7)],
)
def test_degenerate_margin_gives_one(table: tuple[int, int, int, int]) -> None:
    # An empty row or column leaves only one table with these margins.
    assert fisher_exact(*table) == 1.0
    assert fisher_exact(*table, alternative="greater") == 1.0
    assert fisher_exact(*table, alternative="less") == 1.0


def test_tables_with_zeros() -> None:
    # [[0, 4], [4, 4]]: the tables with a = 0..4 have probabilities proportional to
    # C(4, a) C(8, 4 - a) = 70, 224, 168, 32, 1 (of 495); those ≤ 70 are a = 0, 3, 4.
    assert fisher_exact(0, 4, 4, 4) == pytest.approx((70 + 32 + 1) / 495, rel=1e-9)
    assert fisher_exact(0, 4, 4, 4, alternative="less") == pytest.approx(70 / 495, rel=1e-9)


@pytest.mark.parametrize("table", [(3, 1, 1, 3), (1, 9, 11, 3), (8, 2, 1, 5), (0, 4, 4, 4)])
def test_symmetry(table: tuple[int, int, int, int]) -> None:
    a, b, c, d = table
    p = fisher_exact(a, b, c, d)
    assert fisher_exact(a, c, b, d) == pytest.approx(p, rel=1e-9)  # transposed
    assert fisher_exact(c, d, a, b) == pytest.approx(p, rel=1e-9)  # rows swapped
    assert fisher_exact(b, a, d, c) == pytest.approx(p, rel=1e-9)  # columns swapped
    assert fisher_exact(d, c, b, a) == pytest.approx(p, rel=1e-9)  # both


def test_large_table_agrees_with_z_test_and_does_not_overflow() -> None:
    # 450/1000 against 400/1000: scipy.stats.fisher_exact gives 0.026636, the z test
    # 0.023719 (statsmodels proportions_ztest); they agree to within 0.01.
    exact = fisher_exact(450, 550, 400, 600)
    z = two_proportion_z(450, 1000, 400, 1000)
    assert exact == pytest.approx(0.026636, rel=1e-4)
    assert z == pytest.approx(0.023719, rel=1e-4)
    assert abs(exact - z) < 0.01
    assert 0.0 <= fisher_exact(50_000, 50_000, 49_000, 51_000) <= 1.0


@pytest.mark.parametrize(("table", "message"), [((-1, 0, 0, 0), "a must"), ((1, 2, 3, 1.5), "d")])
def test_fisher_refuses_bad_counts(table: tuple, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fisher_exact(*table)
    with pytest.raises(ValueError, match="alternative"):
        fisher_exact(1, 2, 3, 4, alternative="both")


# --- Two-proportion z test -------------------------------------------------------------


def test_z_test_worked_example_45_of_100_against_30_of_100() -> None:
    # Pooled p = 75/200 = 0.375; SE = √(0.375 · 0.625 · (1/100 + 1/100)) = √0.0046875
    # = 0.068465; z = (0.45 − 0.30) / 0.068465 = 2.1909; p = erfc(2.1909/√2) = 0.02846.
    assert two_proportion_z(45, 100, 30, 100) == pytest.approx(0.02846, rel=1e-3)


def test_z_test_worked_example_60_of_200_against_40_of_200() -> None:
    # Pooled p = 100/400 = 0.25; SE = √(0.25 · 0.75 · (1/200 + 1/200)) = √0.001875
    # = 0.043301; z = 0.10 / 0.043301 = 2.3094; p = 2 (1 − Φ(2.3094)) = 0.02092.
    assert two_proportion_z(60, 200, 40, 200) == pytest.approx(0.02092, rel=1e-3)
    assert two_proportion_z(40, 200, 60, 200) == two_proportion_z(60, 200, 40, 200)


def test_z_test_equal_and_extreme_rates() -> None:
    assert two_proportion_z(0, 10, 0, 20) == 1.0  # no successes at all: nothing differs
    assert two_proportion_z(10, 10, 20, 20) == 1.0
    assert two_proportion_z(5, 10, 10, 20) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="at least one"):
        two_proportion_z(0, 0, 1, 2)
    with pytest.raises(ValueError, match="between 0 and n"):
        two_proportion_z(3, 2, 1, 2)


# --- The choice of test --------------------------------------------------------------------


def test_small_samples_use_fisher() -> None:
    result = compare_rates(14, 14, 5, 14)
    assert result.test == FISHER
    assert result.p_value == pytest.approx(fisher_exact(14, 0, 5, 9))
    assert result.rate1 == 1.0
    assert result.rate2 == pytest.approx(5 / 14)
    assert result.difference == pytest.approx(9 / 14)
    assert result.differs
    assert result.reason is None


def test_no_difference_is_not_flagged() -> None:
    result = compare_rates(10, 14, 9, 14)
    assert result.test == FISHER
    assert result.p_value == pytest.approx(1.0)
    assert not result.differs


def test_large_samples_use_z_test() -> None:
    result = compare_rates(450, 1000, 400, 1000)
    assert result.test == Z_TEST
    assert result.p_value == pytest.approx(0.023719, rel=1e-4)
    assert result.differs


def test_rare_events_in_large_samples_use_fisher() -> None:
    # 9 successes in 1200: the expected counts 4.5 are below 5, so the z test is not trusted.
    result = compare_rates(1, 600, 8, 600)
    assert result.test == FISHER
    assert result.p_value == pytest.approx(fisher_exact(1, 599, 8, 592))


def test_threshold_is_inclusive() -> None:
    assert compare_rates(250, 500, 250, 500).test == FISHER
    assert compare_rates(250, 500, 251, 501).test == Z_TEST


def test_alpha_decides() -> None:
    p = compare_rates(8, 10, 1, 6).p_value
    assert compare_rates(8, 10, 1, 6, alpha=p).differs is False  # p < alpha, strictly
    assert compare_rates(8, 10, 1, 6, alpha=0.01).differs is False
    assert compare_rates(8, 10, 1, 6, alpha=0.05).differs is True


@pytest.mark.parametrize(
    ("counts", "reason"),
    [
        ((0, 0, 3, 5), "no observations in the first group"),
        ((3, 5, 0, 0), "no observations in the second group"),
        ((0, 0, 0, 0), "no observations in either group"),
    ],
)
def test_empty_group_is_not_compared(counts: tuple[int, int, int, int], reason: str) -> None:
    result = compare_rates(*counts)
    assert result == RateComparison(
        test=None,
        p_value=1.0,
        rate1=result.rate1,
        rate2=result.rate2,
        difference=None,
        differs=False,
        alpha=0.05,
        reason=reason,
    )


def test_compare_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="alpha"):
        compare_rates(1, 2, 1, 2, alpha=0)
    with pytest.raises(ValueError, match="between 0 and n"):
        compare_rates(3, 2, 1, 2)


@pytest.mark.parametrize(
    ("p", "text"),
    [(0.62, "p = 0.62"), (0.0044, "p = 0.0044"), (0.02846, "p = 0.028"), (0.0002, "p < 0.001")],
)
def test_format_p(p: float, text: str) -> None:
    assert format_p(p) == text
