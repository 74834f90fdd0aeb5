"""Decision rules of each design, as the trial calendar applies them at looks and at the end.

Every rule comes from :mod:`simtrial.designs` (exact critical values, Simon's r1 and r, Fisher
and Bayesian rejection tables, predictive-probability designs); nothing is re-derived here.
``interim`` returns 0 (continue), 1 (stop for futility) or 2 (stop for efficacy); ``final``
returns whether H0 is rejected. ``exact`` gives the exact operating characteristics at true
response rates where :mod:`simtrial.designs` has them (no Monte Carlo error), for comparison.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from simtrial.designs import (
    bayes_rejection_table,
    binomial_rejection_probability,
    critical_value,
    design_at_n,
    fisher_pvalue_table,
    operating_characteristics,
    simon_search,
    two_arm_rejection_probability,
)
from simtrial.designs.interim import look_sizes
from simtrial.trial.interim import TwoArmPP, single_arm_pp_design

__all__ = ["Analysis", "SingleArm", "Simon", "TwoArm", "build_analysis", "CONTINUE", "FUTILITY", "EFFICACY"]

CONTINUE, FUTILITY, EFFICACY = 0, 1, 2


@dataclass
class Analysis:
    """Base: sizes, looks and the design's parameters for the summary."""

    n_arms: int
    n_max: int
    looks: tuple = ()
    parameters: dict = field(default_factory=dict)

    def interim(self, j: int, x: tuple, m: tuple) -> int:  # pragma: no cover - overridden
        return CONTINUE

    def final(self, x: tuple, m: tuple) -> bool:  # pragma: no cover - overridden
        raise NotImplementedError

    def exact(self, p: tuple) -> dict | None:
        return None


class SingleArm(Analysis):
    """Exact one-sided binomial test, with optional PP looks (:func:`single_arm_pp_design`)."""

    def __init__(self, cfg):
        n = int(cfg.n)
        self.r = int(critical_value(n, cfg.p0, cfg.alpha))
        self.pp = None
        looks: tuple = ()
        if cfg.interim_fractions:
            self.pp = single_arm_pp_design(n, cfg.interim_fractions, cfg.p0, cfg.alpha, cfg.theta_f,
                                           cfg.theta_e, cfg.prior_a, cfg.prior_b)
            looks = tuple(int(v) for v in self.pp.looks)
            self.fut, self.eff = self.pp.boundaries()
        params = {"n": n, "p0": cfg.p0, "p1": cfg.p1, "alpha": cfg.alpha, "critical_responders": self.r,
                  "exact_size": float(binomial_rejection_probability(cfg.p0, n, cfg.p0, cfg.alpha)),
                  "exact_power_p1": float(binomial_rejection_probability(cfg.p1, n, cfg.p0, cfg.alpha))}
        if looks:
            params.update(looks=list(looks), theta_f=cfg.theta_f, theta_e=cfg.theta_e)
        super().__init__(n_arms=1, n_max=n, looks=looks, parameters=params)

    def interim(self, j, x, m):
        if self.fut[j][x[0]]:
            return FUTILITY
        return EFFICACY if self.eff[j][x[0]] else CONTINUE

    def final(self, x, m):
        return x[0] >= self.r

    def exact(self, p):
        if self.pp is None:
            size = binomial_rejection_probability(p[0], self.n_max, self.parameters["p0"], self.parameters["alpha"])
            return {"reject_rate": float(size), "pet": 0.0, "expected_n": float(self.n_max)}
        oc = operating_characteristics(self.pp, p[0])
        return {"reject_rate": oc.reject, "pet": oc.pet, "expected_n": oc.expected_n}


class Simon(Analysis):
    """Simon's two-stage design (:func:`simtrial.designs.simon_search`): stop if X1 <= r1, reject if X > r."""

    def __init__(self, cfg):
        if getattr(cfg, "n", None) is not None:
            self.d = design_at_n(cfg.p0, cfg.p1, cfg.alpha, cfg.n, cfg.power)
            kind = "fixed_n"
        else:
            found = simon_search(cfg.p0, cfg.p1, cfg.alpha, cfg.power, n_max=cfg.n_max)
            self.d = found.optimal if cfg.kind == "optimal" else found.minimax
            kind = cfg.kind
        d = self.d
        params = {"kind": kind, "p0": cfg.p0, "p1": cfg.p1, "alpha": cfg.alpha, "power": cfg.power,
                  "r1": d.r1, "n1": d.n1, "r": d.r, "n": d.n, "exact_pet_p0": d.pet_p0,
                  "exact_expected_n_p0": d.en_p0, "exact_size": d.alpha_actual, "exact_power_p1": d.power_actual}
        super().__init__(n_arms=1, n_max=d.n, looks=(d.n1,), parameters=params)

    def interim(self, j, x, m):
        return FUTILITY if x[0] <= self.d.r1 else CONTINUE

    def final(self, x, m):
        return x[0] > self.d.r

    def exact(self, p):
        return {"reject_rate": float(self.d.rejection_probability(p[0])), "pet": float(self.d.pet(p[0])),
                "expected_n": float(self.d.expected_n(p[0]))}


class TwoArm(Analysis):
    """Fisher's exact test or the Bayesian rule P(p_B > p_A) > threshold, on a rejection table,
    with optional two-arm PP looks (:class:`simtrial.trial.interim.TwoArmPP`)."""

    def __init__(self, cfg):
        n = int(cfg.n_per_arm)
        if cfg.test == "fisher":
            self.table = fisher_pvalue_table(n, n, cfg.alternative) <= cfg.alpha
        else:
            prior = (cfg.prior_a, cfg.prior_b)
            self.table = bayes_rejection_table(n, n, cfg.threshold, prior, prior)
        looks: tuple = ()
        self.pp = None
        if cfg.interim_fractions:
            looks = tuple(int(v) for v in look_sizes(2 * n, cfg.interim_fractions))
            self.pp = TwoArmPP(self.table, cfg.theta_f, cfg.theta_e, cfg.prior_a, cfg.prior_b)
        params = {"n_per_arm": n, "test": cfg.test, "alternative": cfg.alternative, "p_a": cfg.p_a,
                  "p_b": cfg.p_b, "regimen_a": cfg.regimen_a, "regimen_b": cfg.regimen_b,
                  "exact_size_at_p_a": float(two_arm_rejection_probability(self.table, cfg.p_a, cfg.p_a)),
                  "exact_power": float(two_arm_rejection_probability(self.table, cfg.p_a, cfg.p_b))}
        if cfg.test == "fisher":
            params["alpha"] = cfg.alpha
        else:
            params["threshold"] = cfg.threshold
        if looks:
            params.update(looks=list(looks), theta_f=cfg.theta_f, theta_e=cfg.theta_e)
        if cfg.name in ("sequencing", "smart"):
            params.update(switch_day=cfg.switch_day, mmf_after_failure=cfg.mmf_after_failure,
                          primary_endpoint=cfg.primary_endpoint)
        if cfg.name == "smart":
            params.update(rerandomise=cfg.rerandomise)
        super().__init__(n_arms=2, n_max=2 * n, looks=looks, parameters=params)

    def interim(self, j, x, m):
        return self.pp.decide(x[0], m[0], x[1], m[1])

    def final(self, x, m):
        return bool(self.table[x[0], x[1]])

    def exact(self, p):
        if self.pp is not None:
            return None
        return {"reject_rate": float(two_arm_rejection_probability(self.table, p[0], p[1])), "pet": 0.0,
                "expected_n": float(self.n_max)}


def build_analysis(design_cfg) -> Analysis:
    """The decision rules of a ``design`` config."""
    name = design_cfg.name
    if name == "single_arm":
        return SingleArm(design_cfg)
    if name == "simon":
        return Simon(design_cfg)
    if name in ("two_arm", "sequencing", "smart"):
        return TwoArm(design_cfg)
    raise ValueError(f"name: unknown design {name!r}")


def design_regimens(design_cfg) -> tuple:
    """Regimen of each arm."""
    if design_cfg.name in ("single_arm", "simon"):
        return (design_cfg.regimen,)
    return (design_cfg.regimen_a, design_cfg.regimen_b)


def planning_rates(design_cfg) -> tuple:
    """The design's planning response rates per arm (the parametric scenario's default)."""
    if design_cfg.name in ("single_arm", "simon"):
        return (design_cfg.p1,)
    return (design_cfg.p_a, design_cfg.p_b)


def null_rates(design_cfg, p=None) -> tuple:
    """Response rates of the null scenario: ``p`` in every arm, default p0 or p_a."""
    if design_cfg.name in ("single_arm", "simon"):
        return (design_cfg.p0 if p is None else p,)
    q = design_cfg.p_a if p is None else p
    return (q, q)

