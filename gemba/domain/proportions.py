"""Comparing two rates: did people do it more often in one group of walks than in another?

"They only did it because you were watching" is a claim about two rates, k1 of n1 on
announced walks against k2 of n2 on unannounced ones. Walk samples are small, so the exact
test is the default; the normal approximation is used only where it is as good and the
exact sum would be long. Pure ``math``, no SciPy: the numbers match R's ``fisher.test``
and ``prop.test(correct = FALSE)``. The rules are explained in docs/saydo.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

FISHER = "Fisher's exact test"
Z_TEST = "two-proportion z test"
ALTERNATIVES = ("two-sided", "greater", "less")
EXACT_UP_TO = 1000  # n1 + n2 at or below which Fisher's exact test is used
MIN_EXPECTED = 5.0  # the z test's rule of thumb: every expected cell count at least this
# R's fisher.test counts a table as "no more likely than the observed one" within this
# relative tolerance, so tables tied in exact arithmetic are not lost to rounding.
_RELATIVE_ERROR = 1e-7


@dataclass(frozen=True)
class RateComparison:
    """The outcome of comparing k1/n1 with k2/n2, with the test that decided it."""

    test: str | None  # FISHER or Z_TEST; None when a group is empty and nothing was tested
    p_value: float  # two-sided; 1.0 when nothing was tested
    rate1: float | None  # k1 / n1, None when n1 == 0
    rate2: float | None  # k2 / n2, None when n2 == 0
    difference: float | None  # rate1 - rate2, None when either rate is
    differs: bool  # p_value < alpha: the rates differ beyond chance
    alpha: float
    reason: str | None = None  # why nothing was tested


def _check_count(name: str, value: int) -> None:
    """Refuse counts that cannot be cells of a contingency table."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")


def _log_choose(n: int, k: int) -> float:
    """Return log(n choose k) via log-gamma, so large tables never overflow."""
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def fisher_exact(a: int, b: int, c: int, d: int, alternative: str = "two-sided") -> float:
    """Return the p-value of Fisher's exact test for the 2×2 table [[a, b], [c, d]].

    Exact for any sample size, which is why small walk samples use it. Two-sided as in R's
    ``fisher.test`` and SciPy: the probabilities of all tables with the same margins that
    are no more likely than the observed one (relative tolerance 1e-7). "greater" is
    P(A ≥ a), "less" is P(A ≤ a), A being the top-left cell under the null hypothesis.
    """
    for name, value in (("a", a), ("b", b), ("c", c), ("d", d)):
        _check_count(name, value)
    if alternative not in ALTERNATIVES:
        raise ValueError(f"alternative must be one of {ALTERNATIVES}, got {alternative!r}")
    row1, row2, col1 = a + b, c + d, a + c
    low, high = max(0, col1 - row2), min(row1, col1)
    if low == high:  # a margin fixes the table: nothing else could have happened
        return 1.0
    logs = [_log_choose(row1, x) + _log_choose(row2, col1 - x) for x in range(low, high + 1)]
    peak = max(logs)
    weights = [math.exp(value - peak) for value in logs]
    total = math.fsum(weights)
    observed = a - low
    if alternative == "greater":
        chosen = weights[observed:]
    elif alternative == "less":
        chosen = weights[: observed + 1]
    else:
        limit = weights[observed] * (1 + _RELATIVE_ERROR)
        chosen = [weight for weight in weights if weight <= limit]
    return min(1.0, math.fsum(chosen) / total)


def two_proportion_z(k1: int, n1: int, k2: int, n2: int) -> float:
    """Return the two-sided p-value of the pooled two-proportion z test.

    z = (p1 − p2) / √(p(1 − p)(1/n1 + 1/n2)) with the pooled p = (k1 + k2)/(n1 + n2); the
    same as R's ``prop.test(correct = FALSE)``. Good for large samples only. When every
    observation is a success (or every one a failure) the rates are equal and p is 1.
    """
    _check_group(k1, n1)
    _check_group(k2, n2)
    if n1 == 0 or n2 == 0:
        raise ValueError("both groups need at least one observation")
    pooled = (k1 + k2) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if variance <= 0:
        return 1.0
    z = (k1 / n1 - k2 / n2) / math.sqrt(variance)
    return min(1.0, math.erfc(abs(z) / math.sqrt(2)))


def _check_group(k: int, n: int) -> None:
    """Refuse a group whose successes are not between 0 and its size."""
    _check_count("n", n)
    _check_count("k", k)
    if k > n:
        raise ValueError(f"k must be between 0 and n={n}, got {k}")


def compare_rates(k1: int, n1: int, k2: int, n2: int, alpha: float = 0.05) -> RateComparison:
    """Compare k1 of n1 with k2 of n2 and say whether they differ beyond chance.

    The test: Fisher's exact test when the table is small (n1 + n2 ≤ 1000) or any expected
    cell count is below 5, where the normal approximation misleads; otherwise the pooled
    two-proportion z test, which agrees with the exact test there and costs nothing. The
    rates differ when p < alpha. An empty group cannot be compared: p is 1, differs is
    False, and ``reason`` says which group was empty.
    """
    _check_group(k1, n1)
    _check_group(k2, n2)
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha!r}")
    rate1 = k1 / n1 if n1 else None
    rate2 = k2 / n2 if n2 else None
    if rate1 is None or rate2 is None:
        empty = (
            "either group"
            if n1 == n2 == 0
            else "the first group"
            if n1 == 0
            else "the second group"
        )
        reason = f"no observations in {empty}"
        return RateComparison(None, 1.0, rate1, rate2, None, False, alpha, reason)
    if n1 + n2 <= EXACT_UP_TO or _min_expected(k1, n1, k2, n2) < MIN_EXPECTED:
        test, p_value = FISHER, fisher_exact(k1, n1 - k1, k2, n2 - k2)
    else:
        test, p_value = Z_TEST, two_proportion_z(k1, n1, k2, n2)
    return RateComparison(test, p_value, rate1, rate2, rate1 - rate2, p_value < alpha, alpha)


def _min_expected(k1: int, n1: int, k2: int, n2: int) -> float:
    """Return the smallest expected cell count of the table under equal rates."""
    n = n1 + n2
    successes = k1 + k2
    failures = n - successes
    return min(row * column / n for row in (n1, n2) for column in (successes, failures))


def format_p(p_value: float) -> str:
    """Write a p-value as people read it: "p = 0.62", "p = 0.004", "p < 0.001"."""
    if p_value < 0.001:
        return "p < 0.001"
    if p_value < 0.1:
        return f"p = {p_value:.2g}"
    return f"p = {p_value:.2f}"
