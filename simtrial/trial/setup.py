"""From a validated config (design, scenario, simulation, model) to a :class:`Plan` to simulate."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from simtrial.models.defaults import DEFAULT_POPULATION_PARAMETERS
from simtrial.models.parameters import EffectParameters, PopulationParameters
from simtrial.models.population import check_mmf_eligibility, named_population
from simtrial.trial.analysis import (
    build_analysis,
    design_regimens,
    null_rates,
    planning_rates,
)
from simtrial.trial.config import MONTH_DAYS
from simtrial.trial.enrolment import Sites
from simtrial.trial.outcomes import REGIMEN_DRUGS, OutcomeModel
from simtrial.trial.replicates import Plan
from simtrial.trial.visits import visit_days

__all__ = ["build_plan", "true_rates", "load_parameters", "posterior_median", "patient_model"]


def patient_model(cfg):
    """The ``model`` group's frozen parameter sets (defaults when the config has none)."""
    from simtrial.models.config import PatientModel

    m = getattr(cfg, "model", None)
    return m.to_model() if m is not None and hasattr(m, "to_model") else PatientModel()


def _population(scenario, model):
    name = getattr(scenario, "population", "model")
    return model.population if name == "model" else named_population(name)


def true_rates(cfg) -> tuple | None:
    """True response probability per arm in the parametric and null scenarios (None: biology)."""
    sc, design = cfg.scenario, cfg.design
    k = 1 if design.name in ("single_arm", "simon") else 2
    if sc.name == "null_hypothesis":
        return null_rates(design, sc.p)
    if sc.name == "parametric":
        p = tuple(float(v) for v in sc.p_response) or planning_rates(design)
        if len(p) == 1 and k == 2:
            raise ValueError(f"scenario.p_response: needs one probability per arm ({k}); got {list(p)}")
        if len(p) != k:
            raise ValueError(f"scenario.p_response: needs one probability per arm ({k}); got {list(p)}")
        return p
    return None


def _shift(params: EffectParameters, delta: float) -> EffectParameters:
    return replace(params, mu=params.mu + delta) if delta else params


def load_parameters(cfg) -> PopulationParameters | None:
    """Population parameters of the fixed (a single set) or posterior (with draws) scenario."""
    sc = cfg.scenario
    if sc.name == "fixed":
        p = DEFAULT_POPULATION_PARAMETERS
        return PopulationParameters(_shift(p.sirolimus, sc.sirolimus_mu_shift), _shift(p.mmf, sc.mmf_mu_shift))
    if sc.name == "posterior":
        from simtrial.calibration.posterior_io import load_posterior

        allow = bool(getattr(getattr(cfg, "calibration", None), "allow_failed_diagnostics", False))
        try:
            post = load_posterior(sc.posterior, allow_failed_diagnostics=allow)
        except (ValueError, FileNotFoundError) as exc:
            # load_posterior names calibration.posterior; here the path came from the scenario.
            raise type(exc)(str(exc).replace("calibration.posterior", "scenario.posterior", 1)) from None
        if post.n_draws is None:
            raise ValueError(f"scenario.posterior: {sc.posterior} holds no posterior draws")
        return post
    return None


def posterior_median(post: PopulationParameters) -> PopulationParameters:
    """Element-wise posterior median of every population parameter."""
    def med(e: EffectParameters) -> EffectParameters:
        return EffectParameters(**{f: np.median(getattr(e, f), axis=0)
                                   for f in ("mu", "sigma", "beta_mmf_failed", "log_ke0", "log_ke0_sd")})
    return PopulationParameters(med(post.sirolimus), med(post.mmf))


def build_plan(cfg, parameters: PopulationParameters | None = None) -> Plan:
    """The plan of ``cfg``; ``parameters`` overrides the scenario's (a single set or draws)."""
    design, sim = cfg.design, cfg.simulation
    model = patient_model(cfg)
    analysis = build_analysis(design)
    regimens = design_regimens(design)
    landmark = float(design.landmark_day)
    if landmark > sim.followup_days:
        raise ValueError(f"design.landmark_day: must be <= simulation.followup_days ({sim.followup_days}); got {landmark}")
    switch = getattr(design, "switch_day", None)
    if switch is not None and float(switch) >= sim.followup_days:
        raise ValueError(f"design.switch_day: must be < simulation.followup_days ({sim.followup_days}); got {switch}")
    rates = true_rates(cfg)
    params = parameters if parameters is not None else (None if rates is not None else load_parameters(cfg))
    if params is not None and params.n_draws is not None:
        n_draws = params.n_draws
        param_of, key_of = (lambda r: params.draw(r % n_draws)), (lambda r: r % n_draws)
    else:
        param_of, key_of = (lambda r: params), (lambda r: 0)
    outcome = OutcomeModel(
        regimens=regimens,
        landmark_day=landmark,
        switch_day=float(getattr(design, "switch_day", 84.0)),
        followup_days=float(sim.followup_days),
        visits=visit_days(sim.weekly_until, sim.biweekly_until, sim.monthly_every, sim.followup_days),
        dropout_per_year=float(sim.dropout_per_year),
        population=_population(cfg.scenario, model),
        p_response=rates,
        response_day_min=float(getattr(cfg.scenario, "response_day_min", 7.0)),
        parameters=None if rates is not None else param_of,
        draw_index=None if rates is not None else key_of,
        patient=model,
        rerandomise=bool(getattr(design, "rerandomise", False)),
    )
    if rates is None:
        check_mmf_eligibility(outcome.population, [d for r in regimens for d in REGIMEN_DRUGS[r] if d],
                              "scenario.population")
    sites = Sites(sim.n_sites, float(sim.site_open_every_days), sim.accrual_per_site_per_month / MONTH_DAYS,
                  float(sim.screen_failure))
    return Plan(analysis=analysis, model=outcome, sites=sites, treatment_start_days=float(sim.treatment_start_days),
                block_size=int(getattr(design, "block_size", 4)), pause_at_looks=bool(sim.pause_at_looks),
                calendar=str(getattr(sim, "calendar", "auto")))
