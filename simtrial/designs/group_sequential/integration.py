"""Recursive numerical integration of the canonical joint distribution of group-sequential z-scores.

Under the canonical joint distribution (Jennison & Turnbull 2000, ch. 3 and 19; Armitage,
McPherson & Rowe 1969) the z-statistics ``Z_1, ..., Z_K`` at information fractions
``t_1 < ... < t_K`` satisfy ``Z_k sqrt(t_k) = B(t_k) + theta t_k`` for a standard Brownian
motion ``B``. Subtracting the drift from the bounds (``bound - theta sqrt(t_k)``) reduces every
calculation to the null process, whose increments are independent:

    Z_k | Z_{k-1} = x  ~  N(x sqrt(t_{k-1} / t_k), (t_k - t_{k-1}) / t_k).

The density of ``Z_k`` on the continuation region is carried from look to look on a grid with
Simpson weights (Jennison & Turnbull, section 19.2); crossing probabilities at look ``k`` are
sums of normal tail probabilities against that density, so a boundary search at look ``k`` does
not redo the earlier looks. Every function broadcasts over leading axes (e.g. many drifts).

Bounds beyond +-:data:`Z_LIMIT` are truncated there (the mass beyond 8 is 6e-16).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.special import ndtr

__all__ = ["Z_LIMIT", "GRID_POINTS", "Stage", "first_stage", "crossing", "crossing_scalar", "advance", "exit_probabilities"]

#: Bounds are truncated to [-Z_LIMIT, Z_LIMIT].
Z_LIMIT = 8.0
#: Default number of grid points per look (odd, for Simpson's rule).
GRID_POINTS = 101

_SQRT_2PI = np.sqrt(2.0 * np.pi)


@lru_cache(maxsize=8)
def _unit_rule(m: int) -> tuple[np.ndarray, np.ndarray]:
    u = np.linspace(0.0, 1.0, m)
    coef = np.ones(m)
    coef[1:-1:2] = 4.0
    coef[2:-1:2] = 2.0
    return u, coef / (3.0 * (m - 1))


def _simpson(lower, upper, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Grid of ``m`` points on [lower, upper] (broadcast) and its Simpson weights."""
    u, coef = _unit_rule(m)
    lower = np.asarray(lower, float)[..., None]
    width = np.maximum(np.asarray(upper, float)[..., None] - lower, 0.0)
    return lower + width * u, width * coef


@dataclass
class Stage:
    """The sub-density of ``Z_k`` on the continuation region at look ``k`` (null process).

    Attributes
    ----------
    x : ndarray, shape (..., m)
        Grid points.
    f : ndarray, shape (..., m)
        Density times quadrature weight at ``x`` (so ``f.sum(-1)`` is P(continue past k)).
    t : float
        Information fraction of the look.
    """

    x: np.ndarray
    f: np.ndarray
    t: float


def _clip(z):
    if isinstance(z, float):
        return -Z_LIMIT if z < -Z_LIMIT else (Z_LIMIT if z > Z_LIMIT else z)
    return np.clip(np.asarray(z, float), -Z_LIMIT, Z_LIMIT)


def first_stage(lower, upper, t: float, m: int = GRID_POINTS) -> Stage:
    """The continuation density after look 1 with continuation region (lower, upper)."""
    x, w = _simpson(_clip(lower), _clip(upper), m)
    f = np.exp(-0.5 * x * x) / _SQRT_2PI * w
    return Stage(x, f, float(t))


def crossing(stage: Stage, t: float, bound, above: bool) -> np.ndarray:
    """P(continue to the look at ``t`` and cross ``bound`` there): above it if ``above``,
    below it otherwise. ``bound`` broadcasts against the stage's leading axes."""
    dt = t - stage.t
    b = np.asarray(_clip(bound), float)[..., None]
    arg = (b * np.sqrt(t) - stage.x * np.sqrt(stage.t)) / np.sqrt(dt)
    tail = ndtr(-arg) if above else ndtr(arg)
    return np.sum(stage.f * tail, axis=-1)


def crossing_scalar(stage: Stage, t: float, bound: float, above: bool) -> tuple[float, float]:
    """:func:`crossing` for one stage and one bound, with its derivative in the bound
    (for Newton steps in the boundary searches)."""
    c = np.sqrt(t / (t - stage.t))
    b = _clip(float(bound))
    arg = b * c - stage.x * (np.sqrt(stage.t) / np.sqrt(t - stage.t))
    dens = float(stage.f @ np.exp(-0.5 * arg * arg)) * c / _SQRT_2PI
    if above:
        return float(stage.f @ ndtr(-arg)), (-dens if abs(b) < Z_LIMIT else 0.0)
    return float(stage.f @ ndtr(arg)), (dens if abs(b) < Z_LIMIT else 0.0)


def advance(stage: Stage, t: float, lower, upper, m: int = GRID_POINTS) -> Stage:
    """The continuation density at the look at ``t`` with continuation region (lower, upper)."""
    dt = t - stage.t
    y, w = _simpson(_clip(lower), _clip(upper), m)
    z = (y[..., :, None] * np.sqrt(t) - stage.x[..., None, :] * np.sqrt(stage.t)) / np.sqrt(dt)
    kernel = np.exp(-0.5 * z * z) * (np.sqrt(t / dt) / _SQRT_2PI)
    g = (kernel @ stage.f[..., None])[..., 0]
    return Stage(y, g * w, float(t))


def exit_probabilities(lower, upper, t, m: int = GRID_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities of leaving the continuation region below and above at each look.

    Parameters
    ----------
    lower, upper : array_like, shape (..., K)
        Continuation region (lower, upper) at each look on the null-process z scale (already
        shifted by the drift); -inf/inf for no bound.
    t : array_like, shape (K,)
        Information fractions, strictly increasing in (0, 1].
    m : int
        Grid points per look.

    Returns
    -------
    below, above : ndarray, shape (..., K)
        P(continue to look k and Z_k <= lower_k) and P(continue to look k and Z_k >= upper_k).
    """
    lower = np.asarray(lower, float)
    upper = np.asarray(upper, float)
    t = np.asarray(t, float)
    K = t.size
    below = np.empty(np.broadcast_shapes(lower.shape, upper.shape))
    above = np.empty_like(below)
    below[..., 0] = ndtr(_clip(lower[..., 0]))
    above[..., 0] = ndtr(-_clip(upper[..., 0]))
    if K == 1:
        return below, above
    stage = first_stage(lower[..., 0], upper[..., 0], t[0], m)
    for k in range(1, K):
        below[..., k] = crossing(stage, t[k], lower[..., k], above=False)
        above[..., k] = crossing(stage, t[k], upper[..., k], above=True)
        if k < K - 1:
            stage = advance(stage, t[k], lower[..., k], upper[..., k], m)
    return below, above
