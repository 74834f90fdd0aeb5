"""Plots of a simulated design: trial duration, responders per arm, decisions."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from simtrial._core.codes import DECISIONS  # noqa: E402
from simtrial.trial.enrolment import MONTH_DAYS  # noqa: E402
from simtrial.trial.results import ARM_NAMES  # noqa: E402

__all__ = ["duration_figure", "responders_figure", "decisions_figure"]


def duration_figure(res: dict, title: str = ""):
    """Histogram of trial duration (months), median and 90% range marked; ``title`` on top."""
    months = np.asarray(res["duration_days"]) / MONTH_DAYS
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist(months, bins=40, color="#4c72b0")
    for q, style in ((0.05, ":"), (0.5, "-"), (0.95, ":")):
        ax.axvline(np.quantile(months, q), color="k", linestyle=style)
    ax.set_xlabel("trial duration (months; lines: median and 90% range)")
    ax.set_ylabel("replicates")
    _title(ax, title)
    return fig


def responders_figure(res: dict, regimens, title: str = "", rates=None, scenario: str | None = None):
    """Distribution of the number of responders at the analysis, per arm.

    The legend names each arm's regimen and its true response rate (``rates``, one per arm, None
    where unknown) or, with the patient models, ``scenario`` (e.g. "patient models").
    """
    resp = np.asarray(res["responders"])
    fig, ax = plt.subplots(figsize=(6, 3.5))
    top = int(resp.max()) if resp.size else 0
    bins = np.arange(top + 2) - 0.5
    rates = (None,) * len(regimens) if rates is None else tuple(rates)
    for a, regimen in enumerate(regimens):
        truth = f"true p = {rates[a]:g}" if rates[a] is not None else scenario
        ax.hist(resp[:, a], bins=bins, alpha=0.6,
                label=f"arm {ARM_NAMES[a]}: {regimen}" + (f" ({truth})" if truth else ""))
    ax.set_xlabel("responders at the analysis")
    ax.set_ylabel("replicates")
    ax.legend()
    _title(ax, title)
    return fig


def decisions_figure(res: dict, title: str = ""):
    """Share of replicates per decision, with one-MCSE error bars; ``title`` on top."""
    dec = np.asarray(res["decision"]).astype(int)
    share = np.array([np.mean(dec == k) for k in range(len(DECISIONS))])
    se = np.sqrt(share * (1 - share) / dec.size)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.bar(range(len(DECISIONS)), share, yerr=se, color="#55a868", capsize=4)
    ax.set_xticks(range(len(DECISIONS)), [d.replace("_", " ") for d in DECISIONS])
    ax.set_ylabel("share of replicates")
    _title(ax, title)
    return fig


def _title(ax, title: str) -> None:
    if title:
        ax.set_title(title, fontsize=10)
        ax.figure.tight_layout()
