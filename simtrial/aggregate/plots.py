"""Figures of a design sweep: operating characteristics against n with Monte Carlo bands, and
the sequencing comparison. Every function returns a matplotlib Figure (Agg backend)."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from simtrial.aggregate.targets import Z95, Targets, rejection  # noqa: E402

#: Panels of the OC figure: (column, MCSE column, y-axis label).
OC_PANELS = [
    ("expected_n", "expected_n_mcse", "expected N"),
    ("pet", "pet_mcse", "probability of early termination"),
]


def _band(ax, x, y, se, label, color=None, marker="o"):
    line = ax.plot(x, y, marker=marker, ms=4, label=label, color=color)[0]
    se = np.asarray(se, dtype=float)
    if np.isfinite(se).any():
        se = np.nan_to_num(se)
        ax.fill_between(x, y - Z95 * se, y + Z95 * se, color=line.get_color(), alpha=0.2, lw=0)
    return line.get_color()


def _role(scenario: str, targets: Targets) -> str:
    if scenario == targets.null_scenario:
        return "type I error"
    return "assurance" if "posterior" in str(scenario) else "power"


def _scenario_label(scenario, g: pd.DataFrame) -> str:
    """"pessimistic, p = 0.35": the scenario's name with its true rates when the jobs say them."""
    col = "scenario.p_response"
    if col in g and g[col].notna().any():
        v = g[col].dropna().iloc[0]
        if isinstance(v, str):
            v = v.strip("[]").replace(" ", "")
        elif isinstance(v, (list, tuple, np.ndarray)):
            v = ",".join(f"{x:g}" for x in v)
        if str(v):
            return f"{scenario}, p = {v}"
    return str(scenario)


def oc_figure(rows: pd.DataFrame, size: str, title: str, targets: Targets,
              smallest: pd.DataFrame | None = None) -> Figure:
    """Rejection rate (power, assurance, type I error), expected N, early termination and trial
    duration against ``size``, one line per scenario, with ±1.96 MCSE bands.

    Parameters
    ----------
    rows
        The ok jobs of one design (and fixed other parameters).
    size
        The sample-size column (x axis).
    title
        Figure title.
    targets
        Target power and alpha, drawn as horizontal lines.
    smallest
        The :func:`~simtrial.aggregate.targets.smallest_n` rows of this design; each found size
        is marked with a vertical line and a star.
    """
    panels = [p for p in OC_PANELS if p[0] in rows and (rows[p[0]].fillna(0) != 0).any()]
    has_duration = "duration_months.median" in rows and rows["duration_months.median"].notna().any()
    null_rows = rows[rows["scenario"] == targets.null_scenario] if "scenario" in rows else rows.iloc[0:0]
    alt_rows = rows[rows["scenario"] != targets.null_scenario] if "scenario" in rows else rows
    has_null = len(null_rows) > 0
    count = 1 + has_null + len(panels) + has_duration
    ncols = min(count, 3)
    nrows = int(np.ceil(count / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.6 * ncols, 3.8 * nrows), squeeze=False)
    axes = axes.ravel()
    for extra in axes[count:]:
        extra.set_visible(False)
    axes = axes[:count]
    scenarios = sorted(rows["scenario"].dropna().astype(str).unique()) if "scenario" in rows else []
    colors = {sc: f"C{i % 10}" for i, sc in enumerate(scenarios)}

    def rate_panel(ax, subset):
        for scenario, g in subset.groupby("scenario", sort=True):
            g = g.sort_values(size)
            rate, se = zip(*g.apply(rejection, axis=1))
            x = g[size].to_numpy(float)
            _band(ax, x, np.array(rate), np.array(se),
                  f"{_scenario_label(scenario, g)} ({_role(scenario, targets)}, simulated)", colors.get(str(scenario)))
            if "exact.reject_rate" in g and g["exact.reject_rate"].notna().any():
                ax.plot(x, g["exact.reject_rate"].to_numpy(float), color="black", lw=1, ls="--",
                        label="exact" if "exact" not in ax.get_legend_handles_labels()[1] else None)

    ax = axes[0]
    rate_panel(ax, alt_rows)
    ax.axhline(targets.power, color="grey", ls="--", lw=1)
    ax.text(ax.get_xlim()[0], targets.power, f" target power {targets.power:g}", va="bottom", fontsize=8)
    if smallest is not None:
        for _, s in smallest.iterrows():
            if pd.notna(s["smallest_n"]):
                c = colors.get(str(s["scenario"]), "black")
                ax.axvline(float(s["smallest_n"]), color=c, ls="-.", lw=1)
                y = s["power"] if pd.notna(s.get("power", np.nan)) else s.get("assurance", np.nan)
                ax.plot([float(s["smallest_n"])], [y], marker="*", ms=14, color=c, mec="black",
                        zorder=5, label=f"smallest n = {s['smallest_n']:g} ({s['scenario']})")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel(size)
    ax.set_ylabel("P(reject H0)")
    ax.set_title("power / assurance", fontsize=10)
    ax.legend(fontsize=7, loc="lower right")
    if has_null:
        ax = axes[1]
        rate_panel(ax, null_rows)
        ax.axhline(targets.alpha, color="firebrick", ls="--", lw=1, label=f"alpha {targets.alpha:g}")
        ax.set_ylim(0, 0.1)
        ax.set_xlabel(size)
        ax.set_ylabel("type I error")
        ax.set_title("type I error (own axis, 0 to 0.1)", fontsize=10)
        ax.legend(fontsize=7)
    axes = np.concatenate([axes[:1], axes[1 + has_null:]])
    for ax, (col, se_col, label) in zip(axes[1:], panels):
        for scenario, g in rows.groupby("scenario", sort=True):
            g = g.sort_values(size)
            se = g[se_col] if se_col in g else np.full(len(g), np.nan)
            _band(ax, g[size].to_numpy(float), g[col].to_numpy(float), np.asarray(se, float), str(scenario),
                  colors.get(str(scenario)))
        ax.set_xlabel(size)
        ax.set_ylabel(label)
        ax.set_title(f"{label} (±1.96 MCSE)", fontsize=10)
    if has_duration:
        ax = axes[-1]
        for scenario, g in rows.groupby("scenario", sort=True):
            g = g.sort_values(size)
            x = g[size].to_numpy(float)
            c = colors.get(str(scenario))
            ax.plot(x, g["duration_months.median"].to_numpy(float), marker="o", ms=4, color=c, label=str(scenario))
            if {"duration_months.p05", "duration_months.p95"} <= set(g):
                ax.fill_between(x, g["duration_months.p05"].to_numpy(float),
                                g["duration_months.p95"].to_numpy(float), color=c, alpha=0.12, lw=0)
        ax.set_xlabel(size)
        ax.set_ylabel("months")
        ax.set_title("trial duration: median, 5th-95th centile", fontsize=10)
    for ax in axes[1:]:
        ax.legend(fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def _arm_metrics(rows: pd.DataFrame) -> dict[str, list[tuple[str, str]]]:
    """``metric -> [(arm, column)]`` for numeric flattened per-arm columns ``arms.<arm>.<metric>``."""
    found: dict[str, list[tuple[str, str]]] = {}
    for col in rows.columns:
        m = re.fullmatch(r"arms?\.([^.]+)\.(.+)", str(col))
        numeric = pd.to_numeric(rows[col], errors="coerce").notna().all()
        if m and numeric and not m.group(2).endswith("_mcse") and m.group(2) not in ("mean_n",):
            found.setdefault(m.group(2), []).append((m.group(1), col))
    return found


def sequencing_figure(rows: pd.DataFrame, x: str, lines: str | None, shared: list[str]) -> Figure:
    """Arm A vs arm B figures (response rates, time to response, ...) and whole-trial figures
    (e.g. the share of children exposed to both drugs) against ``x`` (the switch day), one line
    per arm and value of ``lines`` (n per arm), with ±1.96 MCSE bands where the summary has them.
    """
    metrics = _arm_metrics(rows)
    count = len(metrics) + len(shared)
    ncols = min(3, max(count, 1))
    nrows = int(np.ceil(max(count, 1) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.8 * ncols, 3.6 * nrows), squeeze=False)
    flat = list(axes.ravel())
    groups = list(rows.groupby(lines, sort=True)) if lines else [(None, rows)]
    styles = ["-", "--", ":", "-."]
    for ax, (metric, arms) in zip(flat, metrics.items()):
        for k, (level, g) in enumerate(groups):
            g = g.sort_values(x)
            for arm, col in arms:
                se = g[f"{col}_mcse"] if f"{col}_mcse" in g else np.full(len(g), np.nan)
                label = f"{arm}" + (f", {lines.split('.')[-1]}={level}" if lines else "")
                line = ax.plot(g[x].to_numpy(float), g[col].to_numpy(float), ls=styles[k % 4], marker="o",
                               ms=4, label=label)[0]
                se = np.asarray(se, float)
                if np.isfinite(se).any():
                    y = g[col].to_numpy(float)
                    ax.fill_between(g[x].to_numpy(float), y - Z95 * np.nan_to_num(se), y + Z95 * np.nan_to_num(se),
                                    color=line.get_color(), alpha=0.15, lw=0)
        ax.set_title(metric.replace("_", " "), fontsize=10)
        ax.set_xlabel(x)
        ax.legend(fontsize=7)
    for ax, col in zip(flat[len(metrics):], shared):
        for k, (level, g) in enumerate(groups):
            g = g.sort_values(x)
            se = g[f"{col}_mcse"] if f"{col}_mcse" in g else np.full(len(g), np.nan)
            _band(ax, g[x].to_numpy(float), g[col].to_numpy(float), np.asarray(se, float),
                  f"{lines.split('.')[-1]}={level}" if lines else col)
        ax.set_title(col.replace("_", " "), fontsize=10)
        ax.set_xlabel(x)
        ax.legend(fontsize=7)
    for ax in flat[count:]:
        ax.axis("off")
    fig.suptitle("Sequencing: MMF then sirolimus vs sirolimus first")
    fig.tight_layout()
    return fig


def exact_oc_figure(curve, title: str, p0: float, p1: float | None = None, alpha: float | None = None,
                    simulated: pd.DataFrame | None = None, null_curve=None) -> Figure:
    """Exact OC curves as lines, simulated estimates as points with ±1.96 MCSE bars on top.

    Parameters
    ----------
    curve : simtrial.designs.oc.ExactOC
        Exact figures over a grid of true response rates.
    title : str
        The design (e.g. "Simon optimal 3/13, 12/43").
    p0, p1 : float
        Null and planning rates (vertical reference lines).
    alpha : float, optional
        Nominal level (horizontal line on the type I error panel).
    simulated : pandas.DataFrame, optional
        One row per simulated scenario: ``label`` (e.g. "pessimistic, p = 0.35"), ``p``,
        ``reject`` and ``reject_mcse``, optionally ``pet``/``pet_mcse`` and
        ``expected_n``/``expected_n_mcse``.
    null_curve : simtrial.designs.oc.NullSize, optional
        For a two-arm rule: the size over p_A = p_B, drawn on the type I error panel instead of
        the single-arm rejection probability below p0.

    The type I error has its own panel with a 0 to 0.1 axis. PET and expected N panels are drawn
    only for designs with interim looks (otherwise they cannot vary, and the title says so).
    """
    looks = bool(getattr(curve, "has_looks", False))
    rows = 2 if looks else 1
    fig, axes = plt.subplots(rows, 2, figsize=(10, 3.8 * rows), constrained_layout=True)
    axes = np.atleast_1d(axes).ravel()
    sim = simulated if simulated is not None and len(simulated) else None

    def points(ax, col):
        if sim is None or col not in sim:
            return
        for _, row in sim.iterrows():
            se = row.get(f"{col}_mcse", np.nan)
            ax.errorbar([row["p"]], [row[col]], yerr=None if pd.isna(se) else [[Z95 * se], [Z95 * se]],
                        fmt="o", ms=5, capsize=3, label=f"simulated: {row['label']}")

    ax = axes[0]
    ax.plot(curve.p, curve.reject, color="black", lw=1.5, label="exact")
    points(ax, "reject")
    ax.axvline(p0, color="grey", ls=":", lw=1)
    if p1 is not None:
        ax.axvline(p1, color="grey", ls="--", lw=1)
        ax.axhline(float(np.interp(p1, curve.p, curve.reject)), color="grey", ls="--", lw=0.6)
    ax.set(xlabel="true response rate p", ylabel="P(reject H0)", ylim=(0, 1),
           title=f"rejection probability (p0 = {p0:g}" + (f", p1 = {p1:g})" if p1 is not None else ")"))
    ax.legend(fontsize=7, loc="upper left")

    ax = axes[1]
    if null_curve is not None:
        ax.plot(null_curve.p, null_curve.size, color="black", lw=1.5, label="exact, p_A = p_B = p")
        ax.plot([null_curve.p_max], [null_curve.size_max], "kv", ms=6, label=f"maximum {null_curve.size_max:.4f}")
        ax.set(xlabel="common response rate p_A = p_B")
    else:
        keep = curve.p <= p0 + 1e-12
        ax.plot(curve.p[keep], curve.reject[keep], color="black", lw=1.5, label="exact, p <= p0")
        ax.set(xlabel="true response rate p (null space)")
    if sim is not None:
        null = sim[np.abs(sim["p"] - p0) < 1e-9] if null_curve is None else sim[sim.get("null", False) == True]  # noqa: E712
        for _, row in null.iterrows():
            se = row.get("reject_mcse", np.nan)
            ax.errorbar([row["p"]], [row["reject"]], yerr=None if pd.isna(se) else [[Z95 * se], [Z95 * se]],
                        fmt="o", ms=5, capsize=3, label=f"simulated: {row['label']}")
    if alpha is not None:
        ax.axhline(alpha, color="firebrick", ls="--", lw=1, label=f"alpha = {alpha:g}")
    ax.set(ylabel="type I error", ylim=(0, 0.1), title="type I error")
    ax.legend(fontsize=7, loc="upper left")

    if looks:
        for ax, col, ylabel in ((axes[2], "pet", "probability of early termination"),
                                (axes[3], "expected_n", "expected N")):
            ax.plot(curve.p, getattr(curve, col), color="black", lw=1.5, label="exact")
            points(ax, col)
            ax.axvline(p0, color="grey", ls=":", lw=1)
            ax.set(xlabel="true response rate p", ylabel=ylabel, title=ylabel)
            ax.legend(fontsize=7)
        axes[2].set_ylim(0, 1)
        axes[3].set_ylim(0, curve.n * 1.05)
    suffix = "" if looks else f" (no interim look: every trial treats {curve.n} patients)"
    fig.suptitle(title + suffix, fontsize=11)
    return fig
