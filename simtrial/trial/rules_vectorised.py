"""The designs' look and final rules applied to many trials at once (for the vectorised calendar).

Each function gives, row by row, exactly what :meth:`Analysis.interim` and :meth:`Analysis.final`
give (the same tables and comparisons); other :class:`Analysis` subclasses fall back to a loop.
"""

from __future__ import annotations

import numpy as np

from simtrial.trial.analysis import CONTINUE, EFFICACY, FUTILITY, Analysis, Simon, SingleArm, TwoArm
from simtrial.trial.interim import _pp_table

__all__ = ["interim_many", "final_many"]


def interim_many(analysis: Analysis, j: int, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Verdicts (0 continue, 1 futility, 2 efficacy) of look ``j``; ``x``, ``m`` of shape (R, n_arms)."""
    if isinstance(analysis, SingleArm):
        x0 = x[:, 0]
        return np.where(analysis.fut[j][x0], FUTILITY, np.where(analysis.eff[j][x0], EFFICACY, CONTINUE))
    if isinstance(analysis, Simon):
        return np.where(x[:, 0] <= analysis.d.r1, FUTILITY, CONTINUE)
    if isinstance(analysis, TwoArm):
        rule, out = analysis.pp, np.empty(x.shape[0], dtype=np.int64)
        # one predictive-probability table per split (m_a, m_b) of the look's children
        splits, inverse = np.unique(m, axis=0, return_inverse=True)
        for i, (ma, mb) in enumerate(splits.tolist()):
            rows = np.flatnonzero(inverse.ravel() == i)
            pp = _pp_table(rule, ma, mb)[x[rows, 0], x[rows, 1]]
            out[rows] = np.where(pp < rule.theta_f, FUTILITY, np.where(pp > rule.theta_e, EFFICACY, CONTINUE))
        return out
    return np.array([analysis.interim(j, tuple(a), tuple(b)) for a, b in zip(x.tolist(), m.tolist())], dtype=np.int64)


def final_many(analysis: Analysis, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Whether H0 is rejected at the final analysis, per row of ``x``, ``m`` (R, n_arms)."""
    if isinstance(analysis, SingleArm):
        return x[:, 0] >= analysis.r
    if isinstance(analysis, Simon):
        return x[:, 0] > analysis.d.r
    if isinstance(analysis, TwoArm):
        return analysis.table[x[:, 0], x[:, 1]].astype(bool)
    return np.array([analysis.final(tuple(a), tuple(b)) for a, b in zip(x.tolist(), m.tolist())], dtype=bool)
