"""Mycophenolate mofetil (MMF) dosing and mycophenolic acid (MPA) exposure per patient.

At steady state under linear PK the exposure over one dosing interval is
``AUC0-12 = dose / (CL/F)`` whatever the absorption, distribution or enterohepatic
recirculation (EHC) structure, so only the apparent clearance is needed.

Model choice (argued in ``docs/models-pk.md``): Sherwin et al., Br J Clin Pharmacol
2012;73:727-740, childhood-onset SLE, 19 patients aged 10-28 y (median 16.5) on MMF 600 mg/m^2
twice daily without a calcineurin inhibitor: CL/F 25.3 L/h, IIV 48.6%. Its population is
autoimmune, on the same regimen and without ciclosporin, unlike Zeng et al. 2010 (renal
transplant, CL/F only on ciclosporin or tacrolimus). The same patients' measured AUC0-12 was
32 +- 4.2 (SE) mg.h/L, CV 57% (Sagcal-Gironella et al., Semin Arthritis Rheum 2010;40:307),
which the model reproduces within about 20% (see ``tests/test_mmf_pk.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import NamedTuple

import numpy as np

from simtrial._core.validation import Interval, Validated
from simtrial.models.population import Patients

__all__ = ["MMFPK", "MPASegments", "mmf_dose_mg", "mpa_clearance", "mpa_auc", "mpa_segments"]


@dataclass(frozen=True)
class MMFPK(Validated):
    """MMF regimen and MPA apparent clearance.

    Attributes
    ----------
    dose_mg_m2 : float
        600 mg/m^2 per dose, twice daily (EU SmPC, paediatric renal transplant 2-18 y).
    max_mg_day : float
        2000 mg/day cap (EU SmPC), i.e. 1000 mg per dose.
    cl_f_l_h : float
        MPA CL/F, 25.3 L/h (Sherwin et al. 2012, CL1/F), taken against the administered MMF dose.
    cl_cv : float
        Between-patient CV of CL/F, 0.486 (Sherwin et al. 2012).
    cl_weight_exponent : float
        Optional allometric exponent of CL/F on weight; 0 (as published: no size covariate).
    cl_reference_weight_kg : float
        Reference weight for that scaling, 55 kg (assumption: about the median weight of the
        cohort's median age of 16.5 y; not published). Unused when the exponent is 0.
    """

    dose_mg_m2: float = 600.0
    max_mg_day: float = 2000.0
    cl_f_l_h: float = 25.3
    cl_cv: float = 0.486
    cl_weight_exponent: float = 0.0
    cl_reference_weight_kg: float = 55.0

    _constraints = {
        "dose_mg_m2": Interval(float, 0.0, 5000.0, "right"),
        "max_mg_day": Interval(float, 0.0, 10_000.0, "right"),
        "cl_f_l_h": Interval(float, 0.0, 1000.0, "right"),
        "cl_cv": Interval(float, 0.0, 3.0),
        "cl_weight_exponent": Interval(float, 0.0, 2.0),
        "cl_reference_weight_kg": Interval(float, 0.0, 200.0, "right"),
    }


def mmf_dose_mg(bsa_m2, spec: MMFPK) -> np.ndarray:
    """MMF per dose (mg, twice daily): ``min(dose_mg_m2 x BSA, max_mg_day / 2)`` (EU SmPC)."""
    bsa = np.asarray(bsa_m2, dtype=float)
    if np.any(~np.isfinite(bsa)) or np.any(bsa <= 0):
        raise ValueError("bsa_m2: must be finite and > 0")
    return np.minimum(spec.dose_mg_m2 * bsa, spec.max_mg_day / 2.0)


def mpa_clearance(patients: Patients, spec: MMFPK, rng: np.random.Generator | None) -> np.ndarray:
    """Individual MPA CL/F (L/h); typical values when ``rng`` is None."""
    spec.validate()
    w = np.asarray(patients.weight_kg, dtype=float)
    cl = spec.cl_f_l_h * (w / spec.cl_reference_weight_kg) ** spec.cl_weight_exponent
    if rng is None:
        return cl
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng: must be a numpy.random.Generator or None")
    sigma = np.sqrt(np.log1p(spec.cl_cv**2))
    return cl * np.exp(sigma * rng.standard_normal(w.shape))


def mpa_auc(patients: Patients, spec: MMFPK, rng: np.random.Generator | None) -> np.ndarray:
    """Steady-state MPA AUC0-12 (mg.h/L) per patient: ``dose / (CL/F)``.

    Parameters
    ----------
    patients : Patients
    spec : MMFPK
    rng : numpy.random.Generator or None
        Draws the between-patient variability; None gives typical values.
    """
    return mmf_dose_mg(patients.bsa_m2, spec) / mpa_clearance(patients, spec, rng)


class MPASegments(NamedTuple):
    """Piecewise-constant MPA exposure in the layout of the sirolimus ``DoseHistory``
    (``change_days``, ``trough``):
    ``change_days`` and ``auc`` of shape ``(n, 2)``; exposure 0 before ``change_days[:, 0]``."""

    change_days: np.ndarray
    auc: np.ndarray


def mpa_segments(auc, start_day=0.0, stop_day=None) -> MPASegments:
    """MPA AUC0-12 in force from ``start_day`` until ``stop_day`` (None or inf: never stops).

    MPA reaches steady state within days (half-life about 17 h, Bullingham et al., J Clin
    Pharmacol 1996), so the exposure is taken as a step at the start and at the stop.
    """
    a = np.atleast_1d(np.asarray(auc, dtype=float))
    if a.ndim != 1 or np.any(~np.isfinite(a)) or np.any(a < 0):
        raise ValueError("auc: must be a one-dimensional array of finite values >= 0")
    start = np.broadcast_to(np.asarray(start_day, dtype=float), a.shape)
    stop = np.broadcast_to(np.asarray(np.inf if stop_day is None else stop_day, dtype=float),
                           a.shape)
    if np.any(~np.isfinite(start)) or np.any(start < 0):
        raise ValueError("start_day: must be finite and >= 0")
    if np.any(np.isnan(stop)) or np.any(stop < start):
        raise ValueError("stop_day: must be >= start_day (inf = never)")
    return MPASegments(np.stack([start, stop], axis=1), np.stack([a, np.zeros_like(a)], axis=1))
