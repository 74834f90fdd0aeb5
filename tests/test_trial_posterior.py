"""Posterior scenario: with a huge n the simulated response rate is the posterior predictive rate."""

from dataclasses import replace

import numpy as np
import pytest

from simtrial.criteria import assess
from simtrial.designs.config import SingleArmDesignConfig
from simtrial.models.defaults import DEFAULT_POPULATION_PARAMETERS as D
from simtrial.models.effect import sample_population_effects
from simtrial.models.parameters import PopulationParameters
from simtrial.models.platelets import simulate_platelets
from simtrial.models.population import PopulationSpec, sample_population
from simtrial.models.sirolimus_pk import SirolimusPK, sample_pk
from simtrial.models.tdm import TDMPolicy, run_tdm
from simtrial.trial.enrolment import MONTH_DAYS, Sites
from simtrial.trial.outcomes import OutcomeModel
from simtrial.trial.replicates import Plan, simulate
from simtrial.scenarios import posterior_median
from simtrial.trial.visits import visit_days

N_DRAWS = 6


def _posterior():
    rng = np.random.default_rng(0)
    def draws(e):
        return replace(e, mu=e.mu + rng.normal(0, 0.8, (N_DRAWS, 1)), sigma=np.full(N_DRAWS, float(e.sigma)),
                       beta_mmf_failed=np.zeros(N_DRAWS), log_ke0=np.tile(e.log_ke0, (N_DRAWS, 1)),
                       log_ke0_sd=np.full(N_DRAWS, float(e.log_ke0_sd)))
    return PopulationParameters(draws(D.sirolimus), draws(D.mmf))


def _direct_rate(params, n, seed):
    """Response by day 168 straight from the patient models (no trial machinery)."""
    rng = np.random.default_rng(seed)
    pats = sample_population(PopulationSpec(), n, rng)
    eff = sample_population_effects(params, pats.group, pats.mmf_failed, rng)
    hist = run_tdm(sample_pk(pats, SirolimusPK(), rng), TDMPolicy(), 364.0, rng)
    days = visit_days()
    res = simulate_platelets(days, eff, pats.baseline_platelets, hist, None, rng=rng)
    counts = np.where(days[None, :] <= 168.0, res.counts, np.nan)
    return float(np.mean(~np.isnan(assess(days, counts, res.baseline).day_response)))


def test_huge_n_recovers_posterior_predictive_rate():
    post = _posterior()
    n = 3000
    an = SingleArmDesignConfig(n=n, p0=0.2, p1=0.4).to_domain()
    model = OutcomeModel(regimens=("sirolimus",), landmark_day=168.0, switch_day=84.0, followup_days=364.0,
                         visits=visit_days(), parameters=lambda r: post.draw(r % N_DRAWS),
                         draw_index=lambda r: r % N_DRAWS)
    res = simulate(Plan(an, model, Sites(20, 0.0, 50.0 * MONTH_DAYS, 0.0)), np.random.SeedSequence(2), N_DRAWS, N_DRAWS)
    sim = res["response_rate"][:, 0]
    direct = np.array([_direct_rate(post.draw(d), n, 100 + d) for d in range(N_DRAWS)])
    se = np.sqrt(direct * (1 - direct) * 2 / n)
    assert np.all(np.abs(sim - direct) < 3.5 * se), (sim, direct)
    z_pooled = (sim.mean() - direct.mean()) / np.sqrt(np.sum(se**2))
    assert abs(z_pooled) < 3
    # the draws really differ, so cycling through them matters
    assert direct.max() - direct.min() > 0.05


def test_posterior_median_is_elementwise():
    med = posterior_median(_posterior())
    assert med.n_draws is None
    np.testing.assert_allclose(med.sirolimus.mu, np.median(_posterior().sirolimus.mu, axis=0))


def test_posterior_scenario_is_each_replicates_draw_as_a_fixed_scenario():
    """Replicate r of the Posterior scenario is replicate r of Fixed(draw r mod n_draws)."""
    import simtrial as st

    post = _posterior()
    design = st.designs.SingleArm(n=6, p0=0.2, p1=0.4)
    res = st.Trial(design, st.scenarios.Posterior(post, power_at_median=True)).simulate(N_DRAWS, seed=4)
    assert res.scenario.assurance and "assurance" in res.summary().index
    assert res.figures()["scenario"] == {"name": "posterior", "n_draws": N_DRAWS}
    for r in (0, 4):
        fixed = st.Trial(design, st.scenarios.Fixed(post.draw(r))).simulate(r + 1, seed=4)
        for k in ("decision", "responders", "duration_days", "time_to_response_days"):
            np.testing.assert_array_equal(res.replicates[k][r], fixed.replicates[k][r], err_msg=k)
    median = st.Trial(design, st.scenarios.Fixed(posterior_median(post))).simulate(N_DRAWS, seed=4)
    np.testing.assert_array_equal(res.at_median.replicates["responders"], median.replicates["responders"])
