"""Two-arm Fisher exact test and Bayesian P(p_B > p_A) rule: tables and exact power."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from scipy import stats

from simtrial.designs import bayes_two_arm, fisher, two_arm


@pytest.mark.parametrize("n_a,n_b", [(1, 1), (4, 7), (10, 9), (12, 12), (25, 30)])
@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_fisher_table_matches_scipy(n_a, n_b, alternative):
    table = fisher.fisher_pvalue_table(n_a, n_b, alternative)
    for xa in range(n_a + 1):
        for xb in range(n_b + 1):
            ref = stats.fisher_exact([[xb, n_b - xb], [xa, n_a - xa]], alternative=alternative).pvalue
            assert table[xa, xb] == pytest.approx(ref, rel=1e-10, abs=1e-14), (xa, xb)


def test_fisher_lookup_is_vectorised():
    rng = np.random.default_rng(3)
    xa, xb = rng.integers(0, 11, 10_000), rng.integers(0, 10, 10_000)
    got = fisher.fisher_pvalue(xa, 10, xb, 9, "greater")
    table = fisher.fisher_pvalue_table(10, 9, "greater")
    np.testing.assert_array_equal(got, table[xa, xb])


def test_fisher_power_equals_exact_rational_enumeration():
    """Rejection probability by enumeration, recomputed in rational arithmetic."""
    n_a, n_b, alpha = 8, 9, 0.05
    rej = fisher.fisher_rejection_table(n_a, n_b, alpha, "greater")
    pa, pb = Fraction(3, 10), Fraction(7, 10)
    exact = sum(
        math.comb(n_a, i) * pa**i * (1 - pa) ** (n_a - i) * math.comb(n_b, j) * pb**j * (1 - pb) ** (n_b - j)
        for i in range(n_a + 1)
        for j in range(n_b + 1)
        if rej[i, j]
    )
    assert fisher.fisher_power(0.3, 0.7, n_a, n_b, alpha) == pytest.approx(float(exact), rel=1e-12)


def test_fisher_size_never_exceeds_alpha():
    """Fisher's test is conditionally valid, so its unconditional size is <= alpha at every p."""
    p = np.linspace(0.0, 1.0, 101)
    for alt in ("greater", "two-sided"):
        size = fisher.fisher_power(p, p, 15, 20, 0.05, alt)
        assert np.all(size <= 0.05 + 1e-12)


def test_fisher_power_monte_carlo():
    """10,000 simulated trials decided by lookup: rejection rate within |z| < 3 of exact."""
    n_a, n_b, pa, pb = 20, 20, 0.3, 0.7
    rng = np.random.default_rng(11)
    reps = 10_000
    rej = fisher.fisher_rejection_table(n_a, n_b, 0.05)
    hits = rej[rng.binomial(n_a, pa, reps), rng.binomial(n_b, pb, reps)].mean()
    exact = fisher.fisher_power(pa, pb, n_a, n_b, 0.05)
    z = (hits - exact) / math.sqrt(exact * (1 - exact) / reps)
    assert abs(z) < 3, z


def test_prob_b_greater_closed_values():
    """Uniform vs Beta(2, 1): int 2t * t dt = 2/3; Beta(1, 2) vs Beta(2, 1): 5/6."""
    assert bayes_two_arm.prob_b_greater(0, 0, 1, 1) == pytest.approx(2 / 3, rel=1e-13)
    assert bayes_two_arm.prob_b_greater(0, 1, 1, 1) == pytest.approx(5 / 6, rel=1e-13)
    for method in ("sum", "quad"):
        assert bayes_two_arm.prob_b_greater(0, 1, 1, 1, method=method) == pytest.approx(5 / 6, rel=1e-10)


def test_prob_b_greater_symmetry_and_methods_agree():
    xa = np.arange(13)[:, None]
    xb = np.arange(11)[None, :]
    for prior_a, prior_b in (((1, 1), (1, 1)), ((0.5, 0.5), (1, 2)), ((2, 1), (0.5, 0.5)), ((0.5, 0.5), (0.5, 0.5))):
        auto = bayes_two_arm.prob_b_greater(xa, 12, xb, 10, prior_a, prior_b)
        quad = bayes_two_arm.prob_b_greater(xa, 12, xb, 10, prior_a, prior_b, method="quad")
        np.testing.assert_allclose(auto, quad, atol=1e-10)
        swapped = bayes_two_arm.prob_b_greater(xb.T, 10, xa.T, 12, prior_b, prior_a).T
        np.testing.assert_allclose(auto + swapped, 1.0, atol=1e-10)
    same = bayes_two_arm.prob_b_greater(np.arange(9), 8, np.arange(9), 8)
    np.testing.assert_allclose(same, 0.5, atol=1e-12)


def test_prob_b_greater_monte_carlo():
    """The letter's 5/10 vs 8/9 with uniform priors: 10^6 posterior draws, |z| < 3."""
    exact = float(bayes_two_arm.prob_b_greater(5, 10, 8, 9))
    rng = np.random.default_rng(5)
    m = 1_000_000
    est = (rng.beta(9, 2, m) > rng.beta(6, 6, m)).mean()
    z = (est - exact) / math.sqrt(exact * (1 - exact) / m)
    assert abs(z) < 3, z


def test_bayes_power_enumeration_and_monte_carlo():
    n_a, n_b, thr = 15, 15, 0.95
    table = bayes_two_arm.bayes_rejection_table(n_a, n_b, thr)
    post = bayes_two_arm.posterior_prob_table(n_a, n_b)
    np.testing.assert_array_equal(table, post > thr)
    fa = stats.binom.pmf(np.arange(n_a + 1), n_a, 0.3)
    fb = stats.binom.pmf(np.arange(n_b + 1), n_b, 0.6)
    exact = float((np.outer(fa, fb) * table).sum())
    assert bayes_two_arm.bayes_power(0.3, 0.6, n_a, n_b, thr) == pytest.approx(exact, rel=1e-12)
    rng = np.random.default_rng(8)
    reps = 20_000
    hits = table[rng.binomial(n_a, 0.3, reps), rng.binomial(n_b, 0.6, reps)].mean()
    assert abs((hits - exact) / math.sqrt(exact * (1 - exact) / reps)) < 3


@pytest.mark.parametrize(
    "call",
    [
        lambda: fisher.fisher_pvalue_table(5, 5, "bigger"),
        lambda: fisher.fisher_pvalue([6], 5, [1], 5),
        lambda: fisher.fisher_power(0.2, 1.5, 5, 5, 0.05),
        lambda: two_arm.rejection_probability(np.zeros((3, 3)), 0.2, 0.3),
        lambda: bayes_two_arm.prob_b_greater(1, 5, 2, 5, prior_a=(0.5, 1), prior_b=(0.5, 1), method="sum"),
        lambda: bayes_two_arm.prob_b_greater(1, 5, 2, 5, prior_a=(0, 1)),
    ],
)
def test_two_arm_invalid_input(call):
    with pytest.raises(ValueError):
        call()
