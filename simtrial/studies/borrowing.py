"""Borrowing study: a robust MAP prior from the published groups and the exact operating
characteristics of a single-arm trial analysed with it.

Steps: the historical groups (published cohorts and/or a user table) -> the binomial-normal
meta-analysis (PyMC or quadrature) -> MAP predictive draws -> beta-mixture approximation (EM,
AIC) with its approximation error -> robustification -> ESS (ELIR, moment, Morita) -> the
design's critical count -> the exact OC curve over the true rate (prior-data conflict
included), the robust weight's effect, and the assurance over the calibration posterior's
predicted response rate. Writes ``historical.csv``, ``oc_curve.csv``, ``robust_weights.csv``,
``map_prior.png``, ``oc_curve.png``; ``summary.json`` gets the headline figures.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from simtrial.borrowing import BorrowingDesign, automixfit, ess
from simtrial.borrowing.historical import HistoricalStudy, historical_studies, read_table
from simtrial.studies.borrowing_config import BorrowingConfig
from simtrial.studies.context import RunContext


def _r(x, digits: int = 6):
    return None if x is None or not math.isfinite(float(x)) else round(float(x), digits)


def _mix_dict(mix) -> dict:
    return {"names": list(mix.names), "w": [_r(x) for x in mix.weights], "a": [_r(x) for x in mix.a],
            "b": [_r(x) for x in mix.b]}


def _studies(cfg, opts: BorrowingConfig) -> list[HistoricalStudy]:
    letter, bride = cfg.cohorts.load()
    studies = historical_studies(opts.historical, opts.endpoint, letter=letter, bride=bride)
    if opts.table is not None:
        studies += read_table(opts.table)
    return studies


def _map_draws(studies, opts: BorrowingConfig, seed: np.random.SeedSequence, log) -> tuple[np.ndarray, dict, dict]:
    from simtrial.calibration.meta_analytic import MAPPriorSpec, fit_map, map_quadrature

    spec = MAPPriorSpec(tau_scale=opts.tau_scale, mu_mean=opts.mu_mean, mu_sd=opts.mu_sd)
    s_fit, s_draw = seed.spawn(2)
    if opts.engine == "pymc":
        log.info("fitting the meta-analysis with PyMC (%d chains x %d draws)", opts.chains, opts.draws // opts.chains)
        fit = fit_map(studies, spec, seed=s_fit, draws=opts.draws // opts.chains, tune=opts.tune, chains=opts.chains)
        tau = fit.tau
        tau_summary = {"mean": float(tau.mean()), "sd": float(tau.std(ddof=1)),
                       **{k: float(v) for k, v in zip(("2.5%", "50%", "97.5%"), np.quantile(tau, [0.025, 0.5, 0.975]))}}
        return fit.predictive, tau_summary, fit.diagnostics
    log.info("integrating the meta-analysis by quadrature")
    quad = map_quadrature(studies, spec)
    draws = quad.draws(opts.draws, np.random.default_rng(s_draw))
    mean, sd = quad.predictive_moments()
    return draws, quad.tau_summary(), {"engine": "quadrature", "exact_predictive_mean": mean, "exact_predictive_sd": sd}


def _assurance_draws(opts: BorrowingConfig) -> np.ndarray | None:
    if opts.assurance_group is None:
        return None
    from simtrial.calibration.posterior_io import load_posterior
    from simtrial.calibration.predictions import class_probabilities
    from simtrial.models.parameters import GROUPS

    params = load_posterior(opts.posterior)
    return class_probabilities(params.sirolimus, mmf_failed=True)["response"][:, GROUPS.index(opts.assurance_group)]


def run(cfg, ctx: RunContext) -> dict:
    """Build the robust MAP prior, evaluate the design exactly, plot and summarise."""
    opts: BorrowingConfig = cfg.analysis
    studies = _studies(cfg, opts)
    table = pd.DataFrame({"study": [s.name for s in studies], "n": [s.n for s in studies], "r": [s.r for s in studies]})
    ctx.write_text("historical.csv", table.to_csv(index=False))
    draws, tau_summary, diagnostics = _map_draws(studies, opts, ctx.seed.spawn(1)[0], ctx.log)

    fit = automixfit(draws, components=tuple(range(1, opts.max_components + 1)))
    map_prior = fit.mixture
    robust = map_prior.robustify(opts.robust_weight, mean=opts.robust_mean)
    design = BorrowingDesign(robust, opts.n, opts.p0, opts.threshold, opts.delta)
    theta = np.round(np.arange(0.01, 0.995, 0.01), 10) if opts.true_rates is None else np.asarray(opts.true_rates)

    def ess_all(mix):
        return {m: _r(ess(mix, m), 3) for m in ("elir", "moment", "morita")}

    # the robust weight's effect: ESS, critical count, P(success) at p0 and at the MAP mean
    rows = []
    curves = {}
    for w in sorted(set(opts.robust_weights) | {opts.robust_weight}):
        prior_w = map_prior.robustify(w, mean=opts.robust_mean)
        d = BorrowingDesign(prior_w, opts.n, opts.p0, opts.threshold, opts.delta)
        curves[w] = d.oc(theta)
        rows.append({"robust_weight": w, "ess_elir": ess(prior_w), "critical_count": d.critical_count,
                     "p_success_at_p0": float(d.oc(opts.p0)),
                     "max_p_success_at_or_below_p0": float(np.max(d.oc(theta[theta <= opts.p0]), initial=d.oc(opts.p0))),
                     "p_success_at_map_mean": float(d.oc(map_prior.mean()))})
    weights_table = pd.DataFrame(rows)
    ctx.write_text("robust_weights.csv", weights_table.to_csv(index=False))
    from simtrial.borrowing import BetaMixture

    flat = BorrowingDesign(BetaMixture.beta(1.0, 1.0), opts.n, opts.p0, opts.threshold, opts.delta)
    oc = pd.DataFrame({"true_rate": theta, "p_success": design.oc(theta), "p_success_uniform_prior": flat.oc(theta)})
    ctx.write_text("oc_curve.csv", oc.to_csv(index=False))

    # prior-data conflict: the rates outside the MAP prior's central 95%
    lo, hi = map_prior.ppf([0.025, 0.975])
    conflict = oc[(oc.true_rate < lo) | (oc.true_rate > hi)]
    assurance_draws = _assurance_draws(opts)
    assurance = design.assurance(assurance_draws) if assurance_draws is not None else None

    figures = {
        "historical": table.to_dict(orient="list"),
        "endpoint": opts.endpoint,
        "engine": opts.engine,
        "tau": {k: _r(v, 4) for k, v in tau_summary.items()},
        "map_diagnostics": {k: (_r(v, 4) if isinstance(v, float) else v) for k, v in diagnostics.items()},
        "map_draws": {"n": int(draws.size), "mean": _r(draws.mean()), "sd": _r(draws.std(ddof=1))},
        "map_mixture": {**_mix_dict(map_prior),
                        "mean": _r(map_prior.mean()), "sd": _r(map_prior.sd())},
        "mixture_fit": {"components": fit.n_components, "aic_k": 6,
                        "candidates": {k: [_r(x, 3) for x in v] for k, v in fit.candidates.to_dict(orient="list").items()},
                        "approximation_error": {k: _r(v) for k, v in fit.error.items()}},
        "ess_map": ess_all(map_prior),
        "ess_default_method": "elir",
        "robust_weight": opts.robust_weight,
        "robust_mean": opts.robust_mean,
        "robust_prior": _mix_dict(robust),
        "ess_robust": ess_all(robust),
        "design": {"n": opts.n, "p0": opts.p0, "threshold": opts.threshold, "delta": opts.delta,
                   "rule": str(design.decision), "critical_count": design.critical_count,
                   "decision_boundary": design.boundary,
                   "p_success_at_p0": _r(design.oc(opts.p0)),
                   "p_success_at_p0_uniform_prior": _r(flat.oc(opts.p0)),
                   "critical_count_uniform_prior": flat.critical_count,
                   "pos_under_map": _r(design.pos(map_prior))},
        "oc_curve": {"true_rate": [_r(t, 4) for t in theta], "p_success": [_r(p) for p in design.oc(theta)]},
        "prior_data_conflict": {"map_95_interval": [_r(lo, 4), _r(hi, 4)],
                                "max_p_success_below_interval": _r(conflict[conflict.true_rate < lo].p_success.max())
                                if (conflict.true_rate < lo).any() else None,
                                "min_p_success_above_interval": _r(conflict[conflict.true_rate > hi].p_success.min())
                                if (conflict.true_rate > hi).any() else None},
        "robust_weights": {k: [_r(x) for x in v] for k, v in weights_table.to_dict(orient="list").items()},
        "assurance": None if assurance is None else {
            "calibration_group": opts.assurance_group, "mmf_failed": True, "posterior": opts.posterior,
            "value": _r(assurance[0]), "mcse": _r(assurance[1]), "draws": int(assurance_draws.size),
            "note": "P(success) averaged over the calibration posterior's predicted response rate; not power"},
    }
    _plot_prior(ctx, draws, map_prior, robust, opts)
    _plot_oc(ctx, theta, curves, flat.oc(theta), opts, (lo, hi), map_prior.mean())
    _print(studies, fit, map_prior, robust, design, figures, opts)
    return figures


def _plot_prior(ctx, draws, map_prior, robust, opts):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = np.linspace(0.001, 0.999, 999)
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.hist(draws, bins=80, range=(0, 1), density=True, color="0.85", label="MAP predictive draws")
    ax.plot(x, map_prior.pdf(x), lw=2, label=f"beta mixture ({map_prior.n_components} components)")
    ax.plot(x, robust.pdf(x), lw=1.5, ls="--", label=f"robust MAP (weight {opts.robust_weight:g})")
    ax.axvline(opts.p0, color="k", lw=0.8, ls=":", label=f"p0 = {opts.p0:g}")
    ax.set_xlabel("response rate of a new study")
    ax.set_ylabel("density")
    ax.set_title("Meta-analytic-predictive prior")
    ax.legend(fontsize=8)
    ctx.savefig(fig, "map_prior.png")


def _plot_oc(ctx, theta, curves, flat, opts, interval, map_mean):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.axvspan(*interval, color="tab:green", alpha=0.08, label="MAP 95% interval")
    for w, p in curves.items():
        ax.plot(theta, p, lw=2.2 if w == opts.robust_weight else 1.0,
                label=f"robust weight {w:g}" + (" (design)" if w == opts.robust_weight else ""))
    ax.plot(theta, flat, color="k", ls="--", lw=1, label="Beta(1, 1) prior")
    ax.axvline(opts.p0, color="k", lw=0.8, ls=":")
    ax.axhline(1 - opts.threshold, color="0.5", lw=0.6, ls=":")
    ax.set_xlabel("true response rate")
    ax.set_ylabel("P(success), exact")
    ax.set_title(f"n = {opts.n}: success if P(p > {opts.p0:g} | data) > {opts.threshold:g}")
    ax.legend(fontsize=7, loc="lower right")
    ctx.savefig(fig, "oc_curve.png")


def _print(studies, fit, map_prior, robust, design, figures, opts):
    print("\nHistorical groups: " + ", ".join(f"{s.name} {s.r}/{s.n}" for s in studies))
    print(f"MAP prior ({opts.engine}), beta mixture by EM ({fit.n_components} components; "
          f"max |ECDF - CDF| = {fit.error['ks_distance']:.4f}):")
    print(map_prior)
    e = figures["ess_map"]
    print(f"ESS of the MAP prior: ELIR {e['elir']:.1f} (default), moment {e['moment']:.1f}, Morita {e['morita']:.1f}")
    print(f"Robust MAP (weight {opts.robust_weight:g} on Beta({2 * opts.robust_mean:g}, {2 * (1 - opts.robust_mean):g})): "
          f"ESS (ELIR) {figures['ess_robust']['elir']:.1f}")
    print(design)
    d = figures["design"]
    print(f"  with a Beta(1, 1) prior: success iff responders >= {d['critical_count_uniform_prior']}, "
          f"P(success) at p0 {d['p_success_at_p0_uniform_prior']:.4f}")
    if figures["assurance"]:
        a = figures["assurance"]
        print(f"Assurance over the calibration posterior ({a['calibration_group']}, after MMF): "
              f"{a['value']:.3f} (MCSE {a['mcse']:.3f})")
