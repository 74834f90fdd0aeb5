"""Single-arm exact one-sided binomial test of H0: p <= p0 against H1: p > p0.

The trial rejects H0 (declares efficacy) when the number of responders X reaches the
critical number r, the smallest integer with P(X >= r | n, p0) <= alpha. Size and
power are exact binomial tail sums.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from ._validation import check_counts, check_int, check_probability

__all__ = ["critical_value", "rejection_probability", "reject", "min_sample_size"]


def critical_value(n, p0: float, alpha: float) -> np.ndarray:
    """Smallest r with P(X >= r | n, p0) <= alpha, vectorised over ``n``.

    Parameters
    ----------
    n : int or array_like of int
        Sample size(s), >= 1.
    p0 : float
        Null response probability, in (0, 1).
    alpha : float
        One-sided significance level, in (0, 1).

    Returns
    -------
    numpy.ndarray
        Critical number(s) of responders; ``n + 1`` when no r <= n qualifies
        (the test can never reject).
    """
    p0 = check_probability("p0", p0)
    alpha = check_probability("alpha", alpha)
    n_arr = np.asarray(n)
    if n_arr.dtype.kind not in "iu" or np.any(n_arr < 1):
        raise ValueError(f"n must be integers >= 1, got {n!r}")
    # isf gives the smallest k with sf(k) <= alpha, i.e. P(X > k) <= alpha.
    k = stats.binom.isf(alpha, n_arr, p0)
    r = np.asarray(k, dtype=np.int64) + 1
    # guard against isf rounding: step until the defining inequalities hold exactly
    r = np.where(stats.binom.sf(r - 1, n_arr, p0) > alpha, r + 1, r)
    r = np.where((r > 0) & (stats.binom.sf(r - 2, n_arr, p0) <= alpha), r - 1, r)
    return np.minimum(r, n_arr + 1)


def rejection_probability(p, n, p0: float, alpha: float) -> np.ndarray:
    """Exact probability that the test rejects H0 when the true rate is ``p``.

    At ``p = p0`` this is the exact size, at ``p = p1`` the exact power.
    Broadcasts over ``p`` and ``n``.
    """
    p_arr = np.asarray(p, dtype=float)
    if np.any((p_arr < 0) | (p_arr > 1)) or not np.all(np.isfinite(p_arr)):
        raise ValueError(f"p must be probabilities in [0, 1], got {p!r}")
    r = critical_value(n, p0, alpha)
    return stats.binom.sf(r - 1, n, p_arr)


def reject(responders, n, p0: float, alpha: float) -> np.ndarray:
    """Vectorised decision: True where ``responders >= critical_value(n, p0, alpha)``.

    Parameters
    ----------
    responders : array_like of int
        Numbers of responders, each in [0, n] (e.g. one per simulated trial).
    n : int or array_like of int
        Sample size(s), broadcast against ``responders``.
    """
    x = check_counts("responders", responders, n)
    return x >= critical_value(n, p0, alpha)


def min_sample_size(p0: float, p1: float, alpha: float, power: float, n_max: int = 1000) -> int:
    """Smallest n whose exact test has size <= alpha and power >= ``power`` at ``p1``.

    Exact power is saw-toothed in n, so a larger n can have lower power than this one;
    the returned n is the first that attains the target.

    Raises
    ------
    ValueError
        If ``p1 <= p0`` or no n <= ``n_max`` attains the power.
    """
    p0 = check_probability("p0", p0)
    p1 = check_probability("p1", p1)
    check_probability("alpha", alpha)
    power = check_probability("power", power)
    n_max = check_int("n_max", n_max, minimum=1)
    if p1 <= p0:
        raise ValueError(f"p1 must exceed p0 (one-sided test), got p0={p0}, p1={p1}")
    ns = np.arange(1, n_max + 1)
    ok = np.flatnonzero(rejection_probability(p1, ns, p0, alpha) >= power)
    if ok.size == 0:
        raise ValueError(f"n_max={n_max} is too small to reach power {power}; raise n_max")
    return int(ns[ok[0]])
