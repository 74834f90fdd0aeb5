"""Estimation after a single-arm or Simon two-stage trial stops: estimates, exact CIs, their OCs.

A Simon design (r1, n1, n) ends either after stage 1 with x1 <= r1 responders of n1, or after
stage 2 with a total of s responders of n (x1 > r1). The sample space is the set of outcomes
``(stage, x)``; a one-stage trial of n patients is the special case without stage-1 stop.

Estimators
----------
naive
    The observed proportion x1 / n1 or s / n (the MLE). Biased downwards after a futility
    stop design: trials with a low first-stage count stop and keep their low estimate.
UMVUE
    Jung SH, Kim KM. On the estimation of the binomial probability in multistage clinical
    trials. Stat Med 2004;23:881-896. The Rao-Blackwellisation of the first patient's response
    given the sufficient statistic (stage, x): x1 / n1 after a stop, and after stage 2

        sum_{x1} C(n1 - 1, x1 - 1) C(n2, s - x1) / sum_{x1} C(n1, x1) C(n2, s - x1)

    over x1 = r1 + 1 .. min(n1, s). Exactly unbiased for every p.

Confidence interval
-------------------
Koyama T, Chen H. Proper inference from Simon's two-stage designs. Stat Med
2008;27:3145-3154. The sample space is ordered stage-wise: every stage-2 outcome is more
extreme (against H0: p <= p0) than every stage-1 stop; within a stage, by the number of
responders. The one-sided p-value is P_p0(outcome at least as extreme), and the two-sided
100(1 - a)% interval collects the p with both tail probabilities above a / 2 (inverting the
two one-sided tests, as Clopper-Pearson does; for a one-stage trial it *is* Clopper-Pearson).

Exact bias, RMSE and coverage are sums over the (small) sample space, vectorised over p.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize
from scipy.special import comb, xlog1py, xlogy

from ._validation import check_int, check_probability

__all__ = [
    "TwoStageOutcomes",
    "outcomes",
    "EstimationOC",
    "estimation_oc",
    "estimate",
]

STAGE_1 = 1
STAGE_2 = 2


@dataclass(frozen=True)
class TwoStageOutcomes:
    """Every possible end of the trial with its estimates and exact confidence interval.

    Arrays are indexed by outcome, ordered from least to most extreme (stage-wise ordering):
    stage-1 stops x1 = 0..r1, then stage-2 totals s = r1 + 1..n.

    Attributes
    ----------
    r1, n1, n : int
        The design (``r1 = -1``, ``n1 = n`` for a one-stage trial).
    stage, x, n_treated : numpy.ndarray of int
        Stage at which the trial ended, responders (x1 after a stop, the total s otherwise),
        patients treated.
    count : numpy.ndarray of float
        Number of response sequences giving the outcome: P(outcome | p) = count p^x (1-p)^(m-x).
    naive, umvue : numpy.ndarray
        The two estimates of p.
    lower, upper : numpy.ndarray
        Koyama-Chen exact confidence limits at ``level``.
    level : float
        Confidence level of the interval.
    """

    r1: int
    n1: int
    n: int
    stage: np.ndarray
    x: np.ndarray
    n_treated: np.ndarray
    count: np.ndarray
    naive: np.ndarray
    umvue: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    level: float

    def probabilities(self, p) -> np.ndarray:
        """P(outcome | p) for every p of a grid; shape (len(p), number of outcomes)."""
        pv = np.atleast_1d(np.asarray(p, dtype=float))[:, None]
        return self.count * np.exp(xlogy(self.x, pv) + xlog1py(self.n_treated - self.x, -pv))

    def index(self, stage: int, x: int) -> int:
        """Position of outcome (stage, x) in the arrays."""
        hit = np.flatnonzero((self.stage == stage) & (self.x == x))
        if hit.size != 1:
            raise ValueError(f"(stage={stage}, x={x}) is not a possible outcome of this design")
        return int(hit[0])

    def p_value(self, stage: int, x: int, p0: float) -> float:
        """One-sided p-value for H0: p <= p0, P_p0(outcome at least as extreme) (Koyama-Chen)."""
        p0 = check_probability("p0", p0)
        return float(self.probabilities([p0])[0, self.index(stage, x):].sum())

    def to_frame(self):
        """One row per outcome: stage, x, n_treated, naive, umvue, lower, upper."""
        import pandas as pd

        return pd.DataFrame(
            {"stage": self.stage, "x": self.x, "n_treated": self.n_treated, "naive": self.naive,
             "umvue": self.umvue, "lower": self.lower, "upper": self.upper}
        )


def _check(r1: int | None, n1: int | None, n: int) -> tuple[int, int, int]:
    n = check_int("n", n, minimum=1)
    if r1 is None and n1 is None:
        return -1, n, n
    n1 = check_int("n1", n1, minimum=1)
    r1 = check_int("r1", r1, minimum=0)
    if n1 >= n or r1 >= n1:
        raise ValueError(f"need r1 < n1 < n, got r1={r1}, n1={n1}, n={n}")
    return r1, n1, n


def outcomes(n: int, r1: int | None = None, n1: int | None = None, level: float = 0.95) -> TwoStageOutcomes:
    """The sample space of a one-stage (``r1 = n1 = None``) or Simon two-stage trial.

    Parameters
    ----------
    n : int
        Total sample size.
    r1, n1 : int, optional
        Stage-1 futility bound (stop if x1 <= r1) and stage-1 size.
    level : float
        Confidence level of the exact intervals.
    """
    r1, n1, n = _check(r1, n1, n)
    level = check_probability("level", level)
    n2 = n - n1
    stage, x, m, count, naive, umvue = [], [], [], [], [], []
    for x1 in range(0, r1 + 1):
        stage.append(STAGE_1)
        x.append(x1)
        m.append(n1)
        count.append(comb(n1, x1))
        naive.append(x1 / n1)
        umvue.append(x1 / n1)
    for s in range(r1 + 1, n + 1):
        x1 = np.arange(r1 + 1, min(n1, s) + 1)
        x1 = x1[s - x1 <= n2]
        k = comb(n1, x1) * comb(n2, s - x1)
        stage.append(STAGE_2)
        x.append(s)
        m.append(n)
        count.append(k.sum())
        naive.append(s / n)
        umvue.append(float((comb(n1 - 1, x1 - 1) * comb(n2, s - x1)).sum() / k.sum()))
    out = TwoStageOutcomes(
        r1, n1, n, np.array(stage), np.array(x), np.array(m), np.array(count, dtype=float),
        np.array(naive), np.array(umvue), np.zeros(len(x)), np.ones(len(x)), level,
    )
    lower, upper = _intervals(out, level)
    object.__setattr__(out, "lower", lower)
    object.__setattr__(out, "upper", upper)
    return out


def _intervals(o: TwoStageOutcomes, level: float) -> tuple[np.ndarray, np.ndarray]:
    tail = (1 - level) / 2
    k = o.x.size
    lower = np.zeros(k)
    upper = np.ones(k)

    def upper_tail(p, i):  # P_p(outcome >= i), increasing in p
        return o.probabilities([p])[0, i:].sum()

    def lower_tail(p, i):  # P_p(outcome <= i), decreasing in p
        return o.probabilities([p])[0, : i + 1].sum()

    for i in range(k):
        if i > 0:
            lower[i] = optimize.brentq(lambda p: upper_tail(p, i) - tail, 0.0, 1.0, xtol=1e-12)
        if i < k - 1:
            upper[i] = optimize.brentq(lambda p: lower_tail(p, i) - tail, 0.0, 1.0, xtol=1e-12)
    return lower, upper


def estimate(stage: int, x: int, n: int, r1: int | None = None, n1: int | None = None, level: float = 0.95) -> dict:
    """Naive estimate, UMVUE and Koyama-Chen CI for one observed outcome."""
    o = outcomes(n, r1, n1, level)
    i = o.index(stage, x)
    return {"naive": float(o.naive[i]), "umvue": float(o.umvue[i]), "lower": float(o.lower[i]),
            "upper": float(o.upper[i]), "level": level}


@dataclass(frozen=True)
class EstimationOC:
    """Exact bias, RMSE and coverage of the estimates after stopping, one entry per p.

    ``coverage_naive_ci`` is the coverage of the Clopper-Pearson interval computed as if the
    patients treated had been a fixed sample (ignoring the stopping rule), for comparison.
    """

    p: np.ndarray
    mean_naive: np.ndarray
    mean_umvue: np.ndarray
    bias_naive: np.ndarray
    bias_umvue: np.ndarray
    rmse_naive: np.ndarray
    rmse_umvue: np.ndarray
    coverage: np.ndarray
    coverage_naive_ci: np.ndarray
    level: float

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame({k: getattr(self, k) for k in (
            "p", "mean_naive", "mean_umvue", "bias_naive", "bias_umvue", "rmse_naive", "rmse_umvue",
            "coverage", "coverage_naive_ci")})


def estimation_oc(p, n: int, r1: int | None = None, n1: int | None = None, level: float = 0.95) -> EstimationOC:
    """Exact OCs of the estimators and of the exact CI over a grid of true rates ``p``."""
    from scipy import stats

    o = outcomes(n, r1, n1, level)
    pv = np.atleast_1d(np.asarray(p, dtype=float))
    if not np.all(np.isfinite(pv)) or np.any((pv < 0) | (pv > 1)):
        raise ValueError(f"p must be probabilities in [0, 1], got {p!r}")
    prob = o.probabilities(pv)
    mean_naive = prob @ o.naive
    mean_umvue = prob @ o.umvue
    rmse_naive = np.sqrt(np.maximum(prob @ o.naive**2 - 2 * pv * mean_naive + pv**2, 0.0))
    rmse_umvue = np.sqrt(np.maximum(prob @ o.umvue**2 - 2 * pv * mean_umvue + pv**2, 0.0))
    covered = (o.lower[None, :] <= pv[:, None] + 1e-12) & (pv[:, None] - 1e-12 <= o.upper[None, :])
    tail = (1 - level) / 2
    cp_lo = np.where(o.x > 0, stats.beta.ppf(tail, np.maximum(o.x, 1), o.n_treated - o.x + 1), 0.0)
    cp_hi = np.where(o.x < o.n_treated, stats.beta.ppf(1 - tail, o.x + 1, np.maximum(o.n_treated - o.x, 1)), 1.0)
    cov_cp = (cp_lo[None, :] <= pv[:, None]) & (pv[:, None] <= cp_hi[None, :])
    return EstimationOC(
        p=pv,
        mean_naive=mean_naive,
        mean_umvue=mean_umvue,
        bias_naive=mean_naive - pv,
        bias_umvue=mean_umvue - pv,
        rmse_naive=rmse_naive,
        rmse_umvue=rmse_umvue,
        coverage=(prob * covered).sum(axis=1),
        coverage_naive_ci=(prob * cov_cp).sum(axis=1),
        level=level,
    )
