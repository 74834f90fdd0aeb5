"""Trough-guided sirolimus dose adjustment (therapeutic drug monitoring, TDM).

Each patient starts on the BSA dose of :class:`~simtrial.models.sirolimus_pk.SirolimusPK`. On
every sampling day a trough is measured (true trough times lognormal error); the result comes
back ``turnaround_days`` later and, if it is outside the window (5-15 ng/mL; Teachey et al.,
Blood 2008;112:2569; Bride 2016; the letter) and the dose has been kept at least
``min_days_between_changes`` days (7-14, Rapamune prescribing information), the dose becomes
``current x target / measured`` (the label rule), capped and rounded to a givable dose.

The output, :class:`DoseHistory`, is piecewise constant: one steady-state trough per dose
segment. Sirolimus reaches steady state in about 2-6 days (half-life 9.7-11.8 h in children:
Schachter et al. 2004; Buck 2006), fast against the weeks-long drug effect; the measured troughs
do include the approach to steady state after a change.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

from simtrial._core.validation import Boolean, Interval, Sequence, ValidationError, Validated
from simtrial.models.sirolimus_pk import PatientPK, _lognormal_sigma, round_givable

__all__ = ["TDMPolicy", "DoseHistory", "run_tdm"]


def _default_sample_days() -> list[float]:
    return [7.0, 14.0, 28.0, 42.0, 56.0, 70.0, 84.0]


@dataclass(frozen=True)
class TDMPolicy(Validated):
    """Trough sampling and dose-adjustment rule.

    Attributes
    ----------
    sample_days : list of float
        Early sampling days: 7, 14, then every 14 days to day 84 (study convention, not sourced;
        the label asks for a level 7-14 days after each change).
    late_interval_days : float
        Interval after the last early sample ("monthly"), 28 days.
    assay_cv : float
        CV of a measured trough around the true one, 0.299: the exponential residual error of
        Jiao et al. 2009, which lumps assay error and day-to-day variation.
    turnaround_days : float
        Days from sampling to the dose change, 2 (assumption, not sourced).
    target_trough : float
        10 ng/mL, the middle of the window.
    window_low, window_high : float
        5-15 ng/mL (Teachey et al. 2008; Bride 2016; the letter).
    adjust_only_outside_window : bool
        True: change the dose only when the measured trough is outside the window.
    min_days_between_changes : float
        7 days (Rapamune label: keep a dose 7-14 days before the next change).
    max_dose_mg_m2_day : float
        Cap, 8 mg/m^2/day: the NF1 TDM trial's highest dose was 3.85 mg/m^2 twice daily
        (Scott et al., abstract).
    adherence : float
        Probability that each dose is taken, 1. Average exposure (the segment trough) scales by
        it; a measured trough also reflects which of the last doses were missed.
    adherence_memory_doses : int
        Number of most recent doses drawn individually for a measured trough, 14; older doses
        enter at their expectation.
    """

    sample_days: list[float] = field(default_factory=_default_sample_days)
    late_interval_days: float = 28.0
    assay_cv: float = 0.299
    turnaround_days: float = 2.0
    target_trough: float = 10.0
    window_low: float = 5.0
    window_high: float = 15.0
    adjust_only_outside_window: bool = True
    min_days_between_changes: float = 7.0
    max_dose_mg_m2_day: float = 8.0
    adherence: float = 1.0
    adherence_memory_doses: int = 14

    _constraints = {
        "sample_days": Sequence(Interval(float, 0.0, 3650.0, "right"), min_len=1, max_len=1000, increasing=True),
        "late_interval_days": Interval(float, 0.0, 3650.0, "right"),
        "assay_cv": Interval(float, 0.0, 3.0),
        "turnaround_days": Interval(float, 0.0, 365.0),
        "target_trough": Interval(float, 0.0, 1000.0, "right"),
        "window_low": Interval(float, 0.0, 1000.0, "right"),
        "window_high": Interval(float, 0.0, 1000.0, "right"),
        "adjust_only_outside_window": Boolean(),
        "min_days_between_changes": Interval(float, 0.0, 365.0),
        "max_dose_mg_m2_day": Interval(float, 0.0, 100.0, "right"),
        "adherence": Interval(float, 0.0, 1.0, "right"),
        "adherence_memory_doses": Interval(int, 1, 100),
    }

    def _check(self) -> None:
        if not self.window_low < self.target_trough < self.window_high:
            raise ValidationError(
                "target_trough", "need 0 < window_low < target_trough < window_high",
                (self.window_low, self.target_trough, self.window_high))

    def schedule(self, horizon_days: float) -> np.ndarray:
        """Sampling days up to and including ``horizon_days``."""
        early = np.asarray(self.sample_days, dtype=float)
        last = early[-1]
        n_late = max(int(np.floor((horizon_days - last) / self.late_interval_days)), 0)
        late = last + self.late_interval_days * np.arange(1, n_late + 1)
        days = np.concatenate([early, late])
        return days[days <= horizon_days]


@dataclass(frozen=True)
class DoseHistory:
    """Per-patient dose segments and TDM samples from :func:`run_tdm`.

    Attributes
    ----------
    change_days : (n, n_segments) float
        Start day of each segment; column 0 is day 0; unused entries are ``+inf``.
    dose_mg_day : (n, n_segments) float
        Daily dose of each segment (0 after ``stop_day`` and in unused entries).
    trough : (n, n_segments) float
        True steady-state trough of each segment times adherence (ng/mL); 0 after the stop.
    sample_days : (n_samples,) float
        Scheduled sampling days.
    measured : (n, n_samples) float
        Measured troughs; NaN where no sample was taken (after ``stop_day``).
    sampled : (n, n_samples) bool
        Whether each sample was taken.
    stop_day : (n,) float
        Day the drug stopped (``inf`` = never within the horizon).
    horizon_days : float
    """

    change_days: np.ndarray
    dose_mg_day: np.ndarray
    trough: np.ndarray
    sample_days: np.ndarray
    measured: np.ndarray
    sampled: np.ndarray
    stop_day: np.ndarray
    horizon_days: float

    def __len__(self) -> int:
        return int(self.change_days.shape[0])

    @property
    def n_changes(self) -> np.ndarray:
        """Number of dose changes per patient (the stop counts as one)."""
        return np.sum(np.isfinite(self.change_days), axis=1) - 1

    def _at(self, values: np.ndarray, days) -> np.ndarray:
        d = np.asarray(days, dtype=float)
        if d.ndim > 1 or np.any(np.isnan(d)):
            raise ValueError("days: must be a one-dimensional array of days without NaN")
        d = np.atleast_1d(d)
        out = np.broadcast_to(values[:, :1], (len(self), d.size)).copy()
        out[:, d < 0] = 0.0
        for s in range(1, self.change_days.shape[1]):
            on = self.change_days[:, s, None] <= d[None, :]
            np.copyto(out, values[:, s, None], where=on)
        return out

    def trough_at(self, days) -> np.ndarray:
        """True trough in force (ng/mL) at ``days``, shape ``(n_patients, n_days)``.

        0 before day 0."""
        return self._at(self.trough, days)

    def dose_at(self, days) -> np.ndarray:
        """Daily dose in force (mg/day) at ``days``, shape ``(n_patients, n_days)``."""
        return self._at(self.dose_mg_day, days)


def _stop_days(stop_day, n: int) -> np.ndarray:
    if stop_day is None:
        return np.full(n, np.inf)
    s = np.asarray(stop_day, dtype=float)
    if s.ndim == 0:
        s = np.full(n, float(s))
    if s.shape != (n,) or np.any(np.isnan(s)) or np.any(s < 0):
        raise ValueError(
            f"stop_day: must be None, a number or an array of {n} days >= 0 (inf = never)"
        )
    return s


def run_tdm(
    patients_pk: PatientPK,
    policy: TDMPolicy,
    horizon_days: float,
    rng: np.random.Generator,
    *,
    stop_day=None,
) -> DoseHistory:
    """Simulate trough-guided dosing for all patients at once (a loop over sampling days only).

    Parameters
    ----------
    patients_pk : PatientPK
        Individual PK and starting doses (:func:`~simtrial.models.sirolimus_pk.sample_pk`).
    policy : TDMPolicy
    horizon_days : float
        Last day simulated (> 0).
    rng : numpy.random.Generator
    stop_day : None, float or array of shape (n,)
        Day sirolimus stops (trough 0 from then on; no samples after it); ``inf`` = never.

    Returns
    -------
    DoseHistory
    """
    policy.validate()
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng: must be a numpy.random.Generator")
    h = float(horizon_days) if np.isscalar(horizon_days) else np.nan
    if not (np.isfinite(h) and h > 0):
        raise ValueError(f"horizon_days: must be a finite number > 0, got {horizon_days!r}")
    pp = patients_pk
    n = len(pp)
    stop = _stop_days(stop_day, n)
    days = policy.schedule(h)
    n_occ = days.size

    per_mg = pp.trough_per_mg_day
    k = pp.k_per_day
    dpd = pp.doses_per_day
    step = pp.dose_step_mg
    # the largest givable dose not above the cap (at least one step per administration)
    cap_steps = np.floor(policy.max_dose_mg_m2_day * pp.bsa_m2 / dpd / step + 1e-9)
    cap = np.maximum(cap_steps, 1.0) * step * dpd
    start = np.minimum(np.asarray(pp.start_dose_mg_day, dtype=float), cap)

    n_seg = n_occ + 2
    change_days = np.full((n, n_seg), np.inf)
    dose = np.zeros((n, n_seg))
    change_days[:, 0] = 0.0
    dose[:, 0] = start
    count = np.ones(n, dtype=np.intp)
    rows_all = np.arange(n)

    current = start.copy()
    last_change = np.zeros(n)
    level_at_change = np.zeros(n)  # full-adherence trough level when the current dose began
    measured = np.full((n, n_occ), np.nan)
    sampled = np.zeros((n, n_occ), dtype=bool)
    sigma = _lognormal_sigma(policy.assay_cv)
    p = policy.adherence
    if p < 1:
        q = np.exp(-k / dpd)  # decay over one dosing interval
        mem = policy.adherence_memory_doses
        weights = (1.0 - q)[:, None] * q[:, None] ** np.arange(mem)[None, :]
        tail = q**mem

    pending_day = np.full(n, np.inf)  # a decided change not yet in force (lab turnaround)
    pending_dose = np.zeros(n)

    def apply_pending(due: np.ndarray) -> None:
        rows = rows_all[due]
        if rows.size == 0:
            return
        day = pending_day[rows]
        target_level = current[rows] * per_mg[rows]
        level_at_change[rows] = target_level + (level_at_change[rows] - target_level) * np.exp(
            -k[rows] * (day - last_change[rows])
        )
        current[rows] = pending_dose[rows]
        last_change[rows] = day
        change_days[rows, count[rows]] = day
        dose[rows, count[rows]] = pending_dose[rows]
        count[rows] += 1
        pending_day[rows] = np.inf

    for j, s in enumerate(days):
        apply_pending(pending_day <= s)
        active = s < stop
        target_level = current * per_mg
        level = target_level + (level_at_change - target_level) * np.exp(-k * (s - last_change))
        if p < 1:
            taken = rng.random((n, mem)) < p
            level = level * (np.sum(taken * weights, axis=1) + p * tail)
        obs = level * np.exp(sigma * rng.standard_normal(n))
        measured[active, j] = obs[active]
        sampled[:, j] = active

        effective = s + policy.turnaround_days
        outside = (obs < policy.window_low) | (obs > policy.window_high)
        eligible = (
            active
            & np.isinf(pending_day)
            & (effective < stop)
            & (effective <= h)
            & (effective - last_change >= policy.min_days_between_changes)
        )
        if policy.adjust_only_outside_window:
            eligible &= outside
        with np.errstate(divide="ignore", over="ignore"):
            proposal = current * policy.target_trough / np.where(eligible, obs, 1.0)
        proposal = np.where(eligible, np.minimum(proposal, cap), current)
        proposal = np.minimum(round_givable(proposal / dpd, step) * dpd, cap)
        change = eligible & (np.abs(proposal - current) > 1e-9)
        pending_day[change] = effective
        pending_dose[change] = proposal[change]

    apply_pending(pending_day <= h)

    stopping = stop <= h
    rows = rows_all[stopping]
    # a stop replaces any change scheduled at or after it (none are, by construction)
    change_days[rows, count[rows]] = stop[rows]
    dose[rows, count[rows]] = 0.0
    count[rows] += 1

    used = int(count.max())
    change_days = change_days[:, :used]
    dose = dose[:, :used]
    trough = dose * per_mg[:, None] * p
    return DoseHistory(
        change_days=change_days,
        dose_mg_day=dose,
        trough=trough,
        sample_days=days,
        measured=measured,
        sampled=sampled,
        stop_day=stop,
        horizon_days=h,
    )
