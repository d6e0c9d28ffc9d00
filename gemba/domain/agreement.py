"""Do two observers see the same thing? Cohen's kappa for two observers rating the same items.

When two observers shadow each other on a walk, how often they log the same outcome says
whether the observations can be trusted. Plain percent agreement flatters: two observers
who both see "done" 95 % of the time agree 90 % by chance alone. Kappa measures agreement
beyond chance, with the large-sample standard error of Fleiss, Cohen & Everitt (1969), the
one statsmodels reports as ``std_kappa``. Pure ``math``; explained in docs/saydo.md.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from gemba.domain.explanations import percent
from gemba.domain.quantiles import Z_95

T = TypeVar("T")

# Landis & Koch (1977): the upper end of each band, on kappa rounded to two decimals.
_LABELS = ((0.20, "slight"), (0.40, "fair"), (0.60, "moderate"), (0.80, "substantial"))


@dataclass(frozen=True)
class Agreement:
    """How far two observers agree on the same items, beyond what chance would give.

    With no items every statistic is None; when both observers used one and the same
    category (chance agreement 1) kappa, its error and interval are None and ``reason``
    says why. Otherwise all are set.
    """

    n: int  # items rated by both observers
    agreed: int  # items on which they gave the same rating
    po: float | None  # observed agreement, agreed / n
    pe: float | None  # agreement expected by chance from each observer's own shares
    kappa: float | None  # (po - pe) / (1 - pe)
    se: float | None  # large-sample standard error of kappa (Fleiss, Cohen & Everitt 1969)
    ci_low: float | None  # kappa ± 1.96 se, clipped to [-1, 1]
    ci_high: float | None
    categories: tuple[Hashable, ...]  # every rating either observer gave, first seen first
    reason: str | None = None  # why kappa is undefined


def cohens_kappa(pairs: Sequence[tuple[Hashable, Hashable]]) -> Agreement:
    """Return Cohen's kappa of (first observer's rating, second observer's rating) pairs.

    The standard error is the large-sample one of Fleiss, Cohen & Everitt (1969):
    var = [Σ_i p_ii (1 − (p_i. + p_.i)(1 − κ))² + (1 − κ)² Σ_{i≠j} p_ij (p_.i + p_j.)²
    − (κ − pe(1 − κ))²] / (n (1 − pe)²). Perfect agreement has kappa 1 and error 0.
    """
    n = len(pairs)
    cells = Counter((first, second) for first, second in pairs)
    categories = tuple(dict.fromkeys(rating for pair in pairs for rating in pair))
    agreed = sum(count for (first, second), count in cells.items() if first == second)
    if n == 0:
        reason = "no items rated by both observers"
        return Agreement(0, 0, None, None, None, None, None, None, (), reason)
    po = agreed / n
    if len(categories) == 1:
        reason = f"both observers saw only {_quoted(categories[0])}"
        return Agreement(n, agreed, po, 1.0, None, None, None, None, categories, reason)
    rows = Counter(first for first, _ in pairs)  # the first observer's count per category
    columns = Counter(second for _, second in pairs)
    pe = math.fsum(rows[c] * columns[c] for c in categories) / (n * n)
    kappa = (po - pe) / (1 - pe)
    se = _standard_error(cells, rows, columns, n, kappa, pe)
    low = max(-1.0, kappa - Z_95 * se)
    high = min(1.0, kappa + Z_95 * se)
    return Agreement(n, agreed, po, pe, kappa, se, low, high, categories)


def _standard_error(
    cells: Counter[tuple[Hashable, Hashable]],
    rows: Counter[Hashable],
    columns: Counter[Hashable],
    n: int,
    kappa: float,
    pe: float,
) -> float:
    """Return the Fleiss-Cohen-Everitt large-sample standard error of kappa.

    Sums run over counts and divide by n once, so that perfect agreement gives exactly 0.
    """
    miss = 1 - kappa
    diagonal: list[float] = []
    off_diagonal: list[float] = []
    for (first, second), count in cells.items():
        if first == second:
            share = (rows[first] + columns[first]) / n
            diagonal.append(count * (1 - share * miss) ** 2)
        else:
            share = (columns[first] + rows[second]) / n
            off_diagonal.append(count * share**2)
    term_a = math.fsum(diagonal) / n
    term_b = miss**2 * math.fsum(off_diagonal) / n
    term_c = (kappa - pe * miss) ** 2
    variance = (term_a + term_b - term_c) / (n * (1 - pe) ** 2)
    return math.sqrt(max(variance, 0.0))  # rounding can leave a hair below zero


def landis_koch(kappa: float) -> str:
    """Name the strength of agreement as Landis & Koch (1977) do, for kappa as shown."""
    shown = round(kappa, 2)
    if shown < 0:
        return "poor"
    for upper, label in _LABELS:
        if shown <= upper:
            return label
    return "almost perfect"


def describe(agreement: Agreement) -> str:
    """Write one line a person can read, e.g.
    "Agreed on 18 of 20 (90%); Cohen's kappa 0.78 (95% CI 0.52–1.00): substantial"."""
    if agreement.n == 0 or agreement.po is None:
        return "No items rated by both observers"
    agreed = f"Agreed on {agreement.agreed} of {agreement.n} ({percent(agreement.po)}%)"
    if agreement.kappa is None or agreement.ci_low is None or agreement.ci_high is None:
        return f"{agreed}; Cohen's kappa undefined: {agreement.reason}"
    kappa = _two_places(agreement.kappa)
    low, high = _two_places(agreement.ci_low), _two_places(agreement.ci_high)
    between = " to " if low.startswith("-") or high.startswith("-") else "–"  # not "-1.00–-0.39"
    label = landis_koch(agreement.kappa)
    return f"{agreed}; Cohen's kappa {kappa} (95% CI {low}{between}{high}): {label}"


def pair_in_order(a: Sequence[T], b: Sequence[T]) -> tuple[list[tuple[T, T]], int]:
    """Pair the i-th rating of one observer with the i-th of the other.

    Two observers shadowing each other log the same events in the same order, so position
    is identity; the longer list's tail has no partner, and its length is returned so a
    reader knows how many events one observer logged alone.
    """
    pairs = list(zip(a, b, strict=False))
    return pairs, abs(len(a) - len(b))


def _quoted(category: Hashable) -> str:
    """Quote a category for a sentence: 'done'."""
    return f"'{category}'"


def _two_places(value: float) -> str:
    """Write a kappa with two decimals, never "-0.00"."""
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text
