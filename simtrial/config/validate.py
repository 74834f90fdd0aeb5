"""Value checks after Hydra has composed and type-checked the config."""

from __future__ import annotations

import re
from dataclasses import is_dataclass

from omegaconf import DictConfig, ListConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from simtrial.config.errors import ConfigError

_FIELD_MESSAGE = re.compile(r"^([A-Za-z_][\w.]*): (.*)$", re.S)


def _instantiate(node: DictConfig, path: str):
    try:
        return OmegaConf.to_object(node)
    except ConfigError as exc:
        raise ConfigError(f"{path}.{exc.field}" if path else exc.field, exc.problem, exc.value) from None
    except (ValueError, TypeError) as exc:
        message = str(exc)
        # Owner modules raise "<field>: <problem>"; join the field to the node's path.
        match = _FIELD_MESSAGE.match(message)
        if match:
            names = match.group(1).split(".")
            if names[0] not in node and len(names) > 1 and path.split(".")[-1] == names[0]:
                names = names[1:]  # the owner already named its own node
            if names[0] in node:
                field = ".".join([path, *names]) if path else ".".join(names)
                raise ConfigError(field, match.group(2)) from None
        raise ConfigError(path or "config", message) from None
    except OmegaConfBaseException as exc:
        key = getattr(exc, "full_key", None) or path
        raise ConfigError(str(key), str(exc).splitlines()[0]) from None


def _walk(node, path: str) -> None:
    if isinstance(node, DictConfig):
        for key in node.keys():
            child = node._get_node(key)
            sub = f"{path}.{key}" if path else str(key)
            if isinstance(child, (DictConfig, ListConfig)):
                _walk(child, sub)
        if OmegaConf.get_type(node) is not dict and path:
            _instantiate(node, path)


def validate_config(cfg: DictConfig):
    """Check every typed node's values (each dataclass's ``__post_init__``) and return the
    config as plain objects (dataclasses).

    Raises
    ------
    ConfigError
        For the first invalid value, deepest node first, with its dotted path.
    """
    _walk(cfg, "")
    obj = _instantiate(cfg, "")
    if is_dataclass(obj):
        check = getattr(obj, "validate", None)
        if callable(check):
            check()
    return obj
