"""Exact OC curves (simtrial.designs.oc) against independent enumeration with scipy."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats

from simtrial.designs import oc, simon
from simtrial.designs.fisher import fisher_rejection_table
from simtrial.designs.interim import PPDesign, operating_characteristics
from simtrial.trial.interim import single_arm_pp_design

GRID = oc.p_grid(0.01)


def test_single_arm_curve_is_binomial_tail():
    curve = oc.single_arm_oc(GRID, 35, 12)
    np.testing.assert_allclose(curve.reject, stats.binom.sf(11, 35, GRID), rtol=1e-10, atol=1e-15)
    assert not curve.has_looks
    np.testing.assert_array_equal(curve.pet, 0.0)
    np.testing.assert_array_equal(curve.expected_n, 35.0)


def test_single_arm_table_matches_per_n_tail():
    ns = np.arange(10, 81)
    r, table = oc.single_arm_table(ns, GRID, 0.2, 0.05)
    for i, n in enumerate(ns):
        np.testing.assert_allclose(table[i], stats.binom.sf(r[i] - 1, n, GRID), rtol=1e-12, atol=1e-300)
    assert table.shape == (ns.size, GRID.size)


@pytest.mark.parametrize("design", [(3, 13, 12, 43), (4, 18, 10, 33), (1, 10, 5, 29), (0, 9, 2, 17)])
def test_simon_curve_matches_closed_forms(design):
    r1, n1, r, n = design
    curve = oc.simon_oc(GRID, r1, n1, r, n)
    np.testing.assert_allclose(curve.reject, simon.rejection_probability(GRID, r1, n1, r, n), atol=1e-13)
    np.testing.assert_allclose(curve.pet, stats.binom.cdf(r1, n1, GRID), atol=1e-13)
    np.testing.assert_allclose(curve.expected_n, simon.expected_n(GRID, r1, n1, n), atol=1e-10)


def test_pp_curve_matches_per_p_convolution_and_brute_force():
    d = PPDesign(12, (0.34, 0.67), 0.2, 0.9, theta_f=0.1, theta_e=0.95)
    curve = oc.pp_oc(GRID, d)
    for i, p in enumerate(GRID[::10]):
        ref = operating_characteristics(d, float(p))
        assert curve.reject[i * 10] == pytest.approx(ref.reject, abs=1e-12)
        assert curve.pet[i * 10] == pytest.approx(ref.pet, abs=1e-12)
        assert curve.expected_n[i * 10] == pytest.approx(ref.expected_n, abs=1e-10)
    # brute force: every one of the 2^12 response sequences, at p = 0.3
    fut, eff = d.boundaries()
    p = 0.3
    tot = {"reject": 0.0, "pet": 0.0, "en": 0.0}
    for seq in itertools.product((0, 1), repeat=12):
        pr = math.prod(p if s else 1 - p for s in seq)
        stopped = False
        for k, m in enumerate(d.looks):
            x = sum(seq[:m])
            if fut[k][x] or eff[k][x]:
                tot["pet"] += pr
                tot["en"] += pr * m
                tot["reject"] += pr * bool(eff[k][x] and not fut[k][x])
                stopped = True
                break
        if not stopped:
            tot["en"] += pr * 12
            tot["reject"] += pr * (sum(seq) >= d.r_final)
    j = int(np.argmin(np.abs(GRID - p)))
    assert curve.reject[j] == pytest.approx(tot["reject"], abs=1e-12)
    assert curve.pet[j] == pytest.approx(tot["pet"], abs=1e-12)
    assert curve.expected_n[j] == pytest.approx(tot["en"], abs=1e-10)


def test_type_one_error_spent_by_look_adds_up_to_size():
    d = single_arm_pp_design(35, (0.25, 0.5, 0.75), 0.2, 0.05, 0.0, 0.8)
    curve = oc.pp_oc([0.2], d)
    cum = curve.cumulative_reject_by_look[:, 0]
    assert cum.shape == (4,)
    assert np.all(np.diff(cum) >= 0)
    assert cum[-1] == pytest.approx(curve.reject[0])
    assert curve.reject[0] == pytest.approx(0.1112, abs=5e-5)  # the inflated size


def test_fisher_null_size_curve_and_maximum():
    table = fisher_rejection_table(20, 20, 0.05, "greater")
    ns = oc.null_size(table)
    # independent enumeration on a coarse grid
    for p in (0.1, 0.35, 0.5, 0.8):
        pa = stats.binom.pmf(np.arange(21), 20, p)
        ref = float(pa @ table.astype(float) @ pa)
        j = int(np.argmin(np.abs(ns.p - p)))
        assert ns.size[j] == pytest.approx(ref, abs=1e-13)
    dense = oc.null_size(table, np.linspace(0, 1, 20001))
    assert ns.size_max >= dense.size.max() - 1e-12
    assert ns.size_max <= 0.05
    assert ns.size_max == pytest.approx(dense.size.max(), abs=1e-7)
    assert 0 < ns.p_max < 1  # Fisher's size vanishes at p = 0 and p = 1


@pytest.mark.parametrize(
    "call",
    [
        lambda: oc.single_arm_oc([1.2], 10, 3),
        lambda: oc.simon_oc([0.2], 5, 5, 6, 10),
        lambda: oc.multistage_oc([0.2], [5], 10, [np.zeros(5, bool)], [np.zeros(6, bool)], np.zeros(11, bool)),
        lambda: oc.multistage_oc([0.2], [12], 10, [np.zeros(13, bool)], [np.zeros(13, bool)], np.zeros(11, bool)),
        lambda: oc.p_grid(0),
    ],
)
def test_oc_invalid_input(call):
    with pytest.raises(ValueError):
        call()
