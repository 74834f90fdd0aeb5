"""Calibration of predictive-probability interim thresholds by simulation.

The rules themselves are in :mod:`simtrial.designs.pp_interim` (re-exported here): a
:class:`~simtrial.designs.PPInterim` given to a design object as its ``interim``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product

import numpy as np

from simtrial._core.codes import Outcome
from simtrial._core.validation import check_value
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
    "GRID_COLUMNS",
]


#: Columns of :attr:`SimulatedCalibration.grid`.
GRID_COLUMNS = ("theta_f", "theta_e", "eta", "size", "size_mcse", "exact_size")


@dataclass(frozen=True)
class SimulatedCalibration:
    """Result of :func:`calibrate_interim_thresholds`.

    Attributes
    ----------
    design : PPDesign
        The chosen thresholds.
    size, size_mcse : float
        Its simulated type I error and the MCSE, sqrt(size (1 - size) / R).
    grid : numpy.ndarray
        One row per threshold combination, columns :data:`GRID_COLUMNS`: (theta_f, theta_e, eta,
        simulated size, its MCSE, exact size; NaN where no exact size exists, i.e. with the
        patient models).
    exact_size : float
        The chosen design's exact size (NaN with the patient models).
    replicates : int
        Simulated trials R.
    scenario : Scenario
        The null scenario simulated.
    responders : numpy.ndarray
        (R, looks + 1): responders among the first ``looks[j]`` children and among all ``n`` in
        each simulated trial (the counts every grid row re-decides).
    """

    design: PPDesign
    size: float
    size_mcse: float
    grid: np.ndarray
    exact_size: float = float("nan")
    replicates: int = 0
    scenario: object = None
    responders: np.ndarray = field(default=None, repr=False)

    def summary(self):
        """The grid as a DataFrame, with z = (size - exact_size) / MCSE and the chosen row marked."""
        import pandas as pd

        df = pd.DataFrame(self.grid, columns=list(GRID_COLUMNS))
        with np.errstate(divide="ignore", invalid="ignore"):
            df["z"] = (df["size"] - df["exact_size"]) / df["size_mcse"]
        df["chosen"] = ((df["theta_f"] == self.design.theta_f) & (df["theta_e"] == self.design.theta_e)
                        & (df["eta"] == self.design.eta))
        return df


def calibrate_interim_thresholds(n: int, fractions, p0: float, alpha: float, theta_f_grid, theta_e_grid,
                                 eta_grid, replicates: int = 20000, seed: int | np.random.SeedSequence = 0,
                                 a: float = 1.0, b: float = 1.0, *, scenario=None, regimen: str = "sirolimus",
                                 landmark_day: float = 168.0, sites=None, schedule=None,
                                 model=None) -> SimulatedCalibration:
    """Single-arm PP thresholds whose **simulated** type I error is at most ``alpha``, conservatively.

    The null scenario's trials are simulated **once**, with the simulator's own streams
    (:class:`simtrial.trial.simulator.Trial` of a single-arm design of size ``n``: replicate r
    has exactly the children ``Trial(...).simulate(R, seed)`` gives it), and every grid
    combination re-decides the same trials (common random numbers: differences between grid
    rows are not Monte Carlo noise between independent runs). Enrolment pauses at each look
    (``schedule.pause_at_looks``, the default), so look j sees the first ``looks[j]`` children
    whatever the thresholds.

    Each row reports its simulated size with its Monte Carlo standard error
    sqrt(size (1 - size) / R) and, where it exists (a parametric null, e.g.
    :class:`simtrial.scenarios.Null`), the exact size of the same thresholds. The choice is
    **conservative**: only rows whose simulated size + 2 MCSE <= alpha qualify; among them the
    largest simulated size wins (ties go to grid order: theta_f, then theta_e, then eta). The
    exact counterpart for a parametric null is :func:`simtrial.designs.calibrate_thresholds`.
    A simulated size of 0 has MCSE 0: take enough replicates that alpha is many MCSEs from 0.

    Parameters
    ----------
    n : int
        Final sample size.
    fractions : sequence of float
        Information fractions of the interim looks.
    p0 : float
        Null response rate of the final rule P(p > p0 | data) > eta.
    alpha : float
        Required one-sided type I error.
    theta_f_grid, theta_e_grid, eta_grid : sequence of float
        Candidate futility, efficacy and final thresholds (every combination is tried).
    replicates : int
        Simulated null trials R.
    seed : int or numpy.random.SeedSequence
        Root of all randomness (the same as ``Trial.simulate``'s).
    a, b : float
        Beta prior.
    scenario : Scenario, optional
        The null scenario: default ``simtrial.scenarios.Null()`` (every child responds with
        probability p0); also :class:`~simtrial.scenarios.Null` at another rate, or
        :class:`~simtrial.scenarios.Fixed` / :class:`~simtrial.scenarios.Posterior` (the patient
        models: simulated sizes only).
    regimen, landmark_day : optional
        The arm's regimen and response landmark (as :class:`~simtrial.designs.SingleArm`).
    sites, schedule, model : optional
        As :class:`~simtrial.trial.simulator.Trial`.

    Raises
    ------
    ValueError
        When no grid row has simulated size + 2 MCSE <= alpha (the message names the grids), or
        when ``schedule.pause_at_looks`` is false.
    """
    from simtrial.designs.single_arm import SingleArm
    from simtrial.scenarios.parametric import Null
    from simtrial.trial.replicates import CHUNK_BIOLOGY, CHUNK_PARAMETRIC, children
    from simtrial.trial.simulator import _REPLICATES, _SEED, Trial

    replicates = check_value("replicates", replicates, _REPLICATES)
    root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(
        check_value("seed", seed, _SEED))
    trial = Trial(SingleArm(n=n, p0=p0, p1=p0, alpha=alpha, regimen=regimen, landmark_day=landmark_day),
                  Null() if scenario is None else scenario, sites=sites, schedule=schedule, model=model)
    if not trial.schedule.pause_at_looks:
        raise ValueError("schedule.pause_at_looks: must be true to calibrate by re-deciding the same trials "
                         "(without pauses the looks depend on the calendar)")
    plan = trial._plan(trial.scenario)
    rate = trial.rates[0] if trial.rates is not None else None
    grids = [np.atleast_1d(np.asarray(g, dtype=float)) for g in (theta_f_grid, theta_e_grid, eta_grid)]
    designs = [PPDesign(n, tuple(np.atleast_1d(fractions)), p0, float(eta), float(tf), float(te), a, b)
               for tf, te, eta in product(*grids)]
    cols = np.append(designs[0].looks, n) - 1  # the looks depend on n and the fractions only
    step = CHUNK_PARAMETRIC if plan.model.parametric else CHUNK_BIOLOGY  # memory bound only
    counts = np.concatenate([
        np.cumsum(children(plan, root, list(range(s, min(s + step, replicates))))[1].responded, axis=1)[:, cols]
        for s in range(0, replicates, step)]).astype(np.int64)
    rows = []
    for d in designs:
        outcome, _ = d.decide(counts)
        size = float(np.mean(outcome == Outcome.REJECT_H0))
        exact = operating_characteristics(d, rate).reject if rate is not None else np.nan
        rows.append((d.theta_f, d.theta_e, d.eta, size, np.sqrt(size * (1 - size) / replicates), exact))
    grid = np.array(rows, dtype=float)
    ok = np.flatnonzero(grid[:, 3] + 2 * grid[:, 4] <= alpha)
    if ok.size == 0:
        names = ", ".join(f"{k}={g.tolist()}" for k, g in zip(GRID_COLUMNS, grids))
        raise ValueError(f"no threshold combination in the grid ({names}) has simulated type I error + 2 MCSE "
                         f"<= alpha={alpha} over {replicates} replicates (smallest: "
                         f"{np.min(grid[:, 3] + 2 * grid[:, 4]):.4g}); widen the grids or add replicates")
    best = ok[np.lexsort((ok, -grid[ok, 3]))[0]]
    return SimulatedCalibration(designs[best], float(grid[best, 3]), float(grid[best, 4]), grid,
                                float(grid[best, 5]), replicates, trial.scenario, counts)
