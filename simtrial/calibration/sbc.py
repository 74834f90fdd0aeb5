"""Simulation-based calibration (Talts et al. 2018): draw parameters from the prior, simulate
cohorts of the published sizes (:mod:`simtrial.calibration.simulate`), refit, and check that the
true values' ranks among the posterior draws are uniform and that 90% posterior intervals cover
them 90% of the time.

The model is compiled once; each replicate swaps in its data (``pm.Data`` containers).

Run ``python -m simtrial.calibration.sbc --replicates 100 --out sbc.json``.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from scipy.stats import chisquare

from simtrial.calibration.data import CalibrationData, published_data
from simtrial.calibration.diagnostics import diagnose
from simtrial.calibration.fit import prior_draws
from simtrial.calibration.model import build_model, model_data
from simtrial.calibration.posterior_io import population_parameters
from simtrial.calibration.priors import get_prior
from simtrial.calibration.simulate import simulate_cohorts, simulated_data

#: Scalars checked (``name`` or ``name[group]``).
SBC_PARAMETERS: tuple[str, ...] = (
    "sirolimus_mu_pop", "sirolimus_mu[primary_itp]", "sirolimus_mu[ars_itp]", "sirolimus_mu[alps]",
    "sirolimus_sigma", "sirolimus_beta_mmf_failed", "sirolimus_log_ke0_pop", "sirolimus_log_ke0_sd",
    "mmf_mu_pop", "mmf_mu[primary_itp]", "mmf_sigma", "mmf_log_ke0_pop", "sigma_obs",
)


def _pick(ds, name: str, index=None) -> np.ndarray:
    if "[" in name:
        var, group = name[:-1].split("[")
        da = ds[var].sel(group=group)
    else:
        da = ds[name]
    if index is not None:
        da = da.isel(index)
    return np.asarray(da, float)


def run_sbc(n_replicates: int = 100, draws: int = 500, tune: int = 500, prior: str = "default",
            seed: int = 20180101, n_ranks: int = 99, target_accept: float = 0.98,
            template: CalibrationData | None = None, log=print) -> dict:
    """Run the SBC check and return ranks, interval coverage and uniformity tests.

    Parameters
    ----------
    n_replicates : int
        Prior draws to simulate and refit (replicates whose simulated MMF cohort has no responder
        or no CR, which has no median time, are redrawn and counted in ``redrawn``).
    draws, tune : int
        Per chain (2 chains).
    n_ranks : int
        Posterior draws (thinned evenly) the true value is ranked among: ranks are 0..n_ranks.

    Returns
    -------
    dict
        ``parameters``, ``ranks`` (replicates x parameters), ``coverage_90`` per parameter,
        ``chi2_p`` (uniformity of ranks in 10 bins) per parameter, ``max_rhat`` and
        ``divergences`` per replicate, ``wall_time_s``, the settings.
    """
    import nutpie

    t0 = time.perf_counter()
    template = template or published_data()
    model = build_model(template, get_prior(prior))
    compiled = nutpie.compile_pymc_model(model)
    root = np.random.SeedSequence(seed)
    s_prior, s_sim, s_fit = root.spawn(3)
    n_pool = 4 * n_replicates
    pri = prior_draws(model, n_pool, int(s_prior.generate_state(1)[0]))
    pri_ds = pri["prior"].to_dataset()
    sigma_obs = np.asarray(pri_ds["sigma_obs"], float).reshape(-1)
    sim = simulate_cohorts(population_parameters(pri_ds), sigma_obs, template, np.random.default_rng(s_sim))
    fit_seeds = s_fit.spawn(n_pool)
    ranks, inside, rhats, divs, used = [], [], [], [], []
    k = -1
    while len(ranks) < n_replicates and k + 1 < n_pool:
        k += 1
        data = simulated_data(sim, template, k)
        if not (np.isfinite(data.mmf_median_pr) and np.isfinite(data.mmf_median_cr)):
            continue
        tree = nutpie.sample(compiled.with_data(**model_data(data)), draws=draws, tune=tune, chains=2, cores=2,
                             seed=int(fit_seeds[k].generate_state(1)[0]), progress_bar=False,
                             target_accept=target_accept)
        post = tree["posterior"].to_dataset()
        diag = diagnose(tree)
        rhats.append(diag.max_rhat)
        divs.append(diag.divergences)
        used.append(k)
        true = {name: float(_pick(pri_ds, name, {"chain": 0, "draw": k})) for name in SBC_PARAMETERS}
        row_r, row_in = [], []
        for name in SBC_PARAMETERS:
            x = _pick(post, name).reshape(-1)
            thin = x[np.linspace(0, x.size - 1, n_ranks).astype(int)]
            row_r.append(int(np.sum(thin < true[name])))
            lo, hi = np.quantile(x, [0.05, 0.95])
            row_in.append(bool(lo <= true[name] <= hi))
        ranks.append(row_r)
        inside.append(row_in)
        log(f"sbc replicate {len(ranks)}/{n_replicates}: max r-hat {diag.max_rhat:.3f}, "
            f"{diag.divergences} divergences")
    ranks_a = np.asarray(ranks)
    inside_a = np.asarray(inside)
    # short chains (draws per chain) on prior draws: "clean" is no divergence and r-hat <= 1.05
    clean = (np.asarray(divs) == 0) & (np.asarray(rhats) <= 1.05)
    bins = np.minimum((ranks_a * 10) // (n_ranks + 1), 9)
    chi2_p = [float(chisquare(np.bincount(bins[:, j], minlength=10)).pvalue) for j in range(len(SBC_PARAMETERS))]
    return {
        "parameters": list(SBC_PARAMETERS),
        "n_replicates": int(ranks_a.shape[0]),
        "redrawn": int(k + 1 - len(used)),
        "ranks": ranks_a.tolist(),
        "n_ranks": n_ranks,
        "coverage_90": dict(zip(SBC_PARAMETERS, inside_a.mean(axis=0).tolist())),
        "coverage_90_overall": float(inside_a.mean()),
        "n_converged": int(clean.sum()),
        "coverage_90_overall_converged": float(inside_a[clean].mean()) if clean.any() else None,
        "chi2_p": dict(zip(SBC_PARAMETERS, chi2_p)),
        "max_rhat": rhats,
        "divergences": divs,
        "settings": {"draws": draws, "tune": tune, "chains": 2, "prior": prior, "seed": seed,
                     "target_accept": target_accept},
        "wall_time_s": time.perf_counter() - t0,
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=100)
    parser.add_argument("--draws", type=int, default=500)
    parser.add_argument("--tune", type=int, default=500)
    parser.add_argument("--prior", default="default")
    parser.add_argument("--seed", type=int, default=20180101)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    result = run_sbc(args.replicates, args.draws, args.tune, args.prior, args.seed)
    if args.out:
        from simtrial.atomic import write_json
        write_json(args.out, result)
    summary = {k: result[k] for k in ("n_replicates", "redrawn", "coverage_90", "coverage_90_overall", "n_converged",
                                      "coverage_90_overall_converged", "chi2_p", "wall_time_s")}
    summary["replicates_with_divergences"] = int(np.sum(np.asarray(result["divergences"]) > 0))
    summary["worst_rhat"] = float(np.max(result["max_rhat"]))
    print(json.dumps(summary, indent=1))
    return result


if __name__ == "__main__":
    main()
