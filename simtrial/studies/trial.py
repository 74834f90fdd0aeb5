"""The ``trial`` study: simulate a design under a scenario and report its operating characteristics.

Writes ``oc.nc`` (per-replicate results, dims replicate and arm), ``duration.png``,
``responders.png`` and ``decisions.png``, and returns the headline figures, each with its Monte
Carlo standard error, for ``summary.json`` (see ``docs/simulator.md``).
"""

from __future__ import annotations

from simtrial import atomic
from simtrial.studies.context import RunContext
from simtrial.trial import plots
from simtrial.trial.outcomes import REGIMEN_DRUGS
from simtrial.trial.replicates import simulate
from simtrial.trial.results import summarise, to_dataset
from simtrial.trial.setup import build_plan, load_parameters, posterior_median, true_rates


def _print(figs: dict, cfg) -> None:
    print(f"\n{cfg.design.name} design, {cfg.scenario.name} scenario, {figs['replicates']} replicates "
          f"({figs['calendar']} calendar)")
    label = "assurance" if cfg.scenario.name == "posterior" else "reject rate"
    print(f"  {label}: {figs['reject_rate']:.4f} (MCSE {figs['reject_rate_mcse']:.4f})")
    if "exact" in figs:
        z = figs["exact_z"].get("reject_rate")
        print(f"  exact: {figs['exact']['reject_rate']:.4f}; z = " + ("n/a" if z is None else f"{z:+.2f}"))
    print(f"  PET {figs['pet']:.4f} (MCSE {figs['pet_mcse']:.4f}); expected N {figs['expected_n']:.2f} "
          f"(MCSE {figs['expected_n_mcse']:.2f})")
    d = figs["duration_months"]
    print(f"  duration: median {d['median']:.1f} months (90% range {d['p05']:.1f}-{d['p95']:.1f})")
    for name, arm in figs["arms"].items():
        print(f"  arm {name} ({arm['regimen']}): response rate {arm['response_rate']:.3f} "
              f"(MCSE {arm['response_rate_mcse']:.3f})")


def run(cfg, ctx: RunContext) -> dict:
    """Simulate ``cfg.simulation.replicates`` trials of ``cfg.design`` under ``cfg.scenario``."""
    sim = cfg.simulation
    rates = true_rates(cfg)
    params = load_parameters(cfg) if rates is None else None
    plan = build_plan(cfg, params)
    res = simulate(plan, ctx.seed, sim.replicates, sim.chunk_size, progress=ctx.progress, workers=sim.workers)
    exact = plan.analysis.exact(rates) if rates is not None else None
    figs = summarise(res, plan.analysis, plan.model.regimens, exact)
    figs["scenario"] = {"name": cfg.scenario.name}
    figs["calendar"] = plan.calendar_used
    if rates is not None:
        figs["scenario"]["p_response"] = list(rates)
    if cfg.scenario.name == "posterior":
        figs["assurance"] = figs["reject_rate"]
        figs["assurance_mcse"] = figs["reject_rate_mcse"]
        figs["scenario"]["n_draws"] = params.n_draws
        if cfg.scenario.power_at_median:
            med_plan = build_plan(cfg, parameters=posterior_median(params))
            med = simulate(med_plan, ctx.seed, sim.replicates, sim.chunk_size, progress=ctx.progress,
                           workers=sim.workers)
            m = summarise(med, med_plan.analysis, med_plan.model.regimens)
            figs["power_at_posterior_median"] = m["reject_rate"]
            figs["power_at_posterior_median_mcse"] = m["reject_rate_mcse"]
    ds = to_dataset(res, plan.model.regimens, {"design": plan.analysis.parameters, "scenario": cfg.scenario.name,
                                               "seed": int(cfg.seed)})
    with atomic.atomic_path(ctx.path("oc.nc")) as tmp:
        ds.to_netcdf(tmp, engine="netcdf4")
    ctx.savefig(plots.duration_figure(res), "duration.png")
    ctx.savefig(plots.responders_figure(res, plan.model.regimens), "responders.png")
    ctx.savefig(plots.decisions_figure(res), "decisions.png")
    _print(figs, cfg)
    if any(REGIMEN_DRUGS[r][1] for r in plan.model.regimens) and len(plan.model.regimens) == 2:
        from simtrial.studies.sequencing import answers

        figs.update(answers(cfg, ctx, res, plan, params))
    return _clean(figs)


def _clean(obj):
    """NaN -> None and numpy scalars -> Python, recursively (summary.json is strict JSON)."""
    import math

    import numpy as np

    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return float(obj) if math.isfinite(obj) else None
    return obj
