"""Stochastic platelet counts around the drug-driven mean path.

``log P_true(t) = log m(P0, D_total(t)) + X(t)``, with ``m`` the saturating mean count
:func:`simtrial.models.parameters.count_from_log_fold` (``~ P0 e^D`` well below ``P_max``), and ``D_total = D_sirolimus + D_mmf`` (the two
drugs act independently on the immune destruction rate, so their log-fold rises add) and ``X`` a
stationary Ornstein-Uhlenbeck process on the log scale (biological day-to-day variation). A
measured count adds lognormal measurement error: ``log Y = log P_true + e``. ``m(P0, D_total)``
is the median (geometric-mean) path, called the *mean path* throughout, as in
:func:`simtrial.models.parameters.days_to_threshold`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from simtrial._core.validation import Interval, Validated
from simtrial.models.effect import (
    MMF_EXPOSURE_RESPONSE,
    SIROLIMUS_EXPOSURE_RESPONSE,
    ExposureResponse,
    PatientEffects,
    effect_path,
)
from simtrial.models.parameters import count_from_log_fold

__all__ = [
    "PlateletNoise",
    "PlateletResult",
    "mean_path",
    "sample_ou",
    "simulate_counts",
    "simulate_platelets",
]


@dataclass(frozen=True)
class PlateletNoise(Validated):
    """Day-to-day variation and measurement error of the platelet count.

    Parameters
    ----------
    sd : float
        Stationary standard deviation of the log-scale Ornstein-Uhlenbeck process ``X`` (>= 0).
        0.18 (a biological CV of about 18%) puts the total day-to-day CV, with measurement error,
        at about 20%, the middle of the 10-30% seen in ITP (an assumption of the design, not a
        fitted value).
    rate : float
        Mean-reversion rate of ``X`` (1/day, > 0); ``1/rate`` is the correlation time. 1/7: a
        correlation time of about a week (stated assumption; platelet survival in ITP is
        1.6-3.6 days, Louwes et al., Am J Med 1999, and immune activity drifts more slowly).
    measurement_cv : float
        Coefficient of variation of the lognormal measurement error (>= 0). 0.093: the
        proportional residual of the ITP turnover model of Petrov et al., Clin Pharmacol Drug Dev
        2025 (within-subject CV 6.7-8.6% over a year in healthy adults, Arch Pathol Lab Med 1992).
    """

    sd: float = 0.18
    rate: float = 1.0 / 7.0
    measurement_cv: float = 0.093

    _constraints = {
        # Log scale: an SD of 5 is a 150-fold day-to-day swing.
        "sd": Interval(float, 0.0, 5.0),
        # 1/day: from a correlation time of about 3 years to one of 15 minutes.
        "rate": Interval(float, 1e-3, 100.0),
        "measurement_cv": Interval(float, 0.0, 3.0),
    }

    @property
    def measurement_sd(self) -> float:
        """Log-scale SD of the measurement error, ``sqrt(log(1 + cv^2))``."""
        return math.sqrt(math.log1p(self.measurement_cv**2))

    @property
    def total_sd(self) -> float:
        """Log-scale SD of a single measured count around the mean path."""
        return math.hypot(self.sd, self.measurement_sd)


#: No variability at all: counts equal the mean path.
NO_NOISE = PlateletNoise(sd=0.0, rate=1.0, measurement_cv=0.0)


@dataclass(frozen=True)
class PlateletResult:
    """Simulated platelet series for a set of patients.

    Attributes
    ----------
    days : numpy.ndarray, shape (n_patients, n_days)
        Visit days (day 0 = start of treatment).
    counts : numpy.ndarray, shape (n_patients, n_days)
        Measured counts (10^9/L), never negative or NaN.
    mean_counts : numpy.ndarray, shape (n_patients, n_days)
        Mean (median) path ``P0 exp(D_total)``.
    baseline : numpy.ndarray, shape (n_patients,)
        Measured count at day 0, the criteria's baseline.
    d_total : numpy.ndarray, shape (n_patients, n_days)
        Log-fold rise of the mean count, ``D_sirolimus + D_mmf``.
    """

    days: np.ndarray
    counts: np.ndarray
    mean_counts: np.ndarray
    baseline: np.ndarray
    d_total: np.ndarray


def _check_days(days, n: int | None = None) -> np.ndarray:
    days = np.asarray(days, dtype=float)
    if days.ndim == 1 and n is not None:
        days = np.broadcast_to(days, (n, days.shape[0]))
    if days.ndim != 2 or (n is not None and days.shape[0] != n):
        raise ValueError(
            f"days: must have shape (n_days,) or (n_patients, n_days); got {days.shape}"
        )
    if not np.all(np.isfinite(days)):
        raise ValueError("days: must be finite")
    if np.any(np.diff(days, axis=1) < 0):
        raise ValueError("days: must be non-decreasing along each row")
    return days


def _check_p0(p0, n: int | None = None) -> np.ndarray:
    p0 = np.atleast_1d(np.asarray(p0, dtype=float))
    if n is not None:
        try:
            p0 = np.broadcast_to(p0, (n,))
        except ValueError:
            raise ValueError(f"p0: must be a scalar or have shape ({n},); got {p0.shape}") from None
    if p0.ndim != 1 or not np.all(np.isfinite(p0) & (p0 > 0)):
        raise ValueError("p0: must be finite and > 0 (10^9/L), one per patient or a scalar")
    return p0


def mean_path(p0, d_total) -> np.ndarray:
    """Mean (median) count ``P0 e^D / (1 + (P0/P_max)(e^D - 1))`` (saturating at ``P_max``;
    see :func:`simtrial.models.parameters.count_from_log_fold`).

    Parameters
    ----------
    p0 : array_like, shape (n_patients,) or scalar
        Baseline mean count (10^9/L, > 0).
    d_total : array_like, shape (n_patients, n_days)
        Log-fold rise (sum over drugs).

    Returns
    -------
    numpy.ndarray, shape (n_patients, n_days)
    """
    d_total = np.asarray(d_total, dtype=float)
    if d_total.ndim != 2 or not np.all(np.isfinite(d_total)):
        raise ValueError(
            f"d_total: must be finite of shape (n_patients, n_days); got {d_total.shape}"
        )
    p0 = _check_p0(p0, d_total.shape[0])
    return count_from_log_fold(p0[:, None], d_total)


def sample_ou(days, sd: float, rate: float, rng: np.random.Generator, z=None) -> np.ndarray:
    """Stationary Ornstein-Uhlenbeck process sampled exactly at irregular days.

    ``X(t_0) ~ N(0, sd^2)``; ``X(t_{k+1}) = a X(t_k) + sd sqrt(1 - a^2) z``, ``a = exp(-rate dt)``.

    Parameters
    ----------
    days : array_like, shape (n_patients, n_days)
        Non-decreasing visit days per patient.
    sd : float
        Stationary SD (>= 0).
    rate : float
        Mean-reversion rate (1/day, > 0).
    rng : numpy.random.Generator
        Used unless ``z`` is given.
    z : array_like, shape (n_patients, n_days), optional
        Pre-drawn standard normals (common random numbers).

    Returns
    -------
    numpy.ndarray, shape (n_patients, n_days)
    """
    PlateletNoise(sd=float(sd), rate=float(rate), measurement_cv=0.0)  # validates sd, rate
    days = _check_days(days)
    if z is None:
        if not isinstance(rng, np.random.Generator):
            raise ValueError("rng: a numpy.random.Generator is required when z is not given")
        z = rng.standard_normal(days.shape)
    z = np.asarray(z, dtype=float)
    if z.shape != days.shape:
        raise ValueError(f"z: must have the shape of days {days.shape}; got {z.shape}")
    a = np.exp(-rate * np.diff(days, axis=1))
    innovation_sd = sd * np.sqrt(-np.expm1(-2.0 * rate * np.diff(days, axis=1)))
    x = np.empty(days.shape)
    if days.shape[1] == 0:
        return x
    x[:, 0] = sd * z[:, 0]
    for k in range(1, days.shape[1]):
        x[:, k] = a[:, k - 1] * x[:, k - 1] + innovation_sd[:, k - 1] * z[:, k]
    return x


def simulate_counts(
    days,
    p0,
    d_total_mean,
    noise: PlateletNoise = PlateletNoise(),
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """Measured counts around the mean path.

    ``log Y = log P0 + D_total + X + e``, ``X`` Ornstein-Uhlenbeck (:func:`sample_ou`),
    ``e ~ N(0, noise.measurement_sd^2)`` independent per visit.

    Parameters
    ----------
    days : array_like, shape (n_days,) or (n_patients, n_days)
        Non-decreasing visit days.
    p0 : array_like, shape (n_patients,) or scalar
        Baseline mean count (10^9/L, > 0).
    d_total_mean : array_like, shape (n_patients, n_days)
        Log-fold rise of the mean count at those days.
    noise : PlateletNoise
        Variability.
    rng : numpy.random.Generator
        Source of randomness (draws ``2 * n_patients * n_days`` standard normals).

    Returns
    -------
    numpy.ndarray, shape (n_patients, n_days)
        Counts (10^9/L): positive, never NaN.
    """
    if not isinstance(noise, PlateletNoise):
        raise ValueError(f"noise: must be a PlateletNoise; got {type(noise).__name__}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng: must be a numpy.random.Generator")
    log_mean = np.log(mean_path(p0, d_total_mean))
    days = _check_days(days, log_mean.shape[0])
    if days.shape != log_mean.shape:
        raise ValueError(
            f"d_total_mean: must have the shape of days {days.shape}; got {log_mean.shape}"
        )
    z = rng.standard_normal((2,) + days.shape)
    x = sample_ou(days, noise.sd, noise.rate, rng, z=z[0])
    return np.exp(log_mean + x + noise.measurement_sd * z[1])


def _segments(value, drug: str) -> tuple[np.ndarray, np.ndarray]:
    """``(change_days, exposure)`` from a tuple or a dose-history-like object."""
    if isinstance(value, tuple) and len(value) == 2:
        return value
    for name in ("exposure", "trough", "auc"):
        if hasattr(value, "change_days") and hasattr(value, name):
            return value.change_days, getattr(value, name)
    raise ValueError(
        f"{drug}_segments: must be a (change_days, exposure) tuple or an object with change_days "
        f"and one of exposure/trough/auc; got {type(value).__name__}"
    )


def simulate_platelets(
    days,
    patient_effects: Mapping[str, PatientEffects],
    p0,
    sirolimus_segments=None,
    mmf_segments=None,
    *,
    rng: np.random.Generator,
    sirolimus_er: ExposureResponse = SIROLIMUS_EXPOSURE_RESPONSE,
    mmf_er: ExposureResponse = MMF_EXPOSURE_RESPONSE,
    noise: PlateletNoise = PlateletNoise(),
) -> PlateletResult:
    """Platelet series for many patients on sirolimus and/or MMF.

    Parameters
    ----------
    days : array_like, shape (n_days,) or (n_patients, n_days)
        Non-decreasing visit days (day 0 = start of treatment). Day 0 is simulated even when not
        listed, to give the baseline.
    patient_effects : mapping
        ``{"sirolimus": PatientEffects, "mmf": PatientEffects}``; only drugs with segments are
        needed (see :func:`simtrial.models.effect.sample_population_effects`).
    p0 : array_like, shape (n_patients,) or scalar
        Baseline mean count (10^9/L, > 0).
    sirolimus_segments, mmf_segments : optional
        ``(change_days, exposure)`` arrays of shape (n_patients, n_segments), ``change_days``
        padded with ``+inf``; or an object with ``change_days`` and ``trough`` / ``auc`` /
        ``exposure`` (the ``DoseHistory`` of :mod:`simtrial.models.tdm`). None: drug not given.
    rng : numpy.random.Generator
        Source of randomness.
    sirolimus_er, mmf_er : ExposureResponse
        Exposure-response of each drug.
    noise : PlateletNoise
        Variability (``NO_NOISE`` for the mean path itself).

    Returns
    -------
    PlateletResult
    """
    if not isinstance(patient_effects, Mapping):
        raise ValueError("patient_effects: must be a mapping {'sirolimus': ..., 'mmf': ...}")
    given = {"sirolimus": (sirolimus_segments, sirolimus_er), "mmf": (mmf_segments, mmf_er)}
    given = {k: v for k, v in given.items() if v[0] is not None}
    n = None
    for drug in given:
        eff = patient_effects.get(drug)
        if not isinstance(eff, PatientEffects):
            raise ValueError(
                f"patient_effects['{drug}']: must be a PatientEffects (segments were given)"
            )
        if n is not None and eff.n_patients != n:
            raise ValueError("patient_effects: every drug must have the same number of patients")
        n = eff.n_patients
    if n is None:
        n = np.atleast_1d(np.asarray(p0)).shape[0]
        if np.ndim(days) == 2:
            n = np.shape(days)[0]
    p0 = _check_p0(p0, n)
    days = _check_days(days, n)
    # Simulate on the visit days plus day 0 (kept after any listed day 0; dt = 0 there leaves
    # the process unchanged), so the baseline is the measured count at day 0.
    n_days = days.shape[1]
    grid = np.concatenate([days, np.zeros((n, 1))], axis=1)
    order = np.argsort(grid, axis=1, kind="stable")
    grid = np.take_along_axis(grid, order, axis=1)
    d_total = np.zeros(grid.shape)
    for drug, (segments, er) in given.items():
        change_days, exposure = _segments(segments, drug)
        eff = patient_effects[drug]
        d_total += effect_path(grid, change_days, exposure, eff.d_ss, eff.ke0, er)
    counts = simulate_counts(grid, p0, d_total, noise, rng)
    visit = order < n_days  # positions that hold listed visits, in sorted order
    first_zero = np.argmax(grid == 0.0, axis=1)
    baseline = counts[np.arange(n), first_zero]
    keep = visit.nonzero()
    shape = (n, n_days)
    d_visits = d_total[keep].reshape(shape)
    return PlateletResult(
        days=np.array(days),
        counts=counts[keep].reshape(shape),
        mean_counts=mean_path(p0, d_visits),
        baseline=baseline,
        d_total=d_visits,
    )
