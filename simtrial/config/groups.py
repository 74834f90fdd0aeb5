"""The schemas of the config groups, collected from the modules that own each concept.

A table, not a registry filled by side effects: :mod:`simtrial.config.store` reads it, nothing
here imports the store (imports run one way: store -> groups -> owner modules).
"""

from __future__ import annotations

from simtrial.calibration.config import CalibrationConfig
from simtrial._core.unfrozen import editable
from simtrial.designs.config import (
    SequencingDesignConfig,
    SimonDesignConfig,
    SingleArmDesignConfig,
    TwoArmDesignConfig,
)
from simtrial.designs.smart import SmartDesignConfig
from simtrial.designs.group_sequential.config import GroupSequentialDesignConfig
from simtrial.models.config import ModelConfig
from simtrial.studies.borrowing_config import BorrowingConfig
from simtrial.trial.config import (
    FixedScenarioConfig,
    NullScenarioConfig,
    ParametricScenarioConfig,
    PosteriorScenarioConfig,
    SimulationConfig,
)

#: group -> {option: schema dataclass}; ``conf/<group>/<option>.yaml`` starts with
#: ``defaults: [<option>_schema, _self_]``.
GROUP_SCHEMAS: dict[str, dict[str, type]] = {
    "design": {
        "single_arm": SingleArmDesignConfig,
        "simon": SimonDesignConfig,
        "two_arm": TwoArmDesignConfig,
        "sequencing": SequencingDesignConfig,
        "group_sequential": GroupSequentialDesignConfig,
        "smart": SmartDesignConfig,
    },
    "scenario": {
        "parametric": ParametricScenarioConfig,
        "null_hypothesis": NullScenarioConfig,
        "fixed": FixedScenarioConfig,
        "posterior": PosteriorScenarioConfig,
    },
    "simulation": {"default": SimulationConfig},
    "model": {"default": ModelConfig},
    "calibration": {"default": editable(CalibrationConfig)},
    "analysis": {"borrowing": BorrowingConfig},
}
