"""The posterior report (``report.html``): what was fitted, a summary table, convergence, prior
vs posterior, posterior predictive checks and predicted response by group and prior treatment.

Every interval in the report is a 90% equal-tailed interval (stated in each caption).
"""

from __future__ import annotations

from pathlib import Path

import arviz as az
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import xarray as xr  # noqa: E402

from simtrial.calibration.diagnostics import Diagnostics  # noqa: E402
from simtrial.calibration.posterior_io import effect_parameters  # noqa: E402
from simtrial.calibration.predictions import rates_table, response_curves  # noqa: E402
from simtrial.calibration.priors import P0, PriorSet  # noqa: E402
from simtrial.models.parameters import GROUPS  # noqa: E402
from simtrial.report import HtmlReport  # noqa: E402

PROB = 0.90
_LO, _HI = (1 - PROB) / 2, 1 - (1 - PROB) / 2

#: Parameters shown in the summary table, rank plots and prior-vs-posterior plots.
KEY_PARAMETERS: tuple[str, ...] = (
    "sirolimus_mu", "sirolimus_sigma", "sirolimus_beta_mmf_failed", "sirolimus_log_ke0",
    "sirolimus_log_ke0_sd", "sirolimus_tau", "mmf_mu", "mmf_sigma", "mmf_log_ke0", "mmf_log_ke0_sd",
    "sigma_obs",
)
_RANKED: tuple[str, ...] = ("sirolimus_mu_pop", "sirolimus_tau", "sirolimus_sigma", "sirolimus_beta_mmf_failed",
                            "sirolimus_log_ke0_pop", "sirolimus_tau_ke0", "sirolimus_log_ke0_sd",
                            "mmf_mu_pop", "mmf_sigma", "mmf_log_ke0_sd", "sigma_obs")


def _elements(ds: xr.Dataset, name: str):
    """(label, DataArray over chain/draw) for each element of a variable."""
    da = ds[name]
    if "group" in da.dims:
        for g in GROUPS:
            yield f"{name}[{g}]", da.sel(group=g)
    else:
        yield name, da


def summary_table(tree: xr.DataTree) -> pd.DataFrame:
    """Mean, SD, median, 90% equal-tailed interval, bulk/tail ESS and r-hat per key element."""
    post = tree["posterior"].to_dataset()
    rows = []
    for name in KEY_PARAMETERS:
        for label, da in _elements(post, name):
            da = da.transpose("chain", "draw")
            x = np.asarray(da, float)
            q = np.quantile(x, [0.5, _LO, _HI])
            rows.append({"parameter": label, "mean": x.mean(), "sd": x.std(ddof=1), "median": q[0],
                         "90% ETI lower": q[1], "90% ETI upper": q[2],
                         "ESS bulk": float(az.ess(da, method="bulk")), "ESS tail": float(az.ess(da, method="tail")),
                         "r-hat": float(az.rhat(da))})
    return pd.DataFrame(rows)


def _rank_figure(tree: xr.DataTree):
    post = tree["posterior"].to_dataset()
    names = [n for n in _RANKED if n in post]
    ncol = 4
    nrow = int(np.ceil(len(names) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(3.2 * ncol, 2.2 * nrow), squeeze=False)
    for ax, name in zip(axes.flat, names):
        x = np.asarray(post[name].transpose("chain", "draw"), float)
        ranks = np.argsort(np.argsort(x.ravel())).reshape(x.shape)
        bins = np.linspace(0, x.size, 21)
        for c in range(x.shape[0]):
            ax.hist(ranks[c], bins=bins, histtype="step", lw=1.4, label=f"chain {c}")
        ax.axhline(x.shape[1] / 20, color="k", lw=0.8, ls="--")
        ax.set_title(name, fontsize=9)
        ax.set_yticks([])
    for ax in list(axes.flat)[len(names):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    fig.tight_layout()
    return fig


def _prior_posterior_figure(tree: xr.DataTree):
    post = tree["posterior"].to_dataset()
    prior = tree["prior"].to_dataset() if "prior" in tree.children else None
    labels = [lab for name in KEY_PARAMETERS for lab, _ in _elements(post, name)]
    ncol = 5
    nrow = int(np.ceil(len(labels) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(2.9 * ncol, 2.0 * nrow), squeeze=False)
    k = 0
    for name in KEY_PARAMETERS:
        pri = dict(_elements(prior, name)) if prior is not None and name in prior else {}
        for label, da in _elements(post, name):
            ax = axes.flat[k]
            k += 1
            x = np.asarray(da, float).ravel()
            lo, hi = np.quantile(x, [0.005, 0.995])
            if label in pri:
                p = np.asarray(pri[label], float).ravel()
                plo, phi = np.quantile(p, [0.02, 0.98])
                lo, hi = min(lo, plo), max(hi, phi)
                ax.hist(p, bins=40, range=(lo, hi), density=True, color="0.7", label="prior")
            ax.hist(x, bins=40, range=(lo, hi), density=True, histtype="step", lw=1.6, color="C0",
                    label="posterior")
            ax.set_title(label, fontsize=8)
            ax.set_yticks([])
    for ax in list(axes.flat)[k:]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    fig.tight_layout()
    return fig


def _ppc_figure(ppc: list[dict]):
    counts = [r for r in ppc if "days" not in r["name"]]
    days = [r for r in ppc if "days" in r["name"]]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(13, 0.32 * len(counts) + 1.5),
                                 gridspec_kw={"width_ratios": [3, 2]})
    for ax, rows, log in ((a1, counts, False), (a2, days, True)):
        y = np.arange(len(rows))[::-1]
        for yi, r in zip(y, rows):
            colour = "C0" if r["covered"] else "C3"
            ax.plot([r["lower"], r["upper"]], [yi, yi], color=colour, lw=3, alpha=0.6)
            ax.plot(r["median"], yi, "|", color=colour, ms=12)
            ax.plot(r["observed"], yi, "kD", ms=5)
        ax.set_yticks(y, [r["label"] for r in rows], fontsize=8)
        if log:
            ax.set_xscale("log")
        ax.grid(axis="x", alpha=0.3)
    a1.set_xlabel("count (black diamond: published; bar: 90% equal-tailed predictive interval)")
    a2.set_xlabel("days (log scale)")
    fig.tight_layout()
    return fig


def _curves_figure(tree: xr.DataTree, max_draws: int = 1000):
    post = tree["posterior"].to_dataset()
    days = np.linspace(0, 365, 74)
    panels = [("sirolimus", False, "response"), ("sirolimus", False, "CR"), ("sirolimus", True, "response"),
              ("mmf", False, "response"), ("mmf", False, "CR")]
    fig, grid = plt.subplots(2, 3, figsize=(13, 7.6), sharey=True)
    axes = list(grid.flat)
    axes[-1].axis("off")
    for ax, (drug, failed, what) in zip(axes, panels):
        eff = effect_parameters(post, drug)
        keep = np.linspace(0, eff.sigma.size - 1, min(max_draws, eff.sigma.size)).astype(int)
        eff = type(eff)(**{f: getattr(eff, f)[keep] for f in ("mu", "sigma", "beta_mmf_failed", "log_ke0",
                                                                 "log_ke0_sd")})
        curves = response_curves(eff, days, failed, what, rng=np.random.default_rng(7))
        for k, g in enumerate(GROUPS):
            lo, med, hi = np.quantile(curves[:, k, :], [_LO, 0.5, _HI], axis=0)
            ax.plot(days, med, color=f"C{k}", label=g)
            ax.fill_between(days, lo, hi, color=f"C{k}", alpha=0.12)
        ax.set_title(f"{drug}: {what}" + (" (failed MMF before)" if failed else ""), fontsize=10)
        ax.set_xlabel("days from start")
    for ax in (axes[0], axes[3]):
        ax.set_ylabel("cumulative probability")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def build_report(tree: xr.DataTree, diagnostics: Diagnostics, ppc: list[dict], prior: PriorSet,
                 settings: dict, path: str | Path) -> Path:
    """Write the self-contained posterior report to ``path``."""
    covered = sum(r["covered"] for r in ppc)
    rep = HtmlReport("Calibration of the sirolimus and MMF effect models",
                     subtitle=f"prior set '{prior.name}'; sampler {settings.get('sampler')}, "
                              f"{settings.get('chains')} chains x {settings.get('draws')} draws",
                     footer="simtrial calibration report; intervals are 90% equal-tailed (ETI)")
    if not diagnostics.ok:
        rep.warning("Convergence diagnostics out of bounds: " + "; ".join(diagnostics.problems)
                    + ". Do not use this posterior without calibration.allow_failed_diagnostics=true.",
                    label="Diagnostics failed")
    if covered < len(ppc):
        missed = [r["label"] for r in ppc if not r["covered"]]
        rep.warning(f"{len(ppc) - covered} published figure(s) outside their 90% posterior predictive "
                    f"interval: {'; '.join(missed)}.", label="Posterior predictive check")
    rep.headline({"max r-hat": f"{diagnostics.max_rhat:.3f}", "min bulk ESS": f"{diagnostics.min_ess_bulk:.0f}",
                  "min tail ESS": f"{diagnostics.min_ess_tail:.0f}", "divergences": diagnostics.divergences,
                  "figures covered (90% PPI)": f"{covered}/{len(ppc)}",
                  "wall time (s)": settings.get("wall_time_s", float("nan"))})

    rep.section("What was fitted")
    rep.paragraph(
        "One joint model of both sirolimus cohorts and the MMF figures. Each child's platelet count "
        f"rises from a fixed baseline P0 = {P0:g} x 10^9/L by a log-fold D = softplus(eta), with "
        "eta = logit E ~ Normal(mu[group] + beta_mmf_failed x prior MMF failure, sigma), built up "
        "with onset rate ke0 (lognormal by group). CR needs the count to reach 100 x 10^9/L, response "
        "(R, the letter's PR) 30 x 10^9/L and twice baseline (IWG 2009). Group locations are partially "
        "pooled: mu[group] ~ Normal(mu_pop, tau), log_ke0[group] ~ Normal(log_ke0_pop, tau_ke0).")
    rep.paragraph(
        "Data: the Genoa/Catania letter (Am J Hematol), Table 1A: 19 children (10 primary ITP, 9 ARS-ITP), "
        "response class, recorded days to PR and CR, prior MMF failure. Bride et al., Blood 2016: ALPS "
        "12/12 CR within 1-3 months, multi-lineage 8/12 CR, single-lineage 2/6 responders. Miano et al., "
        "Br J Haematol 2016 (MMF, 54 children; counts derived from the percentages): ITP 22/38 respond "
        "(12 CR), Evans 13/16 (13 CR), ALPS-related syndrome 16/22 (15 CR), median days to PR 20 and to CR 37.")
    rep.note(f"Prior set: {prior.name}. " + ", ".join(f"{k} = {v:.3g}" for k, v in vars(prior).items()
                                                       if k != "name"))

    rep.section("Posterior summary")
    summary = summary_table(tree)
    summary["r-hat"] = [f"{v:.3f}" for v in summary["r-hat"]]
    summary["ESS bulk"] = [f"{v:.0f}" for v in summary["ESS bulk"]]
    summary["ESS tail"] = [f"{v:.0f}" for v in summary["ESS tail"]]
    rep.table(summary, caption="Key parameters: mean, SD, median and 90% equal-tailed interval "
              "(ETI); ESS and rank-normalised split r-hat", number_format=".3g")

    rep.section("Convergence")
    rep.table(pd.DataFrame([{"figure": "max r-hat", "value": f"{diagnostics.max_rhat:.3f}", "bound": f"<= {diagnostics.rhat_max}"},
                            {"figure": "min bulk ESS", "value": diagnostics.min_ess_bulk, "bound": f">= {diagnostics.ess_min:g}"},
                            {"figure": "min tail ESS", "value": diagnostics.min_ess_tail, "bound": f">= {diagnostics.ess_min:g}"},
                            {"figure": "divergences", "value": diagnostics.divergences, "bound": "0"}]),
              caption="Diagnostics over every posterior variable and element (latents included)")
    rep.figure(_rank_figure(tree), caption="Rank plots (one line per chain; dashed: uniform). Flat, "
               "overlapping histograms mean the chains mix.")
    plt.close("all")

    rep.section("Prior vs posterior")
    rep.figure(_prior_posterior_figure(tree), caption="Prior (grey) and posterior (blue) of the key parameters")
    plt.close("all")

    rep.section("Posterior predictive checks")
    table = pd.DataFrame([{"figure": r["label"], "observed": r["observed"], "median": r["median"],
                           "90% PPI lower": r["lower"], "90% PPI upper": r["upper"],
                           "covered": "yes" if r["covered"] else "NO", "source": r["source"]} for r in ppc])
    rep.table(table, caption="Every published figure fitted: posterior predictive median and 90% "
              "equal-tailed interval (PPI)", number_format=".3g")
    rep.figure(_ppc_figure(ppc), caption="Published figures (diamonds) against their 90% equal-tailed "
               "posterior predictive intervals (bars; red if not covered)")
    plt.close("all")

    rep.section("Predicted response by disease group and prior treatment")
    post = tree["posterior"].to_dataset()
    rates = pd.concat([rates_table(effect_parameters(post, d), d, PROB) for d in ("sirolimus", "mmf")],
                      ignore_index=True)
    rep.table(rates, caption="Probability that a new child responds (R or CR) and reaches CR: posterior "
              "median and 90% equal-tailed interval", number_format=".2f")
    rep.figure(_curves_figure(tree), caption="Cumulative probability of response / CR by day at constant "
               "reference exposure: posterior median and 90% equal-tailed band, by disease group")
    plt.close("all")
    return rep.write(path)
