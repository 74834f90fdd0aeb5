"""Beta-binomial posterior / predictive probabilities and exact PP interim designs."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats
from scipy.special import betaln

from simtrial.designs import bayes, interim, simon


def test_posterior_prob_closed_form():
    """Uniform prior, x = n: posterior Beta(n + 1, 1), so P(p > p0) = 1 - p0^(n + 1)."""
    n = np.arange(0, 20)
    np.testing.assert_allclose(bayes.posterior_prob_above(n, n, 0.3), 1 - 0.3 ** (n + 1), rtol=1e-12)


def test_final_critical_value_definition():
    post = bayes.posterior_prob_above(np.arange(41), 40, 0.2, 0.5, 0.5)
    r = bayes.final_critical_value(40, 0.2, 0.95, 0.5, 0.5)
    assert post[r] > 0.95 and post[r - 1] <= 0.95


def test_predictive_probability_explicit_sum():
    """PP = sum_{y >= r - x} C(k, y) B(a + x + y, b + m - x + k - y) / B(a + x, b + m - x)."""
    a, b, m, n, r = 0.6, 0.4, 12, 30, 11
    x = np.arange(m + 1)
    got = bayes.predictive_probability(x, m, n, r, a, b)
    k = n - m
    for xi, g in zip(x, got):
        s = sum(
            math.comb(k, y) * math.exp(betaln(a + xi + y, b + m - xi + k - y) - betaln(a + xi, b + m - xi))
            for y in range(max(r - xi, 0), k + 1)
        )
        assert g == pytest.approx(s, rel=1e-10, abs=1e-15)
    assert np.all(np.diff(got) >= 0)


def test_predictive_probability_monte_carlo():
    """Draw p from the posterior, then the remaining responders: |z| < 3."""
    a, b, x, m, n, r = 1.0, 1.0, 4, 15, 35, 12
    exact = float(bayes.predictive_probability(x, m, n, r, a, b))
    rng = np.random.default_rng(17)
    reps = 200_000
    y = rng.binomial(n - m, rng.beta(a + x, b + m - x, reps))
    est = (x + y >= r).mean()
    assert abs((est - exact) / math.sqrt(exact * (1 - exact) / reps)) < 3


def test_no_interim_stopping_reduces_to_binomial_tail():
    d = interim.PPDesign(30, (0.5,), 0.2, 0.95, theta_f=0.0, theta_e=1.0)
    for p in (0.2, 0.4):
        oc = interim.operating_characteristics(d, p)
        assert oc.reject == pytest.approx(stats.binom.sf(d.r_final - 1, 30, p), rel=1e-12)
        assert oc.pet == 0.0 and oc.expected_n == pytest.approx(30.0)


def test_single_futility_look_equals_simon_formulas():
    """One futility look stops iff x1 <= r1: a Simon design with r = r_final - 1."""
    d = interim.PPDesign(40, (0.4,), 0.2, 0.95, theta_f=0.1, theta_e=1.0)
    fut, eff = d.boundaries()
    r1 = int(np.flatnonzero(fut[0]).max())
    assert np.all(fut[0][: r1 + 1]) and not np.any(eff[0])
    for p in (0.2, 0.3, 0.4):
        oc = interim.operating_characteristics(d, p)
        assert oc.reject == pytest.approx(float(simon.rejection_probability(p, r1, int(d.looks[0]), d.r_final - 1, 40)), rel=1e-10)
        assert oc.pet == pytest.approx(float(simon.pet(p, r1, int(d.looks[0]))), rel=1e-12)
        assert oc.expected_n == pytest.approx(float(simon.expected_n(p, r1, int(d.looks[0]), 40)), rel=1e-12)


def test_interim_oc_equals_brute_force_paths():
    """Enumerate every cohort outcome of a 3-look design with n = 12 and apply ``decide``."""
    d = interim.PPDesign(12, (1 / 3, 2 / 3), 0.3, 0.9, theta_f=0.1, theta_e=0.9)
    sizes = np.diff(np.concatenate([[0], d.looks, [d.n]]))
    p = 0.45
    reject = pet = en = 0.0
    for ys in itertools.product(*(range(s + 1) for s in sizes)):
        prob = math.prod(stats.binom.pmf(y, s, p) for y, s in zip(ys, sizes))
        out, stop = d.decide(np.cumsum(ys)[None, :])
        reject += prob * (out[0] == 2)
        pet += prob * (stop[0] < len(d.looks))
        en += prob * np.append(d.looks, d.n)[stop[0]]
    oc = interim.operating_characteristics(d, p)
    assert oc.reject == pytest.approx(reject, rel=1e-12)
    assert oc.pet == pytest.approx(pet, rel=1e-12)
    assert oc.expected_n == pytest.approx(en, rel=1e-12)


def test_interim_oc_monte_carlo():
    """20,000 simulated trials through ``decide``: reject, PET, mean N within |z| < 3."""
    d = interim.PPDesign(40, (0.25, 0.5, 0.75), 0.2, 0.95, theta_f=0.05, theta_e=0.99)
    p, reps = 0.35, 20_000
    rng = np.random.default_rng(2024)
    sizes = np.diff(np.concatenate([[0], d.looks, [d.n]]))
    x = np.cumsum(rng.binomial(sizes, p, (reps, sizes.size)), axis=1)
    out, stop = d.decide(x)
    oc = interim.operating_characteristics(d, p)
    for obs, exact in ((out == 2, oc.reject), (stop < 3, oc.pet)):
        assert abs((obs.mean() - exact) / math.sqrt(exact * (1 - exact) / reps)) < 3
    n_used = np.append(d.looks, d.n)[stop]
    assert abs((n_used.mean() - oc.expected_n) / (n_used.std() / math.sqrt(reps))) < 3


def test_calibration_picks_largest_size_below_alpha():
    kw = dict(theta_f_grid=[0.01, 0.05, 0.1], theta_e_grid=[0.95, 1.0], eta_grid=np.linspace(0.8, 0.99, 12))
    cal = interim.calibrate_thresholds(40, (0.5,), 0.2, 0.05, p1=0.4, **kw)
    assert cal.size <= 0.05
    sizes = []
    for tf, te, eta in itertools.product(kw["theta_f_grid"], kw["theta_e_grid"], kw["eta_grid"]):
        d = interim.PPDesign(40, (0.5,), 0.2, eta, tf, te)
        sizes.append(interim.operating_characteristics(d, 0.2).reject)
    sizes = np.array(sizes)
    np.testing.assert_allclose(np.sort(cal.grid[:, 4]), np.sort(sizes), rtol=1e-12)
    assert cal.size == pytest.approx(sizes[sizes <= 0.05].max(), rel=1e-12)
    chosen = interim.operating_characteristics(cal.design, 0.2)
    assert chosen.reject == pytest.approx(cal.size, rel=1e-12)
    assert interim.operating_characteristics(cal.design, 0.4).reject == pytest.approx(cal.power, rel=1e-12)


@pytest.mark.parametrize(
    "call",
    [
        lambda: bayes.predictive_probability(3, 10, 8, 5),
        lambda: bayes.predictive_probability(11, 10, 20, 5),
        lambda: bayes.posterior_prob_above(3, 10, 0.2, a=-1),
        lambda: interim.look_sizes(20, (0.5, 0.4)),
        lambda: interim.PPDesign(20, (0.5,), 0.2, 0.95, theta_f=1.5),
        lambda: interim.calibrate_thresholds(20, (0.5,), 0.2, 0.0001, [0.0], [1.0], [0.5]),
    ],
)
def test_bayes_invalid_input(call):
    with pytest.raises(ValueError):
        call()
