"""The schemas of the config groups, collected from the modules that own each concept."""

from __future__ import annotations

from simtrial.config.store import register_group
from simtrial.models.config import ModelConfig

register_group("model", "default", ModelConfig)
