"""Lazy package exports (PEP 562): a package names its public objects without importing the
modules that define them until first use, so that importing one light submodule (a config
schema) does not import scipy, pandas, xarray or PyMC."""

from __future__ import annotations

import importlib
from typing import Callable, Mapping


def lazy_exports(package: str, exports: Mapping[str, str]) -> tuple[Callable[[str], object], Callable[[], list]]:
    """``(__getattr__, __dir__)`` for ``package`` exporting ``name -> "module[:attribute]"``.

    ``module`` may be relative to the package (``.bayes``); ``attribute`` defaults to ``name``.
    """

    def __getattr__(name: str):
        try:
            target = exports[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        module, _, attribute = target.partition(":")
        value = getattr(importlib.import_module(module, package), attribute or name)
        import sys

        setattr(sys.modules[package], name, value)  # later look-ups skip this function
        return value

    def __dir__() -> list:
        return sorted(exports)

    return __getattr__, __dir__
