"""Options of the patient-models study (kept apart so the config schema imports no plotting)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class PatientModelsConfig:
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

    def __post_init__(self) -> None:
        if self.n_patients < 1:
            raise ValueError(f"n_patients: must be >= 1; got {self.n_patients}")
        if self.horizon_days <= 60:
            raise ValueError(f"horizon_days: must be > 60 (the TDM figure is read on day 60); got {self.horizon_days}")
        if not 0 < self.visit_interval_days <= self.horizon_days:
            raise ValueError(f"visit_interval_days: must be in (0, horizon_days]; got {self.visit_interval_days}")
        if self.n_examples < 1:
            raise ValueError(f"n_examples: must be >= 1; got {self.n_examples}")
