"""Interim rules: two-arm predictive probabilities, threshold calibration by simulation."""

import numpy as np
import pytest
from scipy import stats

import simtrial as st

from simtrial._core.codes import Outcome
from simtrial.designs import calibrate_thresholds, fisher_rejection_table, operating_characteristics
from simtrial.trial.interim import calibrate_interim_thresholds, two_arm_predictive_table


def test_two_arm_pp_matches_brute_force():
    table = fisher_rejection_table(8, 8, 0.1)
    pp = two_arm_predictive_table(table, 3, 4, 1.0, 1.0)
    for xa, xb in [(0, 0), (2, 1), (3, 4), (1, 3)]:
        total = 0.0
        for ya in range(6):
            for yb in range(5):
                total += (stats.betabinom.pmf(ya, 5, 1 + xa, 1 + 3 - xa) * stats.betabinom.pmf(yb, 4, 1 + xb, 1 + 4 - xb)
                          * table[xa + ya, xb + yb])
        assert abs(pp[xa, xb] - total) < 1e-12


GRIDS = dict(theta_f_grid=[0.0, 0.05, 0.1], theta_e_grid=[0.95, 1.0], eta_grid=[0.95, 0.975, 0.99])


def test_calibration_by_simulation_agrees_with_exact():
    sim = calibrate_interim_thresholds(30, (0.5,), 0.2, 0.05, replicates=6000, seed=3, **GRIDS)
    exact = calibrate_thresholds(30, (0.5,), 0.2, 0.05, p1=None, **GRIDS)
    table = sim.summary()
    # every row: simulated size within 3 of its own MCSE of the exact size (PPDesign enumeration)
    assert np.all(np.abs(table["z"]) < 3)
    assert np.allclose(table["size_mcse"], np.sqrt(table["size"] * (1 - table["size"]) / 6000))
    # conservative choice: simulated size + 2 MCSE <= alpha, hence an exact size <= alpha here
    assert sim.size + 2 * sim.size_mcse <= 0.05
    assert sim.exact_size <= 0.05
    assert sim.exact_size == operating_characteristics(sim.design, 0.2).reject
    assert table["chosen"].sum() == 1
    # the largest qualifying simulated size, and no better than the exact optimum
    qualifying = table[table["size"] + 2 * table["size_mcse"] <= 0.05]
    assert sim.size == qualifying["size"].max()
    assert sim.exact_size <= exact.size + 1e-12


def test_calibration_reuses_the_simulators_trials():
    """Common random numbers: the re-decided counts are those of ``Trial.simulate`` at the same seed."""
    sim = calibrate_interim_thresholds(30, (0.5,), 0.2, 0.05, replicates=500, seed=7, **GRIDS)
    res = st.Trial(st.designs.SingleArm(n=30, p0=0.2, p1=0.2), st.scenarios.Null()).simulate(500, seed=7)
    assert np.array_equal(sim.responders[:, -1], res.replicates["responders"][:, 0])
    # a rule with a look: the simulator's decisions are the re-decisions of the calibration's counts
    looked = st.Trial(st.designs.SingleArm(n=30, p0=0.2, p1=0.2, interim=st.designs.PPInterim(
        (0.5,), theta_f=0.3, size_control="allow")), st.scenarios.Null()).simulate(500, seed=7)
    outcome, _ = looked.design.pp.decide(sim.responders)
    dec = looked.replicates["decision"]
    assert 0 < np.mean(outcome == Outcome.STOP_FUTILITY) < 1
    assert np.array_equal(dec == st.Decision.FUTILITY_STOP, outcome == Outcome.STOP_FUTILITY)
    assert np.array_equal(np.isin(dec, (st.Decision.REJECTED_FINAL, st.Decision.EFFICACY_STOP)),
                          outcome == Outcome.REJECT_H0)


def test_calibration_errors_name_the_grid():
    with pytest.raises(ValueError, match=r"theta_f=\[0.0\].*eta=\[0.5\].*2 MCSE"):
        calibrate_interim_thresholds(30, (0.5,), 0.2, 0.05, [0.0], [1.0], [0.5], replicates=200, seed=1)
    with pytest.raises(ValueError, match="pause_at_looks"):
        calibrate_interim_thresholds(30, (0.5,), 0.2, 0.05, replicates=200, seed=1,
                                     schedule=st.Schedule(pause_at_looks=False), **GRIDS)


def test_calibration_with_the_patient_models_reports_mcse():
    # the default parameter set responds ~80% by the landmark: a null of p0 = 0.8
    sim = calibrate_interim_thresholds(20, (0.5,), 0.8, 0.25, [0.0, 0.1], [1.0], [0.5, 0.8, 0.95],
                                       replicates=40, seed=1, scenario=st.scenarios.Fixed())
    table = sim.summary()
    assert table["exact_size"].isna().all() and np.isnan(sim.exact_size)
    assert np.all(table["size_mcse"] > 0)
    assert np.allclose(table["size_mcse"], np.sqrt(table["size"] * (1 - table["size"]) / 40))
    assert sim.size + 2 * sim.size_mcse <= 0.25
    assert sim.responders.shape == (40, 2)
