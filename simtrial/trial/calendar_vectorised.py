"""The trial calendar of :mod:`simtrial.trial.calendar`, computed in numpy for a chunk of trials.

An opt-in fast path (``simulation.calendar=vectorised``); simpy stays the reference. It computes
the same events from the same random numbers with the same floating-point operations:

* the counter-based accrual stream of each replicate is read at the positions
  :class:`simtrial.trial.enrolment.Accrual` reads it (batches of 64 standard exponentials, then
  64 uniforms; one (gap, u) pair per attempt, including an attempt cut short by a site opening);
* referral times are running sums ``t + gap / (open * rate)`` (``numpy.cumsum`` adds in order,
  as the simpy clock does); an attempt that would end at or after the next site opening is
  dropped and redrawn from the opening day at the new rate;
* with ``pause_at_looks`` enrolment runs in segments that end at each look's size and resume at
  the look (the time of the last of the look's assessments); without it, enrolment runs to the
  maximum N and assessments are ordered by time (ties in enrolment order, as simpy's event ids);
* each look applies the design's rule to all trials at once (``design.interim``, ``design.final``).

Exact equality of floating-point times leaves the order of two events to simpy's queue; a trial
with such a tie (a referral at a site opening, a look at a site opening or at an enrolment) is
flagged in :attr:`ChunkRecord.exact` and re-run with simpy by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simtrial._core.codes import Decision, Verdict
from simtrial.designs.base import Design
from simtrial.trial.counter import exponential, uniform
from simtrial.trial.enrolment import Sites

__all__ = ["ChunkRecord", "AccrualDraws", "run_trials", "site_open_times"]

BATCH = 64


@dataclass
class ChunkRecord:
    """What the trials of a chunk report, arrays over replicates (see :class:`TrialRecord`).

    ``exact`` is False where an exact tie between event times makes the order simpy's to decide;
    those rows must be recomputed with :func:`simtrial.trial.calendar.run_trial`.
    """

    decision: np.ndarray
    stop_look: np.ndarray
    n_enrolled: np.ndarray
    n_assessed: np.ndarray
    duration_days: np.ndarray
    referred: np.ndarray
    n_events: np.ndarray
    n_per_arm: np.ndarray
    responders_per_arm: np.ndarray
    assessed_per_arm: np.ndarray
    exact: np.ndarray


class AccrualDraws:
    """The (gap, u) pairs of each replicate's accrual stream, read at any pair number.

    Pair ``j`` is what :class:`simtrial.trial.enrolment.Accrual` reads from a
    :class:`~simtrial.trial.counter.CounterStream` for its ``j``-th referral attempt: batch
    ``b = j // BATCH`` holds the gaps at positions ``2 * BATCH * b + i`` and the uniforms at
    ``2 * BATCH * b + BATCH + i`` (``i = j % BATCH``). Counter-based streams are read where
    needed, so nothing is drawn ahead or stored.

    Parameters
    ----------
    keys : numpy.ndarray of uint64
        One accrual stream key per replicate.
    """

    def __init__(self, keys):
        self.keys = np.asarray(keys, dtype=np.uint64)

    def pairs(self, rows: np.ndarray, first: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
        """Gaps and uniforms of pairs ``first[i] ... first[i] + width - 1`` of row ``rows[i]``."""
        j = first[:, None] + np.arange(width)[None, :]
        pos = j + (j & -BATCH)  # = 2 * BATCH * (j // BATCH) + j % BATCH, BATCH a power of 2
        key = self.keys[rows][:, None]
        return exponential(key, pos), uniform(key, pos + BATCH)


def site_open_times(sites: Sites) -> np.ndarray:
    """Days the sites open, with the simpy process's arithmetic (``now + (day - now)``)."""
    now, out = 0, []
    for day in sites.open_days():
        if day > now:
            now = now + (day - now)
        out.append(now)
    return np.asarray(out, dtype=float)


class _Referrals:
    """Enrolment times per replicate (and, if asked, every referral's time), filled phase by phase."""

    def __init__(self, r: int, n: int, referral_times: bool):
        self.enrol_time = np.full((r, n), np.inf)
        self.n_enrolled = np.zeros(r, dtype=np.int64)
        self.count = np.zeros(r, dtype=np.int64)
        self.time = np.full((r, 2 * BATCH), np.inf) if referral_times else None

    def add(self, rows, times, enrol, got, k) -> None:
        """Record the first ``k[i]`` candidates of row ``rows[i]`` (``got``: running enrolment count)."""
        cols = np.arange(times.shape[1])[None, :]
        rr, cc = np.nonzero(enrol & (cols < k[:, None]))
        self.enrol_time[rows[rr], self.n_enrolled[rows[rr]] + got[rr, cc] - 1] = times[rr, cc]
        self.n_enrolled[rows] += np.where(k > 0, np.take_along_axis(got, np.maximum(k - 1, 0)[:, None], axis=1)[:, 0], 0)
        if self.time is not None:
            end = int((self.count[rows] + k).max(initial=0))
            if end > self.time.shape[1]:
                t = np.full((self.time.shape[0], max(end, 2 * self.time.shape[1])), np.inf)
                t[:, :self.time.shape[1]] = self.time
                self.time = t
            keep = cols < k[:, None]
            rr = np.broadcast_to(rows[:, None], keep.shape)[keep]
            cc = (self.count[rows][:, None] + cols)[keep]
            self.time[rr, cc] = times[keep]
        self.count[rows] += k

    def enrolment_times(self, n: int, rows: np.ndarray | None = None) -> np.ndarray:
        """Times of the first ``n`` enrolments of ``rows`` (all rows by default); +inf where fewer."""
        return self.enrol_time[:, :n] if rows is None else self.enrol_time[rows, :n]


def _accrue(draws: AccrualDraws, refs: _Referrals, rows: np.ndarray, start: np.ndarray, target: np.ndarray,
            ptr: np.ndarray, opens: np.ndarray, rate: float, screen_failure: float, exact: np.ndarray) -> None:
    """Run the referral process of ``rows`` from ``start`` until ``target`` more enrolments each.

    Each pass reads every row's next pairs: while ``s`` sites are open the candidate referral
    times are the running sum from the current time; a phase ends at the enrolment that meets the
    target, at the first candidate at or after the next site opening (that pair is spent and the
    row restarts at the opening), or when the pairs read run out (the row goes round again).
    ``ptr`` (each replicate's next unused pair) advances in place.
    """
    n_sites = opens.size
    q = max(1.0 - screen_failure, 0.01)
    t = np.asarray(start, dtype=float).copy()
    left = np.asarray(target, dtype=np.int64).copy()
    act = np.flatnonzero(left > 0)
    while act.size:
        r = rows[act]
        s = np.searchsorted(opens, t[act], side="right")
        nxt = np.where(s < n_sites, opens[np.minimum(s, n_sites - 1)], np.inf)
        # read no further than a row is likely to need this pass: for its target (a negative
        # binomial count of mean want) and before the next opening (a Poisson count of mean lam);
        # a row that uses them all goes round again
        lam = np.minimum((nxt - t[act]) * s * rate, 1e9)
        want = left[act] / q
        avail = np.ceil(np.minimum(want + 3.0 * np.sqrt(want * (1.0 - q)), lam + 4.0 * np.sqrt(lam))).astype(np.int64) + 4
        width = int(avail.max())
        cols = np.arange(width)[None, :]
        valid = cols < avail[:, None]
        gap, u = draws.pairs(r, ptr[r], width)
        step = np.where(valid, gap / (s * rate)[:, None], np.inf)
        enrols = u >= screen_failure
        c = np.cumsum(np.concatenate([t[act][:, None], step], axis=1), axis=1)[:, 1:]
        over = valid & (c >= nxt[:, None])
        b = np.where(over.any(axis=1), over.argmax(axis=1), width)
        # (numpy's cumsum of booleans casts in small buffers: ten times slower than of integers)
        got = np.cumsum((enrols & (cols < b[:, None]) & valid).astype(np.intp), axis=1)
        hit = (got >= left[act][:, None]) & (cols < b[:, None]) & valid
        a = np.where(hit.any(axis=1), hit.argmax(axis=1), width)
        done = (a < b) & (a < avail)
        cut = ~done & (b < avail)
        k = np.where(done, a + 1, np.where(cut, b, avail))
        at = np.maximum(k - 1, 0)[:, None]
        # a candidate exactly at the opening: simpy's queue order decides
        exact[r[cut & (np.take_along_axis(c, np.minimum(b, width - 1)[:, None], axis=1)[:, 0] == nxt)]] = False
        refs.add(r, c, enrols, got, k)
        ptr[r] += np.where(cut, b + 1, k)
        t[act] = np.where(cut, nxt, np.where(k > 0, np.take_along_axis(c, at, axis=1)[:, 0], t[act]))
        left[act] -= np.where(k > 0, np.take_along_axis(got, at, axis=1)[:, 0], 0)
        act = act[left[act] > 0]


def _counts(arm: np.ndarray, responded: np.ndarray, upto: np.ndarray, k: int):
    """Responders and children per arm among columns ``< upto`` (per row) of ``arm``/``responded``."""
    inside = np.arange(arm.shape[1])[None, :] < upto[:, None]
    m = np.stack([np.sum(inside & (arm == a), axis=1) for a in range(k)], axis=1)
    x = np.stack([np.sum(inside & (arm == a) & responded, axis=1) for a in range(k)], axis=1)
    return x, m


def run_trials(analysis: Design, arm: np.ndarray, responded: np.ndarray, assess_delay: np.ndarray,
               sites: Sites, keys, pause_at_looks: bool = True) -> ChunkRecord:
    """Run the calendars of a chunk of trials at once (same results as :func:`run_trial` per row).

    Parameters
    ----------
    analysis : Design
    arm, responded, assess_delay : numpy.ndarray, shape (R, n_max)
        Per trial, as for :func:`simtrial.trial.calendar.run_trial`.
    sites : Sites
    keys : numpy.ndarray of uint64 or AccrualDraws
        The replicates' accrual stream keys (:func:`simtrial.trial.streams.counter_keys`), or
        their draws.
    pause_at_looks : bool

    Returns
    -------
    ChunkRecord
    """
    arm = np.asarray(arm, dtype=np.intp)
    responded = np.asarray(responded, dtype=bool)
    R, n = arm.shape
    k, looks = analysis.n_arms, tuple(int(v) for v in analysis.looks)
    opens = site_open_times(sites)
    rate, sf = sites.rate_per_site_per_day, sites.screen_failure
    draws = keys if isinstance(keys, AccrualDraws) else AccrualDraws(keys)
    refs = _Referrals(R, n, referral_times=not (pause_at_looks and looks))
    exact = np.ones(R, dtype=bool)
    ptr = np.zeros(R, dtype=np.int64)
    all_rows = np.arange(R)

    decision = np.full(R, -1, dtype=np.int64)
    stop_look = np.full(R, len(looks), dtype=np.int64)
    stop_time = np.full(R, np.nan)
    n_assessed = np.full(R, n, dtype=np.int64)

    if pause_at_looks and looks:
        live = all_rows
        start = np.zeros(R)
        done_before = 0
        for j, size in enumerate(looks):
            _accrue(draws, refs, live, start[live], np.full(live.size, size - done_before), ptr, opens, rate, sf, exact)
            enrol_t = refs.enrolment_times(size, live)
            look_t = np.max(enrol_t + assess_delay[live, :size], axis=1)
            exact[live[np.isin(look_t, opens)]] = False
            x, m = _counts(arm[live], responded[live], np.full(live.size, size), k)
            verdict = analysis.interim(j, x, m)
            stop = verdict != Verdict.CONTINUE
            rows = live[stop]
            decision[rows] = np.where(verdict[stop] == Verdict.FUTILITY, Decision.FUTILITY_STOP, Decision.EFFICACY_STOP)
            stop_look[rows], stop_time[rows], n_assessed[rows] = j, look_t[stop], size
            start[live] = look_t
            live, done_before = live[~stop], size
        if live.size:
            _accrue(draws, refs, live, start[live], np.full(live.size, n - done_before), ptr, opens, rate, sf, exact)
        n_enrolled = np.where(decision >= 0, n_assessed, n)
        enrol_t = refs.enrolment_times(n)
        assess_t = enrol_t + assess_delay
        final_t = np.max(np.where(np.arange(n)[None, :] < n_enrolled[:, None], assess_t, -np.inf), axis=1)
        stop_time = np.where(decision >= 0, stop_time, final_t)
        referred = refs.count.copy()
        order_upto = n_assessed
        sorted_arm, sorted_resp = arm, responded
    else:
        _accrue(draws, refs, all_rows, np.zeros(R), np.full(R, n), ptr, opens, rate, sf, exact)
        enrol_t = refs.enrolment_times(n)
        assess_t = enrol_t + assess_delay
        order = np.argsort(assess_t, axis=1, kind="stable")
        sorted_t = np.take_along_axis(assess_t, order, axis=1)
        sorted_arm = np.take_along_axis(arm, order, axis=1)
        sorted_resp = np.take_along_axis(responded, order, axis=1)
        live = all_rows
        for j, size in enumerate(looks):
            x, m = _counts(sorted_arm[live], sorted_resp[live], np.full(live.size, size), k)
            verdict = analysis.interim(j, x, m)
            stop = verdict != Verdict.CONTINUE
            rows = live[stop]
            decision[rows] = np.where(verdict[stop] == Verdict.FUTILITY, Decision.FUTILITY_STOP, Decision.EFFICACY_STOP)
            stop_look[rows], stop_time[rows], n_assessed[rows] = j, sorted_t[rows, size - 1], size
            live = live[~stop]
        stop_time[live] = sorted_t[live, n - 1]
        # what had happened by the stop: enrolments and referrals strictly before it (a tie is simpy's)
        n_enrolled = np.sum(enrol_t < stop_time[:, None], axis=1)
        referred = np.sum(refs.time < stop_time[:, None], axis=1)
        exact[np.any(enrol_t == stop_time[:, None], axis=1) | np.any(refs.time == stop_time[:, None], axis=1)] = False
        order_upto = n_assessed

    final = decision < 0
    if final.any():
        x, m = _counts(sorted_arm[final], sorted_resp[final], np.full(int(final.sum()), n), k)
        decision[final] = np.where(analysis.final(x, m), Decision.REJECTED_FINAL, Decision.NOT_REJECTED)
    x, m = _counts(sorted_arm, sorted_resp, order_upto, k)
    looks_made = np.where(np.isin(decision, (Decision.FUTILITY_STOP, Decision.EFFICACY_STOP)), stop_look + 1, len(looks))
    per_arm = np.stack([np.sum((np.arange(n)[None, :] < n_enrolled[:, None]) & (arm == a), axis=1)
                        for a in range(k)], axis=1)
    return ChunkRecord(
        decision=decision, stop_look=stop_look, n_enrolled=n_enrolled, n_assessed=n_assessed,
        duration_days=stop_time, referred=referred,
        n_events=n_enrolled + n_assessed + looks_made + referred,
        n_per_arm=per_arm, responders_per_arm=x, assessed_per_arm=m, exact=exact,
    )
