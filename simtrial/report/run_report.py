"""Per-run outputs of a trial simulation: the design summary first, then the simulated figures.

* :func:`design_summary` builds the :class:`~simtrial.report.design_summary.DesignSummary` of a
  design object (exact size, power at the planning value, PET and expected N under H0 and H1,
  critical values per look) with the scenario and its true values;
* :func:`console_report` is the console text of the simulated figures: the true values, then
  every estimate with its MCSE beside the exact value and z, "z" explained once, and figures
  that cannot vary (PET and N of a design without interim looks) said to be fixed, never
  printed as 0.0000 (MCSE 0.0000);
* :func:`write_run_report` writes ``design_summary.md`` and ``report.html`` (design summary as
  its first section, then the simulated figures against the exact values, the OC curves with
  the simulated point on them, and the run's plots).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simtrial.report.design_summary import DesignSummary, Look, format_figure

__all__ = ["design_summary", "console_report", "simulated_table", "write_run_report", "Z_EXPLAINED"]

Z_EXPLAINED = "z = (simulated - exact) / MCSE: simulated minus exact, in Monte Carlo standard errors"


def _scenario_fields(scenario, rates, n_arms: int) -> tuple[str, dict, str]:
    """(scenario label, true values, what the rejection rate is: power or assurance)."""
    if scenario is None:
        return "", {}, "power"
    name = getattr(scenario, "name", type(scenario).__name__)
    if getattr(scenario, "assurance", False):
        return (f"{name} (each simulated trial draws its children's parameters from the calibrated posterior)",
                {}, "assurance")
    if rates is None:
        return name, {}, "power"
    keys = ["p"] if n_arms == 1 else ["p_A", "p_B"]
    return name, {k: float(v) for k, v in zip(keys, rates)}, "power"


def design_summary(design, scenario=None, rates=None) -> DesignSummary:
    """The design summary of a design object, with the scenario and its true values.

    Parameters
    ----------
    design : simtrial.designs.Design
        ``SingleArm`` (with or without PP looks), ``Simon``, ``TwoArm`` / ``Sequencing``; any other
        design gets a summary from its ``parameters``.
    scenario : simtrial.scenarios.Scenario, optional
    rates : tuple of float, optional
        The scenario's true response rate per arm (None for a posterior scenario).
    """
    from simtrial.designs.randomised import TwoArm
    from simtrial.designs.simon_two_stage import Simon
    from simtrial.designs.single_arm import SingleArm
    from simtrial.report import design_summary as ds

    label, truth, _ = _scenario_fields(scenario, rates, getattr(design, "n_arms", 1))
    true_p = truth.get("p")
    if isinstance(design, SingleArm):
        if design.pp is not None:
            s = ds.pp_summary(design.pp, design.alpha, design.p1, label, true_p)
        else:
            s = ds.single_arm_summary(design.n, design.p0, design.p1, design.alpha, label, true_p)
    elif isinstance(design, Simon):
        s = ds.simon_summary(design.r1, design.n1, design.r, design.n, design.p0, design.p1, design.alpha,
                             design.kind, label, true_p)
    elif isinstance(design, TwoArm) and design.pp is None:
        rule = (f"Fisher's exact test, {design.alternative}, level {design.alpha:g}" if design.test == "fisher"
                else f"P(p_B > p_A | data) > {design.threshold:g}")
        s = ds.two_arm_summary(design.table, rule, design.p_a, design.p_b, design.alpha, label, truth)
    else:
        params = dict(getattr(design, "parameters", {}) or {})
        size = params.get("exact_size") or params.get("exact_size_at_p_a")
        s = DesignSummary(
            title=str(getattr(design, "label", type(design).__name__)),
            hypotheses=str(params.get("hypotheses", "see the design's printed summary")),
            alpha=float(params.get("alpha", np.nan)), sided="one-sided",
            looks=tuple(Look(f"look {i + 1}", int(m)) for i, m in enumerate(getattr(design, "looks", ())))
            + (Look("final", int(getattr(design, "n_max", 0))),),
            exact_size=None if size is None else float(size),
            notes=("interim looks on a randomised design: no exact figures, the simulation gives them",)
            if getattr(design, "looks", ()) else (),
            scenario=label, true_values=truth,
        )
    if not s.scenario and label:
        object.__setattr__(s, "scenario", label)
        object.__setattr__(s, "true_values", truth)
    return s


def _under_null(design, rates) -> bool:
    """Whether the true rates lie in H0 (p <= p0 for one arm, p_B <= p_A for two)."""
    if len(rates) == 1:
        p0 = getattr(design, "p0", None)
        return p0 is not None and rates[0] <= p0 + 1e-12
    return rates[1] <= rates[0] + 1e-12


def simulated_table(result):
    """Simulated figures beside the exact ones: estimate, MCSE, exact, z, and whether it can vary.

    Returns
    -------
    pandas.DataFrame
        Indexed by a human label; columns ``estimate``, ``mcse``, ``exact``, ``z``, ``varies``.
    """
    import pandas as pd

    df = result.summary()
    looks = bool(getattr(result.design, "looks", ()))
    rates = getattr(result, "rates", None)
    assurance = bool(getattr(result.scenario, "assurance", False))
    labels = {}
    for fig in df.index:
        if fig in ("reject_rate", "assurance"):
            if assurance:
                labels[fig] = "assurance (rejection rate averaged over the posterior; not a power)"
            elif rates is not None:
                keys = ["p"] if len(rates) == 1 else ["p_A", "p_B"]
                what = "type I error" if _under_null(result.design, rates) else "power"
                labels[fig] = f"rejection rate ({what} at " + ", ".join(f"{k} = {v:g}" for k, v in zip(keys, rates)) + ")"
            else:
                labels[fig] = "rejection rate"
        elif fig == "pet":
            labels[fig] = "probability of early termination"
        elif fig == "expected_n":
            labels[fig] = "expected number of children"
        elif fig == "duration_months_median":
            labels[fig] = "median trial duration (months)"
        elif fig.startswith("response_rate_"):
            labels[fig] = f"arm {fig.rsplit('_', 1)[-1]}: response rate"
        else:
            labels[fig] = fig.replace("_", " ")
    out = df.rename(index=labels)
    out["varies"] = True
    if not looks:
        for fig in ("pet", "expected_n"):
            if fig in labels:
                out.loc[labels[fig], "varies"] = False
    return pd.DataFrame(out)


def console_report(result) -> str:
    """Console text: true values, then each simulated figure with MCSE, exact and z (explained once)."""
    table = simulated_table(result)
    label, truth, _ = _scenario_fields(result.scenario, getattr(result, "rates", None), result.design.n_arms)
    f = result.figures()
    head = [f"Simulated: {result.design.label} design, {f['replicates']} replicates ({result.calendar} calendar)",
            f"  scenario: {label}" + (" — true values: " + ", ".join(f"{k} = {v:g}" for k, v in truth.items())
                                      if truth else "")]
    lines = []
    for name, row in table.iterrows():
        if not row["varies"]:
            value = row["estimate"] if name.startswith("expected") else None
            text = "fixed by the design" if value is None else f"{value:g}, fixed by the design"
            lines.append(f"  {name}: {text} (no interim look)")
            continue
        text = f"  {name}: {format_figure(row['estimate'], row['mcse'])}"
        if np.isfinite(row["exact"]):
            z = row["z"]
            text += f"; exact {row['exact']:.4f}; z = " + ("n/a" if not np.isfinite(z) else f"{z:+.2f}")
        lines.append(text)
    tail = [f"  ({Z_EXPLAINED})"] if np.isfinite(table["exact"]).any() else []
    return "\n".join(head + lines + tail)


def write_run_report(run_dir, result, images=(), title: str | None = None) -> tuple[Path, Path]:
    """Write ``design_summary.md`` and ``report.html`` for one trial run.

    Parameters
    ----------
    run_dir : path-like
        The run directory.
    result : simtrial.trial.results.SimulationResult
    images : sequence of (file name, caption)
        PNGs already in the run directory to embed (``duration.png``, ...).
    title : str, optional
        Report title (default: the design and scenario).

    Returns
    -------
    (Path, Path)
        ``design_summary.md`` and ``report.html``.
    """
    import matplotlib.pyplot as plt

    from simtrial import atomic
    from simtrial.report.html import HtmlReport

    run_dir = Path(run_dir)
    rates = getattr(result, "rates", None)
    summary = design_summary(result.design, result.scenario, rates)
    md = atomic.write_text(run_dir / "design_summary.md", summary.to_markdown())
    rep = HtmlReport(title or f"Trial run: {summary.title}", subtitle=str(run_dir))
    rep.section("Design summary", id="design")
    rep.html(summary.to_html())
    if summary.size_inflated:
        rep.warning(f"The exact type I error {summary.exact_size:.4f} exceeds alpha = {summary.alpha:g}.",
                    label="Inflated type I error")
    rep.section("Simulated figures against the exact values", id="simulated")
    rep.paragraph(Z_EXPLAINED + ". Figures fixed by the design (PET and N without interim looks) are "
                  "marked as such.")
    table = simulated_table(result)
    shown = table.copy()
    shown.loc[~shown["varies"], ["mcse", "z"]] = np.nan
    rep.table(shown.drop(columns="varies").reset_index().rename(columns={"index": "figure"}),
              caption="Simulated estimate, Monte Carlo standard error, exact value and z", number_format=".4g")
    curve = _curve(result.design)
    if curve is not None and rates is not None and len(rates) == 1:
        import pandas as pd

        from simtrial.aggregate.plots import exact_oc_figure

        f = result.figures()
        sim = pd.DataFrame([{"label": f"{summary.scenario}, p = {rates[0]:g}", "p": rates[0],
                             "reject": f["reject_rate"], "reject_mcse": f["reject_rate_mcse"],
                             "pet": f["pet"], "pet_mcse": f["pet_mcse"], "expected_n": f["expected_n"],
                             "expected_n_mcse": f["expected_n_mcse"]}])
        fig = exact_oc_figure(curve, summary.title, result.design.p0, getattr(result.design, "p1", None),
                              summary.alpha, sim)
        rep.section("Operating characteristics against the true response rate", id="oc")
        rep.figure(fig, caption="Exact curves (lines) with this run's simulated estimate (point, ±1.96 MCSE)")
        plt.close(fig)
    present = [(n, c) for n, c in images if (run_dir / n).is_file()]
    if present:
        rep.section("Simulated trials", id="plots")
        for name, caption in present:
            rep.image_png((run_dir / name).read_bytes(), caption)
    html = rep.write(run_dir / "report.html")
    return md, html


def _curve(design):
    """The exact OC curve of a single-arm design object over a fine grid (None if not exact)."""
    from simtrial.designs import oc
    from simtrial.designs.simon_two_stage import Simon
    from simtrial.designs.single_arm import SingleArm

    grid = oc.p_grid(0.01)
    if isinstance(design, SingleArm):
        return oc.pp_oc(grid, design.pp) if design.pp is not None else oc.single_arm_oc(grid, design.n, design.r)
    if isinstance(design, Simon):
        return oc.simon_oc(grid, design.r1, design.n1, design.r, design.n)
    return None
