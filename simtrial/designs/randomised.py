"""Two-arm randomised design objects: :class:`TwoArm` and the MMF-first :class:`Sequencing`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simtrial._core.codes import Regimen, Verdict
from simtrial._core.validation import Boolean, Interval, Options, Predicate, ValidationError, check
from simtrial.designs.base import ALPHA, DAY, DEFAULT_SWITCH_DAY, PROB_OPEN, REGIMEN_CONSTRAINT, Design, interim_constraint

if TYPE_CHECKING:
    from simtrial.designs.pp_interim import PPInterim

# The exact tables (scipy) are imported where used: the config schemas (designs/smart.py) import
# this module, and the CLI's start-up must not import scipy.

__all__ = ["TwoArm", "Sequencing"]

_BLOCK = Predicate(lambda v: not isinstance(v, bool) and v in range(2, 13, 2),
                   "must be an even number from 2 to 12 (1:1 allocation)")


class TwoArm(Design):
    """Two arms randomised 1:1 (permuted blocks within disease group), response at the landmark.

    Parameters
    ----------
    n_per_arm : int
        Children per arm.
    test : str
        ``fisher`` (Fisher's exact test at level ``alpha``, H1 ``alternative``) or ``bayes``
        (B is declared better when P(p_B > p_A | data) > ``threshold``).
    alpha : float
        Level of Fisher's exact test.
    threshold : float
        Posterior threshold of the Bayesian rule.
    alternative : str
        ``greater`` (H1: p_B > p_A) or ``two-sided`` (Fisher only).
    p_a, p_b : float
        Planning response rates (exact power is reported there).
    regimen_a, regimen_b : str
        Treatments of arms A (control) and B.
    landmark_day, switch_day : float
        Day of the response assessment; day of the switch of two-drug regimens.
    block_size : int
        Permuted-block size: even, 2 to 12.
    prior_a, prior_b : float
        Beta prior of each arm's rate in the Bayesian rule.
    interim : PPInterim, optional
        Predictive-probability looks on the final rule's rejection table.

    Examples
    --------
    >>> d = TwoArm(n_per_arm=40, p_a=0.3, p_b=0.6)
    >>> round(d.exact_at((0.3, 0.6))["reject_rate"], 3)
    0.798
    """

    label = "two-arm randomised"
    n_arms = 2
    _constraints = {
        "n_per_arm": Interval(int, 1, 50_000),
        "test": Options("fisher", "bayes"),
        "alpha": ALPHA,
        "threshold": PROB_OPEN,
        "alternative": Options("greater", "two-sided"),
        "p_a": PROB_OPEN,
        "p_b": PROB_OPEN,
        "regimen_a": REGIMEN_CONSTRAINT,
        "regimen_b": REGIMEN_CONSTRAINT,
        "landmark_day": DAY,
        "switch_day": DAY,
        "block_size": _BLOCK,
        "prior_a": Interval(float, 0.0, 1e6, closed="right"),
        "prior_b": Interval(float, 0.0, 1e6, closed="right"),
        "interim": interim_constraint(),
    }

    def __init__(self, n_per_arm: int = 40, test: str = "fisher", alpha: float = 0.05, threshold: float = 0.975,
                 alternative: str = "greater", p_a: float = 0.3, p_b: float = 0.6, *, regimen_a: str = "mmf",
                 regimen_b: str = "sirolimus", landmark_day: float = 168.0, switch_day: float = DEFAULT_SWITCH_DAY,
                 block_size: int = 4, prior_a: float = 1.0, prior_b: float = 1.0, interim: PPInterim | None = None):
        v = check(dict(n_per_arm=n_per_arm, test=test, alpha=alpha, threshold=threshold, alternative=alternative,
                       p_a=p_a, p_b=p_b, regimen_a=regimen_a, regimen_b=regimen_b, landmark_day=landmark_day,
                       switch_day=switch_day, block_size=block_size, prior_a=prior_a, prior_b=prior_b,
                       interim=interim), self._constraints)
        if v["test"] == "bayes" and v["alternative"] != "greater":
            raise ValidationError("alternative", "the bayes rule is one-sided; must be 'greater'", v["alternative"])
        for k, val in v.items():
            if k != "interim":  # an instance attribute would hide the method
                setattr(self, k, val)
        self.regimen_a, self.regimen_b = str(self.regimen_a), str(self.regimen_b)
        self.interim_rule = interim
        from simtrial.designs.bayes_two_arm import bayes_rejection_table
        from simtrial.designs.fisher import fisher_pvalue_table
        from simtrial.designs.interim import look_sizes
        from simtrial.designs.pp_interim import TwoArmPP

        n = self.n_per_arm
        if self.test == "fisher":
            self.table = fisher_pvalue_table(n, n, self.alternative) <= self.alpha
        else:
            prior = (self.prior_a, self.prior_b)
            self.table = bayes_rejection_table(n, n, self.threshold, prior, prior)
        self.n_max = 2 * n
        self.looks = ()
        self.pp = None
        if interim is not None:
            self.looks = tuple(int(x) for x in look_sizes(2 * n, interim.fractions))
            self.pp = TwoArmPP(self.table, interim.theta_f, interim.theta_e, interim.prior_a, interim.prior_b)

    @property
    def regimens(self):
        return (self.regimen_a, self.regimen_b)

    # -- rules -------------------------------------------------------------------------------
    def interim(self, j, x, m):
        from simtrial.designs.pp_interim import pp_table

        x, m = np.asarray(x), np.asarray(m)
        rule, out = self.pp, np.empty(x.shape[0], dtype=np.int64)
        # one predictive-probability table per split (m_a, m_b) of the look's children
        splits, inverse = np.unique(m, axis=0, return_inverse=True)
        for i, (ma, mb) in enumerate(splits.tolist()):
            rows = np.flatnonzero(inverse.ravel() == i)
            pp = pp_table(rule, ma, mb)[x[rows, 0], x[rows, 1]]
            out[rows] = np.where(pp < rule.theta_f, Verdict.FUTILITY,
                                 np.where(pp > rule.theta_e, Verdict.EFFICACY, Verdict.CONTINUE))
        return out

    def final(self, x, m):
        x = np.asarray(x)
        return self.table[x[:, 0], x[:, 1]].astype(bool)

    def planning_rates(self):
        return (self.p_a, self.p_b)

    def null_rates(self, p=None):
        q = self.p_a if p is None else p
        return (q, q)

    # -- exact -------------------------------------------------------------------------------
    def exact_at(self, rates):
        from simtrial.designs.two_arm import rejection_probability as two_arm_rejection_probability

        if self.pp is not None:
            return None
        return {"reject_rate": float(two_arm_rejection_probability(self.table, rates[0], rates[1])), "pet": 0.0,
                "expected_n": float(self.n_max)}

    def exact(self, p_a=None, p_b=None):
        """Exact P(reject H0) on the grid of ``p_a`` x ``p_b`` (default: the planning values and
        the null at p_a).

        Returns
        -------
        pandas.DataFrame
            Columns ``p_a``, ``p_b``, ``reject``, ``pet``, ``expected_n``.

        Raises
        ------
        ValueError
            With interim looks (no exact two-arm PP characteristics here: simulate).
        """
        import pandas as pd

        if self.pp is not None:
            raise ValueError("exact: no exact characteristics with two-arm interim looks; simulate them")
        if p_a is None and p_b is None:
            pairs = [(self.p_a, self.p_a), (self.p_a, self.p_b)]
        else:
            pa = np.atleast_1d(self.p_a if p_a is None else p_a).astype(float)
            pb = np.atleast_1d(self.p_b if p_b is None else p_b).astype(float)
            pairs = [(a, b) for a in pa for b in pb]
        rows = [{"p_a": a, "p_b": b, **self.exact_at((a, b))} for a, b in pairs]
        return pd.DataFrame(rows).rename(columns={"reject_rate": "reject"})

    @property
    def parameters(self):
        from simtrial.designs.two_arm import rejection_probability as two_arm_rejection_probability

        params = {"n_per_arm": self.n_per_arm, "test": self.test, "alternative": self.alternative, "p_a": self.p_a,
                  "p_b": self.p_b, "regimen_a": self.regimen_a, "regimen_b": self.regimen_b,
                  "exact_size_at_p_a": float(two_arm_rejection_probability(self.table, self.p_a, self.p_a)),
                  "exact_power": float(two_arm_rejection_probability(self.table, self.p_a, self.p_b))}
        if self.test == "fisher":
            params["alpha"] = self.alpha
        else:
            params["threshold"] = self.threshold
        if self.looks:
            params.update(looks=list(self.looks), theta_f=self.interim_rule.theta_f,
                          theta_e=self.interim_rule.theta_e)
        return params

    def _repr_items(self):
        items = [("n_per_arm", self.n_per_arm), ("test", self.test)]
        items.append(("alpha", self.alpha) if self.test == "fisher" else ("threshold", self.threshold))
        items += [("alternative", self.alternative), ("p_a", self.p_a), ("p_b", self.p_b),
                  ("regimen_a", self.regimen_a), ("regimen_b", self.regimen_b)]
        return items + ([("interim", self.interim_rule)] if self.interim_rule else [])

    def design_summary(self, scenario: str = "", true_values: dict | None = None):
        from dataclasses import replace

        from simtrial.report.design_summary import two_arm_summary

        if self.test == "fisher":
            rule = f"Fisher's exact test ({self.alternative}) at alpha = {self.alpha:g}"
        else:
            rule = (f"P(p_B > p_A | data) > {self.threshold:g}, Beta({self.prior_a:g}, {self.prior_b:g}) priors")
        out = two_arm_summary(self.table, rule, self.p_a, self.p_b, self.alpha, scenario, true_values)
        notes = [f"{self.n_per_arm} per arm, randomised 1:1 in permuted blocks of {self.block_size} within "
                 "disease group", self._treatment_note()]
        if self.alternative == "two-sided":
            out = replace(out, hypotheses="H0: p_B = p_A against H1: p_B != p_A", sided="two-sided")
        if self.interim_rule is not None:
            from simtrial.report.design_summary import Look

            rule = self.interim_rule
            looks = tuple(Look(f"interim {k + 1}", m,
                               f"stop if PP < {rule.theta_f:g}" if rule.theta_f > 0 else "",
                               f"reject H0 if PP > {rule.theta_e:g}" if rule.theta_e < 1 else "")
                          for k, m in enumerate(self.looks))
            out = replace(out, looks=looks + out.looks, pet={}, expected_n={})
            notes.append(f"PP: predictive probability that the final rule rejects, Beta({rule.prior_a:g}, "
                         f"{rule.prior_b:g}) priors; the exact size and power above are the final rule's without "
                         "the looks (simulate the looks for PET and expected N)")
        return replace(out, title=f"{self.label}: {out.title}", notes=(*out.notes, *notes))


class Sequencing(TwoArm):
    """MMF first (switch to sirolimus without a confirmed response by ``switch_day``) against
    sirolimus first (optionally MMF after failure), randomised 1:1; arm A is MMF first.

    Parameters
    ----------
    switch_day : float
        Day of the switch for children without a confirmed response.
    mmf_after_failure : bool
        Arm B switches to MMF at ``switch_day`` without a confirmed response.
    primary_endpoint : str
        The endpoint the comparison leads with (:class:`simtrial.sequencing.Endpoint`):
        ``response`` (at the landmark; the design's test), ``share_in_response``,
        ``time_to_response`` (restricted mean) or ``exposed_both``.
    (others)
        As for :class:`TwoArm`; ``alternative`` defaults to ``two-sided`` and the planning rates
        to 0.5 and 0.75.
    """

    label = "sequencing"

    def __init__(self, n_per_arm: int = 40, test: str = "fisher", alpha: float = 0.05, threshold: float = 0.975,
                 alternative: str = "two-sided", p_a: float = 0.5, p_b: float = 0.75, *,
                 switch_day: float = DEFAULT_SWITCH_DAY, mmf_after_failure: bool = False, landmark_day: float = 168.0,
                 block_size: int = 4, prior_a: float = 1.0, prior_b: float = 1.0, interim: PPInterim | None = None,
                 primary_endpoint: str = "response"):
        from simtrial.sequencing.endpoints import Endpoint

        after = check({"mmf_after_failure": mmf_after_failure, "primary_endpoint": primary_endpoint},
                      {"mmf_after_failure": Boolean(), "primary_endpoint": Options(*(e.value for e in Endpoint))})
        self.mmf_after_failure = after["mmf_after_failure"]
        self.primary_endpoint = str(after["primary_endpoint"])
        regimen_b = Regimen.SIROLIMUS_THEN_MMF if self.mmf_after_failure else Regimen.SIROLIMUS
        super().__init__(n_per_arm, test, alpha, threshold, alternative, p_a, p_b,
                         regimen_a=Regimen.MMF_THEN_SIROLIMUS, regimen_b=regimen_b, landmark_day=landmark_day,
                         switch_day=switch_day, block_size=block_size, prior_a=prior_a, prior_b=prior_b,
                         interim=interim)

    @property
    def parameters(self):
        params = super().parameters
        params.update(switch_day=self.switch_day, mmf_after_failure=self.mmf_after_failure,
                      primary_endpoint=self.primary_endpoint)
        return params

    def _repr_items(self):
        return super()._repr_items() + [("switch_day", self.switch_day),
                                        ("mmf_after_failure", self.mmf_after_failure)]

