"""A single-arm design that borrows from historical data through a (robust) MAP prior.

Success when ``P(p > p0 | data) > threshold`` and, with ``delta > 0``, also
``P(p > p0 + delta | data) > 0.5`` (dual criteria). Everything is exact: the rule is a
critical count, the rejection probability at a true rate is a binomial tail, the assurance over
a distribution of true rates its average (beta-binomial for a beta mixture).

Examples
--------
>>> from simtrial.borrowing import BetaMixture
>>> from simtrial.borrowing.design import BorrowingDesign
>>> prior = BetaMixture([0.8, 0.2], [10, 1], [10, 1])
>>> d = BorrowingDesign(prior, n=30, p0=0.3, threshold=0.95)
>>> d.critical_count
12
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from simtrial._core.validation import Interval, check_fields
from simtrial.borrowing.decisions import Decision1S, decision1s_boundary, oc1s, pos1s
from simtrial.borrowing.mixture import BetaMixture

__all__ = ["BorrowingDesign"]


class BorrowingDesign:
    """Single-arm Bayesian design with a beta-mixture prior.

    Parameters
    ----------
    prior : BetaMixture
        The analysis prior of the response rate (e.g. a robust MAP prior).
    n : int
        Patients.
    p0 : float
        Response rate to exceed.
    threshold : float
        Critical posterior probability ``c`` of ``p > p0``.
    delta : float
        Clinically relevant difference: with ``delta > 0`` the posterior median must also
        exceed ``p0 + delta`` (dual criteria); 0 for the single criterion.
    """

    _constraints = {
        "n": Interval(int, 1, 100_000),
        "p0": Interval(float, 0.0, 1.0, closed="neither"),
        "threshold": Interval(float, 0.0, 1.0, closed="neither"),
        "delta": Interval(float, 0.0, 1.0, closed="left"),
    }

    def __init__(self, prior: BetaMixture, n: int, p0: float, threshold: float = 0.95, delta: float = 0.0):
        self.prior = prior
        self.n = n
        self.p0 = p0
        self.threshold = threshold
        self.delta = delta
        check_fields(self, self._constraints)
        if self.p0 + self.delta >= 1:
            from simtrial._core.validation import ValidationError

            raise ValidationError("delta", "p0 + delta must be < 1", self.delta)
        self.decision = Decision1S.dual(self.p0, self.threshold, self.delta)
        self.boundary = decision1s_boundary(self.prior, self.n, self.decision)

    @property
    def critical_count(self) -> int:
        """Fewest responders of ``n`` that declare success (``n + 1`` if none can)."""
        return self.boundary + 1

    def oc(self, theta) -> np.ndarray:
        """P(success | true response rate ``theta``), exact."""
        return oc1s(self.prior, self.n, self.decision, theta)

    def pos(self, rate: BetaMixture) -> float:
        """P(success) when the true rate follows the beta mixture ``rate`` (beta-binomial)."""
        return pos1s(self.prior, self.n, self.decision, rate)

    def assurance(self, rate_draws) -> tuple[float, float]:
        """P(success) averaged over draws of the true rate, and its Monte Carlo standard error
        (the OC at each draw is exact; only the draws are random)."""
        p = self.oc(np.asarray(rate_draws, float).ravel())
        return float(p.mean()), float(p.std(ddof=1) / math.sqrt(p.size)) if p.size > 1 else 0.0

    def posterior_probabilities(self) -> pd.DataFrame:
        """For each count ``y = 0..n``: P(p > p0 | y), the posterior mean and the decision."""
        y = np.arange(self.n + 1)
        probs = self.decision.posterior_probabilities(self.prior, self.n)
        w = self.prior.posterior_weights(y, self.n)
        mean = np.sum(w * (self.prior.a + y[:, None]) / (self.prior.a + self.prior.b + self.n), axis=1)
        frame = pd.DataFrame({"responders": y, f"P(p > {self.p0:g})": probs[:, 0], "posterior mean": mean})
        if probs.shape[1] > 1:
            frame[f"P(p > {self.p0 + self.delta:g})"] = probs[:, 1]
        frame["success"] = self.decision.success(self.prior, self.n)
        return frame

    def summary(self, theta=None) -> pd.DataFrame:
        """The OC curve: P(success) at each true rate (default 0.05 to 0.95 by 0.05)."""
        theta = np.round(np.arange(0.05, 0.951, 0.05), 10) if theta is None else np.asarray(theta, float)
        return pd.DataFrame({"true rate": theta, "P(success)": self.oc(theta)})

    def __str__(self) -> str:
        ess = self.prior.ess() if np.all(self.prior.a >= 1) and np.all(self.prior.b >= 1) else float("nan")
        lines = [
            "Single-arm design with a beta-mixture (MAP) prior",
            f"  prior: {self.prior.n_components} component(s), mean {self.prior.mean():.3f}, "
            f"sd {self.prior.sd():.3f}, ESS (ELIR) {ess:.1f}",
            f"  n = {self.n}; {self.decision}",
            f"  success iff responders >= {self.critical_count} (of {self.n})",
            f"  P(success) at p0 = {self.p0:g}: {float(self.oc(self.p0)):.4f} (exact)",
        ]
        return "\n".join(lines)
