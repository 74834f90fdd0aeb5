"""Predictive-probability interim rules for the simulator, and their calibration by simulation.

Single arm: the rules are :class:`simtrial.designs.PPDesign` (Lee & Liu, Clin Trials
2008;5:93-106) with the final rule of the design (the exact binomial critical value).
Two arms: the predictive probability that the final two-arm rule (a boolean table over all
final outcomes, from :mod:`simtrial.designs`) rejects, given x_a of m_a and x_b of m_b, with
each arm's remaining responders beta-binomial under its Beta(a, b) posterior:

    PP[x_a, x_b] = sum_{t_a, t_b} P(T_a = t_a | x_a) P(T_b = t_b | x_b) reject[t_a, t_b]

computed exactly as one matrix product per look.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import product

import numpy as np
from scipy import stats

from simtrial.designs import PPDesign, operating_characteristics
from simtrial.designs.bayes import posterior_prob_above
from simtrial.designs.binomial import critical_value

__all__ = [
    "single_arm_pp_design",
    "final_total_distribution",
    "two_arm_predictive_table",
    "TwoArmPP",
    "SimulatedCalibration",
    "calibrate_interim_thresholds",
]


def single_arm_pp_design(n: int, fractions, p0: float, alpha: float, theta_f: float, theta_e: float,
                         a: float = 1.0, b: float = 1.0) -> PPDesign:
    """A :class:`PPDesign` whose final rule is the exact binomial test (reject if X >= r).

    ``PPDesign`` defines its final rule as P(p > p0 | data) > eta; the posterior increases with
    X, so eta = P(p > p0 | r - 1 of n) gives exactly the critical number r of the binomial test.
    """
    r = int(critical_value(n, p0, alpha))
    if r > n:
        raise ValueError(f"n: the exact test at alpha={alpha} cannot reject with n={n}")
    eta = float(posterior_prob_above(r - 1, n, p0, a, b))
    d = PPDesign(n=n, fractions=tuple(fractions), p0=p0, eta=eta, theta_f=theta_f, theta_e=theta_e, a=a, b=b)
    if d.r_final != r:
        raise ValueError(f"interim design: final critical value {d.r_final} differs from the exact test's {r}")
    return d


def final_total_distribution(m: int, n: int, a: float, b: float) -> np.ndarray:
    """F[x, t] = P(final total = t | x of m so far), remaining n - m beta-binomial; shape (m+1, n+1)."""
    x = np.arange(m + 1)[:, None]
    y = np.arange(n - m + 1)[None, :]
    pmf = stats.betabinom.pmf(y, n - m, a + x, b + m - x)
    out = np.zeros((m + 1, n + 1))
    for xi in range(m + 1):
        out[xi, xi:xi + n - m + 1] = pmf[xi]
    return out


def two_arm_predictive_table(reject_table: np.ndarray, m_a: int, m_b: int, a: float = 1.0,
                             b: float = 1.0) -> np.ndarray:
    """PP[x_a, x_b]: predictive probability that the final rule rejects; shape (m_a+1, m_b+1)."""
    t = np.asarray(reject_table, dtype=float)
    n_a, n_b = t.shape[0] - 1, t.shape[1] - 1
    return final_total_distribution(m_a, n_a, a, b) @ t @ final_total_distribution(m_b, n_b, a, b).T


@dataclass(frozen=True)
class TwoArmPP:
    """Two-arm PP stopping rule on a final rejection table (futility PP < theta_f, efficacy > theta_e)."""

    reject_table: np.ndarray
    theta_f: float
    theta_e: float
    a: float = 1.0
    b: float = 1.0

    def __hash__(self) -> int:
        return id(self)

    def decide(self, x_a: int, m_a: int, x_b: int, m_b: int) -> int:
        """0 continue, 1 stop for futility, 2 stop for efficacy."""
        pp = _pp_table(self, m_a, m_b)[x_a, x_b]
        if pp < self.theta_f:
            return 1
        if pp > self.theta_e:
            return 2
        return 0


@lru_cache(maxsize=4096)
def _pp_table(rule: TwoArmPP, m_a: int, m_b: int) -> np.ndarray:
    return two_arm_predictive_table(rule.reject_table, m_a, m_b, rule.a, rule.b)


@dataclass(frozen=True)
class SimulatedCalibration:
    """Result of :func:`calibrate_interim_thresholds`.

    ``grid`` rows: (theta_f, theta_e, eta, simulated size, its MCSE, exact size).
    """

    design: PPDesign
    size: float
    size_mcse: float
    grid: np.ndarray


def calibrate_interim_thresholds(n: int, fractions, p0: float, alpha: float, theta_f_grid, theta_e_grid,
                                 eta_grid, replicates: int = 20000, seed: int | np.random.SeedSequence = 0,
                                 a: float = 1.0, b: float = 1.0) -> SimulatedCalibration:
    """PP thresholds whose **simulated** type I error under the null scenario is at most ``alpha``.

    Each replicate is a trial of the *null* scenario (every patient responds with probability
    p0, drawn from the replicate's own parametric stream, as in the simulator); every grid
    combination is applied to the same simulated trials (common random numbers). The chosen
    combination has the largest simulated size <= alpha; ties go to grid order (theta_f, then
    theta_e, then eta). The exact counterpart is :func:`simtrial.designs.calibrate_thresholds`;
    the exact size of every row is in ``grid`` for comparison.
    """
    from simtrial.trial.outcomes import OutcomeModel, chunk_outcomes
    from simtrial.trial.visits import visit_days

    root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    model = OutcomeModel(regimens=("sirolimus",), landmark_day=168.0, switch_day=84.0, followup_days=364.0,
                         visits=visit_days(), p_response=(p0,))
    resp = np.concatenate([
        chunk_outcomes(model, root, range(s, min(s + 2000, replicates)), n,
                       np.zeros(n * (min(s + 2000, replicates) - s), dtype=np.intp)).responded
        for s in range(0, replicates, 2000)])
    cum = np.cumsum(resp, axis=1)
    rows, designs = [], []
    for tf, te, eta in product(*(np.atleast_1d(g) for g in (theta_f_grid, theta_e_grid, eta_grid))):
        d = PPDesign(n, tuple(np.atleast_1d(fractions)), p0, float(eta), float(tf), float(te), a, b)
        cols = np.append(d.looks, n) - 1
        outcome, _ = d.decide(cum[:, cols])
        size = float(np.mean(outcome == 2))
        rows.append((tf, te, eta, size, np.sqrt(max(size * (1 - size), 1e-300) / replicates),
                     operating_characteristics(d, p0).reject))
        designs.append(d)
    grid = np.array(rows, dtype=float)
    ok = np.flatnonzero(grid[:, 3] <= alpha)
    if ok.size == 0:
        raise ValueError(f"no threshold combination has simulated type I error <= alpha={alpha}; widen the grids")
    best = ok[np.lexsort((ok, -grid[ok, 3]))[0]]
    return SimulatedCalibration(designs[best], float(grid[best, 3]), float(grid[best, 4]), grid)
