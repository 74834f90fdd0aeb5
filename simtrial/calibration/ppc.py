"""Posterior (and prior) predictive checks against every published figure the model was fitted to.

Each :class:`Figure` computes one published number from simulated cohorts (one value per draw);
:func:`ppc_table` sets the observed value beside the predictive median and central interval.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from simtrial.calibration.data import CalibrationData
from simtrial.calibration.simulate import SimCohorts
from simtrial.models.parameters import GROUPS

#: Central predictive interval used for coverage (90%, equal-tailed).
PPC_PROB: float = 0.90


@dataclass(frozen=True)
class Figure:
    """A published figure: its key, label, source, observed value and how to compute it."""

    key: str
    label: str
    source: str
    observed: float
    compute: Callable[[SimCohorts], np.ndarray]


def _count(cls: np.ndarray, which: str) -> np.ndarray:
    hit = {"responders": cls > 0, "CR": cls == 2, "PR": cls == 1}[which]
    return hit.sum(axis=-1).astype(float)


def _median_days(days: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Row-wise median of ``days`` where ``keep`` (NaN for a row with none)."""
    x = np.where(keep, days, np.nan)
    out = np.full(x.shape[0], np.nan)
    ok = keep.any(axis=1)
    out[ok] = np.nanmedian(x[ok], axis=1)
    return out


def figures(data: CalibrationData) -> list[Figure]:
    """The published figures behind ``data`` (letter, Bride 2016, Miano 2016)."""
    out: list[Figure] = []
    L = "letter (Am J Hematol), Table 1A/1B"
    grp = data.pt_group
    for g, label in ((0, "primary ITP"), (1, "ARS-ITP")):
        sel = grp == g
        for which in ("responders", "CR", "PR"):
            obs = _count(np.where(sel, data.pt_class, 0), which)
            out.append(Figure(f"letter_{GROUPS[g]}_{which.lower()}", f"letter {label}: {which} (of {sel.sum()})",
                              L, float(obs), lambda s, sel=sel, w=which: _count(np.where(sel, s.letter.cls, 0), w)))
    for which in ("responders", "CR", "PR"):
        out.append(Figure(f"letter_{which.lower()}", f"letter all: {which} (of {grp.size})", L,
                          float(_count(data.pt_class, which)), lambda s, w=which: _count(s.letter.cls, w)))
    failed = data.pt_mmf_failed == 1
    out.append(Figure("letter_mmf_failed_responders", f"letter MMF-failed: responders (of {failed.sum()})", L,
                      float(_count(np.where(failed, data.pt_class, 0), "responders")),
                      lambda s: _count(np.where(failed, s.letter.cls, 0), "responders")))
    out.append(Figure("letter_median_days_pr", "letter median days to PR (recorded)", L,
                      float(np.nanmedian(data.pt_day_pr)),
                      lambda s: _median_days(s.letter.day_pr, s.letter_pr_recorded & (s.letter.cls > 0))))
    out.append(Figure("letter_median_days_cr", "letter median days to CR", L,
                      float(np.nanmedian(data.pt_day_cr)),
                      lambda s: _median_days(s.letter.day_cr, s.letter.cls == 2)))

    B = "Bride et al., Blood 2016 (abstract)"
    for row, (g, n, k, event) in enumerate(zip(data.bride_group, data.bride_n, data.bride_k, data.bride_event)):
        which = "CR" if event == "cr" else "responders"
        out.append(Figure(f"bride_{GROUPS[g]}_{which.lower()}", f"Bride {GROUPS[g]}: {which} (of {n})", B,
                          float(k), lambda s, row=row, w=which: _count(s.bride[row].cls, w)))
        win = data.cr_window_group == g
        if win.any():
            lo, hi = float(data.cr_window_low[win].min()), float(data.cr_window_high[win].max())
            label = f"Bride {GROUPS[g]}: CRs recorded by day {hi:g} (of {n})" if lo == 0 else \
                f"Bride {GROUPS[g]}: CRs on days {lo:g}-{hi:g} (of {n})"
            out.append(Figure(f"bride_{GROUPS[g]}_cr_in_window", label, B, float(win.sum()),
                              lambda s, row=row, lo=lo, hi=hi: np.sum(
                                  (s.bride[row].cls == 2) & (s.bride[row].day_cr > lo)
                                  & (s.bride[row].day_cr <= hi), axis=1).astype(float)))

    M = "Miano et al., Br J Haematol 2016 (derived counts)"
    for row, (g, n, cr, pr) in enumerate(zip(data.mmf_group, data.mmf_n, data.mmf_cr, data.mmf_pr)):
        for which, obs in (("responders", cr + pr), ("CR", cr)):
            out.append(Figure(f"mmf_{GROUPS[g]}_{which.lower()}", f"MMF {GROUPS[g]}: {which} (of {n})", M,
                              float(obs), lambda s, row=row, w=which: _count(s.mmf[row].cls, w)))
    rows = list(data.mmf_overall)
    n_all = int(data.mmf_n[rows].sum())
    for which, obs in (("responders", (data.mmf_cr + data.mmf_pr)[rows].sum()), ("CR", data.mmf_cr[rows].sum()),
                       ("PR", data.mmf_pr[rows].sum())):
        out.append(Figure(f"mmf_all_{which.lower()}", f"MMF all: {which} (of {n_all})", M, float(obs),
                          lambda s, w=which: sum(_count(s.mmf[r].cls, w) for r in rows)))
    for key, label, obs, region, attr in (("pr", "PR", data.mmf_median_pr, 0, "day_pr"),
                                          ("cr", "CR", data.mmf_median_cr, 1, "day_cr")):
        def comp(s, region=region, attr=attr):
            days = np.concatenate([getattr(s.mmf[r], attr) for r in rows], axis=1)
            cls = np.concatenate([s.mmf[r].cls for r in rows], axis=1)
            return _median_days(days, cls > region)
        out.append(Figure(f"mmf_median_days_{key}", f"MMF median days to {label}", M, float(obs), comp))
    return out


def ppc_table(figs: list[Figure], predictive: dict[str, np.ndarray], prob: float = PPC_PROB) -> list[dict]:
    """One entry per figure: observed, predictive median and equal-tailed ``prob`` interval, covered.

    A draw in which a median is undefined (no responder) is left out of that figure's interval;
    ``undefined_share`` reports how often.
    """
    lo_q, hi_q = (1 - prob) / 2, 1 - (1 - prob) / 2
    rows = []
    for f in figs:
        x = np.asarray(predictive[f.key], float).ravel()
        ok = np.isfinite(x)
        if not ok.any():
            med = lo = hi = float("nan")
        else:
            med, lo, hi = (float(v) for v in np.quantile(x[ok], [0.5, lo_q, hi_q]))
        covered = bool(ok.any() and lo <= f.observed <= hi)
        rows.append({"name": f.key, "label": f.label, "source": f.source, "observed": f.observed,
                     "median": med, "lower": lo, "upper": hi, "interval": f"{prob:.0%} equal-tailed",
                     "covered": covered, "undefined_share": float(1 - ok.mean())})
    return rows


def predictive_figures(figs: list[Figure], sim: SimCohorts) -> dict[str, np.ndarray]:
    """Every figure computed on every simulated draw."""
    return {f.key: np.asarray(f.compute(sim), float) for f in figs}
