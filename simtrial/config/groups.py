"""The schemas of the config groups, collected from the modules that own each concept."""

from __future__ import annotations

from simtrial.config.store import register_group
from simtrial.designs.config import (
    SequencingDesignConfig,
    SimonDesignConfig,
    SingleArmDesignConfig,
    TwoArmDesignConfig,
)
from simtrial.trial.config import (
    FixedScenarioConfig,
    NullScenarioConfig,
    ParametricScenarioConfig,
    PosteriorScenarioConfig,
    SimulationConfig,
)

register_group("design", "single_arm", SingleArmDesignConfig)
register_group("design", "simon", SimonDesignConfig)
register_group("design", "two_arm", TwoArmDesignConfig)
register_group("design", "sequencing", SequencingDesignConfig)
register_group("scenario", "parametric", ParametricScenarioConfig)
register_group("scenario", "null_hypothesis", NullScenarioConfig)
register_group("scenario", "fixed", FixedScenarioConfig)
register_group("scenario", "posterior", PosteriorScenarioConfig)
register_group("simulation", "default", SimulationConfig)

from simtrial.calibration.config import CalibrationConfig
from simtrial.config.unfrozen import editable
from simtrial.models.config import ModelConfig

register_group("model", "default", ModelConfig)
register_group("calibration", "default", editable(CalibrationConfig))

from simtrial.studies.borrowing_config import BorrowingConfig  # noqa: E402

register_group("analysis", "borrowing", BorrowingConfig)
