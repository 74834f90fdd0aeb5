"""A beta mixture fitted to draws of a response rate by EM, as RBesT's ``mixfit`` and
``automixfit`` (Schmidli et al., Biometrics 2014;70:1023-1032).

EM for a mixture of betas: the E-step gives each draw's component responsibilities; the M-step
sets each weight to its mean responsibility and each (a, b) to the weighted beta maximum
likelihood, a concave problem in (a, b) solved from the weighted means of ``log x`` and
``log(1 - x)`` (``psi(a) - psi(a + b) = mean log x``, ...) with a, b >= 1 by default (RBesT's
``constrain_gt1 = TRUE``, which keeps the ELIR ESS defined). :func:`automixfit` fits 1 to 4
components and keeps the one with the smallest AIC with penalty ``k = 6`` per parameter
(RBesT's default). The approximation error is reported as the largest distance between the
draws' empirical cdf and the mixture's cdf (Kolmogorov-Smirnov) and the differences in mean,
sd and quantiles.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from simtrial._core.validation import Interval, ValidationError, check_value
from simtrial.borrowing.mixture import BetaMixture

__all__ = ["MixtureFit", "mixfit", "automixfit", "approximation_error"]

_EPS = np.finfo(float).eps


@dataclass
class MixtureFit:
    """A fitted beta mixture with its fit statistics.

    Attributes
    ----------
    mixture : BetaMixture
    log_likelihood : float
    n_components : int
    aic : float
        ``-2 log L + k * df`` with df = 3 K - 1 and the ``k`` used.
    iterations : int
    converged : bool
    error : dict
        :func:`approximation_error` of the mixture against the draws.
    candidates : pandas.DataFrame
        For :func:`automixfit`: each number of components tried, its log-likelihood and AIC.
    """

    mixture: BetaMixture
    log_likelihood: float
    n_components: int
    aic: float
    iterations: int
    converged: bool
    error: dict = field(default_factory=dict)
    candidates: pd.DataFrame | None = None


def _check_draws(draws) -> np.ndarray:
    x = np.asarray(draws, float).ravel()
    if x.size < 20 or not np.all(np.isfinite(x)) or np.any((x < 0) | (x > 1)):
        raise ValidationError("draws", "must be at least 20 finite response rates in [0, 1]")
    return np.clip(x, _EPS, 1 - _EPS)


def _kmeans_1d(x: np.ndarray, k: int, iters: int = 50) -> np.ndarray:
    centres = np.quantile(x, (np.arange(k) + 0.5) / k)
    for _ in range(iters):
        lab = np.argmin(np.abs(x[:, None] - centres[None, :]), axis=1)
        new = np.array([x[lab == j].mean() if np.any(lab == j) else centres[j] for j in range(k)])
        if np.allclose(new, centres):
            break
        centres = new
    return lab


def _init(x: np.ndarray, k: int, lower: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lab = _kmeans_1d(x, k)
    w = np.array([np.mean(lab == j) for j in range(k)])
    m = np.array([x[lab == j].mean() if np.any(lab == j) else x.mean() for j in range(k)])
    v = np.array([x[lab == j].var() if np.sum(lab == j) > 10 else 1.5 * x.var() for j in range(k)])
    n = np.maximum(m * (1 - m) / np.maximum(v, 1e-12) - 1, 2 * lower + 1e-3)
    # the smallest cluster starts at the data centre with the data's spread (as RBesT)
    j = int(np.argmin(w))
    if k > 1:
        m[j] = x.mean()
        n[j] = max(m[j] * (1 - m[j]) / x.var() - 1, 2 * lower + 1e-3)
    w = np.maximum(w, 1e-3)
    a = np.maximum(m * n, lower + 1e-6)
    b = np.maximum((1 - m) * n, lower + 1e-6)
    return w / w.sum(), a, b


def _beta_mle(c1: np.ndarray, c2: np.ndarray, a: np.ndarray, b: np.ndarray, lower: float,
              iters: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """argmax over a, b >= lower of (a - 1) c1 + (b - 1) c2 - log B(a, b), per component.

    Projected Newton with step halving; the objective is concave (the beta is an exponential
    family in (a, b)), so this converges to the constrained maximum.
    """
    lo = max(lower, 1e-8)

    def obj(a, b):
        return (a - 1) * c1 + (b - 1) * c2 - special.betaln(a, b)

    a, b = np.maximum(a.astype(float), lo), np.maximum(b.astype(float), lo)
    for _ in range(iters):
        s = special.digamma(a + b)
        ga, gb = c1 - special.digamma(a) + s, c2 - special.digamma(b) + s
        t_s = special.polygamma(1, a + b)
        haa, hbb, hab = t_s - special.polygamma(1, a), t_s - special.polygamma(1, b), t_s
        fix_a = (a <= lo) & (ga < 0)
        fix_b = (b <= lo) & (gb < 0)
        det = haa * hbb - hab**2
        da = np.where(fix_a, 0.0, np.where(fix_b, -ga / haa, -(hbb * ga - hab * gb) / det))
        db = np.where(fix_b, 0.0, np.where(fix_a, -gb / hbb, -(haa * gb - hab * ga) / det))
        f0 = obj(a, b)
        step = np.ones_like(a)
        for _ in range(60):
            na, nb = np.maximum(a + step * da, lo), np.maximum(b + step * db, lo)
            bad = obj(na, nb) < f0 - 1e-12 * np.abs(f0)
            if not bad.any():
                break
            step = np.where(bad, step / 2, step)
        na, nb = np.maximum(a + step * da, lo), np.maximum(b + step * db, lo)
        done = np.all(np.abs(na - a) <= 1e-10 * a) and np.all(np.abs(nb - b) <= 1e-10 * b)
        a, b = na, nb
        if done:
            break
    return a, b


def mixfit(draws, n_components: int, *, constrain_gt1: bool = True, max_iter: int = 500,
           tol: float = 1e-6, aic_k: float = 6.0) -> MixtureFit:
    """Fit a ``n_components`` beta mixture to ``draws`` by EM (RBesT ``mixfit(type="beta")``).

    Parameters
    ----------
    draws : array_like
        Draws of a response rate (e.g. of the MAP predictive).
    n_components : int
        1 to 10.
    constrain_gt1 : bool
        Keep every a, b >= 1 (default, as RBesT).
    max_iter : int
    tol : float
        Stop when the log-likelihood per draw changes by less than ``tol``.
    aic_k : float
        Penalty per parameter in the reported AIC.
    """
    x = _check_draws(draws)
    k = check_value("n_components", n_components, Interval(int, 1, 10))
    lower = 1.0 if constrain_gt1 else 0.0
    lx, l1x = np.log(x), np.log1p(-x)
    w, a, b = _init(x, k, lower)
    prev = -np.inf
    converged = False
    it = 0
    for it in range(1, max_iter + 1):
        lli = np.log(w) + special.xlogy(a - 1, x[:, None]) + special.xlog1py(b - 1, -x[:, None]) - special.betaln(a, b)
        lnorm = special.logsumexp(lli, axis=1)
        ll = float(lnorm.sum())
        if abs(ll - prev) < tol * x.size:
            converged = True
            break
        prev = ll
        resp = np.exp(lli - lnorm[:, None])
        nk = resp.sum(axis=0)
        w = np.maximum(nk / x.size, 1e-300)
        live = nk > 1e-8
        c1 = (lx @ resp)[live] / nk[live]
        c2 = (l1x @ resp)[live] / nk[live]
        a[live], b[live] = _beta_mle(c1, c2, a[live], b[live], lower)
    order = np.argsort(-w)
    mix = BetaMixture(w[order], a[order], b[order])
    df = 3 * k - 1
    return MixtureFit(mixture=mix, log_likelihood=ll, n_components=k, aic=-2 * ll + aic_k * df,
                      iterations=it, converged=converged, error=approximation_error(mix, x))


def automixfit(draws, components=(1, 2, 3, 4), *, aic_k: float = 6.0, constrain_gt1: bool = True) -> MixtureFit:
    """The best of :func:`mixfit` over ``components`` by AIC with penalty ``aic_k``
    (RBesT ``automixfit``: 1 to 4 components, ``k = 6``)."""
    fits = [mixfit(draws, k, constrain_gt1=constrain_gt1, aic_k=aic_k) for k in components]
    best = min(fits, key=lambda f: f.aic)
    best.candidates = pd.DataFrame({"components": [f.n_components for f in fits],
                                    "log_likelihood": [f.log_likelihood for f in fits],
                                    "aic": [f.aic for f in fits],
                                    "ks_distance": [f.error["ks_distance"] for f in fits]})
    return best


def approximation_error(mixture: BetaMixture, draws, probs=(0.025, 0.5, 0.975)) -> dict:
    """How well ``mixture`` represents ``draws``.

    Returns
    -------
    dict
        ``ks_distance`` (max |empirical cdf - mixture cdf|), and the mixture's minus the draws'
        mean, sd and quantiles.
    """
    x = np.sort(np.asarray(draws, float).ravel())
    n = x.size
    f = mixture.cdf(x)
    ks = float(max(np.max(np.arange(1, n + 1) / n - f), np.max(f - np.arange(n) / n)))
    q_mix = mixture.ppf(np.asarray(probs))
    q_draw = np.quantile(x, probs)
    out = {"ks_distance": ks, "mean_difference": mixture.mean() - float(x.mean()),
           "sd_difference": mixture.sd() - float(x.std(ddof=1))}
    for p, qm, qd in zip(probs, q_mix, q_draw):
        out[f"q{100 * p:g}_difference"] = float(qm - qd)
    return out
