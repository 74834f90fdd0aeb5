"""Look-by-look decisions of a group-sequential test from observed counts, for the simulator.

The trial calendar hands over, per simulated trial, the cumulative responders ``x`` and the
children assessed ``m`` in each arm at a look; :class:`SequentialTest` computes the same z
statistic as :mod:`.exact` (rpact's, see :mod:`.rates`) from the actual counts (which dropout
and randomisation make differ from the planned ones) and compares it with the design's
boundary of that look: ``EFFICACY`` if ``Z >= c_j`` (two-sided ``|Z| >= c_j``), ``FUTILITY`` if
``Z <= u_j``, ``CONTINUE`` otherwise. The boundaries are those of the planned information
fractions (the usual practice when the realised fractions are close to the planned ones).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from .design import GroupSequentialDesign
from .exact import _EPS, _fm_diff

__all__ = ["Verdict", "SequentialTest"]


class Verdict(IntEnum):
    """Decision at a look (the simulator's codes)."""

    CONTINUE = 0
    FUTILITY = 1
    EFFICACY = 2


@dataclass(frozen=True)
class SequentialTest:
    """Decisions of ``design`` on counts.

    Parameters
    ----------
    design : GroupSequentialDesign
    groups : int
        1: one arm against ``theta_h0`` (the H0 rate); 2: arms (control, treatment) in the
        simulator's order A, B, H0: p_B - p_A = ``theta_h0``.
    theta_h0 : float
    """

    design: GroupSequentialDesign
    groups: int
    theta_h0: float

    def z(self, x: np.ndarray, m: np.ndarray) -> np.ndarray:
        """The z statistic per row; ``x``, ``m`` of shape (R, groups) (arm order A, B)."""
        x = np.asarray(x, float)
        m = np.asarray(m, float)
        with np.errstate(invalid="ignore", divide="ignore"):
            if self.groups == 1:
                p0 = self.theta_h0
                z = (x[:, 0] / m[:, 0] - p0) / np.sqrt(p0 * (1 - p0) / m[:, 0])
                return np.where(m[:, 0] > 0, z, 0.0)
            # treatment is arm B (column 1), control arm A (column 0)
            n1, n2 = m[:, 1], m[:, 0]
            r1, r2 = x[:, 1] / n1, x[:, 0] / n2
            diff = r1 - r2 - self.theta_h0
            if self.theta_h0 == 0:
                pooled = (x[:, 0] + x[:, 1]) / (n1 + n2)
                var = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
            else:
                ml1, ml2 = _fm_diff(r1, r2, self.theta_h0, n1 / n2)
                var = ml1 * (1 - ml1) / n1 + ml2 * (1 - ml2) / n2
            z = np.where(diff == 0, 0.0, diff / np.sqrt(var))
            z = np.where(np.isfinite(z), z, np.sign(diff) * np.inf)
            return np.where((n1 > 0) & (n2 > 0), np.nan_to_num(z, nan=0.0), 0.0)

    def decide(self, j: int, x: np.ndarray, m: np.ndarray) -> np.ndarray:
        """Verdict codes at look ``j`` (0-based; the last look never continues)."""
        d = self.design
        z = self.z(x, m)
        last = j == d.k_max - 1
        c = d.critical_values[j]
        reject = (np.abs(z) if d.sided == 2 else z) >= c - _EPS
        out = np.where(reject, Verdict.EFFICACY, Verdict.CONTINUE if not last else Verdict.FUTILITY)
        if not last and d.futility is not None:
            out = np.where(~reject & (z <= d.futility[j] + _EPS), Verdict.FUTILITY, out)
        return out.astype(np.int64)

    def reject_final(self, x: np.ndarray, m: np.ndarray) -> np.ndarray:
        """Whether H0 is rejected at the final analysis."""
        return self.decide(self.design.k_max - 1, x, m) == Verdict.EFFICACY
