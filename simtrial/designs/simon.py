"""Simon two-stage designs: exact operating characteristics and exhaustive search.

Simon R. Optimal two-stage designs for phase II clinical trials.
Control Clin Trials 1989;10:1-10.

Convention (Simon's): treat n1 patients; stop for futility if responders X1 <= r1;
otherwise treat n2 = n - n1 more and reject H0 (declare efficacy) if the total
X1 + X2 > r. With B(k; m, p) the binomial cdf and b(k; m, p) its pmf,

* PET(p) = B(r1; n1, p)
* EN(p) = n1 + (1 - PET(p)) n2
* P(reject | p) = sum_{x1 = r1+1}^{n1} b(x1; n1, p) [1 - B(r - x1; n2, p)]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from simtrial._core.codes import Outcome

from ._validation import check_counts, check_int, check_probability

__all__ = [
    "SimonDesign",
    "SimonSearch",
    "pet",
    "expected_n",
    "rejection_probability",
    "decide",
    "simon_search",
    "optimal_design",
    "minimax_design",
]

# Decision codes returned by ``decide`` (simtrial._core.codes.Outcome).
STOP_FUTILITY, FAIL_FINAL, REJECT_H0 = Outcome.STOP_FUTILITY, Outcome.FAIL_FINAL, Outcome.REJECT_H0


def _check_design(r1: int, n1: int, r: int, n: int) -> None:
    check_int("n1", n1, minimum=1)
    check_int("n", n, minimum=n1 + 1)
    check_int("r1", r1, minimum=0)
    check_int("r", r, minimum=r1)
    if r1 >= n1:
        raise ValueError(f"r1 must be < n1, got r1={r1}, n1={n1}")
    if r >= n:
        raise ValueError(f"r must be < n, got r={r}, n={n}")


def _check_p(p) -> np.ndarray:
    a = np.asarray(p, dtype=float)
    if not np.all(np.isfinite(a)) or np.any((a < 0) | (a > 1)):
        raise ValueError(f"p must be probabilities in [0, 1], got {p!r}")
    return a


def pet(p, r1: int, n1: int) -> np.ndarray:
    """Probability of early termination after stage 1, B(r1; n1, p), vectorised over p."""
    check_int("n1", n1, minimum=1)
    check_int("r1", r1, minimum=0)
    return stats.binom.cdf(r1, n1, _check_p(p))


def expected_n(p, r1: int, n1: int, n: int) -> np.ndarray:
    """Expected sample size n1 + (1 - PET(p)) (n - n1), vectorised over p."""
    check_int("n", n, minimum=n1 + 1)
    return n1 + (1.0 - pet(p, r1, n1)) * (n - n1)


def rejection_probability(p, r1: int, n1: int, r: int, n: int) -> np.ndarray:
    """Exact probability of rejecting H0 (X1 > r1 and X1 + X2 > r), vectorised over p.

    Equals the exact type I error at p0 and the exact power at p1.
    """
    _check_design(r1, n1, r, n)
    p = _check_p(p)
    x1 = np.arange(r1 + 1, n1 + 1)
    shape = p.shape + (1,)
    pk = p.reshape(shape)
    terms = stats.binom.pmf(x1, n1, pk) * stats.binom.sf(r - x1, n - n1, pk)
    return terms.sum(axis=-1)


def decide(x1, x_total, r1: int, n1: int, r: int, n: int) -> np.ndarray:
    """Vectorised decision for simulated trials.

    Parameters
    ----------
    x1 : array_like of int
        Responders among the first n1 patients.
    x_total : array_like of int
        Responders among all n patients (ignored where the trial stopped at stage 1).

    Returns
    -------
    numpy.ndarray of int
        0 = stopped for futility after stage 1, 1 = completed without rejecting H0,
        2 = H0 rejected (efficacy declared).
    """
    _check_design(r1, n1, r, n)
    x1 = check_counts("x1", x1, n1)
    xt = check_counts("x_total", x_total, n)
    out = np.where(xt > r, REJECT_H0, FAIL_FINAL)
    return np.where(x1 <= r1, STOP_FUTILITY, out)


@dataclass(frozen=True)
class SimonDesign:
    """A Simon two-stage design with its exact characteristics at p0 and p1."""

    r1: int
    n1: int
    r: int
    n: int
    p0: float
    p1: float
    pet_p0: float
    en_p0: float
    alpha_actual: float
    power_actual: float

    @property
    def n2(self) -> int:
        """Stage-2 sample size."""
        return self.n - self.n1

    def pet(self, p) -> np.ndarray:
        """PET at response rate(s) ``p``."""
        return pet(p, self.r1, self.n1)

    def expected_n(self, p) -> np.ndarray:
        """Expected sample size at ``p``."""
        return expected_n(p, self.r1, self.n1, self.n)

    def rejection_probability(self, p) -> np.ndarray:
        """Probability of rejecting H0 at ``p``."""
        return rejection_probability(p, self.r1, self.n1, self.r, self.n)

    def decide(self, x1, x_total) -> np.ndarray:
        """Decision codes for simulated trials; see :func:`decide`."""
        return decide(x1, x_total, self.r1, self.n1, self.r, self.n)


@dataclass(frozen=True)
class SimonSearch:
    """Result of :func:`simon_search`: the optimal and minimax designs."""

    optimal: SimonDesign
    minimax: SimonDesign


class _BinomialTables:
    """pmf[m, k] = b(k; m, p) and sf[m, k + off] = P(X > k), X ~ Bin(m, p), precomputed once."""

    def __init__(self, p: float, n_max: int):
        m = np.arange(n_max + 1)[:, None]
        self.off = n_max
        k = np.arange(-n_max, n_max + 1)[None, :]
        self.pmf = stats.binom.pmf(np.arange(n_max + 1)[None, :], m, p)
        self.cdf = np.cumsum(self.pmf, axis=1)
        self.sf = stats.binom.sf(k, m, p)

    def reject_matrix(self, n1: int, n: int) -> np.ndarray:
        """R[r1, r] = P(X1 > r1, X1 + X2 > r) for r1 in 0..n1-1, r in 0..n-1."""
        b1 = self.pmf[n1, : n1 + 1]
        # P(X2 > r - x1) via a sliding index: row x1 starts at column off - x1
        cols = self.off + np.arange(n)[None, :] - np.arange(n1 + 1)[:, None]
        m = b1[:, None] * self.sf[n - n1][cols]
        tail = np.cumsum(m[::-1], axis=0)[::-1]  # tail[x] = sum_{x1 >= x} m[x1]
        return tail[1:]


def _candidates(p0, p1, alpha, power, n_min, n_max):
    """Array with rows (r1, n1, r, n, alpha, power, pet0, en0) of all feasible designs."""
    t0 = _BinomialTables(p0, n_max)
    t1 = _BinomialTables(p1, n_max)
    rows = []
    for n in range(max(n_min, 2), n_max + 1):
        for n1 in range(1, n):
            pw = t1.reject_matrix(n1, n)
            ok = pw >= power
            if not ok.any():
                continue
            a = t0.reject_matrix(n1, n)
            ok &= a <= alpha
            ok &= np.arange(n)[None, :] >= np.arange(n1)[:, None]
            if not ok.any():
                continue
            r1s, rs = np.nonzero(ok)
            pet0 = t0.cdf[n1, r1s]
            rows.append(
                np.column_stack(
                    [r1s, np.full_like(r1s, n1), rs, np.full_like(rs, n), a[r1s, rs], pw[r1s, rs],
                     pet0, n1 + (1 - pet0) * (n - n1)]
                )
            )
    if not rows:
        return None
    return np.concatenate(rows)


def _design(row, p0, p1) -> SimonDesign:
    r1, n1, r, n = (int(v) for v in row[:4])
    return SimonDesign(r1, n1, r, n, p0, p1, float(row[6]), float(row[7]), float(row[4]), float(row[5]))


def simon_search(
    p0: float, p1: float, alpha: float, power: float, n_max: int = 100, n_min: int = 2
) -> SimonSearch:
    """Exhaustive search for Simon's optimal and minimax two-stage designs.

    Every (n1, r1, n, r) with n_min <= n <= n_max, 1 <= n1 < n, 0 <= r1 < n1, r1 <= r < n
    is evaluated exactly (vectorised over r1 and r). The feasible designs have
    P(reject | p0) <= alpha and P(reject | p1) >= power.

    * optimal: minimum EN(p0); ties broken by smaller n, then smaller n1.
    * minimax: minimum n; ties broken by smaller EN(p0), then smaller n1.

    Parameters
    ----------
    p0, p1 : float
        Uninteresting and target response rates, 0 < p0 < p1 < 1.
    alpha : float
        Maximum one-sided type I error.
    power : float
        Minimum power at p1 (1 - beta).
    n_max : int
        Largest total sample size searched.
    n_min : int
        Smallest total sample size searched.

    Raises
    ------
    ValueError
        On invalid arguments or when no design with n <= n_max is feasible.
    """
    p0 = check_probability("p0", p0)
    p1 = check_probability("p1", p1)
    alpha = check_probability("alpha", alpha)
    power = check_probability("power", power)
    n_max = check_int("n_max", n_max, minimum=2)
    n_min = check_int("n_min", n_min, minimum=2)
    if p1 <= p0:
        raise ValueError(f"p1 must exceed p0, got p0={p0}, p1={p1}")
    if n_min > n_max:
        raise ValueError(f"n_min must be <= n_max, got n_min={n_min}, n_max={n_max}")
    cand = _candidates(p0, p1, alpha, power, n_min, n_max)
    if cand is None:
        raise ValueError(f"no feasible design with n <= n_max={n_max}; raise n_max")
    # round EN so that floating-point noise does not break genuine ties
    en = np.round(cand[:, 7], 10)
    opt = np.lexsort((cand[:, 1], cand[:, 3], en))[0]
    mm = np.lexsort((cand[:, 1], en, cand[:, 3]))[0]
    return SimonSearch(_design(cand[opt], p0, p1), _design(cand[mm], p0, p1))


def optimal_design(p0: float, p1: float, alpha: float, power: float, n_max: int = 100) -> SimonDesign:
    """Simon's optimal design (minimum EN under p0); see :func:`simon_search`."""
    return simon_search(p0, p1, alpha, power, n_max).optimal


def minimax_design(p0: float, p1: float, alpha: float, power: float, n_max: int = 100) -> SimonDesign:
    """Simon's minimax design (minimum n, then minimum EN under p0); see :func:`simon_search`."""
    return simon_search(p0, p1, alpha, power, n_max).minimax


def design_at_n(p0: float, p1: float, alpha: float, n: int, power: float = 0.8) -> SimonDesign:
    """A Simon two-stage design with total sample size exactly ``n`` (for sample-size sweeps).

    Among all (n1, r1, r) with total ``n`` and ``P(reject | p0) <= alpha``:

    * if some reach ``power`` at ``p1``: the one with the smallest EN(p0) (Simon's optimality
      criterion restricted to this n); ties broken by the smaller n1;
    * otherwise (n too small for the target power): the most powerful design whose first stage
      is at most half the trial (``n1 <= n / 2``, so it stays a two-stage design), ties broken by
      the smaller EN(p0), then the smaller n1. Its power is reported in ``power_actual``.

    Raises
    ------
    ValueError
        On invalid arguments, or when no design with this n keeps the size <= alpha.
    """
    p0 = check_probability("p0", p0)
    p1 = check_probability("p1", p1)
    alpha = check_probability("alpha", alpha)
    power = check_probability("power", power)
    n = check_int("n", n, minimum=2)
    if p1 <= p0:
        raise ValueError(f"p1 must exceed p0, got p0={p0}, p1={p1}")
    cand = _candidates(p0, p1, alpha, 0.0, n, n)
    if cand is None:
        raise ValueError(f"n: no two-stage design with n={n} keeps the size <= alpha={alpha}")
    en = np.round(cand[:, 7], 10)
    powered = cand[:, 5] >= power
    if powered.any():
        rows = np.flatnonzero(powered)
        best = rows[np.lexsort((cand[rows, 1], en[rows]))[0]]
    else:
        rows = np.flatnonzero(cand[:, 1] <= n / 2)
        best = rows[np.lexsort((cand[rows, 1], en[rows], -np.round(cand[rows, 5], 12)))[0]]
    return _design(cand[best], p0, p1)
