"""The one error type for bad configuration values."""


class ConfigError(ValueError):
    """A configuration value is invalid.

    The message names the field by its full dotted path and says what is allowed, for example
    ``design.p0: must be in (0, 1); got 1.5``.
    """

    def __init__(self, field: str, problem: str, value=None):
        self.field = field
        self.problem = problem
        self.value = value
        got = "" if value is None else f"; got {value!r}"
        super().__init__(f"{field}: {problem}{got}")
