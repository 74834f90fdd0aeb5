"""The replicate loop: chunks of replicates, outcomes in numpy, then each trial's calendar.

Memory is bounded by the chunk (patients x visits of ``chunk_size`` replicates); what is kept
per replicate is a few numbers (:data:`FIELDS`). Every number of replicate ``r`` comes from its
own streams (:mod:`simtrial.trial.streams`), so results do not depend on the chunk size, on how
many replicates run, or on which other designs or scenarios are simulated with the same seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np

from simtrial.trial.analysis import Analysis
from simtrial.trial.calendar import run_trial
from simtrial.trial.enrolment import Sites
from simtrial.trial.outcomes import OutcomeModel, chunk_outcomes, sample_patients
from simtrial.trial.randomisation import cap_arms, permuted_blocks
from simtrial.trial.streams import stream

__all__ = ["Plan", "simulate", "allocate", "FIELDS", "ARM_FIELDS"]

#: Per-replicate results.
FIELDS = ("decision", "stop_look", "n_enrolled", "n_assessed", "duration_days", "referred", "n_events")
#: Per-replicate, per-arm results.
ARM_FIELDS = ("n", "assessed", "responders", "response_rate", "time_to_response_days",
              "share_in_response", "exposed_both")


@dataclass(frozen=True)
class Plan:
    """A design and scenario ready to simulate.

    Attributes
    ----------
    analysis : Analysis
        Decision rules.
    model : OutcomeModel
        Patient outcomes.
    sites : Sites
        Enrolment.
    treatment_start_days : float
        Days from enrolment to treatment start.
    block_size : int
        Permuted-block size (two arms).
    pause_at_looks : bool
    """

    analysis: Analysis
    model: OutcomeModel
    sites: Sites
    treatment_start_days: float = 7.0
    block_size: int = 4
    pause_at_looks: bool = True


def allocate(plan: Plan, root: np.random.SeedSequence, reps, strata: np.ndarray) -> np.ndarray:
    """Arms (replicate-major, flat): permuted blocks within disease group, capped per arm."""
    n = plan.analysis.n_max
    if plan.analysis.n_arms == 1:
        return np.zeros(len(reps) * n, dtype=np.intp)
    strata = strata.reshape(len(reps), n)
    out = np.empty((len(reps), n), dtype=np.intp)
    for i, r in enumerate(reps):
        gens = {int(s): stream(root, r, "randomisation", int(s)) for s in np.unique(strata[i])}
        out[i] = cap_arms(permuted_blocks(strata[i], plan.block_size, gens), n // 2)
    return out.ravel()


def _arm_summaries(arm, enrolled, out, i, n_arms):
    res = {}
    for a in range(n_arms):
        sel = (arm == a) & enrolled
        d = out.day_response[i][sel]
        res[a] = (
            float(np.nanmean(d)) if np.any(~np.isnan(d)) else np.nan,
            float(np.nanmean(out.share_in_response[i][sel])) if np.any(~np.isnan(out.share_in_response[i][sel])) else np.nan,
            float(np.mean(out.exposed_both[i][sel])) if sel.any() else np.nan,
        )
    return res


def simulate(plan: Plan, root: np.random.SeedSequence, replicates: int | Iterable[int], chunk_size: int = 500,
             progress: Callable | None = None) -> dict[str, np.ndarray]:
    """Simulate trials and return per-replicate results.

    Parameters
    ----------
    plan : Plan
    root : numpy.random.SeedSequence
        The run's root seed (``RunContext.seed``).
    replicates : int or iterable of int
        Number of replicates (0..R-1) or explicit replicate indices.
    chunk_size : int
        Replicates per vectorised chunk.
    progress : callable, optional
        Wraps the iterable of chunks (``RunContext.progress``).

    Returns
    -------
    dict
        ``replicate`` (R,), each of :data:`FIELDS` (R,), each of :data:`ARM_FIELDS` (R, n_arms).
    """
    reps = np.arange(replicates) if isinstance(replicates, (int, np.integer)) else np.asarray(list(replicates))
    n, k = plan.analysis.n_max, plan.analysis.n_arms
    res = {f: np.empty(reps.size) for f in FIELDS}
    res.update({f: np.empty((reps.size, k)) for f in ARM_FIELDS})
    starts = range(0, reps.size, chunk_size)
    for s in (progress(starts, total=len(starts), desc="replicates") if progress else starts):
        chunk = [int(r) for r in reps[s:s + chunk_size]]
        patients = sample_patients(plan.model, root, chunk, n)
        arm = allocate(plan, root, chunk, patients.group)
        out = chunk_outcomes(plan.model, root, chunk, n, arm, patients)
        arm = arm.reshape(len(chunk), n)
        delay = plan.treatment_start_days + out.assess_day
        for i, r in enumerate(chunk):
            rec = run_trial(plan.analysis, arm[i], out.responded[i], delay[i], plan.sites,
                            stream(root, r, "accrual"), plan.pause_at_looks)
            j = s + i
            for f in FIELDS:
                res[f][j] = getattr(rec, f)
            res["n"][j] = rec.n_per_arm
            res["assessed"][j] = rec.assessed_per_arm
            res["responders"][j] = rec.responders_per_arm
            with np.errstate(invalid="ignore", divide="ignore"):
                res["response_rate"][j] = rec.responders_per_arm / rec.assessed_per_arm
            enrolled = np.arange(n) < rec.n_enrolled
            for a, (ttr, share, both) in _arm_summaries(arm[i], enrolled, out, i, k).items():
                res["time_to_response_days"][j, a] = ttr
                res["share_in_response"][j, a] = share
                res["exposed_both"][j, a] = both
    res["replicate"] = reps
    return res
