"""How sure a count can be: the Wilson score interval of k successes in n, which the
say-vs-do verdicts, the decision hints and the topic charts all read a rate with."""

from __future__ import annotations

import math

from gemba.domain.quantiles import Z_95


def wilson_interval(k: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """Return the Wilson score interval of k successes in n, honest even for tiny n."""
    if n <= 0:
        raise ValueError(f"n must be positive, got {n}")
    if not 0 <= k <= n:
        raise ValueError(f"k must be between 0 and n={n}, got {k}")
    z = abs(z)
    z2 = z * z
    rate = k / n
    if math.isfinite(z2):
        denominator = 1 + z2 / n
        centre = (rate + z2 / (2 * n)) / denominator
        half = z * math.sqrt(rate * (1 - rate) / n + z2 / (4 * n * n)) / denominator
    else:  # a z beyond 1e154 (or NaN): the interval's limit, everything is plausible
        centre = half = 0.5
    # The bounds touch 0 or 1 exactly only at k == 0 or k == n. Pinning them keeps "one miss
    # contradicts always" true even where floating point would round a bound onto the edge.
    low = 0.0 if k == 0 else max(min(centre - half, rate), math.nextafter(0.0, 1.0))
    high = 1.0 if k == n else min(max(centre + half, rate), math.nextafter(1.0, 0.0))
    return low, high
