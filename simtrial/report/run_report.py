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
  the simulated point on them, and the run's plots); for a sequencing or SMART design also
  which strategy is favoured (:mod:`simtrial.report.sequencing`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simtrial.report.design_summary import DesignSummary, Look, format_figure

__all__ = ["design_summary", "console_report", "simulated_table", "estimation_table", "write_run_report",
           "Z_EXPLAINED"]

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
        if design.alternative == "two-sided":  # as the design object's own summary states it
            from dataclasses import replace

            s = replace(s, hypotheses="H0: p_B = p_A against H1: p_B != p_A", sided="two-sided")
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


def _estimation_design(design):
    """(n, r1, n1) of a design whose estimates after stopping are exact, else None."""
    from simtrial.designs.simon_two_stage import Simon
    from simtrial.designs.single_arm import SingleArm

    if isinstance(design, Simon):
        return design.n, design.r1, design.n1
    if isinstance(design, SingleArm) and design.pp is None:
        return design.n, None, None
    return None


def estimation_table(result, level: float = 0.95):
    """The arm's response rate after stopping: naive estimate, UMVUE and exact-CI coverage.

    Simulated means (with MCSE) beside the exact values at the true rate (Jung and Kim 2004's
    UMVUE, Koyama and Chen 2008's interval; :mod:`simtrial.designs.estimation`). None when the
    design has no exact estimation (PP looks, two arms) or the scenario no single true rate.

    Returns
    -------
    pandas.DataFrame or None
        Indexed by figure; columns ``estimate``, ``mcse``, ``exact``, ``z``.
    """
    import pandas as pd

    from simtrial._core.codes import Decision
    from simtrial.designs import estimation

    spec = _estimation_design(result.design)
    rates = getattr(result, "rates", None)
    if spec is None or rates is None or len(rates) != 1:
        return None
    n, r1, n1 = spec
    o = estimation.outcomes(n, r1, n1, level)
    rep = result.replicates
    x = np.asarray(rep["responders"])[:, 0].astype(int)
    m = np.asarray(rep["assessed"])[:, 0].astype(int)
    stopped = np.asarray(rep["decision"]).astype(int) == int(Decision.FUTILITY_STOP)
    stage = np.where(stopped, estimation.STAGE_1, estimation.STAGE_2)
    expected_m = np.where(stopped, o.n1, n)
    if np.any(m != expected_m):  # the simulator assessed another number: no exact lookup
        return None
    pos = {(int(a), int(b)): i for i, (a, b) in enumerate(zip(o.stage, o.x))}
    idx = np.array([pos.get((int(a), int(b)), -1) for a, b in zip(stage, x)])
    if np.any(idx < 0):
        return None
    p = rates[0]
    ex = estimation.estimation_oc([p], n, r1, n1, level)
    rows = []
    for name, values, exact in (
        ("observed proportion (naive)", o.naive[idx], ex.mean_naive[0]),
        ("UMVUE (Jung and Kim 2004)" if r1 is not None else "UMVUE (= observed proportion)", o.umvue[idx],
         ex.mean_umvue[0]),
        (f"coverage of the exact {level:.0%} CI ("
         + ("Koyama and Chen 2008)" if r1 is not None else "Clopper-Pearson)"),
         ((o.lower[idx] <= p) & (p <= o.upper[idx])).astype(float), ex.coverage[0]),
    ):
        mean = float(values.mean())
        se = float(values.std(ddof=1) / np.sqrt(values.size)) if values.size > 1 else np.nan
        z = (mean - exact) / se if se and np.isfinite(se) and se > 0 else np.nan
        rows.append((name, mean, se, float(exact), z))
    return pd.DataFrame(rows, columns=["figure", "estimate", "mcse", "exact", "z"]).set_index("figure")


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
    est = estimation_table(result)
    if est is not None:
        lines.append(f"  response rate after stopping (true p = {result.rates[0]:g}; means over the simulated trials):")
        for name, row in est.iterrows():
            z = "n/a" if not np.isfinite(row["z"]) else f"{row['z']:+.2f}"
            lines.append(f"    {name}: {format_figure(row['estimate'], row['mcse'])}; exact {row['exact']:.4f}; z = {z}")
    tail = [f"  ({Z_EXPLAINED})"] if np.isfinite(table["exact"]).any() else []
    return "\n".join(head + lines + tail)


def write_run_report(run_dir, result, images=(), title: str | None = None,
                     sequencing: dict | None = None) -> tuple[Path, Path]:
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
    sequencing : dict, optional
        The sequencing answer (``comparison``, ``rho_sensitivity``, ``embedded_regimes`` of
        :func:`simtrial.studies.sequencing.answers`): adds the "Which strategy is favoured"
        section to both files (:mod:`simtrial.report.sequencing`).

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
    markdown = summary.to_markdown()
    if sequencing:
        from simtrial.report import sequencing as seq_report

        names = tuple(str(r) for r in getattr(result.design, "regimens", ("A", "B")))
        assurance = bool(getattr(result.scenario, "assurance", False))
        markdown += "\n" + seq_report.to_markdown(sequencing, names, assurance)
    md = atomic.write_text(run_dir / "design_summary.md", markdown)
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
    if sequencing:
        seq_report.add_section(rep, sequencing, names, assurance)
    est = estimation_table(result)
    if est is not None:
        rep.paragraph("The response rate after the trial stops: the observed proportion is biased when the "
                      "design can stop early; the UMVUE (Jung SH, Kim KM, Stat Med 2004;23:881-896) is unbiased, "
                      "and the exact confidence interval respects the stopping rule (Koyama T, Chen H, Stat Med "
                      "2008;27:3145-3154). Simulated means with MCSE beside the exact values; these figures come "
                      "from the same simulated trials and are correlated.")
        rep.table(est.reset_index(), caption="Estimation after stopping: simulated mean, MCSE, exact value, z",
                  number_format=".4g")
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
