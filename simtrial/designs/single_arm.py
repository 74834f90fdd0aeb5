"""The single-arm design object: exact one-sided binomial test, optional PP interim looks."""

from __future__ import annotations

import numpy as np

from simtrial._core.codes import Verdict
from simtrial._core.validation import Interval, ValidationError, check
from simtrial.designs.base import ALPHA, DAY, DEFAULT_SWITCH_DAY, PROB_OPEN, REGIMEN_CONSTRAINT, Design, interim_constraint
from simtrial.designs.binomial import critical_value, min_sample_size
from simtrial.designs.binomial import rejection_probability as binomial_rejection_probability
from simtrial.designs.interim import SizeInflationError, operating_characteristics, sized_pp_design
from simtrial.designs.pp_interim import PPInterim

__all__ = ["SingleArm"]


class SingleArm(Design):
    """One arm, exact one-sided binomial test of H0: p <= p0 at level ``alpha``.

    Parameters
    ----------
    n : int
        Sample size.
    p0 : float
        Uninteresting response rate (H0).
    p1 : float
        Planning response rate: exact power is reported there, and a parametric scenario
        without rates uses it.
    alpha : float
        One-sided level, in (0, 0.5).
    regimen : str
        Treatment of the arm (:class:`simtrial._core.codes.Regimen`).
    landmark_day : float
        Day after treatment start by which a response must be confirmed.
    switch_day : float
        Day of the switch of a two-drug regimen.
    interim : PPInterim, optional
        Predictive-probability looks; the final rule stays the exact test.

    Examples
    --------
    >>> d = SingleArm(n=35, p0=0.2, p1=0.4, alpha=0.05)
    >>> d.critical_responders
    12
    """

    label = "single-arm exact binomial"
    n_arms = 1
    _constraints = {
        "n": Interval(int, 1, 100_000),
        "p0": PROB_OPEN,
        "p1": PROB_OPEN,
        "alpha": ALPHA,
        "regimen": REGIMEN_CONSTRAINT,
        "landmark_day": DAY,
        "switch_day": DAY,
        "interim": interim_constraint(),
    }

    def __init__(self, n: int = 35, p0: float = 0.2, p1: float = 0.4, alpha: float = 0.05, *,
                 regimen: str = "sirolimus", landmark_day: float = 168.0,
                 switch_day: float = DEFAULT_SWITCH_DAY, interim: PPInterim | None = None):
        v = check(dict(n=n, p0=p0, p1=p1, alpha=alpha, regimen=regimen, landmark_day=landmark_day,
                       switch_day=switch_day, interim=interim), self._constraints)
        self.n, self.p0, self.p1, self.alpha = v["n"], v["p0"], v["p1"], v["alpha"]
        self.regimen, self.landmark_day, self.switch_day = str(v["regimen"]), v["landmark_day"], v["switch_day"]
        self.interim_rule = interim
        if interim is not None and self.n < 2:
            raise ValidationError("n", "must be >= 2 with interim looks", self.n)
        self.n_max = self.n
        self.regimens = (self.regimen,)
        self.r = int(critical_value(self.n, self.p0, self.alpha))
        self.pp = None
        self.size_control = None
        self.looks = ()
        if interim is not None:
            # type I error over every look (decisions, issue 16): refused, calibrated or allowed
            try:
                self.size_control = sized_pp_design(self.n, interim.fractions, self.p0, self.alpha, interim.theta_f,
                                                    interim.theta_e, interim.prior_a, interim.prior_b,
                                                    interim.size_control)
            except SizeInflationError as exc:
                raise ValidationError("theta_e", str(exc), interim.theta_e) from None
            self.pp = self.size_control.design
            self.r = int(self.pp.r_final)
            self.looks = tuple(int(v) for v in self.pp.looks)
            self._fut, self._eff = self.pp.boundaries()

    @classmethod
    def search(cls, p0: float, p1: float, alpha: float = 0.05, power: float = 0.8, n_max: int = 1000,
               **kwargs) -> "SingleArm":
        """The smallest n whose exact test has size <= alpha and power >= ``power`` at p1."""
        n = int(min_sample_size(p0, p1, alpha, power, n_max=n_max))
        return cls(n=n, p0=p0, p1=p1, alpha=alpha, **kwargs)

    @property
    def critical_responders(self) -> int:
        """Reject H0 when at least this many children respond."""
        return self.r

    # -- rules -------------------------------------------------------------------------------
    def interim(self, j, x, m):
        x0 = np.asarray(x)[:, 0]
        return np.where(self._fut[j][x0], Verdict.FUTILITY, np.where(self._eff[j][x0], Verdict.EFFICACY,
                                                                     Verdict.CONTINUE)).astype(np.int64)

    def final(self, x, m):
        return np.asarray(x)[:, 0] >= self.r

    # -- planning ----------------------------------------------------------------------------
    def planning_rates(self):
        return (self.p1,)

    def null_rates(self, p=None):
        return (self.p0 if p is None else p,)

    # -- exact -------------------------------------------------------------------------------
    def exact_at(self, rates):
        if self.pp is None:
            size = binomial_rejection_probability(rates[0], self.n_max, self.p0, self.alpha)
            return {"reject_rate": float(size), "pet": 0.0, "expected_n": float(self.n_max)}
        oc = operating_characteristics(self.pp, rates[0])
        return {"reject_rate": oc.reject, "pet": oc.pet, "expected_n": oc.expected_n}

    def exact(self, p=None):
        """Exact operating characteristics at response rate(s) ``p`` (default p0 and p1).

        Returns
        -------
        pandas.DataFrame
            One row per ``p``: ``p``, ``reject`` (P(reject H0)), ``pet`` (probability of an early
            stop), ``expected_n``.
        """
        import pandas as pd

        ps = [self.p0, self.p1] if p is None else [float(v) for v in np.atleast_1d(p)]
        rows = [{"p": q, **self.exact_at((q,))} for q in ps]
        return pd.DataFrame(rows).rename(columns={"reject_rate": "reject"})

    @property
    def parameters(self):
        params = {"n": self.n, "p0": self.p0, "p1": self.p1, "alpha": self.alpha, "critical_responders": self.r,
                  "exact_size": float(self.exact_at((self.p0,))["reject_rate"]),
                  "exact_power_p1": float(self.exact_at((self.p1,))["reject_rate"])}
        if self.looks:
            sc = self.size_control
            params.update(looks=list(self.looks), theta_f=self.pp.theta_f, theta_e=self.pp.theta_e,
                          size_control=sc.adjust, unadjusted_size=sc.unadjusted_size,
                          size_inflated=bool(sc.size > self.alpha + 1e-12),
                          alpha_by_look=[float(v) for v in sc.alpha_by_look])
        return params

    def _repr_items(self):
        items = [("n", self.n), ("p0", self.p0), ("p1", self.p1), ("alpha", self.alpha), ("regimen", self.regimen)]
        return items + ([("interim", self.interim_rule)] if self.interim_rule else [])

    def design_summary(self, scenario: str = "", true_values: dict | None = None):
        from dataclasses import replace

        from simtrial.report.design_summary import pp_summary, single_arm_summary

        true_p = (true_values or {}).get("p")
        if self.pp is None:
            out = single_arm_summary(self.n, self.p0, self.p1, self.alpha, scenario, true_p)
        else:
            out = pp_summary(self.pp, self.alpha, self.p1, scenario, true_p)
        return replace(out, notes=(*out.notes, self._treatment_note()))
