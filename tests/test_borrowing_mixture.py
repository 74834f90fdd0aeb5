"""Beta mixtures, ESS, decisions and OCs checked against independent numerical integration
(scipy.integrate) and exact sums, and the EM fit against known mixtures."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from simtrial._core.validation import ValidationError
from simtrial.borrowing import (
    BetaMixture,
    BorrowingDesign,
    Decision1S,
    automixfit,
    ess,
    mixfit,
    oc1s,
    pmixdiff,
    pos1s,
)

MIX = BetaMixture([0.6167463, 0.3832537], [19.1916387, 3.5278745], [57.7779318, 9.3735980]).robustify(0.2)


def test_density_integrates_to_one_and_cdf_is_its_integral():
    total, _ = integrate.quad(lambda x: float(MIX.pdf(x)), 0, 1, points=[0.25], limit=200)
    assert total == pytest.approx(1.0, abs=1e-9)
    for x in (0.05, 0.2, 0.5, 0.9):
        val, _ = integrate.quad(lambda t: float(MIX.pdf(t)), 0, x, limit=200)
        assert float(MIX.cdf(x)) == pytest.approx(val, abs=1e-9)
        assert float(MIX.sf(x)) == pytest.approx(1 - val, abs=1e-9)
    q = MIX.ppf([0.01, 0.5, 0.99])
    np.testing.assert_allclose(MIX.cdf(q), [0.01, 0.5, 0.99], atol=1e-12)


@pytest.mark.parametrize("r,n", [(0, 10), (3, 10), (10, 10), (30, 40)])
def test_posterior_equals_normalised_prior_times_likelihood(r, n):
    """The conjugate mixture update against brute-force integration of prior x likelihood."""
    post = MIX.posterior(r, n)
    unnorm = lambda x: float(MIX.pdf(x)) * stats.binom.pmf(r, n, x)  # noqa: E731
    z, _ = integrate.quad(unnorm, 0, 1, points=[0.25, r / n], limit=200, epsabs=1e-14)
    mean, _ = integrate.quad(lambda x: x * unnorm(x), 0, 1, points=[0.25, r / n], limit=200, epsabs=1e-14)
    assert post.mean() == pytest.approx(mean / z, abs=1e-8)
    for x in (0.2, 0.4, 0.7):
        c, _ = integrate.quad(unnorm, 0, x, limit=200, epsabs=1e-14)
        assert float(post.cdf(x)) == pytest.approx(c / z, abs=1e-8)
    # the marginal likelihood is the predictive probability of r
    assert float(MIX.predictive(n).pmf(r)) == pytest.approx(z, rel=1e-8)


def test_predictive_is_a_distribution_with_the_right_mean():
    pred = MIX.predictive(40)
    pmf = pred.pmf(np.arange(41))
    assert pmf.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.dot(np.arange(41), pmf) == pytest.approx(40 * MIX.mean(), abs=1e-10)
    assert float(pred.cdf(12)) + float(pred.sf(12)) == pytest.approx(1.0, abs=1e-12)


def test_elir_is_predictively_consistent():
    """Neuenschwander et al. 2020: E over the prior predictive of ESS(posterior) = ESS(prior) + n."""
    prior = BetaMixture([0.2, 0.8], [1, 10], [1, 2])  # RBesT's ess example 'bmix'
    n = 10
    pmf = prior.predictive(n).pmf(np.arange(n + 1))
    post_ess = np.array([ess(prior.posterior(r, n)) for r in range(n + 1)])
    assert np.dot(pmf, post_ess) - n == pytest.approx(ess(prior), rel=2e-3)


def test_elir_rejects_shapes_below_one():
    with pytest.raises(ValidationError, match="prior"):
        ess(BetaMixture([0.95, 0.05], [10, 0.9], [5, 2]))
    with pytest.raises(ValidationError, match="method"):
        ess(MIX, "bogus")


def test_oc1s_and_pos1s_equal_explicit_sums():
    n, p0 = 40, 0.25
    dec = Decision1S.dual(p0, 0.95, 0.1)
    ok = dec.success(MIX, n)
    theta = np.linspace(0.01, 0.99, 23)
    brute = np.array([np.sum(stats.binom.pmf(np.arange(n + 1), n, t) * ok) for t in theta])
    np.testing.assert_allclose(oc1s(MIX, n, dec, theta), brute, atol=1e-13)
    rate = BetaMixture([0.5, 0.5], [8, 3], [12, 3])
    integral, _ = integrate.quad(lambda t: float(oc1s(MIX, n, dec, t)) * float(rate.pdf(t)), 0, 1, limit=200)
    assert pos1s(MIX, n, dec, rate) == pytest.approx(integral, abs=1e-9)


def test_dual_criterion_is_stricter_than_significance_alone():
    single = BorrowingDesign(MIX, 40, 0.25, 0.95)
    dual = BorrowingDesign(MIX, 40, 0.25, 0.95, delta=0.15)
    assert dual.critical_count >= single.critical_count
    assert np.all(dual.oc([0.2, 0.3, 0.4]) <= single.oc([0.2, 0.3, 0.4]) + 1e-15)


def test_pmixdiff_against_integration_over_the_other_variable():
    """P(X - Y > q) = integral of f_X(x) F_Y(x - q) dx (scipy quad), while pmixdiff integrates
    over Y's quantiles."""
    a, b = BetaMixture([0.7, 0.3], [3, 1], [5, 1]), MIX.posterior(4, 12)
    for q in (-0.2, 0.0, 0.15):
        inner = lambda x: float(a.pdf(x)) * float(b.cdf(x - q))  # noqa: E731
        alt, _ = integrate.quad(inner, 0, 1, points=[max(q, 0.0) + 1e-9, 0.3], limit=400, epsabs=1e-12)
        assert pmixdiff(a, b, q, lower_tail=False) == pytest.approx(alt, abs=1e-8)
        assert pmixdiff(a, b, q) == pytest.approx(1 - alt, abs=1e-8)


def test_em_recovers_a_known_mixture():
    truth = BetaMixture([0.6167463, 0.3832537], [19.1916387, 3.5278745], [57.7779318, 9.3735980])
    draws = truth.rvs(8000, np.random.default_rng(20261203))
    fit = automixfit(draws)
    assert fit.n_components == 2
    assert fit.error["ks_distance"] < 1.63 / math.sqrt(draws.size)  # KS 1% critical value
    assert fit.mixture.mean() == pytest.approx(truth.mean(), abs=4 * truth.sd() / math.sqrt(draws.size))
    assert ess(fit.mixture) == pytest.approx(ess(truth), rel=0.1)
    assert np.all(fit.mixture.a >= 1) and np.all(fit.mixture.b >= 1)


def test_single_component_fit_is_the_beta_mle():
    draws = np.random.default_rng(3).beta(4.0, 9.0, size=5000)
    fit = mixfit(draws, 1)
    a, b, _, _ = stats.beta.fit(draws, floc=0, fscale=1)
    assert fit.mixture.a[0] == pytest.approx(a, rel=1e-4)
    assert fit.mixture.b[0] == pytest.approx(b, rel=1e-4)


def test_design_summary_and_validation():
    d = BorrowingDesign(MIX, 40, 0.25, 0.95)
    text = str(d)
    assert "ESS" in text and f">= {d.critical_count}" in text
    frame = d.posterior_probabilities()
    assert frame["success"].sum() == 40 - d.boundary
    with pytest.raises(ValidationError, match="p0"):
        BorrowingDesign(MIX, 40, 1.2)
    with pytest.raises(ValidationError, match="n"):
        BorrowingDesign(MIX, 0, 0.2)
    with pytest.raises(ValidationError, match="weight"):
        MIX.robustify(1.5)
