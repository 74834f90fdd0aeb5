"""Efficacy and futility boundaries on the z scale, found look by look (rpact's algorithms).

* Alpha spending: at look ``k`` the critical value is the root of P_0(first crossing at k) =
  a(t_k) - (alpha spent before k), with binding futility bounds in the continuation region
  (non-binding bounds are ignored here, so the type I error holds whether or not a futility stop
  is obeyed).
* Wang-Tsiatis: one constant ``c`` with bounds ``c t_k^(Delta - 1/2)``, the root of
  P_0(reject at any look) = alpha.
* Beta spending (one-sided): for a drift ``theta`` (E Z_K under the alternative) the futility
  bound at look ``k`` is the root of P_theta(stop for futility by k) = b(t_k); ``theta`` is the
  root of u_K(theta) = c_K, so the last look has a single bound and the power is 1 - beta.
  With binding futility the critical values are recomputed with each trial set of futility
  bounds (rpact's ``getDesignGroupSequentialBetaSpendingOneSidedCpp``).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq
from scipy.special import ndtr, ndtri

from .integration import GRID_POINTS, Z_LIMIT, Stage, advance, crossing_scalar, exit_probabilities, first_stage

__all__ = ["spending_bounds", "wang_tsiatis_bounds", "beta_spending_bounds"]

_XTOL = 1e-11


def _solve_near(fun, lo: float, hi: float, wide_lo: float, wide_hi: float) -> float:
    """Root of a monotone ``fun`` searched in [lo, hi] first, then in [wide_lo, wide_hi]."""
    fun = _memo(fun)
    f_lo, f_hi = fun(lo), fun(hi)
    if np.sign(f_lo) != np.sign(f_hi):
        return brentq(fun, lo, hi, xtol=1e-10, maxiter=200)
    return _solve(fun, wide_lo, wide_hi)


def _newton(fun, x0: float, lo: float, hi: float, increasing: bool) -> float:
    """Root of a monotone ``fun`` (returning value and derivative) in [lo, hi]: Newton steps
    kept inside a shrinking bracket, bisection when a step leaves it; an end of the interval
    when the root lies beyond it."""
    x = min(max(x0, lo), hi)
    for _ in range(200):
        f, df = fun(x)
        if abs(f) < 1e-12:  # the callers' functions are relative (log) errors of a probability
            return x
        if (f > 0) == increasing:
            hi = x
        else:
            lo = x
        step = x - f / df if df != 0.0 else np.nan
        x_new = step if lo < step < hi else 0.5 * (lo + hi)
        if abs(x_new - x) < _XTOL or hi - lo < _XTOL:
            return x_new
        x = x_new
    return x


def _solve(fun, lo: float, hi: float) -> float:
    """Root of a monotone ``fun`` on [lo, hi]; an end of the interval when there is no sign change."""
    fun = _memo(fun)
    f_lo, f_hi = fun(lo), fun(hi)
    if f_lo == 0:
        return lo
    if f_hi == 0:
        return hi
    if np.sign(f_lo) == np.sign(f_hi):
        return lo if abs(f_lo) < abs(f_hi) else hi
    return brentq(fun, lo, hi, xtol=1e-10, maxiter=200)


def _reject_at(stage: Stage | None, t: float, b: float, sided: int) -> tuple[float, float]:
    """P_0(continue to the look at t, then reject with critical value b), and d/db."""
    if stage is None:
        return float(sided * ndtr(-min(b, Z_LIMIT))), 0.0
    p, dp = crossing_scalar(stage, t, b, above=True)
    if sided == 2:
        q, dq = crossing_scalar(stage, t, -b, above=False)
        p, dp = p + q, dp - dq
    return p, dp


def _critical_value(stage: Stage | None, t: float, target: float, sided: int) -> float:
    """The critical value at one look spending ``target`` there (inf if nothing is spent)."""
    if target <= 1e-15:
        return np.inf
    if stage is None:
        return float(ndtri(1.0 - target / sided))
    guess = float(ndtri(1.0 - min(target / sided, 0.5)))

    def fun(b):
        # on the log scale a tail probability is nearly linear: Newton converges in a few steps
        p, dp = _reject_at(stage, t, b, sided)
        if p <= 1e-300:
            return -np.inf, 0.0
        return np.log(p / target), dp / p

    b = _newton(fun, guess, 0.0 if sided == 2 else -Z_LIMIT, Z_LIMIT, increasing=False)
    return np.inf if b >= Z_LIMIT - 1e-9 else b


def _futility_bound(stage: Stage, t: float, shift: float, target: float) -> float:
    """The futility bound spending ``target`` at one look under the drift (``shift`` = its mean)."""
    if target <= 1e-300:
        return -Z_LIMIT + shift

    def fun(u):
        p, dp = crossing_scalar(stage, t, u - shift, above=False)
        if p <= 1e-300:
            return -np.inf, 0.0
        return np.log(p / target), dp / p

    guess = shift + float(ndtri(min(max(target, 1e-12), 0.5)))
    return _newton(fun, guess, -Z_LIMIT + shift, Z_LIMIT + shift, increasing=True)


def spending_bounds(t, cumulative_alpha, sided: int, futility=None, m: int = GRID_POINTS) -> np.ndarray:
    """Critical values spending ``cumulative_alpha[k]`` by look ``k`` under H0.

    Parameters
    ----------
    t : array_like, shape (K,)
        Information fractions.
    cumulative_alpha : array_like, shape (K,)
        Cumulative alpha to spend (increasing, last = alpha).
    sided : {1, 2}
        Two-sided: symmetric bounds +-c_k, both tails count.
    futility : array_like, shape (K - 1,), optional
        Binding futility bounds (one-sided only); -inf for none at a look.
    m : int
        Grid points per look.
    """
    t = np.asarray(t, float)
    K = t.size
    a = np.asarray(cumulative_alpha, float)
    fut = np.full(K, -np.inf) if futility is None else np.append(np.asarray(futility, float), -np.inf)
    crit = np.empty(K)
    stage = None
    spent = 0.0
    for k in range(K):
        crit[k] = _critical_value(stage, t[k], a[k] - spent, sided)
        spent += _reject_at(stage, t[k], crit[k], sided)[0]
        if k < K - 1:
            lower = -crit[k] if sided == 2 else fut[k]
            stage = first_stage(lower, crit[k], t[k], m) if stage is None else advance(stage, t[k], lower, crit[k], m)
    return crit


def wang_tsiatis_bounds(t, alpha: float, sided: int, delta: float, futility=None, m: int = GRID_POINTS) -> np.ndarray:
    """Wang-Tsiatis critical values ``c t^(delta - 1/2)`` with overall level ``alpha``."""
    t = np.asarray(t, float)
    K = t.size
    shape = t ** (delta - 0.5)
    fut = np.full(K, -np.inf) if futility is None else np.append(np.asarray(futility, float), -np.inf)

    def level(c: float) -> float:
        crit = c * shape
        lower = -crit if sided == 2 else fut
        below, above = exit_probabilities(lower, crit, t, m)
        return float(above.sum() + (below.sum() if sided == 2 else 0.0))

    # bracket: the last bound is at least the fixed design's; no bound exceeds Bonferroni's
    lo = 0.9 * ndtri(1 - alpha / sided) / shape[-1]
    hi = 1.05 * ndtri(1 - alpha / (sided * K)) / shape.min()
    c = _solve(lambda c: level(c) - alpha, lo, hi)
    return c * shape


def _futility_bounds(theta: float, t, crit, cumulative_beta, m: int) -> np.ndarray:
    """Futility bounds u_1..u_K spending ``cumulative_beta`` under drift ``theta`` (crit fixed)."""
    K = t.size
    shift = theta * np.sqrt(t)
    fut = np.empty(K)
    stage = None
    spent = 0.0
    for k in range(K):
        target = cumulative_beta[k] - spent
        if stage is None:
            fut[k] = float(ndtri(cumulative_beta[0])) + shift[0]
            spent = float(ndtr(fut[k] - shift[0]))
        else:
            fut[k] = _futility_bound(stage, t[k], shift[k], target)
            spent += crossing_scalar(stage, t[k], fut[k] - shift[k], above=False)[0]
        if k < K - 1:
            fut[k] = min(fut[k], crit[k])  # a futility bound above the critical value never acts
            lo, hi = fut[k] - shift[k], crit[k] - shift[k]
            stage = first_stage(lo, hi, t[k], m) if stage is None else advance(stage, t[k], lo, hi, m)
    return fut


def _binding_bounds(theta: float, t, cumulative_alpha, cumulative_beta, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Critical values (binding futility) and futility bounds for a trial drift ``theta``."""
    K = t.size
    shift = theta * np.sqrt(t)
    crit = np.empty(K)
    fut = np.empty(K)
    null = alt = None
    a_spent = b_spent = 0.0
    for k in range(K):
        crit[k] = _critical_value(null, t[k], cumulative_alpha[k] - a_spent, 1)
        a_spent += _reject_at(null, t[k], crit[k], 1)[0]
        target = cumulative_beta[k] - b_spent
        if alt is None:
            fut[k] = float(ndtri(cumulative_beta[0])) + shift[0]
            b_spent = float(ndtr(fut[k] - shift[0]))
        else:
            fut[k] = _futility_bound(alt, t[k], shift[k], target)
            b_spent += crossing_scalar(alt, t[k], fut[k] - shift[k], above=False)[0]
        if k < K - 1:
            fut[k] = min(fut[k], crit[k])
            lo0, hi0 = fut[k], crit[k]
            lo1, hi1 = fut[k] - shift[k], crit[k] - shift[k]
            if null is None:
                null, alt = first_stage(lo0, hi0, t[k], m), first_stage(lo1, hi1, t[k], m)
            else:
                null, alt = advance(null, t[k], lo0, hi0, m), advance(alt, t[k], lo1, hi1, m)
    return crit, fut


def _memo(fun):
    """``fun`` remembering its results by argument (the drift search evaluates the bracket ends
    twice and the root once more)."""
    cache: dict = {}

    def wrapped(x):
        x = float(x)
        if x not in cache:
            cache[x] = fun(x)
        return cache[x]

    return wrapped


def _drift_guess(alpha: float, beta: float) -> tuple[float, float]:
    """A bracket for the beta-spending drift: around the fixed design's z_{1-alpha} + z_{1-beta}
    (futility stops and early looks move it by a few tens of per cent)."""
    fixed = float(ndtri(1 - alpha) + ndtri(1 - beta))
    return 0.85 * fixed, 1.3 * fixed


def beta_spending_bounds(t, crit, cumulative_alpha, cumulative_beta, binding: bool,
                         m: int = GRID_POINTS) -> tuple[np.ndarray, np.ndarray, float]:
    """One-sided futility bounds by beta spending.

    Returns
    -------
    crit : ndarray, shape (K,)
        Critical values (recomputed with the futility bounds when ``binding``).
    futility : ndarray, shape (K - 1,)
        Futility bounds of the interim looks.
    theta : float
        The drift E Z_K at which the design has power 1 - beta.
    """
    t = np.asarray(t, float)
    cb = np.asarray(cumulative_beta, float)
    if binding:
        ca = np.asarray(cumulative_alpha, float)
        bounds = _memo(lambda th: _binding_bounds(th, t, ca, cb, m))
        theta = _solve_near(lambda th: min(bounds(th)[0][-1], Z_LIMIT) - bounds(th)[1][-1],
                            *_drift_guess(ca[-1], cb[-1]), -4.0, 10.0)
        crit, fut = bounds(theta)
    else:
        crit = np.asarray(crit, float)
        alpha = float(np.asarray(cumulative_alpha, float)[-1]) if cumulative_alpha is not None else float(ndtr(-crit[-1]))
        futility = _memo(lambda th: _futility_bounds(th, t, crit, cb, m))
        theta = _solve_near(lambda th: futility(th)[-1] - crit[-1], *_drift_guess(alpha, cb[-1]), -4.0, 10.0)
        fut = futility(theta)
    return crit, fut[:-1], float(theta)
