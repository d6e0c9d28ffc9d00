"""How many more observations would decide a claim: the "observe about N more" of a walk.

Observers have a few minutes at each stop. A claim whose evidence is too thin to judge is
worth their time only if a handful more observations could settle it, so the walk page
lists such claims with the number, and the gap page says what would decide a verdict.

A claim is *decided* when its 95 % interval lies wholly outside the claimed band (the
say-vs-do contradiction, docs/saydo.md) or wholly inside it (the evidence agrees). The
numbers assume the next observations go the way the past ones did; docs/saydo.md ("How
many more observations decide a claim") explains the computation with a worked example.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from gemba.domain.phrases import N_, Np_, Phrase, english
from gemba.domain.quantiles import Z_95, t_quantile_975
from gemba.domain.saydo import FREQUENCY_BANDS, FREQUENCY_WORDS, wilson_interval

CAP = 10_000  # more than this many further observations is "will not decide it"

Band = tuple[float, float]
# The totals N at which a condition can hold: N <= first or N >= second (see _possible).
Region = tuple[float, float]
EVERYWHERE: Region = (0.0, 0.0)
NOWHERE: Region = (0.0, math.inf)
# Widens "possible" a little beyond the exact algebra, so float rounding in the Wilson
# bounds can never make the search skip a count where the interval already decides it.
_SLACK = 1 + 1e-6
_WORDS_OF_BANDS = {band: word for word, band in FREQUENCY_BANDS.items()}


@dataclass(frozen=True)
class DecideNote:
    """What would decide a claim, as a number and as the sentence a person reads."""

    more: int | None  # 0: decided now; None: more observations like these will not decide it
    said: Phrase  # "Observe about 6 more to decide", "Decided", ...
    reason: Phrase | None = None  # a short reason where the number alone would puzzle

    @property
    def text(self) -> str:
        return english(self.said)

    @property
    def why(self) -> str:
        return english(self.reason) if self.reason is not None else ""


def observations_to_decide(word: str, k: int, n: int, cap: int = CAP) -> int | None:
    """Return the fewest further observations that could decide a frequency claim.

    0 when the Wilson interval of k of n already lies wholly outside or inside the band.
    Otherwise the smallest m for which k + j of n + m decides it, with j the m new
    observations performed at the rate k/n rounded down or up (either may count). With
    nothing observed yet, m observations all performed or all missed. None when no m up
    to `cap` would: the rate sits on (or too near) a band edge, or the claim is "always"
    with no miss or "never" with nothing performed. The interval of k == n never lies
    wholly inside [1, 1] (its low end stays below 1), so "always" and "never" are only
    ever decided by a contradiction, which a run like the past ones cannot bring.
    """
    band = _band(word)
    if not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    if n == 0:
        alike = (_first_decided(band, 1, 1, 1, cap), _first_decided(band, 0, 1, 1, cap))
        return min((total for total in alike if total is not None), default=None)
    if _decided(band, k, n):
        return 0
    total = _first_decided(band, k, n, n + 1, n + cap)
    return None if total is None else total - n


def typical_to_decide(
    band_low: float, band_high: float, mean: float, sd: float, n: int, cap: int = CAP
) -> int | None:
    """Return the fewest further measurements that decide a typical-value claim.

    The mean and the standard deviation are held at what was observed; only the number of
    measurements grows, which narrows the t interval of the mean. 0 when it lies wholly
    outside or inside the band now; None with fewer than two measurements (no spread to
    go by), or when no number up to `cap` would (a mean on or near a band edge).
    """
    numbers = (band_low, band_high, mean, sd)
    if n < 2 or not all(math.isfinite(number) for number in numbers):
        return None
    band = (band_low, band_high)
    if _typical_decided(band, mean, sd, n):
        return 0
    # The interval narrows as n grows, so "decided" is monotone: double, then halve.
    below, above = 0, min(1, cap)
    while not _typical_decided(band, mean, sd, n + above):
        if above >= cap:
            return None
        below, above = above, min(2 * above, cap)
    while above - below > 1:
        middle = (below + above) // 2
        if _typical_decided(band, mean, sd, n + middle):
            above = middle
        else:
            below = middle
    return above


def frequency_note(word: str, k: int, n: int) -> DecideNote:
    """Say what would decide a frequency claim, for the walk and gap pages."""
    word = word.strip().lower()
    more = observations_to_decide(word, k, n)
    if more == 0:
        low, high = wilson_interval(k, n)
        band_low, band_high = FREQUENCY_BANDS[word]
        return _decided_note(outside=high < band_low or low > band_high)
    if more is not None:
        why = N_("if all go the same way") if n == 0 else N_("if they go at the rate seen so far")
        return DecideNote(more, _observe_more(more), Phrase(why))
    if word == "always":
        why = Phrase(N_('only a miss can decide "always"; no run of performed ones proves it'))
    elif word == "never":
        why = Phrase(N_('only one performed can decide "never"; no run of misses proves it'))
    elif n and k / n in FREQUENCY_BANDS[word]:
        why = Phrase(N_("the rate seen so far sits on the edge of the band"))
    else:
        why = Phrase(
            N_("the rate seen so far is so near the band's edge that over %(cap)s would be needed"),
            {"cap": f"{CAP:,}"},
        )
    return DecideNote(None, Phrase(N_("More observations at this rate will not decide it")), why)


def typical_note(band_low: float, band_high: float, mean: float, sd: float, n: int) -> DecideNote:
    """Say what would decide a typical-value claim ("10 min ± 20 %")."""
    if n < 2:
        return DecideNote(
            None,
            Phrase(N_("Observe at least 1 more")),
            Phrase(N_("one measurement shows no spread yet")),
        )
    more = typical_to_decide(band_low, band_high, mean, sd, n)
    if more == 0:
        return _decided_note(outside=not band_low <= mean <= band_high)
    if more is not None:
        why = Phrase(N_("if the mean and spread stay as they are"))
        return DecideNote(more, _observe_more(more), why)
    why = Phrase(N_("the mean sits on or too near the edge of the band"))
    return DecideNote(None, _WILL_NOT, why)


def bound_note(beyond: int) -> DecideNote:
    """Say what would decide a limit ("≤ 15 min"): only an observation beyond it does."""
    if beyond:
        return DecideNote(0, _DECIDED, Phrase(N_("an observation beyond the limit contradicts it")))
    why = Phrase(
        N_("one observation beyond the limit would contradict it; none within it proves it")
    )
    return DecideNote(None, _WILL_NOT, why)


def note_for(stats: Mapping) -> DecideNote | None:
    """Pick the note for a verdict's stats (gap page); None when they hold no statistics."""
    band = (stats.get("band_low"), stats.get("band_high"))
    if "rate" in stats and band in _WORDS_OF_BANDS:
        return frequency_note(_WORDS_OF_BANDS[band], stats["k"], stats["n"])
    if "limit" in stats:
        return bound_note(stats["beyond"])
    if "mean" in stats:
        sd = stats.get("sd", 0.0)
        return typical_note(stats["band_low"], stats["band_high"], stats["mean"], sd, stats["n"])
    return None


def _decided_note(*, outside: bool) -> DecideNote:
    """Word a claim decided now, saying which way."""
    if outside:
        return DecideNote(0, _DECIDED, Phrase(N_("the 95%% interval lies wholly outside the band")))
    return DecideNote(0, _DECIDED, Phrase(N_("the 95%% interval lies wholly inside the band")))


_DECIDED = Np_("verdict", "Decided")
_WILL_NOT = Phrase(N_("More observations like these will not decide it"))


def _observe_more(more: int) -> Phrase:
    return Phrase(N_("Observe about %(more)s more to decide"), {"more": more})


def _band(word: str) -> Band:
    """Look up the band of a frequency word, as saydo reads it."""
    band = FREQUENCY_BANDS.get(word.strip().lower())
    if band is None:
        raise ValueError(f"unknown frequency word {word!r}; use one of {FREQUENCY_WORDS}")
    return band


def _decided(band: Band, count: int, total: int) -> bool:
    """Is the Wilson interval of count of total wholly outside or wholly inside the band?"""
    low, high = wilson_interval(count, total)
    band_low, band_high = band
    return high < band_low or low > band_high or (band_low <= low and high <= band_high)


def _first_decided(band: Band, k: int, n: int, first: int, last: int) -> int | None:
    """Find the smallest total in first..last decided at rate k/n rounded down or up.

    Scanning every total would cost up to `last` Wilson intervals. The algebra in
    _possible says where a decision can happen at all: a few tiny totals, then from a
    threshold on, after which it becomes certain within about 2 / |rate - edge| steps.
    Only those totals are tried, each with the same test as the plain scan.
    """
    small, large = _possible(band, k / n)
    for total in range(first, min(last, math.floor(small) + 1) + 1):
        if _decided_at(band, k, n, total):
            return total
    if large > last:
        return None
    for total in range(max(first, math.floor(small) + 2, math.ceil(large) - 1), last + 1):
        if _decided_at(band, k, n, total):
            return total
    return None


def _decided_at(band: Band, k: int, n: int, total: int) -> bool:
    """Decided at total observations with the rate k/n, rounding the count down or up?"""
    down, remainder = divmod(k * total, n)
    return _decided(band, down, total) or (remainder > 0 and _decided(band, down + 1, total))


def _possible(band: Band, rate: float) -> Region:
    """Where a count within 1 of rate × total can decide the band, as a Region."""
    low, high = band
    contradicted = _union(_side(low, -1, rate, strict=True), _side(high, 1, rate, strict=True))
    agrees = _meet(_side(low, 1, rate, strict=False), _side(high, -1, rate, strict=False))
    return _union(contradicted, agrees)


def _side(edge: float, sign: int, rate: float, *, strict: bool) -> Region:
    """Where the interval can clear an edge: above it (sign 1) or below it (sign -1).

    The Wilson interval of c of N clears an inner edge e from above when
    c - N·e > z·√(N·e(1 - e)) (and symmetrically below), so a count within 1 of rate·N
    can only do it where d·N + 1 >= c_e·√N, d = sign·(rate - e): a quadratic in √N.
    """
    gain = sign * (rate - edge)
    if edge in (0.0, 1.0):
        # The interval's ends touch 0 and 1 only at k = 0 and k = n, and never cross them.
        if (sign < 0) == (edge == 0.0):
            return NOWHERE
        return EVERYWHERE if not strict or gain > 0 else NOWHERE
    width = Z_95 * math.sqrt(edge * (1 - edge))
    spread = width * width - 4 * gain * _SLACK
    if spread < 0:
        return EVERYWHERE
    root = math.sqrt(spread)
    small = 2 * _SLACK / (width + root)  # the smaller root in √N, written without cancelling
    large = (width + root) / (2 * gain) if gain > 0 else math.inf
    return (small * small, large * large)


def _union(one: Region, other: Region) -> Region:
    """Where either condition can hold."""
    return (max(one[0], other[0]), min(one[1], other[1]))


def _meet(one: Region, other: Region) -> Region:
    """Where both can hold (a little more, which only costs a few more tries)."""
    return (max(one[0], other[0]), max(one[1], other[1]))


def _typical_decided(band: Band, mean: float, sd: float, n: int) -> bool:
    """Is the t interval of the mean wholly outside or inside the band, as saydo computes it?"""
    margin = t_quantile_975(n - 1) * sd / math.sqrt(n)
    low, high = mean - margin, mean + margin
    band_low, band_high = band
    return high < band_low or low > band_high or (band_low <= low and high <= band_high)
