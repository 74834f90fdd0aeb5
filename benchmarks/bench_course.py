"""Whole patient pipeline: population, PK, TDM, effects and platelet counts.

Goal (patient-models issue): 100,000 children x 52 weekly visits with PK and TDM in a few
seconds on one core.
"""

from __future__ import annotations

import os
import resource
import time

import numpy as np

from simtrial.criteria import assess
from simtrial.models.config import PatientModel
from simtrial.models.course import simulate_sirolimus_course
from simtrial.models.defaults import DEFAULT_POPULATION_PARAMETERS


def main(n_patients: int = 100_000, n_visits: int = 52) -> dict:
    days = np.arange(n_visits, dtype=float) * 7.0
    t0 = time.perf_counter()
    course = simulate_sirolimus_course(PatientModel(), DEFAULT_POPULATION_PARAMETERS, n_patients, days,
                                       np.random.SeedSequence(1), horizon_days=float(days[-1]))
    t1 = time.perf_counter()
    assess(days, course.platelets.counts, course.platelets.baseline)
    t2 = time.perf_counter()
    figures = {
        "n_patients": n_patients,
        "n_visits": n_visits,
        "course_s": round(t1 - t0, 3),
        "with_criteria_s": round(t2 - t0, 3),
        "patients_per_s": round(n_patients / (t1 - t0)),
        "threads": os.environ.get("OMP_NUM_THREADS", "default"),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(f"{n_patients:,} children x {n_visits} weekly visits (population, PK, TDM, effects, counts): "
          f"{t1 - t0:.2f} s; with IWG assessment {t2 - t0:.2f} s")
    return figures


if __name__ == "__main__":
    main()
