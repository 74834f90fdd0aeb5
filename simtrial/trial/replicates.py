"""The replicate loop: chunks of replicates, outcomes in numpy, then the trials' calendars.

The calendar is simpy, one trial at a time (``calendar="simpy"``, the reference), or the numpy
calendar of :mod:`simtrial.trial.calendar_vectorised` over the whole chunk (``"vectorised"``,
the same results; trials with an exact tie between event times are re-run with simpy);
``"auto"`` (the default) takes numpy in the parametric scenarios and simpy with the patient models.

Memory is bounded by the chunk (patients x visits of ``chunk_size`` replicates); what is kept
per replicate is a few numbers (:data:`FIELDS`). Every number of replicate ``r`` comes from its
own streams (:mod:`simtrial.trial.streams`), so results do not depend on the chunk size, on how
many replicates run, or on which other designs or scenarios are simulated with the same seed.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np

from simtrial.designs.base import Design
from simtrial.sequencing.endpoints import (
    ENDPOINT_FIELDS,
    REGIME_FIELDS,
    arm_statistics,
    patient_values,
    regime_statistics,
)
from simtrial.trial.calendar import run_trial
from simtrial.trial.calendar_vectorised import run_trials
from simtrial.trial.counter import CounterStream, uniform
from simtrial.trial.enrolment import Sites
from simtrial.trial.outcomes import OutcomeModel, chunk_outcomes, sample_patients, sample_strata
from simtrial.trial.randomisation import block_arrangements
from simtrial.trial.streams import STREAMS, counter_keys

__all__ = ["Plan", "simulate", "allocate", "children", "FIELDS", "ARM_FIELDS", "CALENDARS", "CHUNK_BIOLOGY",
           "CHUNK_PARAMETRIC"]

#: Trial calendars: simpy per trial (the reference), numpy per chunk (verified equal by tests), or
#: ``auto``: numpy in the parametric scenarios, where the calendar is nearly all the work, simpy
#: with the patient models.
CALENDARS = ("auto", "simpy", "vectorised")

#: Default replicates per chunk: with the patient models (memory: children x visits) and without.
CHUNK_BIOLOGY, CHUNK_PARAMETRIC = 500, 2000

#: Per-replicate results.
FIELDS = ("decision", "stop_look", "n_enrolled", "n_assessed", "duration_days", "referred", "n_events")
#: Per-replicate, per-arm results.
ARM_FIELDS = ("n", "assessed", "responders", "response_rate", "time_to_response_days",
              "share_in_response", "exposed_both") + ENDPOINT_FIELDS + REGIME_FIELDS


@dataclass(frozen=True)
class Plan:
    """A design and scenario ready to simulate (built by :class:`simtrial.trial.simulator.Trial`).

    Attributes
    ----------
    design : Design
        The design object: sizes, looks and decision rules.
    model : OutcomeModel
        Patient outcomes.
    sites : Sites
        Enrolment.
    treatment_start_days : float
        Days from enrolment to treatment start.
    block_size : int
        Permuted-block size (two arms).
    pause_at_looks : bool
    calendar : str
        One of :data:`CALENDARS`.
    """

    design: Design
    model: OutcomeModel
    sites: Sites
    treatment_start_days: float = 7.0
    block_size: int = 4
    pause_at_looks: bool = True
    calendar: str = "auto"

    @property
    def calendar_used(self) -> str:
        """The calendar that runs: ``auto`` resolved by the scenario."""
        if self.calendar != "auto":
            return self.calendar
        return "vectorised" if self.model.parametric else "simpy"


def allocate(plan: Plan, root: np.random.SeedSequence, reps, strata: np.ndarray) -> np.ndarray:
    """Arms (replicate-major, flat): permuted blocks within disease group, capped per arm.

    Computed for the whole chunk (the per-trial reference is ``tests/oracles/randomisation.py``):
    the ``k``-th child of a stratum takes place ``k % block_size`` of the stratum's block
    ``k // block_size``, whose arrangement comes from number ``k // block_size`` of the
    (replicate, stratum) counter stream.
    """
    n, bs = plan.design.n_max, plan.block_size
    if plan.design.n_arms == 1:
        return np.zeros(len(reps) * n, dtype=np.intp)
    table = block_arrangements(bs)
    strata = np.asarray(strata, dtype=np.intp).reshape(len(reps), n)
    g = int(strata.max()) + 1
    place = np.zeros(strata.shape, dtype=np.intp)  # the child's number within its stratum
    count = np.empty((len(reps), g), dtype=np.intp)
    for s in range(g):
        here = strata == s
        c = np.cumsum(here.astype(np.intp), axis=1)  # integers: a boolean cumsum is far slower
        place = np.where(here, c - 1, place)
        count[:, s] = c[:, -1]
    rr, gg = np.nonzero(count)
    stream_keys = counter_keys(root, np.column_stack([np.asarray(reps)[rr], np.full(rr.size, STREAMS["randomisation"]), gg]))
    n_blocks = int(-(-count.max() // bs))
    choice = np.zeros((len(reps), g, n_blocks), dtype=np.intp)  # strata absent from a trial are never read
    choice[rr, gg] = (uniform(stream_keys[:, None], np.arange(n_blocks)) * table.shape[0]).astype(np.intp)
    block = choice[np.arange(len(reps))[:, None], strata, place // bs]
    return _cap(table.ravel()[block * bs + place % bs], n // 2).ravel()


def _cap(arm: np.ndarray, n_per_arm: int) -> np.ndarray:
    """On every row of ``2 * n_per_arm`` children: once an arm exceeds ``n_per_arm`` (only one can) every later child goes to the other arm."""
    arm = arm.astype(np.intp)
    n_b = np.cumsum(arm, axis=1)
    n_a = np.arange(1, arm.shape[1] + 1)[None, :] - n_b
    over = (n_a > n_per_arm) | (n_b > n_per_arm)
    first = np.where(over.any(axis=1), over.argmax(axis=1), arm.shape[1])
    at = np.minimum(first, arm.shape[1] - 1)
    full = np.take_along_axis(arm, at[:, None], axis=1)  # the arm that just overflowed
    return np.where(np.arange(arm.shape[1])[None, :] >= first[:, None], 1 - full, arm)


def _selected_mean(values: np.ndarray, sel: np.ndarray) -> np.ndarray:
    """Per row, the mean of the finite ``values`` where ``sel`` (NaN when there are none).

    Equal to ``np.nanmean(values[i][sel[i]])`` up to rounding; each row is summed over all its
    columns on its own, so a trial's figure does not depend on the other trials of its chunk.
    """
    take = sel & ~np.isnan(values)
    count = take.sum(axis=1)
    total = np.where(take, values, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan)


def _arm_summaries(arm: np.ndarray, n_enrolled: np.ndarray, out, n_arms: int) -> dict[str, np.ndarray]:
    """Per arm among the enrolled children: mean response day, share in response, share switched."""
    enrolled = np.arange(arm.shape[1])[None, :] < np.asarray(n_enrolled)[:, None]
    res = {f: np.empty((arm.shape[0], n_arms)) for f in ("time_to_response_days", "share_in_response", "exposed_both")}
    for a in range(n_arms):
        sel = (arm == a) & enrolled
        n_sel = sel.sum(axis=1)
        res["time_to_response_days"][:, a] = _selected_mean(out.day_response, sel)
        res["share_in_response"][:, a] = _selected_mean(out.share_in_response, sel)
        with np.errstate(invalid="ignore", divide="ignore"):
            res["exposed_both"][:, a] = np.where(n_sel > 0, np.sum(sel & out.exposed_both, axis=1) / n_sel, np.nan)
    return res


def _accrual_keys(root, reps) -> np.ndarray:
    """The keys of the replicates' counter-based accrual streams."""
    reps = np.asarray(reps, dtype=np.int64)
    return counter_keys(root, np.column_stack([reps, np.full(reps.size, STREAMS["accrual"])]))


def _simpy_calendars(plan: Plan, root, chunk, arm, responded, delay, rows=None) -> dict[str, np.ndarray]:
    """The simpy calendar of each trial (``rows`` of the chunk, default all) as arrays."""
    rows = range(len(chunk)) if rows is None else rows
    keys = _accrual_keys(root, [chunk[i] for i in rows])
    recs = [run_trial(plan.design, arm[i], responded[i], delay[i], plan.sites, CounterStream(k), plan.pause_at_looks)
            for i, k in zip(rows, keys.tolist())]
    out = {f: np.array([getattr(rec, f) for rec in recs], dtype=float) for f in FIELDS}
    for key, f in (("n", "n_per_arm"), ("assessed", "assessed_per_arm"), ("responders", "responders_per_arm")):
        out[key] = np.array([getattr(rec, f) for rec in recs], dtype=float).reshape(len(recs), plan.design.n_arms)
    return out


def _calendars(plan: Plan, root, chunk, arm, responded, delay) -> dict[str, np.ndarray]:
    """Per-trial calendar results of a chunk, by the plan's calendar."""
    if plan.calendar_used == "simpy":
        return _simpy_calendars(plan, root, chunk, arm, responded, delay)
    rec = run_trials(plan.design, arm, responded, delay, plan.sites,
                     _accrual_keys(root, chunk), plan.pause_at_looks)
    out = {f: getattr(rec, f).astype(float) for f in FIELDS}
    out.update(n=rec.n_per_arm.astype(float), assessed=rec.assessed_per_arm.astype(float),
               responders=rec.responders_per_arm.astype(float))
    tied = np.flatnonzero(~rec.exact)
    if tied.size:
        redo = _simpy_calendars(plan, root, chunk, arm, responded, delay, tied.tolist())
        for f, v in redo.items():
            out[f][tied] = v
    return out


def children(plan: Plan, root, chunk: list[int]):
    """The children of the replicates ``chunk``, before any calendar: arms and outcomes.

    Returns ``(arm, outcomes)``: arms of shape (len(chunk), n_max) in enrolment order and the
    :class:`~simtrial.trial.outcomes.ChunkOutcomes`. They do not depend on the design's decision
    rules, only on its size, arms and regimens (what makes common random numbers across rules).
    """
    n, k = plan.design.n_max, plan.design.n_arms
    if plan.model.parametric:  # no biology: the disease groups (strata) are all it needs
        patients = None
        strata = sample_strata(plan.model, root, chunk, n) if k > 1 else np.zeros(len(chunk) * n, np.intp)
    else:
        patients = sample_patients(plan.model, root, chunk, n)
        strata = patients.group
    arm = allocate(plan, root, chunk, strata)
    out = chunk_outcomes(plan.model, root, chunk, n, arm, patients)
    return arm.reshape(len(chunk), n), out


def _chunk(plan: Plan, root, chunk: list[int], res: dict, j: slice) -> None:
    """Simulate the replicates ``chunk`` and write their results to ``res[...][j]``."""
    n, k = plan.design.n_max, plan.design.n_arms
    arm, out = children(plan, root, chunk)
    delay = plan.treatment_start_days + out.assess_day
    cal = _calendars(plan, root, chunk, arm, out.responded, delay)
    for f, v in cal.items():
        res[f][j] = v
    with np.errstate(invalid="ignore", divide="ignore"):
        res["response_rate"][j] = cal["responders"] / cal["assessed"]
    for f, v in _arm_summaries(arm, cal["n_enrolled"].astype(np.int64), out, k).items():
        res[f][j] = v
    enrolled = np.arange(n)[None, :] < cal["n_enrolled"].astype(np.int64)[:, None]
    values = patient_values(out, plan.model.followup_days)
    for f, v in arm_statistics(values, arm, enrolled, k).items():
        res[f][j] = v
    for f, v in regime_statistics(values, out.second_stage, arm, enrolled, k, plan.model.rerandomise).items():
        res[f][j] = v


def simulate(plan: Plan, root: np.random.SeedSequence, replicates: int | Iterable[int],
             chunk_size: int | None = None, progress: Callable | None = None, workers: int = 1) -> dict[str, np.ndarray]:
    """Simulate trials and return per-replicate results.

    Parameters
    ----------
    plan : Plan
    root : numpy.random.SeedSequence
        The run's root seed (``RunContext.seed``).
    replicates : int or iterable of int
        Number of replicates (0..R-1) or explicit replicate indices.
    chunk_size : int, optional
        Replicates per vectorised chunk (results do not depend on it); default
        :data:`CHUNK_PARAMETRIC` in the parametric scenarios, else :data:`CHUNK_BIOLOGY`.
    progress : callable, optional
        Wraps the iterable of chunks, each giving its number of replicates
        (``RunContext.progress(iterable, total, desc, advance)``).
    workers : int
        Threads computing chunks at once (numpy runs its array loops without the GIL). Results do
        not depend on it: every chunk is computed from its replicates' own streams.

    Returns
    -------
    dict
        ``replicate`` (R,), each of :data:`FIELDS` (R,), each of :data:`ARM_FIELDS` (R, n_arms).
    """
    if plan.calendar not in CALENDARS:
        raise ValueError(f"calendar: must be one of {list(CALENDARS)}; got {plan.calendar!r}")
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1:
        raise ValueError(f"workers: must be an integer >= 1; got {workers!r}")
    if chunk_size is None:
        chunk_size = CHUNK_PARAMETRIC if plan.model.parametric else CHUNK_BIOLOGY
    reps = np.arange(replicates) if isinstance(replicates, (int, np.integer)) else np.asarray(list(replicates))
    k = plan.design.n_arms
    res = {f: np.empty(reps.size) for f in FIELDS}
    res.update({f: np.empty((reps.size, k)) for f in ARM_FIELDS})
    starts = range(0, reps.size, chunk_size)

    def one(s: int) -> int:
        _chunk(plan, root, [int(r) for r in reps[s:s + chunk_size]], res, slice(s, min(s + chunk_size, reps.size)))
        return min(s + chunk_size, reps.size) - s

    with ThreadPoolExecutor(workers) if workers > 1 else nullcontext() as pool:
        done = pool.map(one, starts) if pool is not None else map(one, starts)
        for _ in (progress(done, total=int(reps.size), desc="replicates", advance=int) if progress else done):
            pass
    res["replicate"] = reps
    return res
