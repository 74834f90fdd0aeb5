"""Argument checks shared by the design modules; each raises one ``ValueError``."""

from __future__ import annotations

import numpy as np


def check_probability(name: str, value: float, *, open_interval: bool = True) -> float:
    """Return ``value`` as float if it lies in (0, 1) (or [0, 1] when not open)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number in (0, 1), got {value!r}") from None
    ok = (0.0 < v < 1.0) if open_interval else (0.0 <= v <= 1.0)
    if not ok or not np.isfinite(v):
        bounds = "(0, 1)" if open_interval else "[0, 1]"
        raise ValueError(f"{name} must be a number in {bounds}, got {value!r}")
    return v


def check_int(name: str, value: int, *, minimum: int = 0) -> int:
    """Return ``value`` as int if it is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_positive(name: str, value: float) -> float:
    """Return ``value`` as float if it is finite and > 0."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive number, got {value!r}") from None
    if not (np.isfinite(v) and v > 0):
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return v


def check_counts(name: str, counts, n) -> np.ndarray:
    """Return ``counts`` as an int array if every entry is an integer in [0, n]."""
    a = np.asarray(counts)
    if a.dtype.kind == "f" and np.all(np.isfinite(a)) and np.all(a == np.round(a)):
        a = a.astype(np.int64)
    if a.dtype.kind not in "iu" or np.any(a < 0) or np.any(a > np.asarray(n)):
        raise ValueError(f"{name} must be integers between 0 and {n}, got {counts!r}")
    return a.astype(np.int64)
