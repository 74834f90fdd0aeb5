"""Patient-models study: a virtual cohort on sirolimus with TDM for a year, shown.

Writes plots of PK profiles, troughs and doses over time, and platelet trajectories by disease
group with the IWG thresholds; ``summary.json`` gets the TDM and response figures.
"""

from __future__ import annotations

import math
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from simtrial.criteria import assess  # noqa: E402
from simtrial.criteria.rules import IWG_2009  # noqa: E402
from simtrial.models.course import SirolimusCourse, simulate_sirolimus_course  # noqa: E402
from simtrial.models.defaults import DEFAULT_POPULATION_PARAMETERS  # noqa: E402
from simtrial.models.parameters import GROUPS  # noqa: E402
from simtrial.models.sirolimus_pk import concentration  # noqa: E402
from simtrial.studies.context import RunContext  # noqa: E402
from simtrial.studies.patient_models_config import PatientModelsConfig  # noqa: E402

CR_COUNT, R_COUNT = IWG_2009.cr_threshold, IWG_2009.r_threshold  # Rodeghiero et al., Blood 2009;113:2386


def _binomial_summary(hits: np.ndarray) -> dict:
    n = int(hits.size)
    p = float(hits.mean()) if n else 0.0
    return {"rate": round(p, 4), "mcse": round(math.sqrt(p * (1 - p) / n), 4) if n else 0.0, "n": n}


def run(cfg, ctx: RunContext) -> dict:
    """Simulate the cohort, assess it with the IWG engine, plot and summarise."""
    opts: PatientModelsConfig = cfg.patient_models
    model = cfg.model.to_model()
    days = np.arange(0.0, opts.horizon_days + 1e-9, opts.visit_interval_days)
    ctx.log.info("simulating %d children for %d days", opts.n_patients, opts.horizon_days)
    course = simulate_sirolimus_course(model, DEFAULT_POPULATION_PARAMETERS, opts.n_patients, days,
                                       ctx.seed.spawn(1)[0], horizon_days=opts.horizon_days)
    result = assess(days, course.platelets.counts, course.platelets.baseline)

    low, high = model.tdm.window_low, model.tdm.window_high
    trough60 = course.doses.trough_at([60.0])[:, 0]
    first_measured = course.doses.measured[:, 0]
    groups = course.patients.group
    by_group = {}
    for k, name in enumerate(GROUPS):
        mask = groups == k
        if mask.any():
            by_group[name] = {
                "response": _binomial_summary(result.response_code[mask] >= 1),
                "cr": _binomial_summary(result.response_code[mask] == 2),
            }
    figures = {
        "n_patients": opts.n_patients,
        "parameters": "simtrial.models.defaults.DEFAULT_POPULATION_PARAMETERS (hand-set, not fitted)",
        "trough_window_ng_ml": [low, high],
        "trough_in_window_fraction_day_60": round(float(np.mean((trough60 >= low) & (trough60 <= high))), 4),
        "median_trough_first_sample": round(float(np.nanmedian(first_measured)), 3),
        "first_sample_day": float(course.doses.sample_days[0]),
        "dose_changes_per_patient_median": float(np.median(course.doses.n_changes)),
        "response_rate_by_group": by_group,
        "response_rate_overall": _binomial_summary(result.response_code >= 1),
        "median_day_to_response": round(float(np.nanmedian(result.day_response)), 1)
        if np.isfinite(result.day_response).any() else None,
    }
    rng = np.random.default_rng(ctx.seed.spawn(2)[1])
    examples = np.sort(rng.choice(opts.n_patients, size=min(opts.n_examples, opts.n_patients), replace=False))
    _plot_pk(ctx, course, model, examples)
    _plot_tdm(ctx, course, model, examples)
    _plot_platelets(ctx, course, days, result, rng)
    _plot_response(ctx, by_group)
    ctx.write_text("patients.csv", _patient_table(course, result).to_csv(index=False))
    print(f"\nTrough in {low:g}-{high:g} ng/mL on day 60: {figures['trough_in_window_fraction_day_60']:.1%}")
    print(f"Median first measured trough (day {figures['first_sample_day']:g}): {figures['median_trough_first_sample']:.2f} ng/mL")
    print(f"Median dose changes per child in {opts.horizon_days} days: {figures['dose_changes_per_patient_median']:g}")
    for name, g in by_group.items():
        print(f"{name:>15}: response {g['response']['rate']:.1%} (CR {g['cr']['rate']:.1%}), n = {g['response']['n']}")
    return figures


def _patient_table(course: SirolimusCourse, result):
    frame = course.patients.to_frame()
    frame["cl_l_h"] = course.pk.cl_l_h
    frame["v_l"] = course.pk.v_l
    frame["start_dose_mg_day"] = course.pk.start_dose_mg_day
    frame["dose_changes"] = course.doses.n_changes
    res = result.to_frame()
    for column in ("response", "day_response", "day_cr", "day_loss", "time_in_response"):
        frame[column] = res[column].to_numpy()
    return frame


def _plot_pk(ctx, course, model, examples):
    pk = course.pk
    tau = 24.0 / model.sirolimus_pk.doses_per_day
    t = np.linspace(0, 7 * 24, 400)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for i in examples:
        dose = pk.start_dose_mg_day[i] / model.sirolimus_pk.doses_per_day
        c = concentration(t, dose, tau, pk.cl_l_h[i], pk.v_l[i], pk.ka_per_h[i])
        ax.plot(t / 24, c, lw=1.2, label=f"child {i}: {course.patients.age_years[i]:.0f} y, "
                                           f"{course.patients.weight_kg[i]:.0f} kg, {pk.start_dose_mg_day[i]:.1f} mg/day")
    ax.axhspan(model.tdm.window_low, model.tdm.window_high, color="tab:green", alpha=0.12, label="trough window")
    ax.set_xlabel("day of sirolimus")
    ax.set_ylabel("whole-blood sirolimus (ng/mL)")
    ax.set_title("Sirolimus concentrations, first week at the starting dose")
    ax.legend(fontsize=7, loc="upper left")
    ctx.savefig(fig, "pk_profiles.png")


def _plot_tdm(ctx, course, model, examples):
    grid = np.arange(0, course.doses.horizon_days + 1, 1.0)
    trough = course.doses.trough_at(grid)
    dose = course.doses.dose_at(grid)
    inwin = np.mean((trough >= model.tdm.window_low) & (trough <= model.tdm.window_high), axis=0)
    fig, axes = plt.subplots(3, 1, figsize=(8, 9), sharex=True)
    for i in examples:
        axes[0].step(grid, trough[i], where="post", lw=1)
        axes[1].step(grid, dose[i], where="post", lw=1)
    axes[0].axhspan(model.tdm.window_low, model.tdm.window_high, color="tab:green", alpha=0.12)
    axes[0].set_ylabel("true trough (ng/mL)")
    axes[0].set_title("Trough-guided dosing: example children")
    axes[1].set_ylabel("dose (mg/day)")
    axes[2].plot(grid, inwin, color="k")
    axes[2].axvline(60, ls=":", color="grey")
    axes[2].set_ylim(0, 1)
    axes[2].set_ylabel("share with trough in window")
    axes[2].set_xlabel("day of sirolimus")
    for d in course.doses.sample_days:
        axes[2].axvline(d, color="tab:blue", alpha=0.15, lw=0.8)
    ctx.savefig(fig, "troughs_doses.png")


def _plot_platelets(ctx, course, days, result, rng):
    present = [k for k in range(len(GROUPS)) if np.any(course.patients.group == k)]
    fig, axes = plt.subplots(len(present), 1, figsize=(8, 2.6 * len(present)), sharex=True, squeeze=False)
    colours = {0: "tab:grey", 1: "tab:orange", 2: "tab:green"}
    for ax, k in zip(axes[:, 0], present):
        idx = np.flatnonzero(course.patients.group == k)
        show = rng.choice(idx, size=min(12, idx.size), replace=False)
        for i in show:
            ax.plot(days, course.platelets.counts[i], lw=0.9, color=colours[int(result.response_code[i])], alpha=0.8)
        q = np.percentile(course.platelets.counts[idx], [10, 50, 90], axis=0)
        ax.fill_between(days, q[0], q[2], color="tab:blue", alpha=0.12, label="10-90th percentile")
        ax.plot(days, q[1], color="tab:blue", lw=2, label="median")
        ax.axhline(CR_COUNT, color="tab:green", ls="--", lw=1, label="CR 100")
        ax.axhline(R_COUNT, color="tab:orange", ls="--", lw=1, label="R 30 (and 2 x baseline)")
        ax.set_yscale("log")
        ax.set_ylabel("platelets (10^9/L)")
        ax.set_title(f"{GROUPS[k]} (n = {idx.size}); lines: children coloured by IWG class (grey NR, orange R, green CR)",
                     fontsize=8)
    axes[0, 0].legend(fontsize=7, loc="lower right")
    axes[-1, 0].set_xlabel("day of sirolimus")
    ctx.savefig(fig, "platelets_by_group.png")


def _plot_response(ctx, by_group):
    names = list(by_group)
    x = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(7, 4))
    for offset, key, colour in ((-0.2, "response", "tab:orange"), (0.2, "cr", "tab:green")):
        rate = np.array([by_group[g][key]["rate"] for g in names])
        mcse = np.array([by_group[g][key]["mcse"] for g in names])
        ax.bar(x + offset, rate, width=0.4, color=colour, yerr=1.96 * mcse, capsize=3,
               label="CR or R" if key == "response" else "CR")
    ax.set_xticks(x, names, rotation=15)
    ax.set_ylim(0, 1)
    ax.set_ylabel("share of children (IWG 2009, confirmed)")
    ax.set_title("Response within the follow-up, by disease group (bars: ±1.96 MCSE)")
    ax.legend()
    ctx.savefig(fig, "response_by_group.png")
