"""Argument checks of the exact design functions, as declared constraints
(:mod:`simtrial._core.validation`): each raises one :class:`~simtrial._core.validation.ValidationError`
naming the argument."""

from __future__ import annotations

import numpy as np

from simtrial._core.validation import Interval, ValidationError, check_value

_OPEN = Interval(float, 0.0, 1.0, "neither")
_CLOSED = Interval(float, 0.0, 1.0)
_POSITIVE = Interval(float, 0.0, None, "neither")


def _number(value):
    # numpy scalars and 0-d arrays count as numbers here (exact functions are called with them).
    return value.item() if isinstance(value, (np.generic, np.ndarray)) and np.ndim(value) == 0 else value


def check_probability(name: str, value: float, *, open_interval: bool = True) -> float:
    """Return ``value`` as float if it lies in (0, 1) (or [0, 1] when not open)."""
    return check_value(name, _number(value), _OPEN if open_interval else _CLOSED)


def check_int(name: str, value: int, *, minimum: int = 0) -> int:
    """Return ``value`` as int if it is an integer >= ``minimum``."""
    value = _number(value)
    if isinstance(value, float):  # 3.0 is not an integer argument here
        raise ValidationError(name, f"must be an integer >= {minimum}", value)
    return check_value(name, value, Interval(int, minimum, None))


def check_positive(name: str, value: float) -> float:
    """Return ``value`` as float if it is finite and > 0."""
    return check_value(name, _number(value), _POSITIVE)


def check_counts(name: str, counts, n) -> np.ndarray:
    """Return ``counts`` as an int array if every entry is an integer in [0, n]."""
    a = np.asarray(counts)
    if a.dtype.kind == "f" and np.all(np.isfinite(a)) and np.all(a == np.round(a)):
        a = a.astype(np.int64)
    if a.dtype.kind not in "iu" or np.any(a < 0) or np.any(a > np.asarray(n)):
        raise ValidationError(name, f"must be integers between 0 and {n}", counts)
    return a.astype(np.int64)
