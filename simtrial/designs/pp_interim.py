"""Predictive-probability (PP) interim looks as an object, and the two-arm PP rule.

A :class:`PPInterim` says when to look (fractions of the maximum sample size) and what to do:
stop for futility when the predictive probability that the final analysis rejects is below
``theta_f``, for efficacy when it is above ``theta_e`` (0 and 1 switch them off), with a
Beta(``prior_a``, ``prior_b``) prior on each arm's response rate (Lee & Liu, Clin Trials
2008;5:93-106). A design (:class:`~simtrial.designs.SingleArm`, :class:`~simtrial.designs.TwoArm`)
takes one as its ``interim``.

Single arm: the rules are a :class:`simtrial.designs.PPDesign` whose final rule is the exact
binomial test (:func:`single_arm_pp_design`). Two arms: the predictive probability that the
final two-arm rule (a boolean table over all final outcomes) rejects, given x_a of m_a and x_b of
m_b, each arm's remaining responders beta-binomial under its Beta(a, b) posterior::

    PP[x_a, x_b] = sum_{t_a, t_b} P(T_a = t_a | x_a) P(T_b = t_b | x_b) reject[t_a, t_b]

computed exactly as one matrix product per look.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import stats

from simtrial._core.validation import Interval, Options, Sequence, ValidationError, check_fields
from simtrial.designs.bayes import posterior_prob_above
from simtrial.designs.binomial import critical_value
from simtrial.designs.interim import PPDesign

__all__ = ["PPInterim", "single_arm_pp_design", "final_total_distribution", "two_arm_predictive_table",
           "TwoArmPP", "pp_table"]


@dataclass(frozen=True)
class PPInterim:
    """Predictive-probability interim looks.

    Parameters
    ----------
    fractions : sequence of float
        Information fractions of the looks (of the maximum sample size), strictly increasing
        in (0, 1); the look sizes are ``ceil(fraction * n_max)``
        (:func:`simtrial.designs.interim.look_sizes`).
    theta_f : float
        Stop for futility when PP < theta_f (0: never).
    theta_e : float
        Stop for efficacy when PP > theta_e (1: never).
    prior_a, prior_b : float
        Beta prior of each arm's response rate.
    size_control : str
        Single arm with efficacy looks, when they push the exact type I error above alpha:
        ``refuse`` (default: the design is refused, naming the size and the fix), ``final``
        (raise the final critical value), ``efficacy`` (raise theta_e) or ``allow`` (keep the
        inflated size; every report shows it in red). See
        :func:`simtrial.designs.interim.sized_pp_design`.

    Examples
    --------
    >>> PPInterim([0.5], theta_f=0.05)
    PPInterim(fractions=(0.5,), theta_f=0.05, theta_e=1.0, prior_a=1.0, prior_b=1.0, size_control='refuse')
    """

    fractions: tuple
    theta_f: float = 0.0
    theta_e: float = 1.0
    prior_a: float = 1.0
    prior_b: float = 1.0
    size_control: str = "refuse"

    _constraints = {
        "fractions": Sequence(Interval(float, 0.0, 1.0, closed="neither"), min_len=1, increasing=True),
        "theta_f": Interval(float, 0.0, 1.0),
        "theta_e": Interval(float, 0.0, 1.0),
        "prior_a": Interval(float, 0.0, 1e6, closed="right"),
        "prior_b": Interval(float, 0.0, 1e6, closed="right"),
        "size_control": Options("refuse", "final", "efficacy", "allow"),
    }

    def __post_init__(self) -> None:
        check_fields(self, self._constraints)
        if self.theta_f > self.theta_e:
            raise ValidationError("theta_f", f"must be <= theta_e ({self.theta_e})", self.theta_f)

    def summary_lines(self) -> list[str]:
        return [f"  interim looks at {', '.join(f'{f:g}' for f in self.fractions)} of N (predictive probability):",
                f"    stop for futility if PP < {self.theta_f:g}, for efficacy if PP > {self.theta_e:g}; "
                f"Beta({self.prior_a:g}, {self.prior_b:g}) prior"]


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


@dataclass(frozen=True, eq=False)
class TwoArmPP:
    """Two-arm PP stopping rule on a final rejection table (futility PP < theta_f, efficacy > theta_e).

    Hashed by identity: its predictive-probability tables are cached per (rule, m_a, m_b).
    """

    reject_table: np.ndarray
    theta_f: float
    theta_e: float
    a: float = 1.0
    b: float = 1.0


@lru_cache(maxsize=4096)
def pp_table(rule: TwoArmPP, m_a: int, m_b: int) -> np.ndarray:
    """The cached :func:`two_arm_predictive_table` of ``rule`` at split (m_a, m_b)."""
    return two_arm_predictive_table(rule.reject_table, m_a, m_b, rule.a, rule.b)
