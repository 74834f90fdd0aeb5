"""Exact operating characteristics of any two-arm rule given as a rejection table.

A rule is a boolean array ``reject[x_a, x_b]`` over all outcomes (x_a of n_a responders
in arm A, x_b of n_b in arm B). Its rejection probability at (p_A, p_B) is the full
enumeration sum_{x_a, x_b} b(x_a; n_a, p_A) b(x_b; n_b, p_B) reject[x_a, x_b].
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["rejection_probability"]


def rejection_probability(reject_table, p_a, p_b) -> np.ndarray:
    """Exact probability that a two-arm rule rejects, broadcast over ``p_a`` and ``p_b``.

    Parameters
    ----------
    reject_table : array_like of bool, shape (n_a + 1, n_b + 1)
        ``reject_table[x_a, x_b]`` is True where the rule rejects H0.
    p_a, p_b : float or array_like
        True response probabilities in arms A and B, in [0, 1].

    Returns
    -------
    numpy.ndarray
        Rejection probability with the broadcast shape of ``p_a`` and ``p_b``.
    """
    t = np.asarray(reject_table)
    if t.ndim != 2 or t.dtype != bool:
        raise ValueError("reject_table must be a 2-d boolean array indexed [x_a, x_b]")
    pa, pb = np.broadcast_arrays(np.asarray(p_a, dtype=float), np.asarray(p_b, dtype=float))
    for name, v in (("p_a", pa), ("p_b", pb)):
        if not np.all(np.isfinite(v)) or np.any((v < 0) | (v > 1)):
            raise ValueError(f"{name} must be probabilities in [0, 1], got {v!r}")
    n_a, n_b = t.shape[0] - 1, t.shape[1] - 1
    fa = stats.binom.pmf(np.arange(n_a + 1), n_a, pa[..., None])  # (..., n_a + 1)
    fb = stats.binom.pmf(np.arange(n_b + 1), n_b, pb[..., None])
    return np.einsum("...i,ij,...j->...", fa, t.astype(float), fb)
