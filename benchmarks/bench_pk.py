"""Time sirolimus PK + TDM for a large virtual population.

Run: ``.venv/bin/python benchmarks/bench_pk.py [n_patients] [horizon_days]``
(goal: a few seconds on one core for 100,000 patients over 365 days).
"""

from __future__ import annotations

import sys
import time

import numpy as np

from simtrial.models.population import PopulationSpec, sample_population
from simtrial.models.sirolimus_pk import SirolimusPK, sample_pk
from simtrial.models.tdm import TDMPolicy, run_tdm


def main(n_patients: int = 100_000, horizon_days: float = 365.0, seed: int = 2025) -> dict:
    """Time each step once and print a summary; returns the timings (seconds) and figures."""
    pop_rng, pk_rng, tdm_rng = (np.random.default_rng(s) for s in
                                np.random.SeedSequence(seed).spawn(3))
    t0 = time.perf_counter()
    pop = sample_population(PopulationSpec(), n_patients, pop_rng)
    t1 = time.perf_counter()
    pp = sample_pk(pop, SirolimusPK(), pk_rng)
    t2 = time.perf_counter()
    hist = run_tdm(pp, TDMPolicy(), horizon_days, tdm_rng)
    t3 = time.perf_counter()
    weekly = np.arange(0.0, horizon_days + 1, 7.0)
    tr = hist.trough_at(weekly)
    t4 = time.perf_counter()
    day60 = hist.trough_at([60.0])[:, 0]
    out = {
        "n_patients": n_patients,
        "horizon_days": horizon_days,
        "population_s": t1 - t0,
        "pk_s": t2 - t1,
        "tdm_s": t3 - t2,
        "pk_plus_tdm_s": t3 - t1,
        "trough_at_weekly_s": t4 - t3,
        "n_segments": int(hist.change_days.shape[1]),
        "share_in_window_day60": float(np.mean((day60 >= 5) & (day60 <= 15))),
        "median_trough_end": float(np.median(tr[:, -1])),
    }
    for key, value in out.items():
        print(f"{key:>24}: {value:.3f}" if isinstance(value, float) else f"{key:>24}: {value}")
    return out


if __name__ == "__main__":
    args = sys.argv[1:]
    main(int(args[0]) if args else 100_000, float(args[1]) if len(args) > 1 else 365.0)
