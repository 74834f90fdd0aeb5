"""Bayesian decision rules and their exact operating characteristics, as RBesT's ``decision1S``,
``decision1S_boundary``, ``oc1S``, ``pos1S``, ``decision2S``, ``oc2S`` and ``pmixdiff``.

A one-sample rule is a list of criteria that must all hold: ``P(p > q_i | data) > c_i``
(``lower_tail=False``) or ``P(p <= q_i | data) > c_i`` (``lower_tail=True``). With a beta-mixture
prior the posterior probability is monotone in the number of responders (the binomial
likelihood has monotone likelihood ratio), so a rule is a critical count: success iff
``y > crit`` (upper tail) or ``y <= crit`` (lower tail), RBesT's convention. The operating
characteristics are then exact binomial (or, for a distribution of true rates, beta-binomial)
sums over the ``n + 1`` outcomes; nothing is simulated.

Dual criteria (Neuenschwander et al., Stat Med 2011;30:1618; Roychoudhury et al., Ther Innov
Regul Sci 2018;52:513): statistical significance ``P(p > p0 | data) > c`` together with
clinical relevance ``P(p > p0 + delta | data) > 0.5`` (the posterior median beyond
``p0 + delta``): :meth:`Decision1S.dual`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from simtrial._core.validation import Boolean, Interval, ValidationError, check_value
from simtrial.borrowing._quadrature import adaptive_integrate
from simtrial.borrowing.mixture import BetaMixture

__all__ = ["Criterion", "Decision1S", "Decision2S", "decision1s_boundary", "oc1s", "pos1s",
           "pmixdiff", "decision2s_boundary", "oc2s"]

_PROB = Interval(float, 0.0, 1.0, closed="neither")


@dataclass(frozen=True)
class Criterion:
    """``P(p > threshold | data) > probability`` (or ``<=`` with ``lower_tail``)."""

    probability: float
    threshold: float
    lower_tail: bool = False

    def __post_init__(self):
        object.__setattr__(self, "probability", check_value("probability", self.probability, _PROB))
        object.__setattr__(self, "threshold", check_value("threshold", self.threshold, Interval(float, -1.0, 1.0)))
        object.__setattr__(self, "lower_tail", check_value("lower_tail", self.lower_tail, Boolean()))

    def __str__(self) -> str:
        return f"P(theta {'<=' if self.lower_tail else '>'} {self.threshold:g}) > {self.probability:g}"


class Decision1S:
    """A one-sample decision: success when every criterion holds (RBesT ``decision1S``).

    Parameters
    ----------
    probability : float or sequence of float
        Critical posterior probabilities ``pc`` in (0, 1).
    threshold : float or sequence of float
        Thresholds ``qc`` of the response rate, in (0, 1); as many as ``probability``.
    lower_tail : bool
        ``False`` (default): criteria ``P(p > qc) > pc``; ``True``: ``P(p <= qc) > pc``.
    """

    def __init__(self, probability, threshold, lower_tail: bool = False):
        pc = np.atleast_1d(np.asarray(probability, float))
        qc = np.atleast_1d(np.asarray(threshold, float))
        if pc.size != qc.size:
            raise ValidationError("threshold", f"must have as many values as probability ({pc.size})", qc.tolist())
        lower_tail = check_value("lower_tail", lower_tail, Boolean())
        for q in qc:
            check_value("threshold", float(q), _PROB)
        self.criteria = tuple(Criterion(float(p), float(q), lower_tail) for p, q in zip(pc, qc))
        self.lower_tail = lower_tail

    @classmethod
    def dual(cls, p0: float, probability: float, delta: float, relevance: float = 0.5) -> "Decision1S":
        """``P(p > p0) > probability`` and ``P(p > p0 + delta) > relevance`` (default: median)."""
        if delta <= 0:
            return cls(probability, p0)
        return cls([probability, relevance], [p0, p0 + delta])

    def posterior_probabilities(self, prior: BetaMixture, n: int, y=None) -> np.ndarray:
        """``P(criterion's event | y of n)`` for each count (rows) and criterion (columns)."""
        y = np.arange(n + 1) if y is None else np.asarray(y)
        cols = []
        for c in self.criteria:
            upper = prior.posterior_sf(c.threshold, y, n)
            cols.append(1.0 - upper if c.lower_tail else upper)
        return np.stack(cols, axis=-1)

    def success(self, prior: BetaMixture, n: int) -> np.ndarray:
        """Boolean array over ``y = 0..n``: does the rule declare success with ``y`` of ``n``?"""
        probs = self.posterior_probabilities(prior, n)
        pcs = np.array([c.probability for c in self.criteria])
        return np.all(probs > pcs, axis=-1)

    def __call__(self, posterior: BetaMixture) -> bool:
        """The decision for a posterior (RBesT: ``decision(postmix(prior, n, r))``)."""
        for c in self.criteria:
            upper = float(posterior.sf(c.threshold))
            if not ((1.0 - upper if c.lower_tail else upper) > c.probability):
                return False
        return True

    def __str__(self) -> str:
        return "success when " + " and ".join(str(c) for c in self.criteria)

    def __repr__(self) -> str:
        return f"Decision1S({[(c.probability, c.threshold) for c in self.criteria]}, lower_tail={self.lower_tail})"


def _check_n(n) -> int:
    return check_value("n", n, Interval(int, 1, 100_000))


def decision1s_boundary(prior: BetaMixture, n: int, decision: Decision1S) -> int:
    """The critical count (RBesT ``decision1S_boundary``).

    Upper-tail rules succeed iff ``y > crit`` (``crit = n`` if never, ``-1`` if always);
    lower-tail rules iff ``y <= crit`` (``-1`` if never, ``n`` if always).
    """
    n = _check_n(n)
    ok = decision.success(prior, n)
    if decision.lower_tail:
        if np.any(np.diff(ok.astype(int)) > 0):
            raise ValidationError("decision", "the success set is not monotone in the count")
        return int(np.count_nonzero(ok)) - 1
    if np.any(np.diff(ok.astype(int)) < 0):
        raise ValidationError("decision", "the success set is not monotone in the count")
    return int(n - np.count_nonzero(ok))


def oc1s(prior: BetaMixture, n: int, decision: Decision1S, theta) -> np.ndarray:
    """P(success | true rate ``theta``), exact (RBesT ``oc1S``), vectorised over ``theta``."""
    crit = decision1s_boundary(prior, n, decision)
    theta = np.asarray(theta, float)
    if np.any((theta < 0) | (theta > 1)):
        raise ValidationError("theta", "must be response rates in [0, 1]", theta.tolist())
    return stats.binom.cdf(crit, n, theta) if decision.lower_tail else stats.binom.sf(crit, n, theta)


def pos1s(prior: BetaMixture, n: int, decision: Decision1S, rate: BetaMixture) -> float:
    """Probability of success when the true rate follows the beta mixture ``rate``
    (RBesT ``pos1S``): a beta-binomial sum over the outcomes."""
    crit = decision1s_boundary(prior, n, decision)
    pred = rate.predictive(n)
    return float(pred.cdf(crit) if decision.lower_tail else pred.sf(crit))


# -- two samples ----------------------------------------------------------------------------------

def _sf_diff(mix1: BetaMixture, mix2: BetaMixture, q: float) -> float:
    """P(theta1 - theta2 > q), integrating over theta2's quantiles component by component."""
    total = 0.0
    for v, a, b in zip(mix2.weights, mix2.a, mix2.b):
        if v == 0:
            continue

        def f(u, a=a, b=b):
            return mix1.sf(special.betaincinv(a, b, u) + q)

        val = adaptive_integrate(f, 0.0, 1.0, abstol=1e-12, reltol=1e-11, initial=4)
        total += v * val
    return min(max(total, 0.0), 1.0)


def pmixdiff(mix1: BetaMixture, mix2: BetaMixture, q: float, lower_tail: bool = True) -> float:
    """P(theta1 - theta2 <= q) (``lower_tail``) or P(theta1 - theta2 > q) (RBesT ``pmixdiff``)."""
    q = check_value("q", q, Interval(float, -1.0, 1.0))
    upper = _sf_diff(mix1, mix2, q)
    return 1.0 - upper if lower_tail else upper


class Decision2S:
    """Two-sample decision on the difference ``theta1 - theta2`` (RBesT ``decision2S``).

    Success when every criterion ``P(theta1 - theta2 > qc) > pc`` holds (``<=`` with
    ``lower_tail``).
    """

    def __init__(self, probability, threshold=0.0, lower_tail: bool = False):
        pc = np.atleast_1d(np.asarray(probability, float))
        qc = np.atleast_1d(np.asarray(threshold, float))
        if pc.size != qc.size:
            raise ValidationError("threshold", f"must have as many values as probability ({pc.size})", qc.tolist())
        self.lower_tail = check_value("lower_tail", lower_tail, Boolean())
        self.criteria = tuple(Criterion(float(p), float(q), self.lower_tail) for p, q in zip(pc, qc))

    def __call__(self, post1: BetaMixture, post2: BetaMixture) -> bool:
        for c in self.criteria:
            if not pmixdiff(post1, post2, c.threshold, lower_tail=c.lower_tail) > c.probability:
                return False
        return True

    def __str__(self) -> str:
        op = "<=" if self.lower_tail else ">"
        return "success when " + " and ".join(f"P(theta1 - theta2 {op} {c.threshold:g}) > {c.probability:g}"
                                             for c in self.criteria)


def _success_grid(prior1: BetaMixture, prior2: BetaMixture, n1: int, n2: int, decision: Decision2S) -> np.ndarray:
    """Success indicator over all outcomes (y1, y2), found per y2 by bisection on y1.

    For an upper-tail rule success is increasing in y1 (and decreasing in y2); for a lower-tail
    rule decreasing in y1.
    """
    grid = np.zeros((n1 + 1, n2 + 1), dtype=bool)
    post1 = [None] * (n1 + 1)

    def dec(y1, post2):
        if post1[y1] is None:
            post1[y1] = prior1.posterior(y1, n1)
        return decision(post1[y1], post2)

    for y2 in range(n2 + 1):
        post2 = prior2.posterior(y2, n2)
        if not decision.lower_tail:
            # smallest y1 with success
            if not dec(n1, post2):
                continue
            lo, hi = -1, n1  # dec(hi) true; lo is "false" sentinel
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if dec(mid, post2):
                    hi = mid
                else:
                    lo = mid
            grid[hi:, y2] = True
        else:
            if not dec(0, post2):
                continue
            lo, hi = 0, n1 + 1  # dec(lo) true
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if dec(mid, post2):
                    lo = mid
                else:
                    hi = mid
            grid[: lo + 1, y2] = True
    return grid


def decision2s_boundary(prior1: BetaMixture, prior2: BetaMixture, n1: int, n2: int,
                        decision: Decision2S) -> np.ndarray:
    """Critical ``y1`` for each ``y2 = 0..n2``: success iff ``y1 > crit`` (upper tail) or
    ``y1 <= crit`` (lower tail); RBesT's ``decision2S_boundary`` as a table."""
    grid = _success_grid(prior1, prior2, _check_n(n1), _check_n(n2), decision)
    counts = grid.sum(axis=0)
    return (counts - 1) if decision.lower_tail else (n1 - counts)


def oc2s(prior1: BetaMixture, prior2: BetaMixture, n1: int, n2: int, decision: Decision2S):
    """The exact success probability as a function of the true rates (RBesT ``oc2S``).

    Returns
    -------
    callable
        ``f(theta1, theta2) -> array``, vectorised over broadcast ``theta1``, ``theta2``.
    """
    n1, n2 = _check_n(n1), _check_n(n2)
    grid = _success_grid(prior1, prior2, n1, n2, decision).astype(float)
    y1, y2 = np.arange(n1 + 1), np.arange(n2 + 1)

    def design(theta1, theta2) -> np.ndarray:
        t1, t2 = np.broadcast_arrays(np.asarray(theta1, float), np.asarray(theta2, float))
        p1 = stats.binom.pmf(y1, n1, t1[..., None])
        p2 = stats.binom.pmf(y2, n2, t2[..., None])
        return np.einsum("...i,ij,...j->...", p1, grid, p2)

    design.success_grid = grid  # type: ignore[attr-defined]
    return design


