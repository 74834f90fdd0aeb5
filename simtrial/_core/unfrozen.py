"""Hydra-editable twins of the models' frozen parameter dataclasses.

The model modules keep their parameter sets frozen (safe to share); OmegaConf cannot apply
overrides to a frozen structured config. :func:`editable` builds, once per class, a mutable
dataclass with the same fields, types and defaults whose ``__post_init__`` validates by building
the frozen original, and whose ``to_model()`` returns it. No field is written twice.
"""

from __future__ import annotations

import copy
import dataclasses
import typing
from typing import Any

_CACHE: dict[type, type] = {}


def _default_of(f: dataclasses.Field, owner_default: Any | None):
    if owner_default is not None:
        value = getattr(owner_default, f.name)
        return dataclasses.field(default_factory=lambda v=value: _convert(v))
    if f.default is not dataclasses.MISSING:
        if dataclasses.is_dataclass(f.default):
            return dataclasses.field(default_factory=lambda v=f.default: _convert(v))
        return dataclasses.field(default=f.default)
    if f.default_factory is not dataclasses.MISSING:
        return dataclasses.field(default_factory=lambda fac=f.default_factory: _convert(fac()))
    raise TypeError(f"{f.name}: a config field needs a default")


def _convert(value):
    """A frozen dataclass instance -> its editable twin instance (lists copied)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        twin = editable(type(value))
        return twin(**{f.name: _convert(getattr(value, f.name)) for f in dataclasses.fields(value)})
    return copy.copy(value)


def editable(cls: type, default: Any | None = None) -> type:
    """The editable twin of frozen dataclass ``cls`` (defaults from ``default`` if given).

    The twin has the same field names and types (nested frozen dataclasses become their own
    twins), validates in ``__post_init__`` by constructing ``cls``, and converts back with
    ``to_model()``.
    """
    key = (cls, id(default)) if default is not None else cls
    if key in _CACHE:
        return _CACHE[key]
    hints = typing.get_type_hints(cls)
    specs = []
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        tp = hints[f.name]
        if dataclasses.is_dataclass(tp):
            tp = editable(tp)
        specs.append((f.name, tp, _default_of(f, default)))

    def to_model(self):
        values = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            values[f.name] = v.to_model() if hasattr(v, "to_model") else (list(v) if isinstance(v, list) else v)
        return cls(**values)

    def __post_init__(self):
        self.to_model()  # the frozen class validates its own values

    name = f"{cls.__name__}Config" if default is None else f"{cls.__name__}Config_{len(_CACHE)}"
    twin = dataclasses.make_dataclass(
        name, specs, namespace={"to_model": to_model, "to_domain": to_model, "__post_init__": __post_init__,
                                "__doc__": f"Editable config of :class:`{cls.__module__}.{cls.__qualname__}`."},
    )
    twin.__module__ = __name__
    _CACHE[key] = twin
    return twin
