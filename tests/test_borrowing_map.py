"""The MAP prior (simtrial.calibration.meta_analytic): quadrature against independent
scipy.integrate and against RBesT's gMAP output; the PyMC fit against the quadrature (slow).

RBesT reference (RBesT 1.8-2, "Getting started" vignette, tests/fixtures/rbest/)::

    set.seed(34563)
    map_mcmc <- gMAP(cbind(r, n - r) ~ 1 | study, data = AS, tau.dist = "HalfNormal",
                     tau.prior = 1, beta.prior = 2, family = binomial)
    print(map_mcmc)
    ## Between-trial heterogeneity of tau prediction stratum
    ##   mean     sd   2.5%    50%  97.5%
    ## 0.3770 0.2170 0.0414 0.3460 0.8930
    ## MAP Prior MCMC sample
    ##   mean     sd   2.5%    50%  97.5%
    ## 0.2580 0.0842 0.1120 0.2510 0.4590

gMAP's defaults keep 4 chains x (6000 - 2000) / 4 thinned = 4000 draws, so RBesT's printed
figures carry Monte Carlo error; the tests compare them with the exact (quadrature) values by
z-scores in Monte Carlo standard errors of a 4000-draw sample, |z| < 4.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import integrate, special, stats

from simtrial.calibration.meta_analytic import HistoricalStudy, MAPPriorSpec, fit_map, map_quadrature

FIX = json.loads((Path(__file__).parent / "fixtures" / "rbest" / "getting_started_as.json").read_text())
AS = [HistoricalStudy(s, n, r) for s, n, r in zip(FIX["data_AS"]["study"], FIX["data_AS"]["n"], FIX["data_AS"]["r"])]
SMALL = [HistoricalStudy("letter primary ITP", 10, 5), HistoricalStudy("Bride single-lineage", 6, 2)]


@pytest.fixture(scope="module")
def as_quadrature():
    return map_quadrature(AS)


def _mcse_of_statistics(q, n_draws: int, reps: int = 300, seed: int = 1) -> np.ndarray:
    """Sampling sd of (mean, sd, 2.5%, 50%, 97.5%) of n_draws i.i.d. predictive draws."""
    x = q.draws(reps * n_draws, np.random.default_rng(seed)).reshape(reps, n_draws)
    s = np.column_stack([x.mean(1), x.std(1, ddof=1), *np.quantile(x, [0.025, 0.5, 0.975], axis=1).T.T])
    return s.std(axis=0, ddof=1)


def test_quadrature_equals_rbest_gmap_within_monte_carlo_error(as_quadrature):
    q = as_quadrature
    exact = np.array([*q.predictive_moments(), *q.predictive_quantile([0.025, 0.5, 0.975])])
    ref = FIX["gmap_map_sample"]
    rbest = np.array([ref["mean"], ref["sd"], ref["q2.5"], ref["q50"], ref["q97.5"]])
    mcse = _mcse_of_statistics(q, FIX["gmap_mcmc_draws"])
    z = (rbest - exact) / np.hypot(mcse, 0.5e-4 / math.sqrt(3))  # + printed rounding
    assert np.all(np.abs(z) < 4), z
    tau = q.tau_summary()
    ref_tau = FIX["gmap_tau"]
    # tau: MCSE of a 4000-draw sample from the exact marginal (sd/sqrt(n) for the mean)
    assert abs(tau["mean"] - ref_tau["mean"]) < 4 * tau["sd"] / math.sqrt(FIX["gmap_mcmc_draws"])
    assert abs(tau["50%"] - ref_tau["q50"]) < 0.03


def test_quadrature_sensitivity_tau_prior_half():
    """R: ``update(map_mcmc, tau.prior = 1 / 2)``: MAP mean 0.2570, sd 0.0794, 2.5% 0.119,
    50% 0.248, 97.5% 0.440; tau mean 0.334."""
    q = map_quadrature(AS, MAPPriorSpec(tau_scale=0.5))
    ref = FIX["gmap_sensitivity_tau_prior_half"]["map_sample"]
    exact = np.array([*q.predictive_moments(), *q.predictive_quantile([0.025, 0.5, 0.975])])
    rbest = np.array([ref["mean"], ref["sd"], ref["q2.5"], ref["q50"], ref["q97.5"]])
    z = (rbest - exact) / _mcse_of_statistics(q, FIX["gmap_mcmc_draws"])
    assert np.all(np.abs(z) < 4), z


def _independent_predictive(studies, spec: MAPPriorSpec, x: float):
    """Predictive mean and P(rate <= x) by scipy.integrate: dblquad over (mu, tau), quad over
    each study's random effect, no shared code with the quadrature engine."""
    n = [s.n for s in studies]
    r = [s.r for s in studies]

    def marginal_lik(mu, tau, nj, rj):
        def f(z):
            p = special.expit(mu + tau * z)
            return stats.binom.pmf(rj, nj, p) * stats.norm.pdf(z)
        pts = [] if tau < 1e-12 else [min(max((special.logit((rj + 0.5) / (nj + 1)) - mu) / tau, -9), 9)]
        return integrate.quad(f, -10, 10, points=pts, limit=200, epsabs=1e-13)[0]

    def post(mu, tau):
        val = stats.norm.pdf(mu, spec.mu_mean, spec.mu_sd) * stats.halfnorm.pdf(tau, scale=spec.tau_scale)
        for nj, rj in zip(n, r):
            val *= marginal_lik(mu, tau, nj, rj)
        return val

    def pred_mean(mu, tau):
        return integrate.quad(lambda z: special.expit(mu + tau * z) * stats.norm.pdf(z), -10, 10)[0]

    def pred_cdf(mu, tau):
        return stats.norm.cdf((special.logit(x) - mu) / tau) if tau > 0 else float(special.logit(x) >= mu)

    opts = dict(epsabs=1e-9, epsrel=1e-7)
    z = integrate.dblquad(lambda tau, mu: post(mu, tau), -6, 6, 0, 4, **opts)[0]
    m = integrate.dblquad(lambda tau, mu: post(mu, tau) * pred_mean(mu, tau), -6, 6, 0, 4, **opts)[0]
    c = integrate.dblquad(lambda tau, mu: post(mu, tau) * pred_cdf(mu, tau), -6, 6, 0, 4, **opts)[0]
    return m / z, c / z


def test_quadrature_against_independent_scipy_integration():
    spec = MAPPriorSpec()
    q = map_quadrature(SMALL, spec)
    mean, cdf = _independent_predictive(SMALL, spec, 0.3)
    assert q.predictive_moments()[0] == pytest.approx(mean, abs=2e-5)
    assert float(q.predictive_cdf(0.3)) == pytest.approx(cdf, abs=2e-5)


@pytest.mark.slow
def test_quadrature_against_independent_scipy_integration_as_data(as_quadrature):
    mean, cdf = _independent_predictive(AS, MAPPriorSpec(), 0.2)
    assert as_quadrature.predictive_moments()[0] == pytest.approx(mean, abs=2e-5)
    assert float(as_quadrature.predictive_cdf(0.2)) == pytest.approx(cdf, abs=2e-5)


@pytest.mark.slow
def test_pymc_map_equals_quadrature_within_mcse(as_quadrature):
    """PyMC (nutpie) draws against the exact predictive: z-scores with the draws' ESS."""
    import arviz as az

    fit = fit_map(AS, seed=np.random.SeedSequence(20261203), draws=2000, tune=1000, chains=2)
    assert fit.diagnostics["max_rhat"] < 1.01
    pred = fit.predictive.reshape(2, -1)
    ess_mean = float(az.ess(pred))
    exact_mean, exact_sd = as_quadrature.predictive_moments()
    z_mean = (fit.predictive.mean() - exact_mean) / (exact_sd / math.sqrt(ess_mean))
    assert abs(z_mean) < 4, z_mean
    exact_median = float(as_quadrature.predictive_quantile(0.5)[0])
    p_below = np.mean(fit.predictive <= exact_median)
    assert abs(p_below - 0.5) < 4 * math.sqrt(0.25 / ess_mean)
    tau_exact = as_quadrature.tau_summary()
    ess_tau = float(az.ess(fit.tau.reshape(2, -1)))
    assert abs(fit.tau.mean() - tau_exact["mean"]) < 4 * tau_exact["sd"] / math.sqrt(ess_tau)
