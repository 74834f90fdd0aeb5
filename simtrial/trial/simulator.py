"""The :class:`Trial`: a design, a scenario and the trial's conduct, ready to simulate.

Everything below (outcomes, calendars, replicate loop) receives domain objects only; the CLI's
``trial`` study builds them from the config (``to_domain()``) and calls :meth:`Trial.simulate`.
"""

from __future__ import annotations

import numpy as np

from simtrial._core.validation import Interval, Options, Predicate, ValidationError, check_value
from simtrial.designs.base import Design
from simtrial.scenarios.base import Scenario
from simtrial.trial.enrolment import Sites
from simtrial.models.population import check_mmf_eligibility
from simtrial.trial.outcomes import REGIMEN_DRUGS, OutcomeModel
from simtrial.trial.replicates import CALENDARS, Plan, simulate
from simtrial.trial.results import SimulationResult
from simtrial.trial.schedule import Schedule

__all__ = ["Trial", "check_compatible"]

_REPLICATES = Interval(int, 1, 100_000_000)
_SEED = Interval(int, 0, None)


def check_compatible(design: Design, scenario: Scenario, schedule: Schedule, *,
                     followup: str = "schedule.followup_days") -> tuple | None:
    """The checks across design, scenario and schedule; returns the scenario's true rates.

    Raises :class:`~simtrial._core.validation.ValidationError` naming the field: a landmark day
    after the end of follow-up, a switch day at or after it (two-drug regimens), a
    ``p_response`` whose length is not the design's number of arms. ``followup`` is how the
    caller names the follow-up field (the CLI: ``simulation.followup_days``).
    """
    fd = schedule.followup_days
    if design.landmark_day > fd:
        raise ValidationError("design.landmark_day", f"must be <= {followup} ({fd})", design.landmark_day)
    if design.switches and design.switch_day >= fd:
        raise ValidationError("design.switch_day", f"must be < {followup} ({fd})", design.switch_day)
    return scenario.rates(design)


class Trial:
    """A design simulated under a scenario.

    Parameters
    ----------
    design : Design
        :class:`~simtrial.designs.SingleArm`, :class:`~simtrial.designs.Simon`,
        :class:`~simtrial.designs.TwoArm` or :class:`~simtrial.designs.Sequencing`.
    scenario : Scenario, optional
        Where outcomes come from (:mod:`simtrial.scenarios`); default: parametric at the design's
        planning rates.
    sites : Sites, optional
        Enrolment: site openings, accrual, screening failures.
    schedule : Schedule, optional
        Treatment start, visits, follow-up, dropout, pauses at looks.
    model : PatientModel, optional
        The patient models' parameter sets (PK, TDM, exposure-response, noise, population).
    calendar : str
        ``auto`` (the production choice: the numpy calendar in parametric scenarios, where the
        calendar is nearly all the work, and the simpy trial clock with the patient models),
        ``simpy`` (the reference every test compares with) or ``vectorised`` (numpy everywhere).
        Per-replicate results are identical (``tests/test_trial_calendar.py``).

    Examples
    --------
    >>> import simtrial as st
    >>> d = st.designs.SingleArm(n=20, p0=0.2, p1=0.4)
    >>> res = st.Trial(d, st.scenarios.Parametric(0.4)).simulate(200, seed=1)
    >>> res.n_replicates
    200
    """

    _design = Predicate(lambda v: isinstance(v, Design), "must be a design object (simtrial.designs)")
    _scenario = Predicate(lambda v: isinstance(v, Scenario), "must be a scenario object (simtrial.scenarios)")
    _calendar = Options(*CALENDARS)

    def __init__(self, design: Design, scenario: Scenario | None = None, *, sites: Sites | None = None,
                 schedule: Schedule | None = None, model=None, calendar: str = "auto"):
        from simtrial.models.config import PatientModel
        from simtrial.scenarios.parametric import Parametric

        self.design = check_value("design", design, self._design)
        self.scenario = check_value("scenario", Parametric() if scenario is None else scenario, self._scenario)
        self.sites = Sites() if sites is None else check_value(
            "sites", sites, Predicate(lambda v: isinstance(v, Sites), "must be a Sites"))
        self.schedule = Schedule() if schedule is None else check_value(
            "schedule", schedule, Predicate(lambda v: isinstance(v, Schedule), "must be a Schedule"))
        self.model = PatientModel() if model is None else check_value(
            "model", model, Predicate(lambda v: isinstance(v, PatientModel), "must be a PatientModel"))
        self.calendar = check_value("calendar", calendar, self._calendar)
        self.rates = check_compatible(self.design, self.scenario, self.schedule)
        if self.rates is None:  # the patient models: no MMF for children who already failed it
            pop = self.scenario.population if self.scenario.population is not None else self.model.population
            check_mmf_eligibility(pop, [d for r in self.design.regimens for d in REGIMEN_DRUGS[str(r)] if d],
                                  "scenario.population")

    def _plan(self, scenario: Scenario) -> Plan:
        design, sched = self.design, self.schedule
        rates = scenario.rates(design)
        params = None if rates is not None else scenario.parameters()
        if params is not None and params.n_draws is not None:
            n_draws = params.n_draws
            param_of, key_of = (lambda r: params.draw(r % n_draws)), (lambda r: r % n_draws)
        else:
            param_of, key_of = (lambda r: params), (lambda r: 0)
        outcome = OutcomeModel(
            regimens=tuple(design.regimens),
            landmark_day=float(design.landmark_day),
            switch_day=float(design.switch_day),
            followup_days=float(sched.followup_days),
            visits=sched.visit_days(),
            dropout_per_year=float(sched.dropout_per_year),
            population=scenario.population if scenario.population is not None else self.model.population,
            p_response=rates,
            response_day_min=float(scenario.response_day_min),
            parameters=None if rates is not None else param_of,
            draw_index=None if rates is not None else key_of,
            patient=self.model,
            rerandomise=bool(getattr(design, "rerandomise", False)),
        )
        return Plan(design, outcome, self.sites, treatment_start_days=float(sched.treatment_start_days),
                    block_size=int(design.block_size), pause_at_looks=bool(sched.pause_at_looks),
                    calendar=self.calendar)

    @property
    def calendar_used(self) -> str:
        """The calendar that runs (``auto`` resolved by the scenario)."""
        return self._plan(self.scenario).calendar_used

    def simulate(self, replicates: int = 1000, seed: int | np.random.SeedSequence = 0, *,
                 chunk_size: int | None = None, workers: int = 1, progress=None) -> SimulationResult:
        """Simulate ``replicates`` trials.

        Parameters
        ----------
        replicates : int
            Number of trials (replicates 0..R-1; each has its own random streams).
        seed : int or numpy.random.SeedSequence
            The root of all randomness: the same seed gives the same trials, whatever the chunk
            size, the number of workers or the other designs simulated with it.
        chunk_size : int, optional
            Replicates computed together (memory bound; results do not depend on it).
        workers : int
            Threads computing chunks at once (results do not depend on it).
        progress : callable, optional
            Wraps the iterable of chunks (e.g. ``tqdm``-like, with ``total`` and ``desc``).

        Returns
        -------
        SimulationResult
            With a Posterior scenario and ``power_at_median``, its ``at_median`` holds the same
            trials at the posterior median parameters.
        """
        replicates = check_value("replicates", replicates, _REPLICATES)
        root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(
            check_value("seed", seed, _SEED))
        plan = self._plan(self.scenario)
        res = simulate(plan, root, replicates, chunk_size, progress=progress, workers=workers)
        at_median = None
        if self.scenario.power_at_median:
            med_scenario = self.scenario.at_median()
            med = simulate(self._plan(med_scenario), root, replicates, chunk_size, progress=progress,
                           workers=workers)
            at_median = SimulationResult(self.design, med_scenario, med, None, plan.calendar_used, root.entropy)
        return SimulationResult(self.design, self.scenario, res, self.rates, plan.calendar_used, root.entropy,
                                at_median)

    def __repr__(self) -> str:
        return f"Trial({self.design!r}, {self.scenario!r}, sites={self.sites!r}, schedule={self.schedule!r})"
