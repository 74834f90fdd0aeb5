"""Input checks for :func:`simtrial.criteria.assess`: one ``ValueError`` naming the argument."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simtrial.criteria.rules import IWG_2009, ResponseRules


@dataclass(frozen=True)
class Inputs:
    """Validated inputs; ``days`` is 1-D (shared) or 2-D like ``counts``."""

    days: np.ndarray
    counts: np.ndarray
    baseline: np.ndarray
    bleeding: np.ndarray | None
    rules: ResponseRules


def _real_array(name: str, value: object) -> np.ndarray:
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{name}: must be a numeric array; could not convert ({exc})") from None
    if arr.dtype.kind not in "iuf":
        raise ValueError(f"{name}: must be a real numeric array; got dtype {arr.dtype}")
    return arr


def validate(days, counts, baseline, bleeding, rules) -> Inputs:
    """Check shapes, values and types; return arrays ready for the engine.

    Raises
    ------
    ValueError
        Naming the argument and what is allowed.
    """
    counts = _real_array("counts", counts)
    if counts.ndim != 2:
        raise ValueError(
            f"counts: must be 2-D (n_patients, n_visits); got shape {counts.shape}"
        )
    n_patients, n_visits = counts.shape
    if n_visits == 0:
        raise ValueError("counts: must have at least one visit (n_visits >= 1); got 0")
    if counts.dtype.kind == "f":
        if np.isinf(counts).any():
            raise ValueError("counts: must be finite or NaN (missed visit); found inf")
        if (counts < 0).any():
            raise ValueError("counts: must be >= 0 (10^9/L) or NaN; found negative values")
    elif (counts < 0).any():
        raise ValueError("counts: must be >= 0 (10^9/L) or NaN; found negative values")

    days = _real_array("days", days)
    if days.ndim == 1:
        if days.shape[0] != n_visits:
            raise ValueError(
                f"days: shared days must have length n_visits={n_visits}; got {days.shape[0]}"
            )
    elif days.ndim == 2:
        if days.shape != counts.shape:
            raise ValueError(
                f"days: per-patient days must have the shape of counts {counts.shape}; "
                f"got {days.shape}"
            )
    else:
        raise ValueError(
            f"days: must be 1-D (n_visits,) or 2-D (n_patients, n_visits); got shape {days.shape}"
        )
    days = days.astype(np.float64, copy=False)
    if not np.isfinite(days).all():
        raise ValueError("days: must be finite (give a missed visit a day and a NaN count)")
    if (days < 0).any():
        raise ValueError("days: must be >= 0 (days since the start of treatment)")
    if n_visits > 1 and not (np.diff(days, axis=-1) > 0).all():
        raise ValueError("days: must be strictly increasing along visits")

    baseline = _real_array("baseline", baseline)
    if baseline.shape != (n_patients,):
        raise ValueError(
            f"baseline: must have shape (n_patients,) = ({n_patients},); got {baseline.shape}"
        )
    baseline = baseline.astype(np.float64, copy=False)
    if np.isnan(baseline).any():
        raise ValueError("baseline: is missing (NaN) for some patients; a baseline is required")
    if not (np.isfinite(baseline) & (baseline > 0)).all():
        raise ValueError("baseline: must be finite and > 0 (10^9/L)")

    if bleeding is not None:
        bleeding = np.asarray(bleeding)
        if bleeding.dtype != np.bool_:
            raise ValueError(f"bleeding: must be a boolean array; got dtype {bleeding.dtype}")
        if bleeding.shape != counts.shape:
            raise ValueError(
                f"bleeding: must have the shape of counts {counts.shape}; got {bleeding.shape}"
            )

    if rules is None:
        rules = IWG_2009
    elif not isinstance(rules, ResponseRules):
        raise ValueError(
            f"rules: must be a ResponseRules instance or None; got {type(rules).__name__}"
        )
    return Inputs(days=days, counts=counts, baseline=baseline, bleeding=bleeding, rules=rules)
