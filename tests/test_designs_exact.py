"""Exact single-arm binomial test, Simon two-stage designs, and the letter's P = 0.06."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from simtrial.designs import binomial, simon
from simtrial.designs.contingency import two_by_two_pvalues


def _tail(r: int, n: int, p: Fraction) -> Fraction:
    """P(X >= r), X ~ Bin(n, p), in exact rational arithmetic."""
    return sum((math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(max(r, 0), n + 1)), Fraction(0))


# ---------------------------------------------------------------- single-arm binomial

@pytest.mark.parametrize("p0s,alphas", [("0.05", "0.05"), ("0.2", "0.05"), ("0.3", "0.1"), ("0.5", "0.025")])
def test_critical_value_matches_exact_definition(p0s, alphas):
    p0, alpha = Fraction(p0s), Fraction(alphas)
    ns = np.arange(1, 41)
    r = binomial.critical_value(ns, float(p0), float(alpha))
    for n, rn in zip(ns, r):
        n = int(n)
        expected = next((k for k in range(n + 2) if k <= n and _tail(k, n, p0) <= alpha), n + 1)
        assert rn == expected, (n, rn, expected)


def test_size_and_power_equal_exact_tail_sums():
    p0, p1, alpha = Fraction(1, 5), Fraction(2, 5), 0.05
    for n in (10, 25, 35):
        r = int(binomial.critical_value(n, float(p0), alpha))
        got = binomial.rejection_probability([float(p0), float(p1)], n, float(p0), alpha)
        assert got[0] == pytest.approx(float(_tail(r, n, p0)), rel=1e-12)
        assert got[1] == pytest.approx(float(_tail(r, n, p1)), rel=1e-12)
        assert got[0] <= alpha


def test_reject_is_vectorised_threshold():
    x = np.arange(0, 36)
    r = int(binomial.critical_value(35, 0.2, 0.05))
    np.testing.assert_array_equal(binomial.reject(x, 35, 0.2, 0.05), x >= r)


def test_min_sample_size_is_first_n_reaching_power():
    p0, p1, alpha, power = Fraction(1, 5), Fraction(2, 5), 0.05, 0.8
    n = binomial.min_sample_size(float(p0), float(p1), alpha, power)

    def exact_power(m):
        return _tail(int(binomial.critical_value(m, float(p0), alpha)), m, p1)

    assert exact_power(n) >= Fraction(4, 5)
    assert all(exact_power(m) < Fraction(4, 5) for m in range(1, n))


@pytest.mark.parametrize(
    "call",
    [
        lambda: binomial.critical_value(10, 1.2, 0.05),
        lambda: binomial.critical_value(0, 0.2, 0.05),
        lambda: binomial.reject([3, 11], 10, 0.2, 0.05),
        lambda: binomial.min_sample_size(0.4, 0.2, 0.05, 0.8),
        lambda: binomial.min_sample_size(0.2, 0.4, 0.05, 0.8, n_max=10),
    ],
)
def test_binomial_invalid_input(call):
    with pytest.raises(ValueError):
        call()


# ---------------------------------------------------------------- Simon two-stage

# Simon R. Control Clin Trials 1989;10:1-10, Table 1 (p1 - p0 = 0.20) and Table 2
# (p1 - p0 = 0.15): (p0, p1, alpha, beta, kind, r1, n1, r, n, EN(p0), PET(p0)).
# Every row was re-derived by the exhaustive search and by hand (PET = B(r1; n1, p0),
# EN = n1 + (1 - PET) n2). Two minimax PETs that circulate as 0.50 (4/18, 10/33 at
# p0 = 0.20) and 0.48 (6/19, 16/39 at p0 = 0.30) are wrong: B(4; 18, 0.2) = 0.716 and
# B(6; 19, 0.3) = 0.666, the only values consistent with the published EN of 22.3 and
# 25.7; the rows below use 0.72 and 0.67. Likewise B(1; 12, 0.1) = 0.659, so the
# p0 = 0.10 optimal row for alpha = beta = 0.10 has PET 0.66 (sometimes quoted as 0.65).
SIMON_ROWS = [
    (0.05, 0.25, 0.10, 0.10, "optimal", 0, 9, 2, 24, 14.5, 0.63),
    (0.05, 0.25, 0.10, 0.10, "minimax", 0, 13, 2, 20, 16.4, 0.51),
    (0.05, 0.25, 0.05, 0.20, "optimal", 0, 9, 2, 17, 12.0, 0.63),
    (0.05, 0.25, 0.05, 0.20, "minimax", 0, 12, 2, 16, 13.8, 0.54),
    (0.10, 0.30, 0.10, 0.10, "optimal", 1, 12, 5, 35, 19.8, 0.66),
    (0.10, 0.30, 0.10, 0.10, "minimax", 1, 16, 4, 25, 20.4, 0.51),
    (0.10, 0.30, 0.05, 0.20, "optimal", 1, 10, 5, 29, 15.0, 0.74),
    (0.10, 0.30, 0.05, 0.20, "minimax", 1, 15, 5, 25, 19.5, 0.55),
    (0.20, 0.40, 0.10, 0.10, "optimal", 3, 17, 10, 37, 26.0, 0.55),
    (0.20, 0.40, 0.10, 0.10, "minimax", 3, 19, 10, 36, 28.3, 0.46),
    (0.20, 0.40, 0.05, 0.20, "optimal", 3, 13, 12, 43, 20.6, 0.75),
    (0.20, 0.40, 0.05, 0.20, "minimax", 4, 18, 10, 33, 22.3, 0.72),
    (0.30, 0.50, 0.05, 0.20, "optimal", 5, 15, 18, 46, 23.6, 0.72),
    (0.30, 0.50, 0.05, 0.20, "minimax", 6, 19, 16, 39, 25.7, 0.67),
    (0.30, 0.50, 0.05, 0.10, "optimal", 8, 24, 24, 63, 34.7, 0.73),
    (0.30, 0.50, 0.05, 0.10, "minimax", 7, 24, 21, 53, 36.6, 0.56),
    (0.40, 0.60, 0.10, 0.10, "optimal", 7, 18, 22, 46, 30.2, 0.56),
    (0.40, 0.60, 0.10, 0.10, "minimax", 11, 28, 20, 41, 33.8, 0.55),
    (0.05, 0.20, 0.05, 0.20, "optimal", 0, 10, 3, 29, 17.6, 0.60),
    (0.05, 0.20, 0.05, 0.20, "minimax", 0, 13, 3, 27, 19.8, 0.51),
    (0.10, 0.25, 0.05, 0.20, "optimal", 2, 18, 7, 43, 24.7, 0.73),
    (0.10, 0.25, 0.05, 0.20, "minimax", 2, 22, 7, 40, 28.8, 0.62),
]

_SEARCH_CACHE: dict = {}


def _search(p0, p1, alpha, beta):
    key = (p0, p1, alpha, beta)
    if key not in _SEARCH_CACHE:
        _SEARCH_CACHE[key] = simon.simon_search(p0, p1, alpha, 1 - beta, n_max=70)
    return _SEARCH_CACHE[key]


@pytest.mark.parametrize("row", SIMON_ROWS, ids=lambda r: f"{r[0]}-{r[1]}-a{r[2]}-b{r[3]}-{r[4]}")
def test_simon_published_designs(row):
    """Simon 1989, Tables 1-2: designs, EN(p0) and PET(p0) as printed (1 and 2 decimals)."""
    p0, p1, alpha, beta, kind, r1, n1, r, n, en, pet = row
    d = getattr(_search(p0, p1, alpha, beta), kind)
    assert (d.r1, d.n1, d.r, d.n) == (r1, n1, r, n)
    assert round(d.en_p0, 1) == en
    assert round(d.pet_p0, 2) == pet
    assert d.alpha_actual <= alpha and d.power_actual >= 1 - beta


def _brute_reject(p, r1, n1, r, n):
    return sum(
        math.comb(n1, x1) * p**x1 * (1 - p) ** (n1 - x1) * math.comb(n - n1, x2) * p**x2 * (1 - p) ** (n - n1 - x2)
        for x1 in range(r1 + 1, n1 + 1)
        for x2 in range(n - n1 + 1)
        if x1 + x2 > r
    )


def test_simon_search_is_exhaustive_on_small_problem():
    """Pure-Python enumeration of every design with n <= 18 agrees with the vectorised search."""
    p0, p1, alpha, power = 0.1, 0.4, 0.1, 0.8
    best_opt = best_mm = None
    for n in range(2, 19):
        for n1 in range(1, n):
            for r1 in range(n1):
                for r in range(r1, n):
                    a = _brute_reject(p0, r1, n1, r, n)
                    if a > alpha or _brute_reject(p1, r1, n1, r, n) < power:
                        continue
                    pet = sum(math.comb(n1, k) * p0**k * (1 - p0) ** (n1 - k) for k in range(r1 + 1))
                    en = round(n1 + (1 - pet) * (n - n1), 10)
                    key_o, key_m = (en, n, n1), (n, en, n1)
                    if best_opt is None or key_o < best_opt[0]:
                        best_opt = (key_o, (r1, n1, r, n))
                    if best_mm is None or key_m < best_mm[0]:
                        best_mm = (key_m, (r1, n1, r, n))
    s = simon.simon_search(p0, p1, alpha, power, n_max=18)
    assert (s.optimal.r1, s.optimal.n1, s.optimal.r, s.optimal.n) == best_opt[1]
    assert (s.minimax.r1, s.minimax.n1, s.minimax.r, s.minimax.n) == best_mm[1]


def test_simon_characteristics_match_double_sum():
    r1, n1, r, n = 3, 13, 12, 43
    ps = np.array([0.0, 0.1, 0.2, 0.4, 0.7, 1.0])
    got = simon.rejection_probability(ps, r1, n1, r, n)
    np.testing.assert_allclose(got, [_brute_reject(float(p), r1, n1, r, n) for p in ps], rtol=1e-12, atol=1e-15)
    pet = simon.pet(ps, r1, n1)
    np.testing.assert_allclose(simon.expected_n(ps, r1, n1, n), n1 + (1 - pet) * (n - n1))


def test_simon_decide_monte_carlo_agrees_with_exact():
    """20,000 simulated trials through ``decide``: reject rate and PET within |z| < 3."""
    d = simon.optimal_design(0.2, 0.4, 0.05, 0.8, n_max=50)
    rng = np.random.default_rng(20240517)
    reps, p = 20_000, 0.3
    x1 = rng.binomial(d.n1, p, reps)
    xt = x1 + rng.binomial(d.n2, p, reps)
    out = d.decide(x1, xt)
    for observed, exact in ((out == 2, d.rejection_probability(p)), (out == 0, d.pet(p))):
        z = (observed.mean() - exact) / math.sqrt(exact * (1 - exact) / reps)
        assert abs(z) < 3, z


@pytest.mark.parametrize(
    "call",
    [
        lambda: simon.simon_search(0.4, 0.2, 0.05, 0.8),
        lambda: simon.simon_search(0.2, 0.4, 0.05, 0.8, n_max=5),
        lambda: simon.rejection_probability(0.2, 3, 13, 2, 43),
        lambda: simon.decide([14], [14], 3, 13, 12, 43),
    ],
)
def test_simon_invalid_input(call):
    with pytest.raises(ValueError):
        call()


# ---------------------------------------------------------------- the letter's P = 0.06

def test_letter_p_value_is_likelihood_ratio_chi_square():
    """5/10 primary ITP vs 8/9 ARS-ITP responders, reported as P = 0.06.

    Source: Genoa/Catania letter, Am J Hematol ("Sirolimus as a rescue therapy in
    children with immune thrombocytopenia refractory to mycophenolate mofetil"),
    text and Table 1B. Of the standard tests only the likelihood-ratio (G) chi-square
    gives 0.06 at two decimals (0.0593). Pearson's chi-square without continuity
    correction gives 0.0686 (0.07, or 0.06 if truncated); Fisher two-sided 0.141,
    one-sided 0.091; Yates 0.185; one-sided mid-p 0.050; Barnard 0.099; Boschloo 0.085.
    """
    p = two_by_two_pvalues(5, 10, 8, 9)
    assert round(p["likelihood_ratio_g"], 2) == 0.06
    others = {k: v for k, v in p.items() if k != "likelihood_ratio_g"}
    assert all(round(v, 2) != 0.06 for v in others.values()), others
    # G = 2 sum O ln(O/E) by hand
    obs = np.array([[8, 1], [5, 5]], dtype=float)
    exp = obs.sum(1, keepdims=True) * obs.sum(0, keepdims=True) / obs.sum()
    g = 2 * np.sum(obs * np.log(obs / exp))
    assert p["likelihood_ratio_g"] == pytest.approx(math.erfc(math.sqrt(g / 2)), rel=1e-12)
    assert p["pearson_chi2"] == pytest.approx(0.0686283110180744, rel=1e-9)


def test_design_at_n_follows_simon_criteria_at_fixed_n():
    """design_at_n: at the published optimal design's n it returns that design (Simon 1989,
    p0 0.2, p1 0.4, alpha 0.05, power 0.8: 3/13, 12/43); below the n where the power target can
    be met, the most powerful design with n1 <= n/2 (checked by brute force)."""
    from itertools import product

    at = simon.design_at_n(0.2, 0.4, 0.05, 43, power=0.8)
    assert (at.r1, at.n1, at.r, at.n) == (3, 13, 12, 43)
    p0, p1, alpha, n = 0.2, 0.4, 0.05, 14
    d = simon.design_at_n(p0, p1, alpha, n, power=0.8)
    assert d.n == n and d.alpha_actual <= alpha and d.n1 <= n / 2 and d.power_actual < 0.8
    best = 0.0
    for n1, r1, r in product(range(1, n // 2 + 1), range(0, n), range(0, n)):
        if r1 >= n1 or r < r1:
            continue
        if simon.rejection_probability(p0, r1, n1, r, n) <= alpha:
            best = max(best, float(simon.rejection_probability(p1, r1, n1, r, n)))
    assert d.power_actual == pytest.approx(best, abs=1e-12)
