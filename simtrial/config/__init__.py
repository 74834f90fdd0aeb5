"""Configuration: structured-config schemas (dataclasses) validated at start-up.

The Hydra config tree is composed from ``conf/`` (the building blocks, one config group per
concern) and ``experiments/`` (one YAML per named study, holding only its deltas). Every node is
typed by a dataclass here or in the module that owns the concept; values are range-checked by
:func:`simtrial.config.validate.validate_config` before any work starts.
"""

from simtrial.config.errors import ConfigError

__all__ = ["ConfigError"]
