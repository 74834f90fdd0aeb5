"""Declared constraints on parameters, checked in one place (scikit-learn's idiom).

A class lists its parameters' constraints in a table; :func:`check` validates a mapping of
values against it and raises a :class:`ValidationError` that carries the field, the problem and
the value. Layers above prefix the field with the config path (``design.n``) with
:meth:`ValidationError.under`.

Examples
--------
>>> from simtrial._core.validation import Interval, Options, check
>>> CONSTRAINTS = {"n": Interval(int, 1, 10_000), "kind": Options("optimal", "minimax")}
>>> check({"n": 35, "kind": "optimal"}, CONSTRAINTS)
{'n': 35, 'kind': 'optimal'}
>>> check({"n": 0, "kind": "optimal"}, CONSTRAINTS)
Traceback (most recent call last):
...
simtrial._core.validation.ValidationError: n: must be an integer in [1, 10000]; got 0
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any, Callable, Mapping

__all__ = [
    "ValidationError",
    "Constraint",
    "Interval",
    "Options",
    "Boolean",
    "Sequence",
    "Optional",
    "Predicate",
    "check",
    "check_value",
    "check_fields",
    "Validated",
]


class ValidationError(ValueError):
    """An invalid parameter value.

    Attributes
    ----------
    field : str
        Dotted path of the field (``design.n``), as precise as the raiser knows it.
    problem : str
        What is allowed (``must be an integer in [1, 10000]``).
    value : object
        The value given.
    """

    _MISSING = object()

    def __init__(self, field: str, problem: str, value: Any = _MISSING):
        self.field = field
        self.problem = problem
        self.value = None if value is self._MISSING else value
        self._has_value = value is not self._MISSING
        super().__init__(self._message())

    def _message(self) -> str:
        got = f"; got {self.value!r}" if self._has_value else ""
        return f"{self.field}: {self.problem}{got}" if self.field else f"{self.problem}{got}"

    def under(self, prefix: str) -> "ValidationError":
        """The same error with ``prefix`` joined in front of the field path."""
        field = f"{prefix}.{self.field}" if prefix and self.field else (prefix or self.field)
        if self._has_value:
            return type(self)(field, self.problem, self.value)
        return type(self)(field, self.problem)

    def __reduce__(self):  # picklable across joblib / submitit workers
        args = (self.field, self.problem, self.value) if self._has_value else (self.field, self.problem)
        return (type(self), args)


class Constraint:
    """Base of the constraints: ``validate(value) -> value`` or raise ``ValueError(problem)``."""

    def validate(self, value: Any) -> Any:  # pragma: no cover - interface
        raise NotImplementedError

    def describe(self) -> str:  # pragma: no cover - interface
        raise NotImplementedError


def _bound(x: float) -> str:
    """A bound as written: whole numbers in full (10000000, not 1e+07)."""
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else f"{x:g}"


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


@dataclass(frozen=True)
class Interval(Constraint):
    """A finite real (``float``) or integer (``int``) in a range.

    Parameters
    ----------
    kind : type
        ``int`` or ``float``. A float that is a whole number is accepted for ``int``.
    low, high : float or None
        Bounds; ``None`` for unbounded on that side (the value must still be finite).
    closed : {"both", "left", "right", "neither"}
        Which bounds belong to the interval.
    """

    kind: type
    low: float | None = None
    high: float | None = None
    closed: str = "both"

    def describe(self) -> str:
        word = "an integer" if self.kind is int else "a finite number"
        if self.low is None and self.high is None:
            return f"must be {word}"
        if self.high is None:
            op = ">=" if self.closed in ("both", "left") else ">"
            return f"must be {word} {op} {_bound(self.low)}"
        if self.low is None:
            op = "<=" if self.closed in ("both", "right") else "<"
            return f"must be {word} {op} {_bound(self.high)}"
        left = "[" if self.closed in ("both", "left") else "("
        right = "]" if self.closed in ("both", "right") else ")"
        return f"must be {word} in {left}{_bound(self.low)}, {_bound(self.high)}{right}"

    def validate(self, value: Any) -> Any:
        if not _is_number(value):
            raise ValueError(self.describe())
        if not math.isfinite(float(value)):
            raise ValueError(self.describe())
        if self.kind is int:
            if float(value) != int(value):
                raise ValueError(self.describe())
            value = int(value)
        else:
            value = float(value)
        lo_ok = self.low is None or (value >= self.low if self.closed in ("both", "left") else value > self.low)
        hi_ok = self.high is None or (value <= self.high if self.closed in ("both", "right") else value < self.high)
        if not (lo_ok and hi_ok):
            raise ValueError(self.describe())
        return value


class Options(Constraint):
    """One of a fixed set of values (strings or enum members)."""

    def __init__(self, *values: Any):
        self.values = tuple(values)

    def describe(self) -> str:
        return f"must be one of {list(self.values)}"

    def validate(self, value: Any) -> Any:
        if isinstance(value, bool) and not any(isinstance(v, bool) for v in self.values):
            raise ValueError(self.describe())
        if value not in self.values:
            raise ValueError(self.describe())
        return value


class Boolean(Constraint):
    """``True`` or ``False``."""

    def describe(self) -> str:
        return "must be true or false"

    def validate(self, value: Any) -> Any:
        if not isinstance(value, bool):
            raise ValueError(self.describe())
        return value


@dataclass(frozen=True)
class Sequence(Constraint):
    """A list of values each meeting ``item``, of length in [min_len, max_len], optionally
    strictly increasing. Returned as a tuple."""

    item: Constraint
    min_len: int = 0
    max_len: int | None = None
    increasing: bool = False

    def describe(self) -> str:
        parts = [f"a list of values that each {self.item.describe()}"]
        if self.max_len is not None and self.max_len == self.min_len:
            parts.append(f"of length {self.min_len}")
        elif self.max_len is not None:
            parts.append(f"of length {self.min_len} to {self.max_len}")
        elif self.min_len:
            parts.append(f"of length >= {self.min_len}")
        if self.increasing:
            parts.append("strictly increasing")
        return "must be " + ", ".join(parts)

    def validate(self, value: Any) -> Any:
        if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
            raise ValueError(self.describe())
        items = list(value)
        try:
            items = [self.item.validate(v) for v in items]
        except ValueError:
            raise ValueError(self.describe()) from None
        if len(items) < self.min_len or (self.max_len is not None and len(items) > self.max_len):
            raise ValueError(self.describe())
        if self.increasing and any(b <= a for a, b in zip(items, items[1:])):
            raise ValueError(self.describe())
        return tuple(items)


@dataclass(frozen=True)
class Optional(Constraint):
    """``None`` or a value meeting ``inner``."""

    inner: Constraint

    def describe(self) -> str:
        return self.inner.describe() + " (or null)"

    def validate(self, value: Any) -> Any:
        return None if value is None else self.inner.validate(value)


@dataclass(frozen=True)
class Predicate(Constraint):
    """A value for which ``test(value)`` is true; ``problem`` says what is allowed."""

    test: Callable[[Any], bool]
    problem: str

    def describe(self) -> str:
        return self.problem

    def validate(self, value: Any) -> Any:
        if not self.test(value):
            raise ValueError(self.problem)
        return value


def check_value(name: str, value: Any, constraint: Constraint) -> Any:
    """Validate one value; raise :class:`ValidationError` naming ``name``."""
    try:
        return constraint.validate(value)
    except ValidationError:
        raise
    except (ValueError, TypeError):
        raise ValidationError(name, constraint.describe(), value) from None


def check(values: Mapping[str, Any], constraints: Mapping[str, Constraint]) -> dict[str, Any]:
    """Validate every entry of ``values`` that has a constraint; return the cleaned values.

    Entries without a constraint are passed through unchanged. The first invalid value, in the
    order of ``constraints``, raises :class:`ValidationError`.
    """
    out = dict(values)
    for name, constraint in constraints.items():
        if name in values:
            out[name] = check_value(name, values[name], constraint)
    return out


def check_fields(obj: Any, constraints: Mapping[str, Constraint], *, store: bool = True) -> None:
    """Validate the attributes of a (data)class instance (frozen dataclasses too).

    With ``store`` the cleaned values (``int``/``float``/``tuple``) replace the attributes; config
    schemas pass ``store=False`` to keep the types Hydra gave them.
    """
    for name, constraint in constraints.items():
        cleaned = check_value(name, getattr(obj, name), constraint)
        if store:
            object.__setattr__(obj, name, cleaned)


class Validated:
    """Mixin for dataclasses: ``__post_init__`` checks the class's ``_constraints`` table, then
    its cross-field rules in ``_check()``.

    Subclasses declare ``_constraints = {"n": Interval(int, 1, 10_000), ...}`` (a plain class
    attribute, not a dataclass field) and may override ``_check`` to raise
    :class:`ValidationError` for rules that involve several fields. Values are checked, not
    converted (the types stay as the dataclass declares them).
    """

    _constraints: Mapping[str, Constraint] = {}

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise :class:`ValidationError` naming the first invalid field."""
        check_fields(self, self._constraints, store=False)
        self._check()

    def _check(self) -> None:
        """Cross-field rules; none by default."""
