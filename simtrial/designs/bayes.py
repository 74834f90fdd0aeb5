"""Beta-binomial posterior and predictive probabilities for a single arm.

With a Beta(a, b) prior on the response rate p and x responders of n, the posterior is
Beta(a + x, b + n - x). At an interim look with x of m responders, the number Y of
responders among the remaining n - m patients is beta-binomial,
Y ~ BetaBinom(n - m, a + x, b + m - x). The trial succeeds at the final analysis when
the total responders reach a critical number r_final, so the predictive probability
of success is PP = P(Y >= r_final - x). A posterior success rule
"P(p > p0 | data) > eta" is the critical number ``final_critical_value(n, p0, eta)``
because the posterior probability increases with the number of responders.

Reference: Lee JJ, Liu DD. A predictive probability design for phase II cancer
clinical trials. Clin Trials 2008;5:93-106.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from ._validation import check_counts, check_int, check_positive, check_probability

__all__ = ["posterior_prob_above", "final_critical_value", "predictive_probability"]


def posterior_prob_above(x, n, p0: float, a: float = 1.0, b: float = 1.0) -> np.ndarray:
    """P(p > p0 | x responders of n) under a Beta(a, b) prior, vectorised over x and n."""
    p0 = check_probability("p0", p0)
    a = check_positive("a", a)
    b = check_positive("b", b)
    n_arr = np.asarray(n)
    if n_arr.dtype.kind not in "iu" or np.any(n_arr < 0):
        raise ValueError(f"n must be integers >= 0, got {n!r}")
    x = check_counts("x", x, n_arr)
    return stats.beta.sf(p0, a + x, b + n_arr - x)


def final_critical_value(n: int, p0: float, eta: float, a: float = 1.0, b: float = 1.0) -> int:
    """Smallest number of responders x with P(p > p0 | x, n) > eta (n + 1 if none)."""
    n = check_int("n", n, minimum=1)
    eta = check_probability("eta", eta)
    post = posterior_prob_above(np.arange(n + 1), n, p0, a, b)
    hits = np.flatnonzero(post > eta)
    return int(hits[0]) if hits.size else n + 1


def predictive_probability(x, m: int, n: int, r_final: int, a: float = 1.0, b: float = 1.0) -> np.ndarray:
    """Predictive probability that the final total reaches ``r_final``, given x of m.

    Parameters
    ----------
    x : array_like of int
        Responders among the first m patients.
    m : int
        Patients evaluated at the interim (0 <= m <= n).
    n : int
        Final sample size.
    r_final : int
        Critical number of responders at the final analysis (success if total >= r_final).
    a, b : float
        Beta prior parameters.

    Returns
    -------
    numpy.ndarray
        P(x + Y >= r_final | x, m) with Y ~ BetaBinom(n - m, a + x, b + m - x).
    """
    n = check_int("n", n, minimum=1)
    m = check_int("m", m, minimum=0)
    if m > n:
        raise ValueError(f"m must be <= n, got m={m}, n={n}")
    r_final = check_int("r_final", r_final, minimum=0)
    a = check_positive("a", a)
    b = check_positive("b", b)
    x = check_counts("x", x, m)
    need = r_final - x
    pp = stats.betabinom.sf(need - 1, n - m, a + x, b + m - x)
    return np.where(need <= 0, 1.0, np.where(need > n - m, 0.0, pp))
