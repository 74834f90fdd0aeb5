"""Mixtures of beta distributions for a response rate, and their beta-binomial predictives.

A prior ``p ~ sum_k w_k Beta(a_k, b_k)`` stays a beta mixture after binomial data: with ``r``
responders of ``n`` the posterior has components ``Beta(a_k + r, b_k + n - r)`` and weights
proportional to ``w_k`` times the component's beta-binomial probability of ``r`` (Schmidli et
al., Biometrics 2014;70:1023-1032). The number of responders among ``n`` future patients is a
mixture of beta-binomials with the same weights. Same parametrisation as RBesT's ``mixbeta``
(weight, a, b per column).

Examples
--------
>>> from simtrial.borrowing import BetaMixture
>>> prior = BetaMixture([0.8, 0.2], [5, 2], [5, 2])
>>> round(prior.mean(), 6)
0.5
>>> post = prior.posterior(r=7, n=10)
>>> post.n_components
2
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import optimize, special

from simtrial._core.validation import Interval, ValidationError, check_value

__all__ = ["BetaMixture", "BetaBinomialMixture", "beta_moments_to_ab"]

_WEIGHT_RAW = Interval(float, 0.0, None)
_SHAPE = Interval(float, 0.0, None, closed="neither")


def _as_vector(name: str, values, constraint) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(values, dtype=float))
    if arr.ndim != 1 or arr.size == 0:
        raise ValidationError(name, "must be a non-empty list of numbers", values)
    for v in arr:
        check_value(name, float(v), constraint)
    return arr


def beta_moments_to_ab(mean: float, sd: float) -> tuple[float, float]:
    """Beta(a, b) with the given mean and standard deviation (RBesT's ``ms2beta``)."""
    n = mean * (1 - mean) / sd**2 - 1
    return mean * n, (1 - mean) * n


def _log_betabinom(y, n, a, b):
    """log P(Y = y) for Y ~ BetaBinomial(n, a, b), broadcast."""
    return (special.gammaln(n + 1) - special.gammaln(y + 1) - special.gammaln(n - y + 1)
            + special.betaln(a + y, b + n - y) - special.betaln(a, b))


class BetaMixture:
    """A finite mixture of beta distributions on (0, 1).

    Parameters
    ----------
    weights : sequence of float
        Non-negative component weights; rescaled to sum to 1 (as RBesT does, with no warning).
    a, b : sequence of float
        Positive shape parameters of each component.
    names : sequence of str, optional
        Component labels (``comp1``, ``comp2``, ... by default; ``robust`` for the component
        :meth:`robustify` adds).
    """

    def __init__(self, weights: Sequence[float], a: Sequence[float], b: Sequence[float],
                 names: Sequence[str] | None = None):
        w = _as_vector("weights", weights, _WEIGHT_RAW)
        a = _as_vector("a", a, _SHAPE)
        b = _as_vector("b", b, _SHAPE)
        if not (w.size == a.size == b.size):
            raise ValidationError("weights", f"weights, a and b must have the same length; got {w.size}, {a.size}, {b.size}")
        if w.sum() <= 0:
            raise ValidationError("weights", "must not all be zero", list(w))
        self.weights = w / w.sum()
        self.a = a
        self.b = b
        names = list(names) if names is not None else [f"comp{k + 1}" for k in range(w.size)]
        if len(names) != w.size:
            raise ValidationError("names", f"must have one name per component ({w.size})", names)
        self.names = names

    # -- construction ---------------------------------------------------------------------------
    @classmethod
    def beta(cls, a: float, b: float) -> "BetaMixture":
        """A single Beta(a, b)."""
        return cls([1.0], [a], [b])

    @classmethod
    def from_mean_n(cls, weights, means, ns, names=None) -> "BetaMixture":
        """Components given by mean m and 'sample size' n: Beta(m n, (1 - m) n) (RBesT ``param="mn"``)."""
        m = np.asarray(means, float)
        n = np.asarray(ns, float)
        return cls(weights, m * n, (1 - m) * n, names)

    @property
    def n_components(self) -> int:
        return int(self.weights.size)

    # -- density, distribution, quantiles ---------------------------------------------------------
    def _component_logpdf(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, float)[..., None]
        with np.errstate(divide="ignore", invalid="ignore"):
            return (special.xlogy(self.a - 1, x) + special.xlog1py(self.b - 1, -x) - special.betaln(self.a, self.b))

    def logpdf(self, x) -> np.ndarray:
        """Log density at ``x`` (-inf outside [0, 1])."""
        x = np.asarray(x, float)
        with np.errstate(divide="ignore"):
            lp = special.logsumexp(np.log(self.weights) + self._component_logpdf(x), axis=-1)
        return np.where((x >= 0) & (x <= 1), lp, -np.inf)

    def pdf(self, x) -> np.ndarray:
        """Density at ``x``."""
        return np.exp(self.logpdf(x))

    def cdf(self, x) -> np.ndarray:
        """P(p <= x)."""
        x = np.clip(np.asarray(x, float), 0.0, 1.0)[..., None]
        return np.sum(self.weights * special.betainc(self.a, self.b, x), axis=-1)

    def sf(self, x) -> np.ndarray:
        """P(p > x), computed without cancellation."""
        x = np.clip(np.asarray(x, float), 0.0, 1.0)[..., None]
        return np.sum(self.weights * special.betaincc(self.a, self.b, x), axis=-1)

    def ppf(self, q) -> np.ndarray:
        """Quantiles: the x with P(p <= x) = q (bracketed root of the cdf)."""
        q = np.asarray(q, float)
        if np.any((q < 0) | (q > 1)):
            raise ValidationError("q", "must be probabilities in [0, 1]", q.tolist())
        flat = q.ravel()
        out = np.empty_like(flat)
        comp_q = special.betaincinv(self.a[None, :], self.b[None, :], flat[:, None])
        lo_all, hi_all = comp_q.min(axis=1), comp_q.max(axis=1)
        for i, (qi, lo, hi) in enumerate(zip(flat, lo_all, hi_all)):
            if qi <= 0.0 or qi >= 1.0 or self.n_components == 1 or hi - lo < 1e-15:
                out[i] = lo if qi < 1.0 else hi
                continue
            out[i] = optimize.brentq(lambda x: float(self.cdf(x)) - qi, lo, hi, xtol=1e-14, rtol=1e-15)
        return out.reshape(q.shape)

    def rvs(self, size: int, rng: np.random.Generator) -> np.ndarray:
        """Random draws."""
        k = rng.choice(self.n_components, size=size, p=self.weights)
        return rng.beta(self.a[k], self.b[k])

    # -- moments and mode ----------------------------------------------------------------------
    def mean(self) -> float:
        return float(np.sum(self.weights * self.a / (self.a + self.b)))

    def var(self) -> float:
        m_k = self.a / (self.a + self.b)
        v_k = self.a * self.b / ((self.a + self.b) ** 2 * (self.a + self.b + 1))
        m = np.sum(self.weights * m_k)
        return float(np.sum(self.weights * (v_k + m_k**2)) - m**2)

    def sd(self) -> float:
        return math.sqrt(self.var())

    def mode(self) -> float:
        """The highest mode (grid on the logit scale refined by a bounded search; RBesT's ``mixmode``)."""
        lo = float(special.betaincinv(self.a, self.b, 1e-8).min())
        hi = float(special.betaincinv(self.a, self.b, 1 - 1e-8).max())
        lo, hi = max(lo, 1e-12), min(hi, 1 - 1e-12)
        grid = special.expit(np.linspace(special.logit(lo), special.logit(hi), 4001))
        grid = np.concatenate([[1e-12], grid, [1 - 1e-12]])
        lp = self.logpdf(grid)
        k = int(np.argmax(lp))
        if k == 0 or k == grid.size - 1:
            return float(0.0 if k == 0 else 1.0)
        res = optimize.minimize_scalar(lambda x: -float(self.logpdf(x)), bounds=(grid[k - 1], grid[k + 1]),
                                       method="bounded", options={"xatol": 1e-12})
        return float(res.x)

    # -- updating and prediction -----------------------------------------------------------------
    def posterior(self, r: int, n: int) -> "BetaMixture":
        """The posterior after ``r`` responders of ``n`` (RBesT's ``postmix``)."""
        n = check_value("n", n, Interval(int, 0, None))
        r = check_value("r", r, Interval(int, 0, n))
        with np.errstate(divide="ignore"):
            lw = np.log(self.weights) + _log_betabinom(r, n, self.a, self.b)
        return BetaMixture(np.exp(lw - special.logsumexp(lw)), self.a + r, self.b + n - r, self.names)

    def posterior_weights(self, r, n: int) -> np.ndarray:
        """Posterior component weights for each count in ``r`` (shape ``r.shape + (K,)``)."""
        r = np.asarray(r)[..., None]
        with np.errstate(divide="ignore"):
            lw = np.log(self.weights) + _log_betabinom(r, n, self.a, self.b)
        return np.exp(lw - special.logsumexp(lw, axis=-1, keepdims=True))

    def posterior_sf(self, threshold: float, r, n: int) -> np.ndarray:
        """P(p > threshold | r of n), vectorised over ``r``."""
        r = np.asarray(r)
        w = self.posterior_weights(r, n)
        return np.sum(w * special.betaincc(self.a + r[..., None], self.b + n - r[..., None], threshold), axis=-1)

    def predictive(self, n: int) -> "BetaBinomialMixture":
        """The number of responders among ``n`` future patients (RBesT's ``preddist``)."""
        n = check_value("n", n, Interval(int, 0, None))
        return BetaBinomialMixture(self.weights, self.a, self.b, n)

    def robustify(self, weight: float, mean: float = 0.5, n: float = 1.0) -> "BetaMixture":
        """Add a weakly informative ``Beta(mean (n + 1), (1 - mean) (n + 1))`` with ``weight``.

        As RBesT's ``robustify`` for beta mixtures: the default ``mean = 0.5, n = 1`` adds a
        uniform Beta(1, 1) worth 2 patients; the other weights are scaled by ``1 - weight``.
        """
        weight = check_value("weight", weight, Interval(float, 0.0, 1.0))
        mean = check_value("mean", mean, Interval(float, 0.0, 1.0, closed="neither"))
        n = check_value("n", n, Interval(float, 0.0, None))
        if weight == 0.0:
            return BetaMixture(self.weights, self.a, self.b, self.names)
        if weight == 1.0:
            return BetaMixture([1.0], [mean * (n + 1)], [(1 - mean) * (n + 1)], ["robust"])
        return BetaMixture(np.append(self.weights * (1 - weight), weight),
                           np.append(self.a, mean * (n + 1)), np.append(self.b, (1 - mean) * (n + 1)),
                           [*self.names, "robust"])

    def ess(self, method: str = "elir", **kwargs) -> float:
        """Prior effective sample size; see :func:`simtrial.borrowing.ess.ess` (ELIR by default)."""
        from simtrial.borrowing.ess import ess

        return ess(self, method, **kwargs)

    # -- presentation ------------------------------------------------------------------------------
    def components(self) -> pd.DataFrame:
        """One row per component: weight, a, b, mean and a + b."""
        return pd.DataFrame({"w": self.weights, "a": self.a, "b": self.b,
                             "mean": self.a / (self.a + self.b), "a+b": self.a + self.b},
                            index=pd.Index(self.names, name="component"))

    def summary(self, probs: Sequence[float] = (0.025, 0.5, 0.975)) -> pd.Series:
        """Mean, sd and quantiles (RBesT's ``summary`` of a mixture)."""
        q = self.ppf(np.asarray(probs))
        return pd.Series({"mean": self.mean(), "sd": self.sd(), **{f"{100 * p:g}%": v for p, v in zip(probs, q)}})

    def to_dict(self) -> dict:
        return {"names": list(self.names), "w": self.weights.tolist(), "a": self.a.tolist(), "b": self.b.tolist()}

    def __repr__(self) -> str:
        return f"BetaMixture(weights={self.weights.tolist()}, a={self.a.tolist()}, b={self.b.tolist()})"

    def __str__(self) -> str:
        rows = [f"Univariate beta mixture ({self.n_components} component{'s' * (self.n_components > 1)})"]
        width = max(10, *(len(n) + 1 for n in self.names))
        rows.append("  " + "".join(f"{n:>{width}}" for n in self.names))
        for label, vals in (("w", self.weights), ("a", self.a), ("b", self.b)):
            rows.append(f"{label} " + "".join(f"{v:>{width}.6g}" for v in vals))
        return "\n".join(rows)


class BetaBinomialMixture:
    """The predictive number of responders among ``n`` patients under a beta mixture.

    Parameters
    ----------
    weights, a, b : arrays
        The beta mixture of the response rate.
    n : int
        Number of future patients.
    """

    def __init__(self, weights, a, b, n: int):
        self.weights = np.asarray(weights, float)
        self.a = np.asarray(a, float)
        self.b = np.asarray(b, float)
        self.n = int(n)

    def logpmf(self, y) -> np.ndarray:
        y = np.asarray(y)
        yy = np.clip(y, 0, self.n)[..., None]
        lp = special.logsumexp(np.log(self.weights) + _log_betabinom(yy, self.n, self.a, self.b), axis=-1)
        return np.where((y >= 0) & (y <= self.n) & (y == np.floor(y)), lp, -np.inf)

    def pmf(self, y) -> np.ndarray:
        return np.exp(self.logpmf(y))

    def cdf(self, y) -> np.ndarray:
        """P(Y <= y)."""
        table = np.cumsum(self.pmf(np.arange(self.n + 1)))
        y = np.floor(np.asarray(y, float))
        return np.where(y < 0, 0.0, table[np.clip(y, 0, self.n).astype(int)].clip(max=1.0))

    def sf(self, y) -> np.ndarray:
        """P(Y > y)."""
        pmf = self.pmf(np.arange(self.n + 1))
        tail = np.concatenate([np.cumsum(pmf[::-1])[::-1], [0.0]])  # tail[k] = P(Y >= k)
        y = np.floor(np.asarray(y, float))
        return np.where(y < 0, 1.0, tail[np.clip(y + 1, 0, self.n + 1).astype(int)].clip(max=1.0))

    def mean(self) -> float:
        return float(self.n * np.sum(self.weights * self.a / (self.a + self.b)))
