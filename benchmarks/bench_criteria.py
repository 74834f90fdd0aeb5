"""Benchmark of :func:`simtrial.criteria.assess`: patients per second, wall time, peak memory.

Run ``python benchmarks/bench_criteria.py [n_patients]`` (default 1,000,000 patients x 52 weekly
visits). ``main()`` returns the figures as a dict for ``benchmarks/run_all.py``.

The synthetic series are shaped like the project's platelet model (docs/models-platelets.md): a
lognormal baseline around 18 x 10^9/L (Petrov et al. 2025), a rise toward a patient-specific
plateau with an onset of weeks, log-scale noise with a CV of about 20%, and 5% missed visits. They
exist only to exercise every branch of the engine (NR, PR, CR, losses); they are not calibrated.
"""

from __future__ import annotations

import resource
import sys
import time
import tracemalloc

import numpy as np

from simtrial.criteria import assess


def synthetic_series(
    n_patients: int, n_visits: int = 52, seed: int = 20090101
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weekly visit days, counts (float32, NaN for 5% missed visits) and baselines."""
    rng = np.random.default_rng(seed)
    days = 7.0 * np.arange(n_visits)
    baseline = rng.lognormal(np.log(18.0), 0.35, n_patients)
    plateau = baseline * rng.lognormal(np.log(3.0), 1.0, n_patients)  # some NR, PR and CR
    onset = rng.lognormal(np.log(40.0), 0.5, n_patients)  # days
    counts = np.empty((n_patients, n_visits), dtype=np.float32)
    for v, day in enumerate(days):  # one visit at a time keeps the generator's memory small
        mean = baseline + (plateau - baseline) * -np.expm1(-day / onset)
        counts[:, v] = mean * rng.lognormal(0.0, 0.2, n_patients)
        counts[rng.random(n_patients) < 0.05, v] = np.nan
    return days, counts, baseline


def main(n_patients: int = 1_000_000, n_visits: int = 52, seed: int = 20090101) -> dict:
    """Time one call of ``assess`` and return the figures.

    Returns
    -------
    dict
        ``n_patients``, ``n_visits``, ``wall_s``, ``patients_per_s``, ``peak_alloc_mb`` (peak
        memory allocated during the call, tracemalloc, inputs excluded), ``max_rss_mb`` (process
        peak resident set, inputs included) and the share of each response class.
    """
    days, counts, baseline = synthetic_series(n_patients, n_visits, seed)
    tracemalloc.start()
    t0 = time.perf_counter()
    result = assess(days, counts, baseline)
    wall = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    shares = np.bincount(result.response_code, minlength=3) / n_patients
    return {
        "benchmark": "criteria.assess",
        "n_patients": n_patients,
        "n_visits": n_visits,
        "wall_s": round(wall, 3),
        "patients_per_s": round(n_patients / wall),
        "peak_alloc_mb": round(peak / 2**20, 1),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "share_NR": round(float(shares[0]), 4),
        "share_PR": round(float(shares[1]), 4),
        "share_CR": round(float(shares[2]), 4),
    }


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    for key, value in main(n).items():
        print(f"{key:>16}: {value}")
