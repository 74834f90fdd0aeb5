"""Convergence diagnostics of a fit: worst rank-normalised split r-hat, worst bulk and tail ESS
(Vehtari et al. 2021, as ArviZ computes them) over every posterior variable and element, and the
number of divergent transitions."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import arviz as az
import numpy as np
import xarray as xr


@dataclass(frozen=True)
class Thresholds:
    """Bounds a converged fit must meet."""

    rhat_max: float = 1.01
    ess_min: float = 400.0


@dataclass(frozen=True)
class Diagnostics:
    """The headline convergence figures of one fit."""

    max_rhat: float
    min_ess_bulk: float
    min_ess_tail: float
    divergences: int
    worst_rhat_variable: str
    worst_ess_variable: str
    rhat_max: float
    ess_min: float

    @property
    def problems(self) -> list[str]:
        """Each bound that is not met, in words (empty if all are)."""
        out = []
        if not self.max_rhat <= self.rhat_max:
            out.append(f"max r-hat {self.max_rhat:.3f} > {self.rhat_max} ({self.worst_rhat_variable})")
        for kind, value in (("bulk", self.min_ess_bulk), ("tail", self.min_ess_tail)):
            if not value >= self.ess_min:
                out.append(f"min {kind} ESS {value:.0f} < {self.ess_min:g} ({self.worst_ess_variable})")
        if self.divergences:
            out.append(f"{self.divergences} divergent transition(s)")
        return out

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        return asdict(self) | {"diagnostics_ok": self.ok, "problems": self.problems}


def _worst(ds: xr.Dataset, largest: bool) -> tuple[float, str]:
    best_val, best_name = (-np.inf if largest else np.inf), ""
    for name, da in ds.data_vars.items():
        values = np.asarray(da, float)
        if values.size == 0:
            continue
        v = float(np.nanmax(values) if largest else np.nanmin(values))
        if (v > best_val) if largest else (v < best_val):
            best_val, best_name = v, str(name)
    return best_val, best_name


def _dataset(x) -> xr.Dataset:
    return x.to_dataset() if hasattr(x, "to_dataset") else x


def diagnose(tree, thresholds: Thresholds = Thresholds()) -> Diagnostics:
    """Diagnostics of the ``posterior`` and ``sample_stats`` groups of ``tree``."""
    post = tree["posterior"].to_dataset()
    rhat, rhat_var = _worst(_dataset(az.rhat(post)), largest=True)
    bulk, bulk_var = _worst(_dataset(az.ess(post, method="bulk")), largest=False)
    tail, tail_var = _worst(_dataset(az.ess(post, method="tail")), largest=False)
    div = int(np.asarray(tree["sample_stats"]["diverging"]).sum())
    return Diagnostics(
        max_rhat=rhat, min_ess_bulk=bulk, min_ess_tail=tail, divergences=div,
        worst_rhat_variable=rhat_var, worst_ess_variable=bulk_var if bulk <= tail else tail_var,
        rhat_max=thresholds.rhat_max, ess_min=thresholds.ess_min,
    )
