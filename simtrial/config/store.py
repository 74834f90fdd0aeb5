"""Registers the structured-config schemas with Hydra's ConfigStore.

The YAML files in ``conf/<group>/<option>.yaml`` start with ``defaults: [<option>_schema, _self_]``
so that Hydra types each option by its dataclass: a misspelled key or a wrong type stops
composition with a message naming the key.
"""

from __future__ import annotations

from hydra.core.config_store import ConfigStore

from simtrial.config.groups import GROUP_SCHEMAS
from simtrial.config.schema import Config


def store_schemas() -> None:
    """Put the root schema and every group schema into Hydra's ConfigStore."""
    cs = ConfigStore.instance()
    cs.store(name="config_schema", node=Config)
    for group, options in GROUP_SCHEMAS.items():
        for option, schema in options.items():
            cs.store(group=group, name=f"{option}_schema", node=schema)
