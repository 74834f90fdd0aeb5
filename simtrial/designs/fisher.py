"""Two-arm comparison of response rates with Fisher's exact test, as lookup tables.

Arm A (control) has x_a responders of n_a, arm B (experimental) x_b of n_b. Given the
total number of responders s = x_a + x_b, X_b is hypergeometric under H0: p_A = p_B.
P-values match ``scipy.stats.fisher_exact([[x_b, n_b - x_b], [x_a, n_a - x_a]])``:

* ``"greater"`` (H1: p_B > p_A): P(X_b >= x_b | s)
* ``"less"`` (H1: p_B < p_A): P(X_b <= x_b | s)
* ``"two-sided"``: sum of the conditional probabilities of all tables no more likely
  than the observed one (relative tolerance 1e-7, as in R's ``fisher.test``).

A table over every (x_a, x_b) is computed once, so deciding many simulated trials is a
lookup ``table[x_a, x_b]``.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln

from ._validation import check_counts, check_int, check_probability
from .two_arm import rejection_probability

__all__ = ["fisher_pvalue_table", "fisher_rejection_table", "fisher_pvalue", "fisher_power"]

_ALTERNATIVES = ("two-sided", "greater", "less")
_REL_TOL = 1e-7


def _log_choose(n: int, k: np.ndarray) -> np.ndarray:
    return gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)


def fisher_pvalue_table(n_a: int, n_b: int, alternative: str = "two-sided") -> np.ndarray:
    """P-values of Fisher's exact test for every outcome, shape (n_a + 1, n_b + 1).

    Parameters
    ----------
    n_a, n_b : int
        Arm sizes (>= 1).
    alternative : {"two-sided", "greater", "less"}
        ``"greater"`` tests H1: p_B > p_A.

    Returns
    -------
    numpy.ndarray
        ``table[x_a, x_b]`` is the p-value for x_a/n_a responders in A and x_b/n_b in B.
    """
    n_a = check_int("n_a", n_a, minimum=1)
    n_b = check_int("n_b", n_b, minimum=1)
    if alternative not in _ALTERNATIVES:
        raise ValueError(f"alternative must be one of {_ALTERNATIVES}, got {alternative!r}")
    xa = np.arange(n_a + 1)[:, None]
    xb = np.arange(n_b + 1)[None, :]
    s = xa + xb
    # conditional (hypergeometric) probability of each table given its margin s
    logp = _log_choose(n_a, xa) + _log_choose(n_b, xb) - _log_choose(n_a + n_b, s)
    prob = np.exp(logp)
    out = np.empty_like(prob)
    for total in range(n_a + n_b + 1):
        ia = np.arange(max(0, total - n_b), min(n_a, total) + 1)
        ib = total - ia  # x_b increases as ia decreases
        p = prob[ia, ib]
        if alternative == "greater":
            # P(X_b >= x_b): sum over tables with smaller x_a (larger x_b), incl. this one
            pv = np.cumsum(p)
        elif alternative == "less":
            pv = np.cumsum(p[::-1])[::-1]
        else:
            pv = (p[None, :] * (p[None, :] <= p[:, None] * (1 + _REL_TOL))).sum(axis=1)
        out[ia, ib] = np.minimum(pv, 1.0)
    return out


def fisher_rejection_table(n_a: int, n_b: int, alpha: float, alternative: str = "greater") -> np.ndarray:
    """Boolean table ``reject[x_a, x_b]`` = Fisher p-value <= alpha."""
    alpha = check_probability("alpha", alpha)
    return fisher_pvalue_table(n_a, n_b, alternative) <= alpha


def fisher_pvalue(x_a, n_a: int, x_b, n_b: int, alternative: str = "two-sided") -> np.ndarray:
    """Vectorised Fisher p-values for many (x_a, x_b) pairs by table lookup."""
    xa = check_counts("x_a", x_a, n_a)
    xb = check_counts("x_b", x_b, n_b)
    return fisher_pvalue_table(n_a, n_b, alternative)[xa, xb]


def fisher_power(p_a, p_b, n_a: int, n_b: int, alpha: float, alternative: str = "greater") -> np.ndarray:
    """Exact rejection probability of Fisher's test at true rates (p_a, p_b).

    Full enumeration over both binomials; broadcasts over ``p_a`` and ``p_b``. At
    p_a = p_b it is the exact (unconditional) size, which is below alpha because the
    test is conditional and discrete.
    """
    table = fisher_rejection_table(n_a, n_b, alpha, alternative)
    return rejection_probability(table, p_a, p_b)
