"""Sirolimus pharmacokinetics: one-compartment oral model, BSA dosing, steady-state trough.

Model (parameter sources in :class:`SirolimusPK` and ``docs/models-pk.md``)::

    CL/F_i = CL_70 (W/70)^0.75 * A^h / (A50^h + A^h) * exp(eta_CL)     (Mizuno et al. 2015)
    V/F_i  = V_16 (W/16) * exp(eta_V)                                  (Front Pharmacol 2024)
    ka     = 0.752 /h (fixed)                                           (Jiao et al. 2009)

One dose ``D`` (mg) gives ``C(t) = D ka / (V (ka - k)) (exp(-k t) - exp(-ka t))`` with
``k = CL/V``; repeated doses every ``tau`` hours superpose as geometric series, so concentrations
after any number of doses, and the steady-state trough, are closed form. Concentrations are in
ng/mL (mg/L x 1000).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from simtrial._core.validation import Interval, Options, Validated
from simtrial.models.population import Patients

__all__ = [
    "SirolimusPK",
    "PatientPK",
    "typical_cl",
    "typical_v",
    "sample_pk",
    "concentration",
    "trough_ss",
    "round_givable",
    "dose_mg_day",
    "observe",
]

FORMULATIONS: tuple[str, ...] = ("solution", "tablet")
# |ka - k| / ka below this uses the ka == k limit of the Bateman function (cancellation guard).
_DEGENERATE = 1e-7


def _lognormal_sigma(cv: float) -> float:
    return float(np.sqrt(np.log1p(cv * cv)))


@dataclass(frozen=True)
class SirolimusPK(Validated):
    """Population PK and dosing of oral sirolimus in children.

    Attributes
    ----------
    cl_l_h_70kg : float
        Mature CL/F per 70 kg, 20.4 L/h (Mizuno et al., CPT Pharmacometrics Syst Pharmacol
        2015, PMC4360665).
    cl_weight_exponent : float
        Allometric exponent of CL/F on weight, 0.75 (Mizuno et al. 2015).
    age50_years : float
        Age at half-mature CL/F, 0.44 y (Mizuno et al. 2015).
    maturation_hill : float
        Hill coefficient of the maturation function; 1 (a plain Emax, as the brief states; the
        coefficient is not in our reference sheet).
    v_l_ref : float
        V/F at the reference weight, 155 L (Front Pharmacol 2024;1457614).
    v_ref_weight_kg : float
        Reference weight of V/F, 16 kg (same source); V/F is linear in weight.
    ka_per_h : float
        Absorption rate, 0.752 /h, fixed (Jiao et al. 2009).
    cl_cv : float
        Between-patient CV of CL/F, 0.238 (Jiao et al. 2009). The NF1 data (Scott et al.:
        11.8 +- 4.6 L/h, CV 39%, r^2 0.65 with BSA) leave 39% x sqrt(0.35) = 23% unexplained by
        size, which agrees; Scott's raw SD would count the size effect twice.
    v_cv : float
        Between-patient CV of V/F, 0.567 (Jiao et al. 2009).
    residual_cv : float
        Exponential residual error of an observed concentration, 0.299 (Jiao et al. 2009).
    start_dose_mg_m2_day : float
        Starting dose, 2.25 mg/m^2/day (the middle of 2-2.5: Bride 2016; the letter).
    doses_per_day : int
        1 (once daily, the Rapamune label) or 2.
    formulation : str
        ``"solution"`` (1 mg/mL oral solution, measured to ``solution_step_mg``) or ``"tablet"``
        (0.5 and 1 mg tablets, so multiples of ``tablet_step_mg``).
    solution_step_mg : float
        0.1 mg (0.1 mL of 1 mg/mL).
    tablet_step_mg : float
        0.5 mg (smallest tablet).
    """

    cl_l_h_70kg: float = 20.4
    cl_weight_exponent: float = 0.75
    age50_years: float = 0.44
    maturation_hill: float = 1.0
    v_l_ref: float = 155.0
    v_ref_weight_kg: float = 16.0
    ka_per_h: float = 0.752
    cl_cv: float = 0.238
    v_cv: float = 0.567
    residual_cv: float = 0.299
    start_dose_mg_m2_day: float = 2.25
    doses_per_day: int = 1
    formulation: str = "solution"
    solution_step_mg: float = 0.1
    tablet_step_mg: float = 0.5

    _constraints = {
        "cl_l_h_70kg": Interval(float, 0.0, 1000.0, "right"),
        "cl_weight_exponent": Interval(float, 0.0, 2.0),
        "age50_years": Interval(float, 0.0, 50.0, "right"),
        "maturation_hill": Interval(float, 0.0, 20.0, "right"),
        "v_l_ref": Interval(float, 0.0, 10_000.0, "right"),
        "v_ref_weight_kg": Interval(float, 0.0, 200.0, "right"),
        "ka_per_h": Interval(float, 0.0, 100.0, "right"),
        "cl_cv": Interval(float, 0.0, 3.0),
        "v_cv": Interval(float, 0.0, 3.0),
        "residual_cv": Interval(float, 0.0, 3.0),
        "start_dose_mg_m2_day": Interval(float, 0.0, 100.0, "right"),
        "doses_per_day": Options(1, 2),
        "formulation": Options(*FORMULATIONS),
        "solution_step_mg": Interval(float, 0.0, 10.0, "right"),
        "tablet_step_mg": Interval(float, 0.0, 10.0, "right"),
    }

    @property
    def dose_step_mg(self) -> float:
        """Smallest givable increment of one administration (mg)."""
        return self.solution_step_mg if self.formulation == "solution" else self.tablet_step_mg

    @property
    def tau_h(self) -> float:
        """Dosing interval (h)."""
        return 24.0 / self.doses_per_day


def typical_cl(weight_kg, age_years, pk: SirolimusPK) -> np.ndarray:
    """Typical CL/F (L/h): allometric on weight with Emax maturation on age (Mizuno 2015)."""
    w = np.asarray(weight_kg, dtype=float)
    a = np.asarray(age_years, dtype=float)
    if np.any(~np.isfinite(w)) or np.any(w <= 0):
        raise ValueError("weight_kg: must be finite and > 0")
    if np.any(~np.isfinite(a)) or np.any(a < 0):
        raise ValueError("age_years: must be finite and >= 0")
    ah = a**pk.maturation_hill
    maturation = ah / (pk.age50_years**pk.maturation_hill + ah)
    return pk.cl_l_h_70kg * (w / 70.0) ** pk.cl_weight_exponent * maturation


def typical_v(weight_kg, pk: SirolimusPK) -> np.ndarray:
    """Typical V/F (L), linear in weight (Front Pharmacol 2024: 155 L at 16 kg)."""
    w = np.asarray(weight_kg, dtype=float)
    if np.any(~np.isfinite(w)) or np.any(w <= 0):
        raise ValueError("weight_kg: must be finite and > 0")
    return pk.v_l_ref * w / pk.v_ref_weight_kg


def round_givable(dose_mg, step_mg: float) -> np.ndarray:
    """Round one administration to the nearest multiple of ``step_mg``, at least one step.

    A zero dose stays zero (drug stopped).
    """
    d = np.asarray(dose_mg, dtype=float)
    if np.any(~np.isfinite(d)) or np.any(d < 0):
        raise ValueError("dose_mg: must be finite and >= 0")
    if not (np.isfinite(step_mg) and step_mg > 0):
        raise ValueError(f"step_mg: must be > 0, got {step_mg!r}")
    # the small offset makes exact halves round up, as a pharmacist would
    r = np.maximum(np.floor(d / step_mg + 0.5 + 1e-9), 1.0) * step_mg
    return np.where(d > 0, r, 0.0)


def dose_mg_day(bsa_m2, mg_m2_day, pk: SirolimusPK) -> np.ndarray:
    """Givable daily dose (mg/day) for a BSA-based prescription.

    Each administration ``bsa * mg_m2_day / doses_per_day`` is rounded to the formulation's
    step (:func:`round_givable`); the daily dose is that times ``doses_per_day``.
    """
    bsa = np.asarray(bsa_m2, dtype=float)
    rate = np.asarray(mg_m2_day, dtype=float)
    if np.any(~np.isfinite(bsa)) or np.any(bsa <= 0):
        raise ValueError("bsa_m2: must be finite and > 0")
    if np.any(~np.isfinite(rate)) or np.any(rate < 0):
        raise ValueError("mg_m2_day: must be finite and >= 0")
    per_dose = round_givable(bsa * rate / pk.doses_per_day, pk.dose_step_mg)
    return per_dose * pk.doses_per_day


def _geometric(rate, t_since_last, m, tau):
    """``sum_{j<m} exp(-rate (t_since_last + j tau))`` with ``m`` possibly infinite."""
    q_m = np.where(np.isinf(m), 0.0, np.exp(-rate * np.where(np.isinf(m), 0.0, m) * tau))
    return np.exp(-rate * t_since_last) * (1.0 - q_m) / -np.expm1(-rate * tau)


def _geometric_t(rate, t_since_last, m, tau):
    """``sum_{j<m} (t_since_last + j tau) exp(-rate (t_since_last + j tau))`` (the ka = k limit)."""
    q = np.exp(-rate * tau)
    one_q = -np.expm1(-rate * tau)
    finite = ~np.isinf(m)
    mm = np.where(finite, m, 1.0)
    q_m = np.where(finite, q**mm, 0.0)
    s0 = (1.0 - q_m) / one_q
    s1 = np.where(finite, q * (1.0 - mm * q ** (mm - 1.0) + (mm - 1.0) * q_m), q) / one_q**2
    return np.exp(-rate * t_since_last) * (t_since_last * s0 + tau * s1)


def concentration(t_h, dose_mg, tau_h, cl_l_h, v_l, ka_per_h, n_doses=np.inf) -> np.ndarray:
    """Concentration (ng/mL) after doses of ``dose_mg`` at 0, tau, ..., (n_doses - 1) tau.

    Closed-form superposition of one-compartment first-order-absorption doses; all arguments
    broadcast (e.g. per-patient parameters of shape ``(n, 1)`` against times ``(n_t,)``).
    Concentration is 0 before the first dose.

    Parameters
    ----------
    t_h : array_like
        Time since the first dose (h).
    dose_mg : array_like
        Amount of each administration (mg, >= 0).
    tau_h : array_like
        Dosing interval (h, > 0).
    cl_l_h, v_l, ka_per_h : array_like
        Apparent clearance (L/h), apparent volume (L), absorption rate (1/h); all > 0.
    n_doses : array_like
        Number of doses given (>= 1; ``inf`` for an unending regimen).
    """
    t, d, tau, cl, v, ka, m = np.broadcast_arrays(
        *(np.asarray(x, dtype=float) for x in (t_h, dose_mg, tau_h, cl_l_h, v_l, ka_per_h, n_doses))
    )
    for name, x, lo in (("dose_mg", d, 0.0), ("n_doses", m, 1.0)):
        if np.any(np.isnan(x)) or np.any(x < lo):
            raise ValueError(f"{name}: must be >= {lo:g}")
    for name, x in (("tau_h", tau), ("cl_l_h", cl), ("v_l", v), ("ka_per_h", ka)):
        if np.any(~np.isfinite(x)) or np.any(x <= 0):
            raise ValueError(f"{name}: must be finite and > 0")
    if np.any(np.isnan(t)):
        raise ValueError("t_h: must not be NaN")
    started = t >= 0
    ts = np.where(started, t, 0.0)
    n_given = np.minimum(np.floor(ts / tau) + 1.0, m)
    c = _superpose(ts - (n_given - 1.0) * tau, n_given, d, tau, cl, v, ka)
    return np.where(started, c, 0.0)


def _superpose(t_last, m, d, tau, cl, v, ka):
    """Concentration (ng/mL) ``t_last`` h after the last of ``m`` doses (``m`` may be inf)."""
    k = cl / v
    delta = ka - k
    degenerate = np.abs(delta) <= _DEGENERATE * ka
    safe_delta = np.where(degenerate, 1.0, delta)
    with np.errstate(invalid="ignore", over="ignore"):
        bateman = ka / safe_delta * (_geometric(k, t_last, m, tau) - _geometric(ka, t_last, m, tau))
        limit = ka * _geometric_t(k, t_last, m, tau)
    return 1000.0 * d / v * np.where(degenerate, limit, bateman)


def trough_ss(dose_mg_day_, doses_per_day, cl_l_h, v_l, ka_per_h) -> np.ndarray:
    """Steady-state trough (ng/mL) of a daily dose split into ``doses_per_day`` administrations.

    ``C_ss(tau) = D ka / (V (ka - k)) [q_k / (1 - q_k) - q_a / (1 - q_a)]`` with
    ``q = exp(-rate tau)``, ``D = dose / doses_per_day`` and ``tau = 24 / doses_per_day`` h.
    """
    dose = np.asarray(dose_mg_day_, dtype=float)
    if np.any(np.isnan(dose)) or np.any(dose < 0):
        raise ValueError("dose_mg_day: must be >= 0")
    dpd = np.asarray(doses_per_day, dtype=float)
    if np.any(~np.isin(dpd, (1.0, 2.0))):
        raise ValueError("doses_per_day: must be 1 or 2")
    tau = 24.0 / dpd
    tau, d, cl, v, ka = np.broadcast_arrays(
        *(np.asarray(x, dtype=float) for x in (tau, dose / dpd, cl_l_h, v_l, ka_per_h))
    )
    for name, x in (("cl_l_h", cl), ("v_l", v), ("ka_per_h", ka)):
        if np.any(~np.isfinite(x)) or np.any(x <= 0):
            raise ValueError(f"{name}: must be finite and > 0")
    # infinitely many past doses, evaluated tau after the last one (just before the next)
    return _superpose(tau, np.full(tau.shape, np.inf), d, tau, cl, v, ka)


@dataclass(frozen=True)
class PatientPK:
    """Individual sirolimus PK and dosing of ``n`` patients (arrays of length ``n``).

    Attributes
    ----------
    cl_l_h, v_l, ka_per_h, bsa_m2 : float arrays
    doses_per_day : int
    dose_step_mg : float
        Smallest givable increment of one administration.
    start_dose_mg_day : float array
        Givable starting dose.
    """

    cl_l_h: np.ndarray
    v_l: np.ndarray
    ka_per_h: np.ndarray
    bsa_m2: np.ndarray
    doses_per_day: int
    dose_step_mg: float
    start_dose_mg_day: np.ndarray

    def __post_init__(self) -> None:
        n = None
        for name in ("cl_l_h", "v_l", "ka_per_h", "bsa_m2", "start_dose_mg_day"):
            a = np.asarray(getattr(self, name), dtype=float)
            if a.ndim != 1 or (n is not None and a.shape[0] != n):
                raise ValueError(f"{name}: must be one-dimensional with one entry per patient")
            n = a.shape[0]
            allowed = ">= 0" if name == "start_dose_mg_day" else "> 0"
            lo_ok = a >= 0 if name == "start_dose_mg_day" else a > 0
            if np.any(~np.isfinite(a)) or np.any(~lo_ok):
                raise ValueError(f"{name}: must be finite and {allowed}")
            object.__setattr__(self, name, a)
        if self.doses_per_day not in (1, 2) or isinstance(self.doses_per_day, bool):
            raise ValueError(f"doses_per_day: must be 1 or 2, got {self.doses_per_day!r}")
        if not (np.isfinite(self.dose_step_mg) and self.dose_step_mg > 0):
            raise ValueError(f"dose_step_mg: must be > 0, got {self.dose_step_mg!r}")

    def __len__(self) -> int:
        return int(self.cl_l_h.shape[0])

    @property
    def k_per_day(self) -> np.ndarray:
        """Elimination rate (1/day)."""
        return 24.0 * self.cl_l_h / self.v_l

    @property
    def trough_per_mg_day(self) -> np.ndarray:
        """Steady-state trough (ng/mL) per mg/day; troughs are linear in dose."""
        return trough_ss(1.0, self.doses_per_day, self.cl_l_h, self.v_l, self.ka_per_h)

    def trough_ss(self, dose_mg_day_) -> np.ndarray:
        """Steady-state trough (ng/mL) at the given daily doses (broadcast per patient)."""
        return np.asarray(dose_mg_day_, dtype=float) * self.trough_per_mg_day

    def givable(self, dose_mg_day_) -> np.ndarray:
        """Round daily doses to what can be given (each administration to the step)."""
        per = round_givable(np.asarray(dose_mg_day_, dtype=float) / self.doses_per_day,
                            self.dose_step_mg)
        return per * self.doses_per_day

    def take(self, idx) -> "PatientPK":
        """The patients at ``idx``."""
        return PatientPK(
            cl_l_h=self.cl_l_h[idx], v_l=self.v_l[idx], ka_per_h=self.ka_per_h[idx],
            bsa_m2=self.bsa_m2[idx], doses_per_day=self.doses_per_day,
            dose_step_mg=self.dose_step_mg, start_dose_mg_day=self.start_dose_mg_day[idx],
        )


def sample_pk(patients: Patients, pk: SirolimusPK, rng: np.random.Generator | None,
              *, variability: bool = True) -> PatientPK:
    """Individual CL/F and V/F for ``patients`` (lognormal between-patient variability).

    With ``variability=False`` (or ``rng=None``) every patient gets the typical values.
    """
    pk.validate()
    n = len(patients)
    cl = typical_cl(patients.weight_kg, patients.age_years, pk)
    v = typical_v(patients.weight_kg, pk)
    if variability and rng is not None:
        if not isinstance(rng, np.random.Generator):
            raise ValueError("rng: must be a numpy.random.Generator")
        z = rng.standard_normal((2, n))
        cl = cl * np.exp(_lognormal_sigma(pk.cl_cv) * z[0])
        v = v * np.exp(_lognormal_sigma(pk.v_cv) * z[1])
    return PatientPK(
        cl_l_h=cl,
        v_l=v,
        ka_per_h=np.full(n, pk.ka_per_h),
        bsa_m2=np.asarray(patients.bsa_m2, dtype=float),
        doses_per_day=pk.doses_per_day,
        dose_step_mg=pk.dose_step_mg,
        start_dose_mg_day=dose_mg_day(patients.bsa_m2, pk.start_dose_mg_m2_day, pk),
    )


def observe(conc, cv: float, rng: np.random.Generator) -> np.ndarray:
    """Observed concentration with exponential error: ``C exp(sigma eps)``, CV ``cv``.

    Jiao et al. 2009 give 29.9% for sirolimus troughs (:attr:`SirolimusPK.residual_cv`).
    """
    c = np.asarray(conc, dtype=float)
    if not (np.isfinite(cv) and cv >= 0):
        raise ValueError(f"cv: must be >= 0, got {cv!r}")
    return c * np.exp(_lognormal_sigma(cv) * rng.standard_normal(c.shape))
