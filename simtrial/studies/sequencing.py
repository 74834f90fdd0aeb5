"""The sequencing answer of the ``trial`` study: every endpoint with a direction, and the rho rows.

Called by :mod:`simtrial.studies.trial` for two-arm designs whose arms switch drugs (``sequencing``,
``smart``); works on the domain objects (:class:`simtrial.Trial`, its ``SimulationResult``), so a
notebook can call :func:`answers` too.
Adds to ``summary.json``:

``comparison``
    ``primary_endpoint``, ``favoured`` (strategy, probability over trials, MCSE) and one entry per
    endpoint (:class:`simtrial.sequencing.comparison.EndpointComparison`).
``rho_sensitivity``
    With the patient models: the primary endpoint's comparison with the correlation ``rho`` of
    one child's MMF and sirolimus latents as the scenario has it (``scenario``, the posterior's
    own draws or the fixed value) and fixed at 0, 0.3 and 0.6, every other parameter unchanged
    and the same random numbers (common random numbers: the rows differ by ``rho`` alone).
"""

from __future__ import annotations

import numpy as np

from simtrial.models.parameters import PopulationParameters
from simtrial.sequencing.comparison import compare, comparison_table, favoured
from simtrial.sequencing.endpoints import LABELS, SECOND_STAGES, Endpoint
from simtrial.trial.outcomes import REGIMEN_DRUGS

__all__ = ["RHO_ROWS", "answers", "with_rho"]

#: Fixed correlations of the sensitivity rows.
RHO_ROWS: tuple[float, ...] = (0.0, 0.3, 0.6)


def with_rho(params: PopulationParameters, rho: float) -> PopulationParameters:
    """``params`` (a single set or draws) with ``rho`` fixed."""
    value = rho if params.n_draws is None else np.full(params.n_draws, float(rho))
    return PopulationParameters(params.sirolimus, params.mmf, value)


def _rho_label(params: PopulationParameters) -> str:
    r = np.asarray(params.rho, dtype=float)
    if r.ndim == 0:
        return f"scenario ({float(r):.2f})"
    return (f"posterior draws (median {float(np.median(r)):.2f}, 90% {np.quantile(r, 0.05):.2f} to "
            f"{np.quantile(r, 0.95):.2f})")


def _at_rho(scenario, rho: float):
    """The scenario with ``rho`` fixed and everything else unchanged."""
    from simtrial.scenarios import Fixed, Posterior

    params = with_rho(scenario.parameters(), rho)
    if params.n_draws is None:
        return Fixed(params, population=scenario.population)
    return Posterior(params, population=scenario.population, power_at_median=False)


def answers(trial, result, *, replicates: int, seed, chunk_size=None, workers: int = 1, progress=None) -> dict:
    """The comparison of ``result`` and, with the patient models, the rho sensitivity rows.

    Parameters
    ----------
    trial : simtrial.Trial
        A two-arm design with a switch (sequencing, SMART) and its scenario.
    result : simtrial.trial.results.SimulationResult
        ``trial.simulate(replicates, seed)``.
    replicates, seed, chunk_size, workers, progress
        As given to :meth:`simtrial.Trial.simulate`; the rho rows reuse them (common random
        numbers).
    """
    from simtrial.trial.simulator import Trial

    design = trial.design
    primary = str(getattr(design, "primary_endpoint", "response"))
    alpha = float(design.alpha)
    test = str(design.test)
    res = result.replicates
    comps = compare(res, alpha, test)
    names = tuple(str(r) for r in design.regimens)
    out = {"comparison": {"primary_endpoint": primary, "favoured": favoured(comps[primary]),
                          "endpoints": {k: c.to_dict() for k, c in comps.items()}}}
    rows = []
    if trial.rates is None:
        params = trial.scenario.parameters()
        rows.append({"rho": "scenario", "rho_value": _rho_label(params), **comps[primary].to_dict()})
        for rho in RHO_ROWS:
            t = Trial(design, _at_rho(trial.scenario, rho), sites=trial.sites, schedule=trial.schedule,
                      model=trial.model, calendar=trial.calendar)
            r = t.simulate(replicates, seed, chunk_size=chunk_size, workers=workers, progress=progress)
            rows.append({"rho": rho, "rho_value": f"fixed at {rho:.2f}",
                         **compare(r.replicates, alpha, test)[primary].to_dict()})
        out["rho_sensitivity"] = rows
    _print(out, comps, names, primary, rows, trial.scenario.assurance)
    if getattr(design, "rerandomise", False):
        out["embedded_regimes"] = embedded_regimes(res, names, float(design.switch_day))
        _print_regimes(out["embedded_regimes"])
    return out


def _mean(v) -> tuple[float, float]:
    v = np.asarray(v, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return float("nan"), float("nan")
    return float(v.mean()), float(v.std(ddof=1) / np.sqrt(v.size)) if v.size > 1 else 0.0


def embedded_regimes(res: dict, regimens, switch_day: float) -> list[dict]:
    """The four embedded regimes of a SMART with re-randomisation: every endpoint, mean over
    trials of the IPW estimate, with its MCSE."""
    rows = []
    for a, regimen in enumerate(regimens):
        first, second = REGIMEN_DRUGS[regimen]
        for stage in SECOND_STAGES:
            label = (f"{first}, then {second} without response by day {switch_day:g}" if stage == "switch"
                     else f"{first} throughout")
            row = {"first_arm": "AB"[a], "second_stage": stage, "regime": label}
            for e in Endpoint:
                row[e.value], row[f"{e.value}_mcse"] = _mean(res[f"{e.value}_regime_{stage}"][:, a])
            rows.append(row)
    return rows


def _print_regimes(rows) -> None:
    print("\n  Embedded regimes (SMART with re-randomisation; inverse-probability weighted):")
    w = max(len(r["regime"]) for r in rows)
    heads = [LABELS[e].split(" (")[0] for e in Endpoint]
    print(f"  {'regime':{w}s}  " + "  ".join(f"{h[:24]:>24s}" for h in heads))
    for r in rows:
        cells = [f"{r[e.value]:12.3f} ({r[e.value + '_mcse']:.3f})".rjust(24) for e in Endpoint]
        print(f"  {r['regime']:{w}s}  " + "  ".join(cells))


def _print(out, comps, names, primary, rows, assurance: bool) -> None:
    f = out["comparison"]["favoured"]
    kind = "predictive probability over trials" if assurance else "probability over trials"
    print(f"\n  Which strategy? A = {names[0]}, B = {names[1]}; primary endpoint: {primary}")
    if f["strategy"] == "neither":
        print(f"  favoured on the primary endpoint: neither (tie in {f['probability']:.3f} of trials)")
    else:
        print(f"  favoured on the primary endpoint: {f['strategy']}, better in {f['probability']:.3f} of "
              f"trials (MCSE {f['mcse']:.3f}; {kind})")
    print(comparison_table(comps, ("A", "B"), primary))
    if rows:
        print(f"\n  Sensitivity to rho (correlation of one child's MMF and sirolimus responsiveness), "
              f"primary endpoint {primary}:")
        print(f"  {'rho':58s} {'A':>7s} {'B':>7s} {'B - A':>7s} {'P(B better)':>12s} {'P(A better)':>12s}  "
              "test declares B / A / neither")
        for r in rows:
            print(f"  {r['rho_value']:58s} {r['estimate_a']:7.3f} {r['estimate_b']:7.3f} {r['difference']:+7.3f} "
                  f"{r['p_b_better']:12.3f} {r['p_a_better']:12.3f}  "
                  f"{r['p_declares_b']:.3f} / {r['p_declares_a']:.3f} / {r['p_declares_neither']:.3f}")
