"""Figures of a group-sequential design: its boundaries and its power curve (matplotlib)."""

from __future__ import annotations

import numpy as np

__all__ = ["boundaries_figure", "oc_curve_figure"]


def boundaries_figure(trial):
    """Efficacy (and futility) bounds on the z scale by look, with the counts beside each point."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    d = trial.design
    s = trial.summary()
    fig, ax = plt.subplots(figsize=(6, 4))
    crit = np.where(np.isfinite(d.critical_values), d.critical_values, np.nan)
    ax.plot(s["n"], crit, "o-", color="#1b7837", label="efficacy bound (z)")
    if d.sided == 2:
        ax.plot(s["n"], -crit, "o-", color="#1b7837")
    for n, z, x in zip(s["n"], crit, s["reject_if_x_at_least"]):
        if np.isfinite(z) and np.isfinite(x):
            ax.annotate(f">= {x:.0f}", (n, z), textcoords="offset points", xytext=(4, 6), fontsize=8)
    if d.futility is not None:
        ax.plot(s["n"].iloc[:-1], d.futility, "s--", color="#b2182b", label="futility bound (z)")
        for n, z, x in zip(s["n"].iloc[:-1], d.futility, s["futility_if_x_at_most"].iloc[:-1]):
            if np.isfinite(x):
                ax.annotate(f"<= {x:.0f}", (n, z), textcoords="offset points", xytext=(4, -12), fontsize=8)
    ax.axhline(0, color="grey", lw=0.5)
    who = "responders" if trial.groups == 1 else "treatment responders (control at its planning rate)"
    ax.set(xlabel="children assessed (total)", ylabel="z", title=f"{d.describe()}\nlabels: {who}")
    ax.title.set_fontsize(8)
    ax.legend(fontsize=8)
    return fig


def oc_curve_figure(curve, alpha: float):
    """Analytic (normal approximation) and exact power over the treatment rate."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(curve["p_treatment"], curve["power"], "-", label="analytic (normal approximation, rpact)")
    ax.plot(curve["p_treatment"], curve["exact_power"], "o", ms=3, label="exact (binomial enumeration)")
    ax.axhline(alpha, color="grey", lw=0.5, ls=":")
    ax.set(xlabel="true response rate, treatment", ylabel="P(reject H0)", ylim=(0, 1))
    ax.legend(fontsize=8)
    return fig
