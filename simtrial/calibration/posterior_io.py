"""Saving and loading calibration posteriors as NetCDF, and mapping them onto
:class:`~simtrial.models.parameters.PopulationParameters`.

A saved posterior carries its diagnostics in the root attributes (``simtrial_diagnostics``,
JSON) for the record; :func:`load_posterior` does not trust them: it checks the draws
(dimensions, group labels, finite and varying values) and recomputes r-hat, ESS and divergences
from them, refusing a posterior that did not converge.
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
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except (TypeError, ValueError) as exc:
        raise PosteriorError(f"calibration.posterior: attribute {DIAGNOSTICS_ATTR} is not valid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise PosteriorError(f"calibration.posterior: attribute {DIAGNOSTICS_ATTR} is not a JSON object")
    return value


def check_draws(post: xr.Dataset, path: Path) -> None:
    """Refuse draws simtrial cannot use: wrong dimensions or group labels, non-finite or constant
    values. Each message names the file and the variable."""
    where = f"calibration.posterior: {path}"
    for name in required_variables():
        da = post[name]
        dims = tuple(da.dims)
        if dims[:2] != ("chain", "draw") or any(d not in ("chain", "draw", "group") for d in dims):
            raise PosteriorError(f"{where}: variable {name} has dimensions {dims}; expected (chain, draw) "
                                 "or (chain, draw, group)")
        if "group" in dims:
            labels = [str(g) for g in np.asarray(da["group"].values)] if "group" in da.coords else []
            missing = [g for g in GROUPS if g not in labels]
            extra = [g for g in labels if g not in GROUPS]
            if missing or extra or len(labels) != len(set(labels)):
                raise PosteriorError(f"{where}: variable {name} has groups {labels}; expected exactly {list(GROUPS)}"
                                     f"{f' (missing {missing})' if missing else ''}"
                                     f"{f' (unknown {extra})' if extra else ''}")
        if da.sizes["chain"] * da.sizes["draw"] < 2:
            raise PosteriorError(f"{where}: variable {name} has {da.sizes['chain'] * da.sizes['draw']} draw(s); "
                                 "a posterior needs many")
        try:
            values = np.asarray(da.values, dtype=float)
        except (TypeError, ValueError):
            raise PosteriorError(f"{where}: variable {name} is not numeric ({da.dtype})") from None
        bad = int(np.size(values) - np.count_nonzero(np.isfinite(values)))
        if bad:
            raise PosteriorError(f"{where}: variable {name} has {bad} non-finite draw(s) (NaN or infinity)")
        flat = values.reshape((-1,) + values.shape[2:])
        if np.any(np.ptp(flat, axis=0) == 0):
            raise PosteriorError(f"{where}: the draws of {name} do not vary (a constant posterior)")


_DIAGNOSED: dict[tuple, dict] = {}


def recomputed_diagnostics(tree: xr.DataTree, path: Path) -> dict:
    """Convergence diagnostics recomputed from the draws (the stored attribute is not trusted).

    Cached per file (path, size and modification time): a sweep checks the same file per job."""
    try:
        st = Path(path).stat()
        key = (str(Path(path).resolve()), st.st_size, st.st_mtime_ns)
    except OSError:
        key = None
    if key is not None and key in _DIAGNOSED:
        return dict(_DIAGNOSED[key])
    result = _recompute(tree)
    if key is not None:
        _DIAGNOSED[key] = dict(result)
    return result


def _recompute(tree: xr.DataTree) -> dict:
    from simtrial.calibration.diagnostics import diagnose

    if "sample_stats" not in tree.children or "diverging" not in tree["sample_stats"].to_dataset():
        return {"diagnostics_ok": False, "problems": ["no record of divergent transitions (sample_stats.diverging)"]}
    try:
        result = diagnose(tree).to_dict()
    except Exception as exc:  # ArviZ on a damaged group
        return {"diagnostics_ok": False, "problems": [f"diagnostics cannot be computed ({type(exc).__name__}: {exc})"]}
    values = [result["max_rhat"], result["min_ess_bulk"], result["min_ess_tail"]]
    if not all(np.isfinite(values)):
        result["diagnostics_ok"] = False
        result["problems"] = [*result["problems"], "r-hat or ESS is not finite"]
    return result


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
    check_draws(post, path)
    if not allow_failed_diagnostics:
        diag = recomputed_diagnostics(tree, path)
        if not diag.get("diagnostics_ok", False):
            raise PosteriorError(f"calibration.posterior: {path} failed its diagnostics, recomputed from the draws "
                                 f"({'; '.join(diag.get('problems', []))}); set {_FLAG} to use it anyway")
    try:
        return population_parameters(post)
    except ValueError as exc:
        raise PosteriorError(f"calibration.posterior: {path}: {exc}") from None
