"""Enrolment across sites: a simpy process of Poisson referrals, thinned by screening failures.

Site ``k`` opens on day ``k * open_every``; while ``s`` sites are open, children are referred as
a Poisson process of rate ``s * rate_per_site``. The process draws the next referral at the
current rate and redraws when a site opens first, which is exact for a piecewise-constant rate
(the exponential is memoryless). Each referral fails screening with probability
``screen_failure``; the others are enrolled.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import simpy

from simtrial._core.units import MONTH_DAYS
from simtrial._core.validation import Interval, check_fields

__all__ = ["Sites", "Accrual", "MONTH_DAYS"]




@dataclass(frozen=True)
class Sites:
    """Site openings and referral rates.

    Parameters
    ----------
    n_sites : int
        Number of sites.
    open_every_days : float
        Site k (0-based) opens on day ``k * open_every_days``.
    accrual_per_site_per_month : float
        Poisson rate of referred children per open site (a month is :data:`MONTH_DAYS` days).
    screen_failure : float
        Share of referred children who are not eligible.

    Examples
    --------
    >>> round(Sites(n_sites=4, accrual_per_site_per_month=0.5).rate_per_site_per_day, 6)
    0.016427
    """

    n_sites: int = 4
    open_every_days: float = 60.0
    accrual_per_site_per_month: float = 0.5
    screen_failure: float = 0.15

    _constraints = {
        "n_sites": Interval(int, 1, 10_000),
        "open_every_days": Interval(float, 0.0, 100_000.0),
        "accrual_per_site_per_month": Interval(float, 0.0, 1e6, closed="right"),
        "screen_failure": Interval(float, 0.0, 0.99),
    }

    def __post_init__(self) -> None:
        check_fields(self, self._constraints)

    @property
    def rate_per_site_per_day(self) -> float:
        return self.accrual_per_site_per_month / MONTH_DAYS

    def open_days(self) -> np.ndarray:
        return np.arange(self.n_sites) * self.open_every_days


class Accrual:
    """The enrolment process of one trial.

    Parameters
    ----------
    env : simpy.Environment
    sites : Sites
    rng : simtrial.trial.counter.CounterStream or numpy.random.Generator
        The replicate's accrual stream, read in batches of 64 standard exponentials (gaps) then
        64 uniforms (screening), one (gap, uniform) pair per referral attempt.
    on_enrol : callable
        Called with no argument for each enrolled child; returns an event to wait for before the
        next referral counts (a paused enrolment) or None.
    """

    def __init__(self, env: simpy.Environment, sites: Sites, rng, on_enrol):
        self.env, self.sites, self.rng, self.on_enrol = env, sites, rng, on_enrol
        self.open = 0
        self.referred = 0
        self.opened = env.event()
        self.stopped = False
        self._gaps = rng.standard_exponential(64)
        self._u = rng.random(64)
        self._i = 0
        env.process(self._open_sites())
        env.process(self._refer())

    def _next(self) -> tuple[float, float]:
        if self._i == self._gaps.size:
            self._gaps = self.rng.standard_exponential(64)
            self._u = self.rng.random(64)
            self._i = 0
        self._i += 1
        return self._gaps[self._i - 1], self._u[self._i - 1]

    def _open_sites(self):
        for day in self.sites.open_days():
            if day > self.env.now:
                yield self.env.timeout(day - self.env.now)
            self.open += 1
            event, self.opened = self.opened, self.env.event()
            event.succeed()

    def _refer(self):
        env = self.env
        while not self.stopped:
            if self.open == 0:
                yield self.opened
                continue
            gap, u = self._next()
            wait = env.timeout(gap / (self.open * self.sites.rate_per_site_per_day))
            if self.open < self.sites.n_sites:
                opened = self.opened
                yield wait | opened
                if not wait.processed and opened.processed:
                    continue  # a site opened first: redraw at the new rate
            else:
                yield wait
            if self.stopped:
                return
            self.referred += 1
            if u < self.sites.screen_failure:
                continue
            pause = self.on_enrol()
            if pause is not None:
                yield pause
