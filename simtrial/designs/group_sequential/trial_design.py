"""The group-sequential test as a trial design the simulator runs (:class:`GroupSequential`).

It gives the trial calendar the interim looks (the assessed children at each planned
information fraction), the look and final decisions of :class:`.decisions.SequentialTest` on the
actual counts, and the exact figures of :mod:`.exact` at the planned look sizes, so simulated
trials can be checked against the exact ones (parametric scenarios). With two arms the
randomisation's split of a look's children between arms varies from trial to trial and the exact
figures assume the planned split; the differences are small with permuted blocks.
"""

from __future__ import annotations

import numpy as np

from simtrial._core.validation import Interval, Options, Predicate, ValidationError, check
from simtrial.designs.base import DAY, DEFAULT_SWITCH_DAY, PROB_OPEN, REGIMEN_CONSTRAINT, Design

from .decisions import SequentialTest
from .design import GroupSequentialDesign
from .rates import GroupSequentialRates

__all__ = ["GroupSequential"]

_BLOCK = Predicate(lambda v: not isinstance(v, bool) and v in range(2, 13, 2),
                   "must be an even number from 2 to 12 (1:1 allocation)")


class GroupSequential(Design):
    """A group-sequential test of response rates as a trial design.

    Parameters
    ----------
    design : GroupSequentialDesign
        The boundaries on the z scale.
    arms : {1, 2}
        One arm against the H0 rate ``p0``, or arm B (treatment) against arm A (control) with
        H0: equal rates, randomised 1:1.
    n_per_arm : int
        Maximum children per arm (one arm: the maximum sample size).
    p0 : float
        H0 rate of a one-arm design.
    p1 : float
        Planning rate of a one-arm design.
    p_a, p_b : float
        Planning rates of arms A (control) and B (treatment).
    regimen, regimen_a, regimen_b : str
        Treatment of the one arm, or of arms A and B.
    landmark_day, switch_day : float
        Day of the response assessment; day of the switch of two-drug regimens.
    block_size : int
        Permuted-block size of the randomisation (two arms).

    Examples
    --------
    >>> gs = GroupSequentialDesign([0.5, 1.0], alpha=0.025, type_of_design="asOF")
    >>> d = GroupSequential(gs, arms=2, n_per_arm=40, p_a=0.40, p_b=0.65)
    >>> d.looks, round(d.rates().power, 4)
    ((40,), 0.6116)
    """

    label = "group-sequential"
    _constraints = {
        "arms": Options(1, 2),
        "n_per_arm": Interval(int, 2, 100_000),
        "p0": PROB_OPEN, "p1": PROB_OPEN, "p_a": PROB_OPEN, "p_b": PROB_OPEN,
        "regimen": REGIMEN_CONSTRAINT, "regimen_a": REGIMEN_CONSTRAINT, "regimen_b": REGIMEN_CONSTRAINT,
        "landmark_day": DAY, "switch_day": DAY, "block_size": _BLOCK,
    }

    def __init__(self, design: GroupSequentialDesign, arms: int = 2, n_per_arm: int = 40, p0: float = 0.2,
                 p1: float = 0.4, p_a: float = 0.40, p_b: float = 0.65, *, regimen: str = "sirolimus",
                 regimen_a: str = "mmf", regimen_b: str = "sirolimus", landmark_day: float = 168.0,
                 switch_day: float = DEFAULT_SWITCH_DAY, block_size: int = 4):
        if not isinstance(design, GroupSequentialDesign):
            raise ValidationError("design", "must be a GroupSequentialDesign", type(design).__name__)
        v = check(dict(arms=arms, n_per_arm=n_per_arm, p0=p0, p1=p1, p_a=p_a, p_b=p_b, regimen=regimen,
                       regimen_a=regimen_a, regimen_b=regimen_b, landmark_day=landmark_day, switch_day=switch_day,
                       block_size=block_size), self._constraints)
        for k, val in v.items():
            setattr(self, k, val)
        self.regimen, self.regimen_a, self.regimen_b = str(self.regimen), str(self.regimen_a), str(self.regimen_b)
        self.gs = design
        self.n_arms = self.arms
        self.n_max = self.arms * self.n_per_arm
        self.test = SequentialTest(design, groups=self.arms, theta_h0=self.p0 if self.arms == 1 else 0.0)
        planned = self.rates()  # checks that every look has new children in every arm
        self.looks = tuple(int(v) for v in planned.n_per_look.sum(0)[:-1])

    @property
    def regimens(self):
        return (self.regimen,) if self.arms == 1 else (self.regimen_a, self.regimen_b)

    # -- rules -------------------------------------------------------------------------------
    def interim(self, j, x, m):
        return self.test.decide(j, x, m)

    def final(self, x, m):
        return self.test.reject_final(x, m)

    def planning_rates(self):
        return (self.p1,) if self.arms == 1 else (self.p_a, self.p_b)

    def null_rates(self, p=None):
        if self.arms == 1:
            return (self.p0 if p is None else p,)
        q = self.p_a if p is None else p
        return (q, q)

    # -- analytic and exact ------------------------------------------------------------------
    def rates(self, rates=None) -> GroupSequentialRates:
        """The rates calculation at true per-arm ``rates`` (arm order A, B; default: planning)."""
        p = tuple(float(r) for r in (self.planning_rates() if rates is None else rates))
        if len(p) != self.arms:
            raise ValidationError("scenario.p_response", f"needs one probability per arm ({self.arms})", list(p))
        try:
            if self.arms == 1:
                return GroupSequentialRates(self.gs, n_max=self.n_max, pi1=p[0], theta_h0=self.p0)
            return GroupSequentialRates(self.gs, n_max=self.n_max, pi1=p[1], pi2=p[0])
        except ValidationError as exc:
            if exc.field == "n_max":
                raise ValidationError("n_per_arm", exc.problem, self.n_per_arm) from None
            raise

    def exact_at(self, rates):
        r = self.rates(rates)
        ex = r.exact()
        return {"reject_rate": ex.power, "pet": float(ex.stop.sum()), "expected_n": r.exact_expected_n()}

    def exact(self, p=None):
        """Exact reject rate, PET and expected N at treatment rates ``p`` (control at ``p_a``).

        Returns
        -------
        pandas.DataFrame
        """
        import pandas as pd

        ps = np.atleast_1d(self.planning_rates()[-1] if p is None else p).astype(float)
        rows = []
        for q in ps:
            rates = (q,) if self.arms == 1 else (self.p_a, q)
            rows.append({"p": q, **self.exact_at(rates)})
        return pd.DataFrame(rows).rename(columns={"reject_rate": "reject"})

    @property
    def parameters(self):
        r = self.rates()
        h0 = r.null_rates
        return {"arms": self.arms, "n_per_arm": self.n_per_arm, "design": self.gs.describe(),
                "information_rates": list(self.gs.information_rates),
                "critical_values": [float(c) for c in self.gs.critical_values],
                "futility_bounds": None if self.gs.futility is None else [float(u) for u in self.gs.futility],
                "alpha_spent": [float(a) for a in self.gs.alpha_spent], "looks": list(self.looks),
                "analytic_power": r.power, "exact_power": r.exact().power, "exact_size": r.exact(*h0).power,
                "exact_size_ignoring_futility": r.exact(*h0, futility=False).power}

    def _repr_items(self):
        return [("design", self.gs), ("arms", self.arms), ("n_per_arm", self.n_per_arm)]

    def __str__(self) -> str:
        return f"{self.gs}\n\n{self.rates()}"
