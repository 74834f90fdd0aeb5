"""Benchmark: the trial simulator against a bare numpy computation and against rpact.

1. Sequencing design (MMF first with a switch at day 84 vs sirolimus first), 40 children per arm,
   MMF-naive population, fixed scenario (the patient models), 10,000 replicates: the simulator (numpy patients + one
   simpy calendar per trial) against a bare vectorised numpy computation of the same per-patient
   work (children, PK/TDM, effects, counts, criteria, randomisation, Fisher's test on the arm
   totals) with no event engine. Goal: throughput ratio >= 1/3.
2. Parametric mode, two arms of 40 with one interim look at half the patients: simulated trials
   per second (best of 3 runs of 100,000) with the default settings (``calendar=auto``, i.e. the
   numpy calendar, one thread), with 2 threads, and with enrolment as rpact assumes it (one site
   open from day 0, no screening failures); the simpy calendar on 4,000 replicates, its results
   checked equal; against rpact's ``getSimulationRates`` (``benchmarks/bench_rpact.R``, best of
   3 runs of 100,000 iterations timed inside R) on a comparable design. Goal: at least rpact's rate.

Run: ``.venv/bin/python benchmarks/bench_simulator.py [replicates]``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import simtrial as st  # noqa: E402
from simtrial.trial.outcomes import chunk_outcomes, sample_patients  # noqa: E402
from simtrial.trial.replicates import Plan, allocate  # noqa: E402

#: Enrolment: 4 sites, one opening every 60 days, 0.5 children per site per month, 15% screen failures.
SITES = st.Sites(4, 60.0, 0.5, 0.15)


def _sequencing_trial() -> st.Trial:
    """MMF first (switch at day 84) against sirolimus first, 40 per arm, in the MMF-naive population
    (the sequencing trial's; a design with an MMF arm refuses MMF-failed children), the patient
    models at the hand-set default parameters; landmark day 168, follow-up 364 days, no dropout."""
    return st.Trial(st.designs.Sequencing(n_per_arm=40, switch_day=84.0), st.scenarios.Fixed(population="mmf_naive"),
                    sites=SITES)


def bare_numpy(plan: Plan, root, replicates: int, chunk: int) -> np.ndarray:
    """The same per-patient work and analysis, vectorised, with no calendar: reject per replicate."""
    n = plan.design.n_max
    out = []
    for s in range(0, replicates, chunk):
        reps = list(range(s, min(s + chunk, replicates)))
        pats = sample_patients(plan.model, root, reps, n)
        arm = allocate(plan, root, reps, pats.group).reshape(len(reps), n)
        o = chunk_outcomes(plan.model, root, reps, n, arm.ravel(), pats)
        x_a = np.sum(o.responded & (arm == 0), axis=1)
        x_b = np.sum(o.responded & (arm == 1), axis=1)
        out.append(plan.design.table[x_a, x_b])
    return np.concatenate(out)


def rpact(iterations: int = 100_000) -> dict | None:
    """rpact's figures (None when R or rpact is missing)."""
    if shutil.which("Rscript") is None:
        return None
    proc = subprocess.run(["Rscript", str(HERE / "bench_rpact.R"), str(iterations), "3"], capture_output=True,
                          text=True, timeout=900)
    if proc.returncode != 0:
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _best_rate(trial: st.Trial, root, replicates: int, repeats: int = 3, **kwargs) -> tuple[float, dict]:
    """Best trials-per-second of ``repeats`` runs, and the last run's per-replicate results."""
    best, res = 0.0, None
    for _ in range(repeats):
        t0 = time.perf_counter()
        res = trial.simulate(replicates, root, **kwargs).replicates
        best = max(best, replicates / (time.perf_counter() - t0))
    return best, res


def main(replicates: int = 10_000, chunk: int = 500, simpy_replicates: int = 4000,
         parametric_replicates: int = 100_000) -> dict:
    root = np.random.SeedSequence(2026)
    trial = _sequencing_trial()
    t0 = time.perf_counter()
    res = trial.simulate(replicates, root, chunk_size=chunk).replicates
    t_sim = time.perf_counter() - t0
    t0 = time.perf_counter()
    # the same plan the simulator ran (design, outcome model, enrolment), without the calendar
    bare = bare_numpy(trial._plan(trial.scenario), root, replicates, chunk)
    t_bare = time.perf_counter() - t0
    # with no interim and no dropout, both paths must reach the same decisions
    agree = float(np.mean(np.isin(res["decision"], (2, 3)) == bare))

    design = st.designs.TwoArm(n_per_arm=40, p_a=0.3, p_b=0.6,
                               interim=st.designs.PPInterim([0.5], theta_f=0.05, theta_e=0.999))
    scenario = st.scenarios.Parametric((0.3, 0.6))
    ptrial = st.Trial(design, scenario, sites=SITES)
    assert ptrial.calendar_used == "vectorised"
    ptrial.simulate(200, root)  # warm-up: predictive-probability tables
    t0 = time.perf_counter()
    sres = st.Trial(design, scenario, sites=SITES, calendar="simpy").simulate(simpy_replicates, root).replicates
    t_simpy = time.perf_counter() - t0
    rate_1, vres = _best_rate(ptrial, root, parametric_replicates)
    rate_2, _ = _best_rate(ptrial, root, parametric_replicates, workers=2)
    flat = st.Sites(1, 0.0, SITES.n_sites * SITES.accrual_per_site_per_month, 0.0)  # rpact: one site from day 0
    rate_flat, _ = _best_rate(st.Trial(design, scenario, sites=flat), root, parametric_replicates)
    same = all(np.array_equal(sres[k], vres[k][:simpy_replicates], equal_nan=True) for k in sres)
    r = rpact()
    figures = {
        "sequencing_replicates": replicates,
        "simulator_s": round(t_sim, 2),
        "bare_numpy_s": round(t_bare, 2),
        "throughput_ratio": round(t_bare / t_sim, 3),
        "decisions_agree": agree,
        "events_per_trial": float(np.mean(res["n_events"])),
        "simpy_trials_per_s": round(simpy_replicates / t_simpy, 1),
        "parametric_trials_per_s": round(rate_1, 1),
        "parametric_2_threads_trials_per_s": round(rate_2, 1),
        "parametric_rpact_enrolment_trials_per_s": round(rate_flat, 1),
        "vectorised_equals_simpy": same,
        "parametric_reject_rate": float(np.mean(np.isin(vres["decision"], (2, 3)))),
        "parametric_expected_n": float(np.mean(vres["n_enrolled"])),
        "rpact_trials_per_s": None if r is None else r["trials_per_second"],
        "rpact_reject_rate": None if r is None else r["overall_reject"],
        "rpact_version": None if r is None else r["rpact"],
    }
    if r is not None:
        for key in ("simpy", "parametric", "parametric_2_threads", "parametric_rpact_enrolment"):
            figures[f"{key}_vs_rpact"] = round(figures[f"{key}_trials_per_s"] / r["trials_per_second"], 3)
    for k, v in figures.items():
        print(f"{k:>42}: {v}")
    return figures


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
