"""Estimation after stopping (simtrial.designs.estimation): naive, UMVUE, Koyama-Chen CI."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats

from simtrial.designs import estimation as est
from simtrial.designs import simon

GRID = np.linspace(0.0, 1.0, 201)
# Simon 1989 Table 1 designs (r1, n1, n) and one small design for brute force
DESIGNS = [(3, 13, 43), (4, 18, 33), (1, 10, 29), (0, 9, 17), (1, 4, 8)]


@pytest.mark.parametrize("design", DESIGNS)
def test_umvue_is_exactly_unbiased(design):
    """Jung SH, Kim KM. Stat Med 2004;23:881-896: the estimator is unbiased for every p (and,
    (stage, x) being complete and sufficient, the only unbiased function of it: the UMVUE)."""
    r1, n1, n = design
    oc = est.estimation_oc(GRID, n, r1, n1)
    np.testing.assert_allclose(oc.mean_umvue, GRID, atol=1e-11)
    # the naive estimate is biased downwards (until PET is negligible near p = 1)
    interior = (GRID > 0.01) & (GRID < 0.9)
    assert np.all(oc.bias_naive[interior] < 0)


def test_umvue_equals_rao_blackwell_by_brute_force():
    """E[first patient's response | stage, x], by enumerating all 2^8 sequences of (1, 4, 8)."""
    r1, n1, n = 1, 4, 8
    o = est.outcomes(n, r1, n1)
    num, den = {}, {}
    for seq in itertools.product((0, 1), repeat=n):
        x1 = sum(seq[:n1])
        key = (1, x1) if x1 <= r1 else (2, sum(seq))
        den[key] = den.get(key, 0) + 1
        num[key] = num.get(key, 0) + seq[0]
    for key in den:
        i = o.index(*key)
        assert o.umvue[i] == pytest.approx(num[key] / den[key], abs=1e-14)
        # a stopped trial never sees the last n - n1 patients: each of their 2^(n - n1) fillings
        assert o.count[i] == den[key] / (2 ** (n - n1) if key[0] == 1 else 1)


def test_naive_mean_matches_simulation_free_double_sum():
    r1, n1, n = 3, 13, 43
    p = 0.6
    ref = sum(stats.binom.pmf(x1, n1, p) * x1 / n1 for x1 in range(r1 + 1))
    ref += sum(
        stats.binom.pmf(x1, n1, p) * stats.binom.pmf(x2, n - n1, p) * (x1 + x2) / n
        for x1 in range(r1 + 1, n1 + 1) for x2 in range(n - n1 + 1)
    )
    oc = est.estimation_oc([p], n, r1, n1)
    assert oc.mean_naive[0] == pytest.approx(ref, abs=1e-13)


def test_one_stage_interval_is_clopper_pearson_and_umvue_is_proportion():
    o = est.outcomes(20)
    for i, x in enumerate(o.x):
        ci = stats.binomtest(int(x), 20).proportion_ci(confidence_level=0.95, method="exact")
        assert o.lower[i] == pytest.approx(ci.low, abs=1e-9)
        assert o.upper[i] == pytest.approx(ci.high, abs=1e-9)
        assert o.umvue[i] == pytest.approx(x / 20)


@pytest.mark.parametrize("design", DESIGNS[:4])
def test_koyama_chen_interval_has_at_least_nominal_coverage(design):
    """Koyama T, Chen H. Stat Med 2008;27:3145-3154: the interval inverts the stage-wise
    ordered tests, so its exact coverage is >= the level at every p (checked on a fine grid)."""
    r1, n1, n = design
    oc = est.estimation_oc(GRID, n, r1, n1, level=0.9)
    assert np.all(oc.coverage >= 0.9 - 1e-9)


@pytest.mark.parametrize("design", [(3, 13, 12, 43), (4, 18, 10, 33), (1, 10, 5, 29)])
def test_koyama_chen_p_value_agrees_with_the_design_decision(design):
    """The stage-wise p-value (Koyama and Chen 2008, their P-value for Simon's design) of the
    smallest rejecting outcome (stage 2, r + 1) is the design's exact size; so p <= alpha
    exactly where the design rejects H0."""
    r1, n1, r, n = design
    p0 = {43: 0.2, 33: 0.2, 29: 0.1}[n]
    o = est.outcomes(n, r1, n1)
    size = float(simon.rejection_probability(p0, r1, n1, r, n))
    assert o.p_value(2, r + 1, p0) == pytest.approx(size, abs=1e-13)
    pvals = [o.p_value(int(s), int(x), p0) for s, x in zip(o.stage, o.x)]
    assert np.all(np.diff(pvals) <= 1e-15)  # more extreme, smaller p-value
    assert o.p_value(1, 0, p0) == pytest.approx(1.0)


def test_estimate_one_outcome_and_invalid_input():
    got = est.estimate(1, 2, 43, 3, 13)
    assert got["naive"] == got["umvue"] == pytest.approx(2 / 13)
    assert got["lower"] < 2 / 13 < got["upper"]
    with pytest.raises(ValueError):
        est.estimate(1, 5, 43, 3, 13)  # x1 = 5 > r1 cannot end stage 1
    with pytest.raises(ValueError):
        est.outcomes(10, 5, 5)
    with pytest.raises(ValueError):
        est.estimation_oc([1.5], 10)


def test_simulated_estimates_agree_with_exact_in_mcse():
    """Monte Carlo confirmation: 20,000 simulated Simon trials (3/13, 12/43) at p = 0.6; the mean
    naive estimate, mean UMVUE and CI coverage lie within 4 MCSE of the exact values."""
    r1, n1, n, p = 3, 13, 43, 0.6
    rng = np.random.default_rng(np.random.SeedSequence(20260416))
    x1 = rng.binomial(n1, p, 20_000)
    x2 = rng.binomial(n - n1, p, 20_000)
    stopped = x1 <= r1
    o = est.outcomes(n, r1, n1)
    lookup = {(int(s), int(x)): i for i, (s, x) in enumerate(zip(o.stage, o.x))}
    idx = np.array([lookup[(1, a)] if st else lookup[(2, a + b)] for a, b, st in zip(x1, x2, stopped)])
    exact = est.estimation_oc([p], n, r1, n1)
    for sim, ex in ((o.naive[idx], exact.mean_naive[0]), (o.umvue[idx], exact.mean_umvue[0]),
                    (((o.lower[idx] <= p) & (p <= o.upper[idx])).astype(float), exact.coverage[0])):
        z = (sim.mean() - ex) / (sim.std(ddof=1) / np.sqrt(sim.size))
        assert abs(z) < 4, (sim.mean(), ex, z)
