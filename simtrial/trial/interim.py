"""Calibration of predictive-probability interim thresholds by simulation.

The rules themselves are in :mod:`simtrial.designs.pp_interim` (re-exported here): a
:class:`~simtrial.designs.PPInterim` given to a design object as its ``interim``.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np

from simtrial.designs import PPDesign, operating_characteristics
from simtrial.designs.pp_interim import (
    TwoArmPP,
    final_total_distribution,
    single_arm_pp_design,
    two_arm_predictive_table,
)

__all__ = [
    "single_arm_pp_design",
    "final_total_distribution",
    "two_arm_predictive_table",
    "TwoArmPP",
    "SimulatedCalibration",
    "calibrate_interim_thresholds",
]


@dataclass(frozen=True)
class SimulatedCalibration:
    """Result of :func:`calibrate_interim_thresholds`.

    ``grid`` rows: (theta_f, theta_e, eta, simulated size, its MCSE, exact size).
    """

    design: PPDesign
    size: float
    size_mcse: float
    grid: np.ndarray


def calibrate_interim_thresholds(n: int, fractions, p0: float, alpha: float, theta_f_grid, theta_e_grid,
                                 eta_grid, replicates: int = 20000, seed: int | np.random.SeedSequence = 0,
                                 a: float = 1.0, b: float = 1.0) -> SimulatedCalibration:
    """PP thresholds whose **simulated** type I error under the null scenario is at most ``alpha``.

    Each replicate is a trial of the *null* scenario (every patient responds with probability
    p0, drawn from the replicate's own parametric stream, as in the simulator); every grid
    combination is applied to the same simulated trials (common random numbers). The chosen
    combination has the largest simulated size <= alpha; ties go to grid order (theta_f, then
    theta_e, then eta). The exact counterpart is :func:`simtrial.designs.calibrate_thresholds`;
    the exact size of every row is in ``grid`` for comparison.
    """
    from simtrial.trial.outcomes import OutcomeModel, chunk_outcomes
    from simtrial.trial.visits import visit_days

    root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    model = OutcomeModel(regimens=("sirolimus",), landmark_day=168.0, switch_day=84.0, followup_days=364.0,
                         visits=visit_days(), p_response=(p0,))
    resp = np.concatenate([
        chunk_outcomes(model, root, range(s, min(s + 2000, replicates)), n,
                       np.zeros(n * (min(s + 2000, replicates) - s), dtype=np.intp)).responded
        for s in range(0, replicates, 2000)])
    cum = np.cumsum(resp, axis=1)
    rows, designs = [], []
    for tf, te, eta in product(*(np.atleast_1d(g) for g in (theta_f_grid, theta_e_grid, eta_grid))):
        d = PPDesign(n, tuple(np.atleast_1d(fractions)), p0, float(eta), float(tf), float(te), a, b)
        cols = np.append(d.looks, n) - 1
        outcome, _ = d.decide(cum[:, cols])
        size = float(np.mean(outcome == 2))
        rows.append((tf, te, eta, size, np.sqrt(max(size * (1 - size), 1e-300) / replicates),
                     operating_characteristics(d, p0).reject))
        designs.append(d)
    grid = np.array(rows, dtype=float)
    ok = np.flatnonzero(grid[:, 3] <= alpha)
    if ok.size == 0:
        raise ValueError(f"no threshold combination has simulated type I error <= alpha={alpha}; widen the grids")
    best = ok[np.lexsort((ok, -grid[ok, 3]))[0]]
    return SimulatedCalibration(designs[best], float(grid[best, 3]), float(grid[best, 4]), grid)
