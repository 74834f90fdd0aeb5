"""Benchmark: the joint MMF/sirolimus latent in a 2 x 40 sequencing study under the posterior.

Sequencing design (A: MMF first, switch to sirolimus at day 84 without a confirmed response; B:
sirolimus first), 40 MMF-naive children per arm, the packaged posterior (replicate r at draw
r mod n_draws), ``replicates`` trials (default 4,000), one thread:

* ``bare_numpy_s``: the project's bare numpy bound (as ``bench_simulator.bare_numpy``): children,
  PK/TDM, effects, counts, criteria, randomisation and Fisher's test, no calendar;
* ``independent_s``: ``Trial.simulate`` with ``rho = 0`` in every draw (the independent model:
  sirolimus draws number for number those of the old code);
* ``joint_s``: the same with ``rho = 0.3`` in every draw (the bivariate latent in use);
* ``effects_*``: the effect draws alone for 1,000,000 children, half of them MMF-failed
  (truncation), independent (two ``sample_patient_effects`` calls, the old code) and joint.

Goal (issue 14): ``joint_s / independent_s <= 1.10``.

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_sequencing.py [replicates]``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import simtrial as st  # noqa: E402
from simtrial.models.defaults import DEFAULT_POPULATION_PARAMETERS as P  # noqa: E402
from simtrial.models.effect import sample_patient_effects, sample_population_effects  # noqa: E402
from simtrial.studies.sequencing import with_rho  # noqa: E402
from simtrial.trial.outcomes import chunk_outcomes, sample_patients  # noqa: E402
from simtrial.trial.replicates import allocate  # noqa: E402


def bare_numpy(plan, root, replicates: int, chunk: int) -> np.ndarray:
    """The bare numpy bound of ``bench_simulator.py`` (same per-patient work, Fisher on the arm
    totals, no calendar), on the current ``Plan`` (whose rules are ``plan.design``)."""
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


def _effects(n: int = 1_000_000) -> dict:
    rng = np.random.default_rng(1)
    group = rng.integers(0, 5, n)
    failed = rng.random(n) < 0.5
    p0 = rng.uniform(8, 28, n)
    z = rng.standard_normal((n, 4))
    t0 = time.perf_counter()
    sample_patient_effects(P.sirolimus, group, failed, z=z[:, :2])
    sample_patient_effects(P.mmf, group, failed, z=z[:, 2:])
    t_ind = time.perf_counter() - t0
    t0 = time.perf_counter()
    sample_population_effects(with_rho(P, 0.3), group, failed, z=z, p0=p0)
    t_joint = time.perf_counter() - t0
    return {"effects_independent_s": round(t_ind, 3), "effects_joint_s": round(t_joint, 3)}


def main(replicates: int = 4000) -> dict:
    post = st.load_posterior("packaged")
    design = st.designs.Sequencing(n_per_arm=40)
    out = {"replicates": replicates}
    for label, rho in (("independent", 0.0), ("joint", 0.3)):
        trial = st.Trial(design, st.scenarios.Posterior(with_rho(post, rho), population="mmf_naive",
                                                        power_at_median=False))
        t0 = time.perf_counter()
        res = trial.simulate(replicates, seed=2026)
        out[f"{label}_s"] = round(time.perf_counter() - t0, 2)
        out[f"{label}_response_A"] = round(float(np.mean(res.replicates["response_mean"][:, 0])), 4)
        if label == "independent":
            plan = trial._plan(trial.scenario)
            t0 = time.perf_counter()
            bare_numpy(plan, np.random.SeedSequence(2026), replicates, 500)
            out["bare_numpy_s"] = round(time.perf_counter() - t0, 2)
    out["joint_over_independent"] = round(out["joint_s"] / out["independent_s"], 3)
    out["bare_over_joint"] = round(out["bare_numpy_s"] / out["joint_s"], 3)
    out.update(_effects())
    for k, v in out.items():
        print(f"{k:>26}: {v}")
    return out


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 4000)
