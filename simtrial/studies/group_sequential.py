"""The ``group_sequential`` study: boundaries, analytic and exact operating characteristics.

``python -m simtrial experiment=group_sequential`` builds the design of ``design=group_sequential``
(:class:`simtrial.designs.group_sequential.config.GroupSequentialDesignConfig`) at the true rates
of the scenario (``parametric``: ``scenario.p_response`` in arm order A = control, B =
treatment, empty for the planning rates; ``null_hypothesis``: every arm at ``scenario.p``,
default the H0 rate) and writes

* ``design.txt``: the rpact-style summaries of the design and of the rates calculation;
* ``design_summary.md``: the protocol-style summary (:mod:`simtrial.report.design_summary`);
* ``looks.csv``: one row per look (sizes, boundaries on z and on counts, alpha spent, exit
  probabilities analytic and exact);
* ``count_boundaries.csv``: the boundaries on the responder counts (per control count with two
  arms);
* ``oc_curve.csv``: analytic and exact power and expected N over a grid of treatment rates;
* ``boundaries.png`` (bounds on z by look, labelled with the counts) and ``oc_curve.png``;

and returns the headline figures for ``summary.json`` (the same numbers as ``looks.csv``, plus
``sample_size``: rpact's ``getSampleSizeRates`` for power ``1 - design.beta`` at the planning
rates ``design.p_a``/``design.p_b``, or ``design.p1`` against ``design.p0``).
See docs/designs.md, "Group-sequential designs".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simtrial._core.validation import ValidationError
from simtrial.studies.context import RunContext

__all__ = ["check_config", "run"]


def _true_rates(cfg) -> tuple[float, ...]:
    sc, design = cfg.scenario, cfg.design
    if sc.name == "parametric":
        return tuple(float(v) for v in sc.p_response)
    if sc.name == "null_hypothesis":
        if design.arms == 1:
            return (design.p0 if sc.p is None else float(sc.p),)
        p = design.p_a if sc.p is None else float(sc.p)
        return (p, p)
    raise ValidationError("scenario", "the group_sequential study takes the parametric or null_hypothesis scenario",
                          sc.name)


def oc_curve(trial, points: int = 21) -> pd.DataFrame:
    """Analytic and exact power and expected N over treatment rates from the H0 rate to 0.95."""
    lo = trial.theta_h0 if trial.groups == 1 else trial.pi2
    rates = np.linspace(lo, max(0.95, lo), points)
    rows = []
    for p in rates:
        ex = trial.exact(pi1=float(p))
        rows.append({"p_treatment": float(p), "drift": trial.drift(pi1=float(p)),
                     "power": float(trial.design.power(trial.drift(pi1=float(p)))),
                     "exact_power": ex.power, "exact_expected_n": trial.exact_expected_n(pi1=float(p))})
    return pd.DataFrame(rows)


def check_config(cfg):
    """The checks across config groups (design and scenario), run by the CLI's preflight before
    any run directory exists; returns the rates calculation of the run.

    Raises
    ------
    simtrial.config.errors.ConfigError
        Naming the field (``design``, ``scenario``, ``scenario.p_response``, ``design.n_per_arm``).
    """
    if getattr(cfg.design, "name", None) != "group_sequential":
        raise ValidationError("design", "the group_sequential study needs design=group_sequential",
                              getattr(cfg.design, "name", None))
    try:
        return cfg.design.rates(_true_rates(cfg))
    except ValidationError as exc:  # ConfigError is ValidationError
        raise exc.under("design") if exc.field and not exc.field.startswith("scenario") else exc


def run(cfg, ctx: RunContext) -> dict:
    """Compute the design, its rates calculation and exact OCs; write the tables."""
    trial = check_config(cfg)
    from simtrial.report.design_summary import group_sequential_summary

    design = trial.design
    protocol = group_sequential_summary(trial, scenario=cfg.scenario.name)
    text = f"{design}\n\n{trial}\n\n{protocol}\n"
    ctx.write_text("design.txt", text)
    ctx.write_text("design_summary.md", protocol.to_markdown())
    ctx.write_text("looks.csv", trial.summary().to_csv())
    ctx.write_text("count_boundaries.csv", trial.count_boundaries().to_csv(index=False))
    curve = oc_curve(trial)
    ctx.write_text("oc_curve.csv", curve.to_csv(index=False))
    from simtrial.designs.group_sequential.plots import boundaries_figure, oc_curve_figure

    ctx.savefig(boundaries_figure(trial), "boundaries.png")
    ctx.savefig(oc_curve_figure(curve, design.alpha), "oc_curve.png")
    print()
    print(text)
    figs = trial.figures()
    ch = design.characteristics
    figs["inflation_factor"] = ch.inflation_factor
    figs["sample_size"] = _sample_size(cfg.design, design)
    ss = figs["sample_size"]
    print(f"Sample size for power {1 - design.beta:g} at the planning rates {ss['planning_rates']} "
          f"(rpact getSampleSizeRates): maximum N {ss['n_max']:.2f} (fixed design {ss['n_fixed']:.2f}), "
          f"expected N {ss['expected_n_h1']:.2f} under H1, {ss['expected_n_h0']:.2f} under H0\n")
    figs["scenario"] = {"name": cfg.scenario.name, "p_response": list(_true_rates(cfg)) or
                        list(cfg.design.planning_rates())}
    return _clean(figs)


def _sample_size(design_cfg, design) -> dict:
    """rpact's getSampleSizeRates at the design's planning rates (total N, continuous)."""
    from simtrial.designs.group_sequential.rates import sample_size_rates

    if design_cfg.arms == 1:
        s = sample_size_rates(design, pi1=design_cfg.p1, theta_h0=design_cfg.p0)
    else:
        s = sample_size_rates(design, pi1=design_cfg.p_b, pi2=design_cfg.p_a)
    return {"planning_rates": list(design_cfg.planning_rates()), "power": 1 - design.beta, "n_fixed": s.n_fixed,
            "n_max": s.n_max, "n_per_look": [float(v) for v in s.n_per_look], "expected_n_h0": s.expected_n_h0,
            "expected_n_h01": s.expected_n_h01, "expected_n_h1": s.expected_n_h1}


def _clean(obj):
    """NaN/inf -> None and numpy scalars -> Python, recursively (summary.json is strict JSON)."""
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return float(obj) if np.isfinite(obj) else None
    return obj
