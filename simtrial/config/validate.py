"""Value checks after Hydra has composed the config: one pass, every error names the full path.

Each schema dataclass declares its ranges in a constraints table
(:class:`simtrial._core.validation.Validated`) and raises a structured
:class:`~simtrial._core.validation.ValidationError` ``(field, problem, value)`` naming its own
field; :func:`validate_config` walks the tree, builds every typed node, and joins the node's path
in front (:meth:`~simtrial._core.validation.ValidationError.under`). Keys that no schema declares
(``+design.nn=40``) and the rules that relate two groups (the scenario's response window against
the design's landmark, a day beyond follow-up) are checked here too.
"""

from __future__ import annotations

import difflib
from dataclasses import fields, is_dataclass

from omegaconf import DictConfig, ListConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from simtrial._core.validation import ValidationError
from simtrial.config.errors import ConfigError

__all__ = ["validate_config", "unknown_key", "did_you_mean"]


def did_you_mean(name: str, allowed) -> str:
    """``"; did you mean 'n'?"`` when one of ``allowed`` is close to ``name``, else ``""``."""
    close = difflib.get_close_matches(str(name), [str(a) for a in allowed], n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def unknown_key(path: str, allowed) -> ConfigError:
    """The error for a key no schema declares: lists the allowed keys, suggests the closest."""
    allowed = sorted(str(a) for a in allowed)
    key = path.rsplit(".", 1)[-1]
    where = path.rsplit(".", 1)[0] if "." in path else "the config root"
    return ConfigError(path, f"unknown key; the keys of {where} are {', '.join(allowed)}{did_you_mean(key, allowed)}")


def _schema_fields(node: DictConfig) -> list[str] | None:
    schema = OmegaConf.get_type(node)
    if schema is None or schema is dict or not is_dataclass(schema):
        return None
    return [f.name for f in fields(schema)]


def _check_keys(node: DictConfig, path: str) -> None:
    allowed = _schema_fields(node)
    if allowed is None:
        return
    for key in node.keys():
        if key not in allowed:
            raise unknown_key(f"{path}.{key}" if path else str(key), allowed)


def _instantiate(node: DictConfig, path: str):
    try:
        return OmegaConf.to_object(node)
    except ValidationError as exc:
        raise exc.under(path) from None
    except OmegaConfBaseException as exc:
        key = getattr(exc, "full_key", None) or path
        raise ConfigError(str(key), str(exc).splitlines()[0]) from None
    except (ValueError, TypeError) as exc:  # a check outside the constraints mechanism
        raise ConfigError(path or "config", str(exc).splitlines()[0]) from None


def _walk(node, path: str) -> None:
    if isinstance(node, DictConfig):
        _check_keys(node, path)
        for key in node.keys():
            child = node._get_node(key)
            sub = f"{path}.{key}" if path else str(key)
            if isinstance(child, (DictConfig, ListConfig)):
                _walk(child, sub)
        if path and _schema_fields(node) is not None:
            _instantiate(node, path)


def _cross_checks(cfg) -> None:
    """Rules that relate two config groups (each group checked its own fields already)."""
    design, scenario, sim = (getattr(cfg, k, None) for k in ("design", "scenario", "simulation"))
    if design is None or sim is None or not hasattr(design, "landmark_day"):
        return
    landmark = float(design.landmark_day)
    if landmark > sim.followup_days:
        raise ConfigError("design.landmark_day", f"must be <= simulation.followup_days ({sim.followup_days:g})",
                          design.landmark_day)
    switch = getattr(design, "switch_day", None)
    if switch is not None and float(switch) >= sim.followup_days:
        raise ConfigError("design.switch_day", f"must be < simulation.followup_days ({sim.followup_days:g})",
                          switch)
    rates = list(getattr(scenario, "p_response", None) or [])
    n_arms = getattr(design, "arms", None) or (2 if hasattr(design, "n_per_arm") else 1)
    if rates and len(rates) != n_arms:
        raise ConfigError("scenario.p_response", f"must have one rate per arm of the design ({n_arms}), or be empty "
                          "for the design's planning values", rates)
    day_min = getattr(scenario, "response_day_min", None)
    if day_min is not None and float(day_min) >= landmark:
        raise ConfigError("scenario.response_day_min", f"must be < design.landmark_day ({landmark:g})", day_min)


def validate_config(cfg: DictConfig):
    """Check every typed node's keys and values and return the config as plain objects.

    Raises
    ------
    ConfigError
        For the first invalid key or value, deepest node first, with its dotted path.
    """
    _walk(cfg, "")
    obj = _instantiate(cfg, "")
    _cross_checks(obj)
    return obj
