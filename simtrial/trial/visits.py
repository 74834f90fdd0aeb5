"""The visit schedule: weekly, then every two weeks, then monthly, to the end of follow-up."""

from __future__ import annotations

import numpy as np

__all__ = ["visit_days"]


def visit_days(weekly_until: float = 28.0, biweekly_until: float = 84.0, monthly_every: float = 28.0,
               followup_days: float = 364.0) -> np.ndarray:
    """Visit days after the start of treatment (day 0, the baseline count, is not listed).

    Weekly to ``weekly_until``, every 14 days to ``biweekly_until``, then every ``monthly_every``
    days up to ``followup_days``. The default is weekly for 4 weeks, every 2 weeks to 12 weeks,
    then every 4 weeks to week 52 (18 visits).

    Returns
    -------
    numpy.ndarray
        Strictly increasing days.
    """
    weekly = np.arange(7.0, weekly_until + 1e-9, 7.0)
    start = weekly[-1] if weekly.size else 0.0
    biweekly = np.arange(start + 14.0, biweekly_until + 1e-9, 14.0)
    start = biweekly[-1] if biweekly.size else start
    monthly = np.arange(start + monthly_every, followup_days + 1e-9, monthly_every)
    return np.concatenate([weekly, biweekly, monthly])
