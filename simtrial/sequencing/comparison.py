"""Answers with a direction: which strategy each endpoint favours, and how often.

For every endpoint (:mod:`simtrial.sequencing.endpoints`), over the simulated trials:

* each strategy's estimate (the mean over trials of the arm's mean), with its MCSE;
* the difference B minus A: its Monte Carlo distribution (mean with MCSE, 5%, 50%, 95%);
* the probability that B beats A in a trial (B's arm estimate better in the endpoint's direction),
  that A beats B, and of a tie;
* the probability that the trial's test declares B better, declares A better, or neither.
  On the ``response`` endpoint this is the design's own test (Fisher or Bayesian, with its
  looks) and its direction is the sign of the observed difference in response rates; a
  two-sided test thus reports its two directions separately. On the other endpoints it is a
  two-sided Welch test at the design's alpha on the enrolled children's values at the end of
  the trial (a normal approximation, stated as such in the report).

Under the *posterior* scenario every trial draws its own population parameters, so these are
predictive probabilities (assurance-type figures), never power.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy.special import ndtri

from simtrial.sequencing.endpoints import HIGHER_IS_BETTER, LABELS, Endpoint

__all__ = ["EndpointComparison", "compare", "comparison_table", "favoured"]

#: Decision codes of the trial calendar that reject H0 (final analysis, efficacy stop).
_REJECTED = (2, 3)


def _p(flags) -> tuple[float, float]:
    f = np.asarray(flags, dtype=float)
    p = float(f.mean()) if f.size else float("nan")
    return p, math.sqrt(p * (1 - p) / f.size) if f.size else float("nan")


def _mean(v) -> tuple[float, float]:
    v = np.asarray(v, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return float("nan"), float("nan")
    return float(v.mean()), (float(v.std(ddof=1)) / math.sqrt(v.size) if v.size > 1 else 0.0)


@dataclass(frozen=True)
class EndpointComparison:
    """Strategy B against strategy A on one endpoint, over the simulated trials.

    Attributes
    ----------
    endpoint : str
    higher_is_better : bool
    estimate_a, estimate_a_mcse, estimate_b, estimate_b_mcse : float
        Mean over trials of each arm's estimate, with MCSEs.
    difference, difference_mcse : float
        Mean of B minus A, with its MCSE.
    difference_p05, difference_p50, difference_p95 : float
        Quantiles of B minus A over trials.
    p_b_better, p_a_better, p_tie : float
        Share of trials in which B's estimate is better, A's is better, or they are equal.
    p_b_better_mcse, p_a_better_mcse : float
    test : str
        The test behind the next three figures.
    p_declares_b, p_declares_a, p_declares_neither : float
        Share of trials whose test declares B better, A better, neither.
    p_declares_b_mcse, p_declares_a_mcse : float
    """

    endpoint: str
    higher_is_better: bool
    estimate_a: float
    estimate_a_mcse: float
    estimate_b: float
    estimate_b_mcse: float
    difference: float
    difference_mcse: float
    difference_p05: float
    difference_p50: float
    difference_p95: float
    p_b_better: float
    p_b_better_mcse: float
    p_a_better: float
    p_a_better_mcse: float
    p_tie: float
    test: str
    p_declares_b: float
    p_declares_b_mcse: float
    p_declares_a: float
    p_declares_a_mcse: float
    p_declares_neither: float

    def to_dict(self) -> dict:
        return asdict(self)


def _welch_declares(res: dict, e: Endpoint, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Per trial: a two-sided Welch z-test at ``alpha`` finds B larger / A larger."""
    m = res[f"{e.value}_mean"]
    v = np.nan_to_num(res[f"{e.value}_var"], nan=0.0)
    n = res[f"{e.value}_n"]
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(v[:, 0] / n[:, 0] + v[:, 1] / n[:, 1])
        z = (m[:, 1] - m[:, 0]) / se
    z = np.where(np.isnan(z), 0.0, z)  # no spread and no difference: no evidence either way
    crit = float(ndtri(1 - alpha / 2))
    return z > crit, z < -crit


def compare(res: dict, alpha: float, design_test: str = "fisher") -> dict[str, EndpointComparison]:
    """Compare arm B with arm A on every endpoint.

    Parameters
    ----------
    res : dict
        Per-replicate results of :func:`simtrial.trial.replicates.simulate` with the endpoint
        fields (:data:`~simtrial.sequencing.endpoints.ENDPOINT_FIELDS`), ``decision`` and
        ``response_rate``, arms (A, B) on the last axis.
    alpha : float
        Level of the Welch tests on the endpoints other than response.
    design_test : str
        Name of the design's test, for the report.
    """
    out = {}
    for e in Endpoint:
        m = res[f"{e.value}_mean"]
        sign = 1.0 if HIGHER_IS_BETTER[e] else -1.0
        diff = m[:, 1] - m[:, 0]
        ok = np.isfinite(diff)
        d = diff[ok]
        if e is Endpoint.RESPONSE:
            rejected = np.isin(np.asarray(res["decision"]).astype(int), _REJECTED)
            rr = np.asarray(res["response_rate"], dtype=float)
            observed = rr[:, 1] - rr[:, 0]
            up, down = rejected & (observed > 0), rejected & (observed < 0)
            test = f"design test ({design_test})"
        else:
            up, down = _welch_declares(res, e, alpha)
            test = f"two-sided Welch z-test, alpha {alpha:g}"
        b_dec, a_dec = (up, down) if sign > 0 else (down, up)
        b_better, a_better = sign * d > 0, sign * d < 0
        q = np.quantile(d, [0.05, 0.5, 0.95]) if d.size else [np.nan] * 3
        ea, eb, dm = _mean(m[:, 0]), _mean(m[:, 1]), _mean(d)
        pb, pa = _p(b_better), _p(a_better)
        db, da = _p(b_dec), _p(a_dec)
        out[e.value] = EndpointComparison(
            endpoint=e.value, higher_is_better=HIGHER_IS_BETTER[e],
            estimate_a=ea[0], estimate_a_mcse=ea[1], estimate_b=eb[0], estimate_b_mcse=eb[1],
            difference=dm[0], difference_mcse=dm[1],
            difference_p05=float(q[0]), difference_p50=float(q[1]), difference_p95=float(q[2]),
            p_b_better=pb[0], p_b_better_mcse=pb[1], p_a_better=pa[0], p_a_better_mcse=pa[1], p_tie=1.0 - pb[0] - pa[0],
            test=test, p_declares_b=db[0], p_declares_b_mcse=db[1], p_declares_a=da[0],
            p_declares_a_mcse=da[1], p_declares_neither=1.0 - db[0] - da[0],
        )
    return out


def favoured(c: EndpointComparison) -> dict:
    """Which strategy the endpoint favours (more trials in which it is better) and how often."""
    if c.p_b_better > c.p_a_better:
        who, p, se = "B", c.p_b_better, c.p_b_better_mcse
    elif c.p_a_better > c.p_b_better:
        who, p, se = "A", c.p_a_better, c.p_a_better_mcse
    else:
        who, p, se = "neither", c.p_tie, float("nan")
    return {"strategy": who, "probability": p, "mcse": se}


def _fmt(x: float, days: bool) -> str:
    return "   n/a" if not math.isfinite(x) else (f"{x:6.1f}" if days else f"{x:6.3f}")


def comparison_table(comparisons: dict[str, EndpointComparison], names=("A", "B"),
                     primary: str | None = None) -> str:
    """A plain-text table: one row per endpoint, the primary one marked with ``*``."""
    labels = {k: f"{LABELS[Endpoint(k)]} ({'higher' if c.higher_is_better else 'lower'} is better)"
              for k, c in comparisons.items()}
    w = max(len(v) for v in labels.values())
    lines = [f"  {'endpoint':{w}s} {names[0]:>14s} {names[1]:>14s} {'B - A [90% of trials]':>26s} "
             f"{'P(B better)':>12s} {'P(A better)':>12s}  test declares B / A / neither"]
    for key, c in comparisons.items():
        days = key == Endpoint.TIME_TO_RESPONSE.value
        mark = "*" if key == primary else " "
        lines.append(
            f"{mark} {labels[key]:{w}s} {_fmt(c.estimate_a, days)} ({c.estimate_a_mcse:5.3f}) "
            f"{_fmt(c.estimate_b, days)} ({c.estimate_b_mcse:5.3f}) "
            f"{_fmt(c.difference, days)} [{_fmt(c.difference_p05, days)}, {_fmt(c.difference_p95, days)}] "
            f"{c.p_b_better:12.3f} {c.p_a_better:12.3f}  "
            f"{c.p_declares_b:.3f} / {c.p_declares_a:.3f} / {c.p_declares_neither:.3f}"
        )
    return "\n".join(lines)
