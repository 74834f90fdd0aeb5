"""The one error type for bad configuration values.

:class:`ConfigError` is :class:`simtrial._core.validation.ValidationError`: a structured
``(field, problem, value)`` whose message names the field by its full dotted path and says what
is allowed, for example ``design.p0: must be a finite number in (0, 1); got 1.5``.
"""

from simtrial._core.validation import ValidationError as ConfigError

__all__ = ["ConfigError"]
