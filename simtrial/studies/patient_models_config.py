"""Options of the patient-models study (kept apart so the config schema imports no plotting)."""

from __future__ import annotations

from dataclasses import dataclass

from simtrial._core.validation import Interval, ValidationError, Validated


@dataclass
class PatientModelsConfig(Validated):
    """Options of the patient-models study.

    Attributes
    ----------
    n_patients : int
        Virtual children simulated (> 0).
    horizon_days : int
        Follow-up (days, > 60: the TDM figure is read on day 60).
    visit_interval_days : int
        Platelet counts every this many days (> 0).
    n_examples : int
        Children drawn individually in the PK, dose and trajectory plots.
    """

    n_patients: int = 2000
    horizon_days: int = 365
    visit_interval_days: int = 7
    n_examples: int = 8

    _constraints = {
        "n_patients": Interval(int, 1, 10_000_000),
        # The TDM figure is read on day 60; ten years at most.
        "horizon_days": Interval(int, 61, 3650),
        "visit_interval_days": Interval(int, 1, 3650),
        "n_examples": Interval(int, 1, 100),
    }

    def _check(self) -> None:
        if self.visit_interval_days > self.horizon_days:
            raise ValidationError("visit_interval_days", f"must be <= horizon_days ({self.horizon_days})",
                                  self.visit_interval_days)
