"""One trial's calendar in simpy: enrolment, randomisation, assessments, interim looks, the end.

The patients' outcomes are already computed (:mod:`simtrial.trial.outcomes`); simpy runs only
trial-level events, a handful per patient: the referral, the enrolment (randomisation reads the
pre-drawn permuted-block list), one timeout to the patient's assessment (treatment start plus the
landmark day, or dropout), and the looks. A look is made when the number of assessed patients
reaches its size; it reads the outcomes of the assessed patients and applies the design's rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import simpy

from simtrial._core.codes import DECISIONS, Decision, Verdict
from simtrial.designs.base import Design
from simtrial.trial.enrolment import Accrual, Sites

__all__ = ["TrialRecord", "run_trial", "DECISIONS"]


@dataclass
class TrialRecord:
    """What one simulated trial reports."""

    decision: Decision
    stop_look: int
    n_enrolled: int
    n_assessed: int
    duration_days: float
    referred: int
    n_per_arm: np.ndarray
    responders_per_arm: np.ndarray
    assessed_per_arm: np.ndarray
    n_events: int


class _Trial:
    def __init__(self, env, analysis: Design, arm, responded, assess_delay, pause: bool):
        self.env, self.a = env, analysis
        self.arm, self.responded, self.delay = arm, responded, assess_delay
        self.pause = pause
        self.enrolled = 0
        self.assessed: list[int] = []
        self.x = np.zeros(analysis.n_arms, dtype=np.int64)
        self.m = np.zeros(analysis.n_arms, dtype=np.int64)
        self.look = 0
        self.done = env.event()
        self.resume: simpy.Event | None = None
        self.decision = None
        self.events = 0
        self.accrual: Accrual | None = None

    def enrol(self):
        k = self.enrolled
        self.enrolled += 1
        self.events += 1
        # a bare timeout with a callback (no process per patient): one event per assessment
        self.env.timeout(self.delay[k]).callbacks.append(lambda _event, k=k: self._assess(k))
        if self.enrolled == self.a.n_max:
            self.accrual.stopped = True
            return None
        if self.pause and self.look < len(self.a.looks) and self.enrolled == self.a.looks[self.look]:
            self.resume = self.env.event()
            return self.resume
        return None

    def _assess(self, k: int):
        if self.decision is not None:
            return
        self.events += 1
        self.assessed.append(k)
        a = self.arm[k]
        self.m[a] += 1
        self.x[a] += self.responded[k]
        n = len(self.assessed)
        if self.look < len(self.a.looks) and n == self.a.looks[self.look]:
            self._interim()
        elif n == self.a.n_max:
            rejected = bool(self.a.final(self.x[None, :], self.m[None, :])[0])
            self._finish(Decision.REJECTED_FINAL if rejected else Decision.NOT_REJECTED, len(self.a.looks))

    def _interim(self):
        self.events += 1
        j = self.look
        # the design's vectorised rule on this one trial (the numpy calendar applies the same)
        verdict = int(self.a.interim(j, self.x[None, :], self.m[None, :])[0])
        self.look += 1
        if verdict == Verdict.FUTILITY:
            self._finish(Decision.FUTILITY_STOP, j)
        elif verdict == Verdict.EFFICACY:
            self._finish(Decision.EFFICACY_STOP, j)
        elif self.resume is not None:
            event, self.resume = self.resume, None
            event.succeed()

    def _finish(self, decision: int, look: int):
        self.decision = (decision, look)
        self.accrual.stopped = True
        self.done.succeed()


def run_trial(analysis: Design, arm: np.ndarray, responded: np.ndarray, assess_delay: np.ndarray,
              sites: Sites, rng, pause_at_looks: bool = True) -> TrialRecord:
    """Run one trial's calendar to its final analysis or early stop.

    Parameters
    ----------
    analysis : Design
        The design object (its ``interim`` and ``final`` rules).
    arm, responded, assess_delay : numpy.ndarray, shape (n_max,)
        Arm, response at assessment and days from enrolment to assessment of the k-th enrolled
        child.
    sites : Sites
    rng : simtrial.trial.counter.CounterStream or numpy.random.Generator
        The replicate's accrual stream (anything with ``standard_exponential`` and ``random``).
    pause_at_looks : bool
        Pause enrolment at each look's size until the look is made.
    """
    env = simpy.Environment()
    t = _Trial(env, analysis, arm, responded, assess_delay, pause_at_looks)
    t.accrual = Accrual(env, sites, rng, t.enrol)
    env.run(until=t.done)
    decision, look = t.decision
    n = t.enrolled
    per_arm = np.bincount(arm[:n], minlength=analysis.n_arms)
    return TrialRecord(
        decision=decision, stop_look=look, n_enrolled=n, n_assessed=len(t.assessed),
        duration_days=float(env.now), referred=t.accrual.referred, n_per_arm=per_arm,
        responders_per_arm=t.x.copy(), assessed_per_arm=t.m.copy(), n_events=t.events + t.accrual.referred,
    )

