"""Benchmark: platelet trajectories for 100,000 patients x 52 weekly visits on one core.

Run with ``.venv/bin/python benchmarks/bench_platelets.py`` (pin one core with
``OMP_NUM_THREADS=1 taskset -c 0`` for a single-core figure).
"""

from __future__ import annotations

import time

import numpy as np

from simtrial.models.defaults import DEFAULT_POPULATION_PARAMETERS
from simtrial.models.effect import sample_population_effects
from simtrial.models.parameters import GROUPS
from simtrial.models.platelets import simulate_platelets


def main(n_patients: int = 100_000, n_visits: int = 52, seed: int = 1, repeats: int = 3) -> dict:
    """Time sampling effects and simulating counts; return and print the timings (seconds)."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, len(GROUPS), n_patients)
    mmf_failed = rng.random(n_patients) < 0.5
    days = np.arange(n_visits) * 7.0
    # sirolimus: 4 dose segments (start, two TDM adjustments, a stop at week 40)
    change = np.tile([0.0, 14.0, 42.0, 280.0, np.inf], (n_patients, 1))
    trough = np.column_stack([
        rng.uniform(3, 20, n_patients), rng.uniform(5, 15, n_patients),
        rng.uniform(5, 15, n_patients), np.zeros(n_patients), np.full(n_patients, np.nan)])
    mmf = (np.tile([0.0, 28.0], (n_patients, 1)),
           np.column_stack([rng.uniform(20, 70, n_patients), np.zeros(n_patients)]))
    best = {"effects": np.inf, "platelets": np.inf}
    for _ in range(repeats):
        t0 = time.perf_counter()
        eff = sample_population_effects(DEFAULT_POPULATION_PARAMETERS, group, mmf_failed, rng)
        t1 = time.perf_counter()
        res = simulate_platelets(days, eff, 15.0, (change, trough), mmf, rng=rng)
        t2 = time.perf_counter()
        best["effects"] = min(best["effects"], t1 - t0)
        best["platelets"] = min(best["platelets"], t2 - t1)
    out = {
        "n_patients": n_patients,
        "n_visits": n_visits,
        "seconds_effects": round(best["effects"], 3),
        "seconds_platelets": round(best["platelets"], 3),
        "seconds_total": round(best["effects"] + best["platelets"], 3),
        "median_count_week_12": float(np.median(res.counts[:, 12])),
        "all_finite_positive": bool(np.all(np.isfinite(res.counts) & (res.counts > 0))),
    }
    print(out)
    return out


if __name__ == "__main__":
    main()
