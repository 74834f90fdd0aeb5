"""How each child is followed: start of treatment, visits, follow-up, dropout, pauses at looks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simtrial._core.validation import Boolean, Interval, ValidationError, check_fields
from simtrial.trial.visits import visit_days

__all__ = ["Schedule"]

_DAYS = Interval(float, 0.0, 100_000.0)


@dataclass(frozen=True)
class Schedule:
    """The per-child calendar of a trial.

    Parameters
    ----------
    treatment_start_days : float
        Days from enrolment (randomisation) to the start of treatment.
    dropout_per_year : float
        Exponential dropout hazard; a child who drops out before the landmark counts as a
        non-responder unless a response was confirmed before (intention to treat).
    weekly_until, biweekly_until, monthly_every, followup_days : float
        Visits weekly to ``weekly_until``, every 2 weeks to ``biweekly_until``, then every
        ``monthly_every`` days to ``followup_days`` (the first year).
    pause_at_looks : bool
        Enrolment pauses at each interim look's sample size until the look is made (the
        convention of the exact calculations); False lets children keep enrolling (overrun).
    """

    treatment_start_days: float = 7.0
    dropout_per_year: float = 0.0
    weekly_until: float = 28.0
    biweekly_until: float = 84.0
    monthly_every: float = 28.0
    followup_days: float = 364.0
    pause_at_looks: bool = True

    _constraints = {
        "treatment_start_days": _DAYS,
        "dropout_per_year": Interval(float, 0.0, 1_000.0),
        "weekly_until": Interval(float, 7.0, 100_000.0),
        "biweekly_until": _DAYS,
        "monthly_every": Interval(float, 1.0, 100_000.0),
        "followup_days": _DAYS,
        "pause_at_looks": Boolean(),
    }

    def __post_init__(self) -> None:
        check_fields(self, self._constraints)
        if self.biweekly_until < self.weekly_until:
            raise ValidationError("biweekly_until", f"must be >= weekly_until ({self.weekly_until:g})",
                                  self.biweekly_until)
        if self.followup_days < self.biweekly_until:
            raise ValidationError("followup_days", f"must be >= biweekly_until ({self.biweekly_until:g})",
                                  self.followup_days)

    def visit_days(self) -> np.ndarray:
        """Visit days after the start of treatment (:func:`simtrial.trial.visits.visit_days`)."""
        return visit_days(self.weekly_until, self.biweekly_until, self.monthly_every, self.followup_days)
