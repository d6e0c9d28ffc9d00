"""The two quantiles a 95 % interval needs, so the domain needs no SciPy.

A frequency claim is judged by the Wilson interval of a rate, which needs the
normal distribution's 0.975 quantile; a typical value by the t interval of a
mean, which needs Student's t's. Small samples are the common case on a walk
(a handful of timings), so t is tabulated exactly for 1..30 degrees of freedom
and approximated closely beyond.
"""

from __future__ import annotations

Z_95 = 1.959963984540054  # two-sided 95 %: the 0.975 quantile of the standard normal

# The 0.975 quantile of Student's t for 1..30 degrees of freedom (index = df - 1).
_T_975 = (
    12.706204736, 4.302652730, 3.182446305, 2.776445105, 2.570581836,
    2.446911851, 2.364624252, 2.306004135, 2.262157163, 2.228138852,
    2.200985160, 2.178812830, 2.160368656, 2.144786688, 2.131449546,
    2.119905299, 2.109815578, 2.100922040, 2.093024054, 2.085963447,
    2.079613845, 2.073873068, 2.068657610, 2.063898562, 2.059538553,
    2.055529439, 2.051830516, 2.048407142, 2.045229642, 2.042272456,
)  # fmt: skip


# Beyond this many degrees of freedom every correction term is below the spacing of floats
# at 1.96, so t is the normal quantile (and df**4 of a larger df would overflow a float).
_NORMAL_BEYOND = 1e16


def t_quantile_975(df: float) -> float:
    """Return Student's t 0.975 quantile, the multiplier of a two-sided 95 % interval."""
    if not df >= 1:  # NaN too
        raise ValueError(f"degrees of freedom must be at least 1, got {df}")
    if df <= len(_T_975):
        # A fractional df takes the value at its floor: the wider, more cautious interval.
        return _T_975[int(df) - 1]
    if df > _NORMAL_BEYOND:
        return Z_95
    # Cornish-Fisher expansion around the normal quantile; beyond df 30 it agrees with the
    # exact value to better than 1e-5.
    z, d = Z_95, float(df)
    return (
        z
        + (z**3 + z) / (4 * d)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * d**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * d**3)
        + (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / (92160 * d**4)
    )
