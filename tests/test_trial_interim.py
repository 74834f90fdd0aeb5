"""Interim rules: two-arm predictive probabilities, threshold calibration by simulation."""

import numpy as np
from scipy import stats

from simtrial.designs import calibrate_thresholds, fisher_rejection_table
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


def test_calibration_by_simulation_agrees_with_exact():
    grids = dict(theta_f_grid=[0.0, 0.05, 0.1], theta_e_grid=[0.95, 1.0], eta_grid=[0.95, 0.975, 0.99])
    sim = calibrate_interim_thresholds(30, (0.5,), 0.2, 0.05, replicates=6000, seed=3, **grids)
    exact = calibrate_thresholds(30, (0.5,), 0.2, 0.05, p1=None, **grids)
    # every row's simulated size is within Monte Carlo error of its exact size
    se = np.sqrt(sim.grid[:, 5] * (1 - sim.grid[:, 5]) / 6000)
    assert np.all(np.abs(sim.grid[:, 3] - sim.grid[:, 5]) < 3.5 * se + 1e-12)
    # the chosen thresholds keep the exact type I error within 3 MCSE of alpha, near the exact optimum
    chosen = sim.grid[np.argmax(sim.grid[:, 3] * (sim.grid[:, 3] <= 0.05))]
    assert chosen[5] <= 0.05 + 3 * sim.size_mcse
    assert abs(chosen[5] - exact.size) < 3 * sim.size_mcse + 0.01
