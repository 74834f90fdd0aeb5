"""Structured configs of the ``scenario`` and ``simulation`` groups.

Scenarios say where each patient's outcome comes from; the simulation config holds the trial
calendar (sites, accrual, visits, dropout) and the replicate loop. Values are checked in
``__post_init__``; the entry point prefixes the group path (``simulation.replicates: ...``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from simtrial._core.units import MONTH_DAYS  # days per month (365.25 / 12)

__all__ = [
    "POPULATIONS",
    "ParametricScenarioConfig",
    "NullScenarioConfig",
    "FixedScenarioConfig",
    "PosteriorScenarioConfig",
    "SimulationConfig",
    "MONTH_DAYS",
]

#: Populations of virtual children (:mod:`simtrial.models.population`).
#: ``model``: the ``model`` group's population (by default the letter's); the others are the
#: named trial populations of :data:`simtrial.models.population.POPULATIONS`.
POPULATIONS: tuple[str, ...] = ("model", "letter", "bride", "mmf_naive", "mmf_refractory")


def _num(name: str, value, *, low: float | None = None, high: float | None = None,
         strict_low: bool = False) -> None:
    ok = not isinstance(value, bool) and isinstance(value, (int, float))
    if ok and low is not None:
        ok = value > low if strict_low else value >= low
    if ok and high is not None:
        ok = value <= high
    if not ok:
        lo = "" if low is None else (f"> {low}" if strict_low else f">= {low}")
        hi = "" if high is None else f"<= {high}"
        raise ValueError(f"{name}: must be a number {' and '.join(x for x in (lo, hi) if x)}; got {value!r}")


def _population(value: str) -> None:
    if value not in POPULATIONS:
        raise ValueError(f"population: must be one of {list(POPULATIONS)}; got {value!r}")


@dataclass
class ParametricScenarioConfig:
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

    def __post_init__(self) -> None:
        for p in self.p_response:
            if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
                raise ValueError(f"p_response: every entry must be in [0, 1]; got {list(self.p_response)!r}")
        if len(self.p_response) > 2:
            raise ValueError(f"p_response: at most one probability per arm (2); got {list(self.p_response)!r}")
        _num("response_day_min", self.response_day_min, low=0.0)
        _population(self.population)

    def to_domain(self):
        """The scenario object (:class:`simtrial.scenarios.Parametric`)."""
        from simtrial.scenarios import Parametric

        return Parametric(list(self.p_response) or None, self.response_day_min, _population_domain(self.population))



@dataclass
class NullScenarioConfig:
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

    def __post_init__(self) -> None:
        if self.p is not None:
            _num("p", self.p, low=0.0, high=1.0)
        _num("response_day_min", self.response_day_min, low=0.0)
        _population(self.population)

    def to_domain(self):
        """The scenario object (:class:`simtrial.scenarios.Null`)."""
        from simtrial.scenarios import Null

        return Null(self.p, self.response_day_min, _population_domain(self.population))



@dataclass
class FixedScenarioConfig:
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

    def __post_init__(self) -> None:
        _population(self.population)
        _num("sirolimus_mu_shift", self.sirolimus_mu_shift, low=-20.0, high=20.0)
        _num("mmf_mu_shift", self.mmf_mu_shift, low=-20.0, high=20.0)

    def to_domain(self):
        """The scenario object (:class:`simtrial.scenarios.Fixed`) at the default parameters."""
        from simtrial.scenarios import Fixed

        return Fixed(None, self.sirolimus_mu_shift, self.mmf_mu_shift, _population_domain(self.population))



@dataclass
class PosteriorScenarioConfig:
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

    def __post_init__(self) -> None:
        if not isinstance(self.posterior, str) or not self.posterior:
            raise ValueError(f"posterior: must be 'packaged' or a file path; got {self.posterior!r}")
        _population(self.population)

    def to_domain(self, allow_failed_diagnostics: bool = False):
        """The scenario object (:class:`simtrial.scenarios.Posterior`); loads the posterior."""
        from simtrial.scenarios import Posterior

        return Posterior(self.posterior, _population_domain(self.population), self.power_at_median,
                         allow_failed_diagnostics)



@dataclass
class SimulationConfig:
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

    def __post_init__(self) -> None:
        for name, low in (("replicates", 1), ("workers", 1), ("chunk_size", 1), ("n_sites", 1)):
            v = getattr(self, name)
            if name == "chunk_size" and v is None:
                continue
            if isinstance(v, bool) or not isinstance(v, int) or v < low:
                raise ValueError(f"{name}: must be an integer >= {low}; got {v!r}")
        _num("site_open_every_days", self.site_open_every_days, low=0.0)
        _num("accrual_per_site_per_month", self.accrual_per_site_per_month, low=0.0, strict_low=True)
        _num("screen_failure", self.screen_failure, low=0.0, high=0.99)
        _num("treatment_start_days", self.treatment_start_days, low=0.0)
        _num("dropout_per_year", self.dropout_per_year, low=0.0)
        _num("weekly_until", self.weekly_until, low=7.0)
        _num("biweekly_until", self.biweekly_until, low=self.weekly_until)
        _num("monthly_every", self.monthly_every, low=1.0)
        _num("followup_days", self.followup_days, low=self.biweekly_until)
        if self.calendar not in ("auto", "simpy", "vectorised"):
            raise ValueError(f"calendar: must be one of ['auto', 'simpy', 'vectorised']; got {self.calendar!r}")

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
