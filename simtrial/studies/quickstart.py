"""Quickstart study: the cohorts as published, a calibration to them, and a trial simulated under
the evidence, in a few minutes.

1. ``figures``: every published figure of both cohorts recomputed from the data rows
   (``published_figures.csv``);
2. ``calibrate``: the joint calibration (:mod:`simtrial.studies.calibrate`) into ``calibration/``;
3. ``simulate``: the configured design simulated with each replicate drawing its parameters from
   that posterior (:mod:`simtrial.studies.trial`) into ``simulation/``: the assurance.
"""

from __future__ import annotations

import dataclasses

from simtrial.cohorts import published_figures
from simtrial.studies.context import RunContext


def _figures(cfg, ctx: RunContext) -> dict:
    letter, bride = cfg.cohorts.load()
    table = published_figures(letter, bride)
    ctx.write_text("published_figures.csv", table.to_csv(index=False))
    shown = table[["cohort", "name", "published", "recomputed", "status"]]
    print("\nPublished figures recomputed from the cohort rows\n")
    print(shown.to_string(index=False))
    for _, row in table[table.status != "agrees"].iterrows():
        print(f"\nnote ({row['name']}): {row['note']}")
    return {
        "cohorts": {"letter": {"n": len(letter.patients), "source": letter.source},
                    "bride2016": {"n": int(bride.groups.n.sum()), "source": bride.source}},
        "figures_checked": int(len(table)),
        "figures_agreeing": int((table.status == "agrees").sum()),
        "figures_documented_discrepancies": int((table.status == "differs (documented)").sum()),
        "figures_differing": int((table.status == "DIFFERS").sum()),
    }


def _child(ctx: RunContext, name: str, seed) -> RunContext:
    (ctx.run_dir / name).mkdir(parents=True, exist_ok=True)
    return dataclasses.replace(ctx, run_dir=ctx.run_dir / name, seed=seed)


def run(cfg, ctx: RunContext) -> dict:
    """Run the configured steps; each step's figures go under its own key."""
    steps = list(cfg.quickstart.steps)
    seeds = dict(zip(("calibrate", "simulate"), ctx.seed.spawn(2)))
    out: dict = {"steps": steps}
    if "figures" in steps:
        out.update(_figures(cfg, ctx))
    posterior = None
    if "calibrate" in steps:
        from simtrial.studies import calibrate

        print("\nCalibrating to both cohorts (nutpie; about a minute) ...", flush=True)
        cal = calibrate.run(cfg, _child(ctx, "calibration", seeds["calibrate"]))
        posterior = cal["posterior"]
        out["calibration"] = {k: cal[k] for k in ("max_rhat", "min_ess_bulk", "min_ess_tail", "divergences",
                                                  "diagnostics_ok", "ppc_covered", "ppc_total", "posterior")}
        print(f"calibration: max r-hat {cal['max_rhat']:.3f}, min ESS bulk {cal['min_ess_bulk']:.0f} / tail "
              f"{cal['min_ess_tail']:.0f}, {cal['divergences']} divergences; {cal['ppc_covered']}/{cal['ppc_total']} "
              f"published figures inside their 90% posterior predictive intervals; report: "
              f"{ctx.run_dir / 'calibration' / 'report.html'}")
    if "simulate" in steps:
        from simtrial.studies import trial

        scenario = cfg.scenario
        if posterior is not None and getattr(scenario, "name", None) == "posterior":
            scenario = dataclasses.replace(scenario, posterior=posterior)
        sim = trial.run(dataclasses.replace(cfg, scenario=scenario), _child(ctx, "simulation", seeds["simulate"]))
        keep = ("reject_rate", "reject_rate_mcse", "assurance", "assurance_mcse", "power_at_posterior_median",
                "power_at_posterior_median_mcse", "expected_n", "duration_months", "design", "arms", "replicates")
        out["simulation"] = {k: sim[k] for k in keep if k in sim}
        out["simulation"]["scenario"] = {"name": scenario.name, "posterior": getattr(scenario, "posterior", None)}
    return out
