"""Structured configs of the ``scenario`` and ``simulation`` groups.

Scenarios say where each patient's outcome comes from; the simulation config holds the trial
calendar (sites, accrual, visits, dropout) and the replicate loop. Values are checked in
``__post_init__``; the entry point prefixes the group path (``simulation.replicates: ...``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from simtrial._core.units import MONTH_DAYS  # days per month (365.25 / 12)
from simtrial._core.validation import Boolean, Interval, Options, Predicate, Sequence, ValidationError, Validated
from simtrial._core.validation import Optional as Maybe

__all__ = [
    "POPULATIONS",
    "ParametricScenarioConfig",
    "NullScenarioConfig",
    "FixedScenarioConfig",
    "PosteriorScenarioConfig",
    "SimulationConfig",
    "MONTH_DAYS",
    "MAX_REPLICATES",
]

#: Populations of virtual children (:mod:`simtrial.models.population`).
#: ``model``: the ``model`` group's population (by default the letter's); the others are the
#: named trial populations of :data:`simtrial.models.population.POPULATIONS`.
POPULATIONS: tuple[str, ...] = ("model", "letter", "bride", "mmf_naive", "mmf_refractory")


_POPULATION = Options(*POPULATIONS)
#: A day within ten years of follow-up.
_DAY = Interval(float, 0.0, 3650.0)
#: Largest number of replicates of one run (the memory and time bounds are checked at start-up).
MAX_REPLICATES = 10_000_000


@dataclass
class ParametricScenarioConfig(Validated):
    """No biology: each patient responds with the true probability of the arm.

    Attributes
    ----------
    p_response : list of float
        True response probability by the landmark, one per arm in the design's arm order (A, B);
        empty: the design's planning values (p1, or p_a and p_b).
    response_day_min : float
        A responder's response day is uniform between this day and the landmark day.
    population : str
        Population the disease-group strata are drawn from.
    """

    name: str = "parametric"
    p_response: list[float] = field(default_factory=list)
    response_day_min: float = 7.0
    population: str = "model"

    _constraints = {
        # At most one probability per arm (two arms).
        "p_response": Sequence(Interval(float, 0.0, 1.0), max_len=2),
        "response_day_min": _DAY,
        "population": _POPULATION,
    }

    def to_domain(self):
        """The scenario object (:class:`simtrial.scenarios.Parametric`)."""
        from simtrial.scenarios import Parametric

        return Parametric(list(self.p_response) or None, self.response_day_min, _population_domain(self.population))


@dataclass
class NullScenarioConfig(Validated):
    """The null hypothesis, for the type I error: the parametric scenario with every arm at ``p``.

    Attributes
    ----------
    p : float, optional
        Common response probability; None: ``design.p0`` (single arm, Simon) or ``design.p_a``
        (both arms of a two-arm design).
    """

    name: str = "null_hypothesis"
    p: Optional[float] = None
    response_day_min: float = 7.0
    population: str = "model"

    _constraints = {
        "p": Maybe(Interval(float, 0.0, 1.0)),
        "response_day_min": _DAY,
        "population": _POPULATION,
    }

    def to_domain(self):
        """The scenario object (:class:`simtrial.scenarios.Null`)."""
        from simtrial.scenarios import Null

        return Null(self.p, self.response_day_min, _population_domain(self.population))


@dataclass
class FixedScenarioConfig(Validated):
    """The patient models at fixed population parameters (default: hand-set defaults).

    Attributes
    ----------
    population : str
        ``model`` (the ``model`` group's population, by default the letter's), ``letter``
        (primary ITP and ARS-ITP) or ``bride`` (ALPS, multi- and single-lineage).
    sirolimus_mu_shift, mmf_mu_shift : float
        What-if shifts of the location of logit E (every disease group) of each drug.
    """

    name: str = "fixed"
    population: str = "model"
    sirolimus_mu_shift: float = 0.0
    mmf_mu_shift: float = 0.0

    _constraints = {
        "population": _POPULATION,
        # On the logit scale: +-20 already moves any response rate to 0 or 1.
        "sirolimus_mu_shift": Interval(float, -20.0, 20.0),
        "mmf_mu_shift": Interval(float, -20.0, 20.0),
    }

    def to_domain(self):
        """The scenario object (:class:`simtrial.scenarios.Fixed`) at the default parameters."""
        from simtrial.scenarios import Fixed

        return Fixed(None, self.sirolimus_mu_shift, self.mmf_mu_shift, _population_domain(self.population))


@dataclass
class PosteriorScenarioConfig(Validated):
    """Replicate r uses posterior draw r mod n_draws: the rejection rate is an assurance.

    Attributes
    ----------
    posterior : str
        ``packaged`` or the path of a saved posterior (:func:`simtrial.calibration.load_posterior`).
    population : str
        As for the fixed scenario.
    power_at_median : bool
        Also simulate at the posterior median parameters (same random numbers) and report it.
    """

    name: str = "posterior"
    posterior: str = "packaged"
    population: str = "model"
    power_at_median: bool = True

    _constraints = {
        "posterior": Predicate(lambda v: isinstance(v, str) and bool(v.strip()), "must be 'packaged' or a file path"),
        "population": _POPULATION,
        "power_at_median": Boolean(),
    }

    def to_domain(self, allow_failed_diagnostics: bool = False):
        """The scenario object (:class:`simtrial.scenarios.Posterior`); loads the posterior."""
        from simtrial.scenarios import Posterior

        return Posterior(self.posterior, _population_domain(self.population), self.power_at_median,
                         allow_failed_diagnostics)


@dataclass
class SimulationConfig(Validated):
    """The trial calendar and the replicate loop.

    Attributes
    ----------
    replicates : int
        Number of simulated trials.
    workers : int
        Threads computing chunks of replicates at once; results do not depend on it (every
        replicate has its own streams). Keep 1 when a sweep already runs jobs in parallel.
    chunk_size : int or None
        Replicates computed together (memory bound); results do not depend on it. Default
        (null): 500 with the patient models, 2,000 in the parametric scenarios.
    n_sites, site_open_every_days : int, float
        Site k (0-based) opens on day ``k * site_open_every_days``.
    accrual_per_site_per_month : float
        Poisson rate of referred children per open site.
    screen_failure : float
        Share of referred children who are not eligible.
    treatment_start_days : float
        Days from enrolment (randomisation) to the start of treatment.
    dropout_per_year : float
        Exponential dropout hazard; a child who drops out before the landmark counts as a
        non-responder unless a response was confirmed before (intention to treat).
    weekly_until, biweekly_until, monthly_every, followup_days : float
        Visit schedule: weekly to day ``weekly_until``, every 2 weeks to ``biweekly_until``, then
        every ``monthly_every`` days to ``followup_days`` (the first year).
    pause_at_looks : bool
        Enrolment pauses at each interim look's sample size until the look is made (the
        convention of the exact calculations); false lets patients keep enrolling (overrun).
    calendar : str
        ``simpy`` (the reference: one discrete-event simulation per trial), ``vectorised`` (the
        same calendar in numpy for a whole chunk of trials; identical per-replicate results,
        verified against simpy by ``tests/test_trial_calendar.py``; valid for every design and
        scenario) or ``auto`` (default): ``vectorised`` in the parametric scenarios, where the
        calendar is nearly all the work, ``simpy`` with the patient models.
    """

    replicates: int = 1000
    workers: int = 1
    chunk_size: Optional[int] = None
    n_sites: int = 4
    site_open_every_days: float = 60.0
    accrual_per_site_per_month: float = 0.5
    screen_failure: float = 0.15
    treatment_start_days: float = 7.0
    dropout_per_year: float = 0.0
    weekly_until: float = 28.0
    biweekly_until: float = 84.0
    monthly_every: float = 28.0
    followup_days: float = 364.0
    pause_at_looks: bool = True
    calendar: str = "auto"

    _constraints = {
        "replicates": Interval(int, 1, MAX_REPLICATES),
        "workers": Interval(int, 1, 256),
        "chunk_size": Maybe(Interval(int, 1, 1_000_000)),
        "n_sites": Interval(int, 1, 1000),
        "site_open_every_days": _DAY,
        # Below 0.01 a site refers one child in eight years: no trial would recruit.
        "accrual_per_site_per_month": Interval(float, 0.01, 100.0),
        "screen_failure": Interval(float, 0.0, 0.99),
        "treatment_start_days": Interval(float, 0.0, 365.0),
        # 10 per year: a median time to dropout of 25 days.
        "dropout_per_year": Interval(float, 0.0, 10.0),
        "weekly_until": Interval(float, 7.0, 3650.0),
        "biweekly_until": _DAY,
        "monthly_every": Interval(float, 1.0, 365.0),
        "followup_days": Interval(float, 1.0, 3650.0),
        "pause_at_looks": Boolean(),
        "calendar": Options("auto", "simpy", "vectorised"),
    }

    def _check(self) -> None:
        if self.biweekly_until < self.weekly_until:
            raise ValidationError("biweekly_until", f"must be >= weekly_until ({self.weekly_until:g})", self.biweekly_until)
        if self.followup_days < self.biweekly_until:
            raise ValidationError("followup_days", f"must be >= biweekly_until ({self.biweekly_until:g})", self.followup_days)

    def to_domain(self):
        """The trial's conduct: ``(Sites, Schedule)``; ``replicates``, ``workers``, ``chunk_size``
        and ``calendar`` are arguments of :class:`simtrial.Trial` and its ``simulate``."""
        from simtrial.trial.enrolment import Sites
        from simtrial.trial.schedule import Schedule

        sites = Sites(self.n_sites, self.site_open_every_days, self.accrual_per_site_per_month, self.screen_failure)
        schedule = Schedule(self.treatment_start_days, self.dropout_per_year, self.weekly_until, self.biweekly_until,
                            self.monthly_every, self.followup_days, self.pause_at_looks)
        return sites, schedule


def _population_domain(name: str):
    """``model`` -> None (the patient model's population); other names stay names."""
    return None if name == "model" else name
