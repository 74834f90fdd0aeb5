"""Registers the structured-config schemas with Hydra's ConfigStore.

The YAML files in ``conf/<group>/<option>.yaml`` start with ``defaults: [<option>_schema, _self_]``
so that Hydra types each option by its dataclass: a misspelled key or a wrong type stops
composition with a message naming the key.
"""

from __future__ import annotations

from hydra.core.config_store import ConfigStore

from simtrial.config.schema import Config

#: group -> {option: dataclass}; filled by register_group from the modules that own the concept.
GROUP_SCHEMAS: dict[str, dict[str, type]] = {}


def register_group(group: str, option: str, schema: type) -> None:
    """Register ``schema`` as ``<group>/<option>_schema`` (use it from the option's YAML)."""
    GROUP_SCHEMAS.setdefault(group, {})[option] = schema


def _load_group_schemas() -> None:
    # Imported here so that each owner module registers its own schemas.
    from simtrial.config import groups  # noqa: F401


def store_schemas() -> None:
    """Put the root schema and every registered group schema into Hydra's ConfigStore."""
    _load_group_schemas()
    cs = ConfigStore.instance()
    cs.store(name="config_schema", node=Config)
    for group, options in GROUP_SCHEMAS.items():
        for option, schema in options.items():
            cs.store(group=group, name=f"{option}_schema", node=schema)
