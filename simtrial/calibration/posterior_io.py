"""Saving and loading calibration posteriors as NetCDF, and mapping them onto
:class:`~simtrial.models.parameters.PopulationParameters`.

A saved posterior carries its diagnostics in the root attributes (``simtrial_diagnostics``,
JSON), so :func:`load_posterior` can refuse one that did not converge.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import numpy as np
import xarray as xr

from simtrial import atomic
from simtrial.calibration.names import parameter_names
from simtrial.models.parameters import GROUPS, EffectParameters, PopulationParameters

#: Name of the packaged default posterior in ``simtrial/calibration/data/``.
PACKAGED_NAME = "default_posterior.nc"
DIAGNOSTICS_ATTR = "simtrial_diagnostics"
_FLAG = "calibration.allow_failed_diagnostics=true"


class PosteriorError(ValueError):
    """A posterior file is missing, unreadable, incomplete or failed its diagnostics."""


def packaged_path() -> Path:
    """Path of the packaged default posterior."""
    return Path(str(resources.files("simtrial.calibration") / "data" / PACKAGED_NAME))


def resolve(path_or_packaged: str | Path) -> Path:
    """``"packaged"`` -> :func:`packaged_path`, anything else -> ``Path``."""
    return packaged_path() if str(path_or_packaged) == "packaged" else Path(path_or_packaged)


def _stack(da: xr.DataArray) -> np.ndarray:
    """(chain, draw, ...) -> (chain*draw, ...) with the group axis in :data:`GROUPS` order."""
    if "group" in da.dims:
        da = da.sel(group=list(GROUPS))
    dims = ("chain", "draw") + tuple(d for d in da.dims if d not in ("chain", "draw"))
    values = np.asarray(da.transpose(*dims), float)
    return values.reshape((-1,) + values.shape[2:])


def effect_parameters(posterior: xr.Dataset, drug: str) -> EffectParameters:
    """The ``drug`` block of a posterior group as :class:`EffectParameters` with a draw axis."""
    names = parameter_names(drug)
    values = {field: _stack(posterior[var]) for field, var in names.items()}
    if "beta_mmf_failed" not in values:  # the MMF effect has no prior-MMF-failure shift
        values["beta_mmf_failed"] = np.zeros_like(values["sigma"])
    return EffectParameters(**values)


def population_parameters(posterior: xr.Dataset) -> PopulationParameters:
    """Both drugs' blocks of a posterior group."""
    return PopulationParameters(effect_parameters(posterior, "sirolimus"), effect_parameters(posterior, "mmf"))


def required_variables() -> list[str]:
    return sorted(set(parameter_names("sirolimus").values()) | set(parameter_names("mmf").values()))


def save_posterior(tree: xr.DataTree, path: str | Path, diagnostics: dict, extra_attrs: dict | None = None) -> Path:
    """Write ``tree`` atomically to NetCDF with the diagnostics in its root attributes."""
    tree = tree.copy()
    tree.attrs = dict(tree.attrs) | {DIAGNOSTICS_ATTR: json.dumps(diagnostics)} | (extra_attrs or {})
    with atomic.atomic_path(path) as tmp:
        tree.to_netcdf(tmp, engine="netcdf4")
    return Path(path)


def open_posterior(path_or_packaged: str | Path) -> xr.DataTree:
    """Read a posterior DataTree (into memory), with clear errors for missing or foreign files."""
    path = resolve(path_or_packaged)
    if not path.is_file():
        raise PosteriorError(f"calibration.posterior: file not found: {path}")
    try:
        return xr.load_datatree(path, engine="netcdf4")
    except Exception as exc:  # netCDF4/h5 raise several types for a foreign file
        raise PosteriorError(f"calibration.posterior: {path} is not a NetCDF posterior file "
                             f"({type(exc).__name__}: {exc})") from None


def stored_diagnostics(tree: xr.DataTree) -> dict | None:
    raw = tree.attrs.get(DIAGNOSTICS_ATTR)
    return json.loads(raw) if raw else None


def load_posterior(path_or_packaged: str | Path = "packaged", allow_failed_diagnostics: bool = False
                   ) -> PopulationParameters:
    """Load a calibration posterior as :class:`PopulationParameters` with a draw axis.

    Parameters
    ----------
    path_or_packaged : str or Path
        A ``posterior.nc`` written by ``experiment=calibrate``, or ``"packaged"`` for the default
        posterior shipped in ``simtrial/calibration/data/``.
    allow_failed_diagnostics : bool
        Accept a posterior whose stored diagnostics are out of bounds (or absent).

    Raises
    ------
    PosteriorError
        For a missing file, a file that is not NetCDF, a file lacking the posterior group or the
        parameters, or failed/absent diagnostics (unless ``allow_failed_diagnostics``).
    """
    path = resolve(path_or_packaged)
    tree = open_posterior(path)
    if "posterior" not in tree.children:
        raise PosteriorError(f"calibration.posterior: {path} has no 'posterior' group")
    post = tree["posterior"].to_dataset()
    missing = [v for v in required_variables() if v not in post.data_vars]
    if missing:
        raise PosteriorError(f"calibration.posterior: {path} lacks the parameter(s) {missing}; "
                             f"expected {required_variables()}")
    diag = stored_diagnostics(tree)
    if not allow_failed_diagnostics:
        if diag is None:
            raise PosteriorError(f"calibration.posterior: {path} carries no diagnostics; set {_FLAG} to use it anyway")
        if not diag.get("diagnostics_ok", False):
            raise PosteriorError(f"calibration.posterior: {path} failed its diagnostics "
                                 f"({'; '.join(diag.get('problems', []))}); set {_FLAG} to use it anyway")
    try:
        return population_parameters(post)
    except ValueError as exc:
        raise PosteriorError(f"calibration.posterior: {path}: {exc}") from None
