"""Exact binomial operating characteristics of group-sequential z boundaries, by enumeration.

At look ``k`` the test statistic is computed from the cumulative responders ``x`` of the
``n_k`` subjects (per group) as rpact's analysis and simulation do (normal approximation; see
:mod:`.rates`), and the trial stops for efficacy when ``Z >= c_k`` (two-sided: ``|Z| >= c_k``)
or for futility when ``Z <= u_k`` (rpact's ``getSimulationRates`` convention). The distribution
of the cumulative counts over the paths still running is carried from look to look by
convolution with the binomial distribution of the new subjects' responders, so the figures are
exact for the integer look sizes, however poor the normal approximation. Two groups carry a
(n1 + 1) x (n2 + 1) table, convolved along each axis with a banded transition matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scipy.stats import binom

__all__ = ["Spec", "z_statistic", "exit_probabilities", "count_boundaries"]

_EPS = 1e-9  # a z exactly on a bound (e.g. 0) counts as on it despite rounding


@dataclass(frozen=True)
class Spec:
    """What the enumeration needs: cumulative sizes per group and look, z bounds, test."""

    n: np.ndarray  # (groups, K) cumulative subjects
    critical: np.ndarray  # (K,)
    futility: np.ndarray  # (K,), -inf where none (always at the last look)
    sided: int
    theta_h0: float
    groups: int


def _fm_diff(r1, r2, theta, allocation):
    """Vectorised Farrington-Manning restricted rates under pi1 - pi2 = theta (theta != 0)."""
    a = 1 + 1 / allocation
    b = -(1 + 1 / allocation + r1 + r2 / allocation + theta * (1 / allocation + 2))
    c = theta**2 + theta * (2 * r1 + 1 / allocation + 1) + r1 + r2 / allocation
    d = -theta * (1 + theta) * r1
    v = b**3 / (3 * a) ** 3 - b * c / (6 * a**2) + d / (2 * a)
    root = np.sqrt(np.maximum(b**2 / (3 * a) ** 2 - c / (3 * a), 0.0))
    u = np.where(v == 0, root, np.sign(v) * root)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(v == 0, np.pi / 2, (np.pi + np.arccos(np.clip(v / u**3, -1, 1))) / 3)
    ml1 = np.clip(2 * u * np.cos(w) - b / (3 * a), 0.0, 1.0)
    ml2 = np.clip(ml1 - theta, 0.0, 1.0)
    return ml1, ml2


def z_statistic(spec: Spec, k: int) -> np.ndarray:
    """Z at look ``k`` for every cumulative count: shape (n1+1,) or (n1+1, n2+1)."""
    if spec.groups == 1:
        n = spec.n[0, k]
        p0 = spec.theta_h0
        return (np.arange(n + 1) / n - p0) / np.sqrt(p0 * (1 - p0) / n)
    n1, n2 = spec.n[0, k], spec.n[1, k]
    r1 = (np.arange(n1 + 1) / n1)[:, None]
    r2 = (np.arange(n2 + 1) / n2)[None, :]
    diff = r1 - r2 - spec.theta_h0
    if spec.theta_h0 == 0:
        pooled = (n1 * r1 + n2 * r2) / (n1 + n2)
        var = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    else:
        ml1, ml2 = _fm_diff(r1 + 0 * r2, r2 + 0 * r1, spec.theta_h0, n1 / n2)
        var = ml1 * (1 - ml1) / n1 + ml2 * (1 - ml2) / n2
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(diff == 0, 0.0, diff / np.sqrt(var))
        # a zero variance with a non-zero difference (only with theta_h0 != 0): the sign decides
        return np.where(np.isfinite(z), z, np.sign(diff) * np.inf)


def _regions(spec: Spec, k: int, use_futility: bool):
    z = z_statistic(spec, k)
    c = spec.critical[k]
    reject = (np.abs(z) if spec.sided == 2 else z) >= c - _EPS
    fut = np.zeros_like(reject)
    if use_futility and spec.sided == 1 and np.isfinite(spec.futility[k]):
        fut = (z <= spec.futility[k] + _EPS) & ~reject
    return reject, fut


def _transition(n_new: int, n_old: int, p: float) -> np.ndarray:
    """(n_new+1, n_old+1) matrix: P(cumulative x_new | cumulative x_old)."""
    inc = binom.pmf(np.arange(n_new - n_old + 1), n_new - n_old, p)
    T = np.zeros((n_new + 1, n_old + 1))
    for j in range(n_old + 1):
        T[j:j + inc.size, j] = inc
    return T


def exit_probabilities(spec: Spec, pi1: float, pi2: float | None, use_futility: bool = True):
    """Exact P(reject at look k) and P(stop for futility at look k), each shape (K,)."""
    K = spec.critical.size
    reject = np.zeros(K)
    fut = np.zeros(K)
    if spec.groups == 1:
        mass = binom.pmf(np.arange(spec.n[0, 0] + 1), spec.n[0, 0], pi1)
    else:
        mass = np.outer(binom.pmf(np.arange(spec.n[0, 0] + 1), spec.n[0, 0], pi1),
                        binom.pmf(np.arange(spec.n[1, 0] + 1), spec.n[1, 0], pi2))
    for k in range(K):
        if k > 0:
            T1 = _transition(spec.n[0, k], spec.n[0, k - 1], pi1)
            if spec.groups == 1:
                mass = T1 @ mass
            else:
                T2 = _transition(spec.n[1, k], spec.n[1, k - 1], pi2)
                mass = T1 @ mass @ T2.T
        rej, stop = _regions(spec, k, use_futility and k < K - 1)
        reject[k] = mass[rej].sum()
        fut[k] = mass[stop].sum()
        mass = np.where(rej | stop, 0.0, mass)
    return reject, fut


def count_boundaries(spec: Spec) -> "pd.DataFrame":
    """Smallest (treatment) count that rejects and largest that stops for futility, per look
    (and per control count with two groups). NaN where no count does."""
    import pandas as pd

    K = spec.critical.size
    rows = []
    for k in range(K):
        rej, fut = _regions(spec, k, k < K - 1)
        if spec.groups == 1:
            rej, fut = rej[:, None], fut[:, None]
        x = np.arange(rej.shape[0])[:, None]
        rmin = np.where(rej, x, np.iinfo(int).max).min(0).astype(float)
        rmin[rmin == np.iinfo(int).max] = np.nan
        fmax = np.where(fut, x, -1).max(0).astype(float)
        fmax[fmax < 0] = np.nan
        for j in range(rej.shape[1]):
            row = {"look": k + 1, "n": int(spec.n[:, k].sum())}
            if spec.groups == 2:
                row["x_control"] = j
            row["reject_min"] = rmin[j]
            row["futility_max"] = fmax[j]
            rows.append(row)
    return pd.DataFrame(rows)
