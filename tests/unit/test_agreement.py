"""Two observers rating the same items: Cohen's kappa, its standard error, the readable line."""

from __future__ import annotations

import pytest

from gemba.domain.agreement import (
    Agreement,
    cohens_kappa,
    describe,
    landis_koch,
    pair_in_order,
)


def pairs_of(table: list[list[int]], labels: list[str] | None = None) -> list[tuple[str, str]]:
    """Expand a contingency table (rows: first observer, columns: second) into pairs."""
    names = labels or [f"c{i}" for i in range(len(table))]
    return [
        (names[i], names[j])
        for i, row in enumerate(table)
        for j, count in enumerate(row)
        for _ in range(count)
    ]


def test_wikipedia_example() -> None:
    # Wikipedia "Cohen's kappa": 50 proposals, yes/yes 20, yes/no 5, no/yes 10, no/no 15.
    # po = 35/50 = 0.70, pe = 0.5 · 0.6 + 0.5 · 0.4 = 0.50, κ = 0.2 / 0.5 = 0.40.
    # SE by the Fleiss-Cohen-Everitt formula, by hand (1 − κ = 0.6):
    #   term a = 0.4 (1 − 1.1 · 0.6)² + 0.3 (1 − 0.9 · 0.6)² = 0.04624 + 0.06348 = 0.10972
    #   term b = 0.36 [0.1 (0.6 + 0.5)² + 0.2 (0.4 + 0.5)²] = 0.36 · 0.283 = 0.10188
    #   term c = (0.4 − 0.5 · 0.6)² = 0.01
    #   var = 0.2016 / (50 · 0.25) = 0.016128, SE = 0.126996
    # statsmodels 0.15.0 cohens_kappa: std_kappa 0.12699606, CI 0.151092–0.648908.
    result = cohens_kappa(pairs_of([[20, 5], [10, 15]], ["yes", "no"]))
    assert (result.n, result.agreed) == (50, 35)
    assert result.po == pytest.approx(0.70)
    assert result.pe == pytest.approx(0.50)
    assert result.kappa == pytest.approx(0.40)
    assert result.se == pytest.approx(0.12699606, rel=1e-6)
    assert result.ci_low == pytest.approx(0.151092, rel=1e-5)
    assert result.ci_high == pytest.approx(0.648908, rel=1e-5)
    assert result.categories == ("yes", "no")
    assert result.reason is None


def test_fleiss_levin_paik_diagnoses() -> None:
    # Fleiss, Levin & Paik, Statistical Methods for Rates and Proportions (3rd ed.),
    # chapter 18: 100 patients, psychological / neurological / organic. Published
    # po = 0.89, pe = 0.66, κ = 0.68. SE from statsmodels 0.15.0 cohens_kappa:
    # std_kappa 0.08770295, CI 0.504576–0.848365.
    result = cohens_kappa(pairs_of([[75, 1, 4], [5, 4, 1], [0, 0, 10]]))
    assert result.po == pytest.approx(0.89)
    assert result.pe == pytest.approx(0.66)
    assert result.kappa == pytest.approx(0.23 / 0.34)
    assert round(result.kappa, 2) == 0.68
    assert result.se == pytest.approx(0.08770295, rel=1e-6)
    assert result.ci_low == pytest.approx(0.504576, rel=1e-5)
    assert result.ci_high == pytest.approx(0.848365, rel=1e-5)


def test_sas_example_three_categories() -> None:
    # The SAS PROC FREQ example that statsmodels' own tests reproduce (test_inter_rater.py,
    # TestUnweightedCohens): Kappa 0.4842, ASE 0.1380, 95% limits 0.2137–0.7547.
    result = cohens_kappa(pairs_of([[0, 4, 1], [0, 8, 0], [0, 1, 5]]))
    assert result.kappa == pytest.approx(0.4842, abs=5e-5)
    assert result.se == pytest.approx(0.1380, abs=5e-5)
    assert result.ci_low == pytest.approx(0.2137, abs=5e-5)
    assert result.ci_high == pytest.approx(0.7547, abs=5e-5)


def test_three_categories_against_statsmodels() -> None:
    # statsmodels 0.15.0 cohens_kappa([[22, 2, 2], [1, 7, 2], [3, 1, 10]]):
    # kappa 0.64005236, std_kappa 0.09436611, CI 0.455098–0.825007.
    result = cohens_kappa(pairs_of([[22, 2, 2], [1, 7, 2], [3, 1, 10]]))
    assert result.kappa == pytest.approx(0.64005236, rel=1e-7)
    assert result.se == pytest.approx(0.09436611, rel=1e-6)
    assert (result.ci_low, result.ci_high) == pytest.approx((0.455098, 0.825007), rel=1e-5)
    assert describe(result) == (
        "Agreed on 39 of 50 (78%); Cohen's kappa 0.64 (95% CI 0.46–0.83): substantial"
    )


def test_perfect_agreement() -> None:
    result = cohens_kappa(pairs_of([[7, 0], [0, 3]], ["done", "missed"]))
    assert result.kappa == 1.0
    assert result.se == 0.0
    assert (result.ci_low, result.ci_high) == (1.0, 1.0)
    assert describe(result) == (
        "Agreed on 10 of 10 (100%); Cohen's kappa 1.00 (95% CI 1.00–1.00): almost perfect"
    )


def test_chance_agreement() -> None:
    # p_ij = p_i. p_.j exactly: rows 10/30, 20/30, columns 12/30, 18/30; cells 4, 6, 8, 12.
    # po = 16/30 = pe = (10·12 + 20·18)/900, so κ = 0. statsmodels: std_kappa 0.18070158.
    result = cohens_kappa(pairs_of([[4, 6], [8, 12]]))
    assert result.kappa == pytest.approx(0.0, abs=1e-12)
    assert result.po == pytest.approx(result.pe)
    assert result.se == pytest.approx(0.18070158, rel=1e-6)
    assert landis_koch(result.kappa) == "slight"


def test_systematic_disagreement() -> None:
    # statsmodels: kappa −0.7, std_kappa 0.15888675, lower limit −1.0114 (clipped here to −1).
    result = cohens_kappa(pairs_of([[1, 9], [8, 2]], ["done", "missed"]))
    assert result.kappa == pytest.approx(-0.7)
    assert result.se == pytest.approx(0.15888675, rel=1e-6)
    assert result.ci_low == -1.0
    assert result.ci_high == pytest.approx(-0.388588, rel=1e-5)
    assert describe(result) == (
        "Agreed on 3 of 20 (15%); Cohen's kappa -0.70 (95% CI -1.00 to -0.39): poor"
    )


def test_one_category_only_leaves_kappa_undefined() -> None:
    result = cohens_kappa([("done", "done")] * 20)
    assert result == Agreement(
        n=20,
        agreed=20,
        po=1.0,
        pe=1.0,
        kappa=None,
        se=None,
        ci_low=None,
        ci_high=None,
        categories=("done",),
        reason="both observers saw only 'done'",
    )
    assert describe(result) == (
        "Agreed on 20 of 20 (100%); Cohen's kappa undefined: both observers saw only 'done'"
    )


def test_one_observer_constant_gives_kappa_zero() -> None:
    # The first observer always wrote "done": agreement is exactly what chance gives.
    result = cohens_kappa(pairs_of([[18, 2], [0, 0]], ["done", "missed"]))
    assert result.kappa == 0.0
    assert result.po == pytest.approx(0.9)
    assert result.se == 0.0  # statsmodels: NaN (a variance of −1e-17 from rounding)


def test_no_items() -> None:
    result = cohens_kappa([])
    assert result.n == 0
    assert result.kappa is None
    assert result.po is None
    assert result.reason == "no items rated by both observers"
    assert describe(result) == "No items rated by both observers"


def test_order_of_pairs_does_not_matter() -> None:
    pairs = pairs_of([[22, 2, 2], [1, 7, 2], [3, 1, 10]])
    forwards, backwards = cohens_kappa(pairs), cohens_kappa(pairs[::-1])
    assert forwards.kappa == pytest.approx(backwards.kappa)
    assert forwards.se == pytest.approx(backwards.se)


def test_describe_example_from_the_brief() -> None:
    result = cohens_kappa(pairs_of([[14, 1], [1, 4]], ["done", "missed"]))
    assert result.kappa == pytest.approx((0.9 - 0.625) / 0.375)
    assert describe(result).startswith("Agreed on 18 of 20 (90%); Cohen's kappa 0.73 (95% CI ")
    assert describe(result).endswith("): substantial")


@pytest.mark.parametrize(
    ("kappa", "label"),
    [
        (-0.01, "poor"),
        (-0.004, "slight"),  # shown as 0.00
        (0.0, "slight"),
        (0.20, "slight"),
        (0.204, "slight"),  # shown as 0.20
        (0.21, "fair"),
        (0.40, "fair"),
        (0.41, "moderate"),
        (0.60, "moderate"),
        (0.61, "substantial"),
        (0.80, "substantial"),
        (0.81, "almost perfect"),
        (1.0, "almost perfect"),
    ],
)
def test_landis_koch_labels(kappa: float, label: str) -> None:
    assert landis_koch(kappa) == label


def test_pair_in_order() -> None:
    assert pair_in_order(["done", "missed", "done"], ["done", "done"]) == (
        [("done", "done"), ("missed", "done")],
        1,
    )
    assert pair_in_order([1, 2], [3, 4, 5, 6]) == ([(1, 3), (2, 4)], 2)
    assert pair_in_order([], ["done"]) == ([], 1)
    assert pair_in_order([], []) == ([], 0)
