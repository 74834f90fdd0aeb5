"""Fit the calibration model and assemble the posterior DataTree.

The tree holds ``posterior``, ``sample_stats`` and ``observed_data`` from the sampler, plus
``prior`` (parameters drawn from the prior), ``prior_predictive`` and ``posterior_predictive``
(every published figure simulated per draw, :mod:`simtrial.calibration.ppc`) and the published
values of those figures in ``observed_data``.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np
import pymc as pm
import xarray as xr

from simtrial.calibration.config import CalibrationConfig
from simtrial.calibration.data import CalibrationData, published_data
from simtrial.calibration.diagnostics import Diagnostics, Thresholds, diagnose
from simtrial.calibration.model import build_model
from simtrial.calibration.posterior_io import population_parameters
from simtrial.calibration.ppc import figures, predictive_figures
from simtrial.calibration.priors import get_prior
from simtrial.calibration.simulate import simulate_cohorts


@dataclass
class FitResult:
    """A fitted calibration: the DataTree, its diagnostics and timings (seconds)."""

    tree: xr.DataTree
    diagnostics: Diagnostics
    wall_time_s: float
    sampling_time_s: float
    data: CalibrationData


def _int_seed(seq: np.random.SeedSequence) -> int:
    return int(seq.generate_state(1, dtype=np.uint32)[0])


def sample(model: pm.Model, cfg: CalibrationConfig, seed: int, progressbar: bool = False) -> xr.DataTree:
    """Run NUTS on ``model``: nutpie (compiled with numba) or PyMC's own sampler.

    nutpie is called directly rather than through ``pm.sample``, which would first assign PyMC
    step methods for every variable (about 9 s of graph work on this model) only to discard them.
    """
    if cfg.sampler == "nutpie":
        import nutpie
        from pymc.backends.arviz import patch_nutpie_idata

        compiled = nutpie.compile_pymc_model(model)
        t0 = time.perf_counter()
        tree = nutpie.sample(compiled, draws=cfg.draws, tune=cfg.tune, chains=cfg.chains,
                             cores=min(cfg.chains, 2), seed=seed, progress_bar=progressbar,
                             target_accept=cfg.target_accept)
        patch_nutpie_idata(tree, model, sampling_time=time.perf_counter() - t0)  # compile excluded
        return tree
    return pm.sample(draws=cfg.draws, tune=cfg.tune, chains=cfg.chains, cores=min(cfg.chains, 2),
                     random_seed=seed, nuts_sampler="pymc", target_accept=cfg.target_accept,
                     progressbar=progressbar, compute_convergence_checks=False, model=model,
                     mp_ctx="forkserver")  # never fork a process that may already run threads


def prior_draws(model: pm.Model, draws: int, seed: int) -> xr.DataTree:
    """Parameters drawn from their priors (the potentials are data terms, rightly left out)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The effect of Potentials")
        return pm.sample_prior_predictive(draws=draws, random_seed=seed, model=model,
                                          var_names=[v.name for v in model.free_RVs + model.deterministics])


def predictive_dataset(params_ds: xr.Dataset, data: CalibrationData, rng: np.random.Generator) -> xr.Dataset:
    """Every published figure simulated for each (chain, draw) of ``params_ds``."""
    shape = (params_ds.sizes["chain"], params_ds.sizes["draw"])
    params = population_parameters(params_ds)
    sigma_obs = np.asarray(params_ds["sigma_obs"].transpose("chain", "draw"), float).reshape(-1)
    sim = simulate_cohorts(params, sigma_obs, data, rng)
    figs = figures(data)
    pred = predictive_figures(figs, sim)
    coords = {"chain": params_ds["chain"].values, "draw": params_ds["draw"].values}
    return xr.Dataset({k: (("chain", "draw"), v.reshape(shape)) for k, v in pred.items()}, coords=coords)


def observed_figures(data: CalibrationData) -> xr.Dataset:
    """The published value of every fitted figure (scalars, with their labels as attributes)."""
    return xr.Dataset({f.key: xr.DataArray(f.observed, attrs={"label": f.label, "source": f.source})
                       for f in figures(data)})


def fit(cfg: CalibrationConfig, seed: np.random.SeedSequence, data: CalibrationData | None = None,
        progressbar: bool = False, predictive: bool = True) -> FitResult:
    """Sample the joint model and add prior, prior/posterior predictive and observed figures.

    Parameters
    ----------
    cfg : CalibrationConfig
    seed : numpy.random.SeedSequence
        Spawned into the sampler's, the prior draws' and the predictive simulations' seeds.
    data : CalibrationData, optional
        Defaults to the published cohorts.
    predictive : bool
        Skip the prior and predictive groups when False (simulation-based calibration).
    """
    t0 = time.perf_counter()
    data = data or published_data()
    s_sample, s_prior, s_prior_pred, s_post_pred = seed.spawn(4)
    model = build_model(data, get_prior(cfg.prior))
    with model:
        t1 = time.perf_counter()
        tree = sample(model, cfg, _int_seed(s_sample), progressbar)
        sampling = time.perf_counter() - t1
        if predictive:
            prior = prior_draws(model, cfg.prior_draws, _int_seed(s_prior))
    if predictive:
        prior_ds = prior["prior"].to_dataset()
        tree["prior"] = xr.DataTree(prior_ds)
        tree["prior_predictive"] = xr.DataTree(
            predictive_dataset(prior_ds, data, np.random.default_rng(s_prior_pred)))
        post_ds = tree["posterior"].to_dataset()
        tree["posterior_predictive"] = xr.DataTree(
            predictive_dataset(post_ds, data, np.random.default_rng(s_post_pred)))
        obs = tree["observed_data"].to_dataset() if "observed_data" in tree.children else xr.Dataset()
        tree["observed_data"] = xr.DataTree(xr.merge([obs, observed_figures(data)]))
    diag = diagnose(tree, Thresholds(cfg.rhat_max, cfg.ess_min))
    return FitResult(tree, diag, time.perf_counter() - t0, sampling, data)
