"""The designs' rules for one trial, from scalar counts (oracle of the design objects'
vectorised ``interim`` and ``final``).

Each is written from the design's published definition, not from the production code:
single arm, reject H0 when X >= r, the smallest r with P(X >= r | n, p0) <= alpha, and PP looks
by the predictive probability of reaching r (Lee & Liu 2008); Simon, stop when X1 <= r1 and
reject when X > r (Simon 1989); two arms, the final rejection table and, at a look, the
predictive probability that the final table rejects, summed term by term.
"""

from __future__ import annotations

from scipy import stats

from simtrial._core.codes import Verdict

__all__ = ["single_arm_final", "single_arm_interim", "simon_interim", "simon_final", "two_arm_final",
           "two_arm_interim"]


def single_arm_final(x: int, n: int, p0: float, alpha: float) -> bool:
    r = next(r for r in range(n + 2) if r == n + 1 or stats.binom.sf(r - 1, n, p0) <= alpha)
    return x >= r


def _verdict(pp: float, theta_f: float, theta_e: float) -> Verdict:
    if pp < theta_f:
        return Verdict.FUTILITY
    if pp > theta_e:
        return Verdict.EFFICACY
    return Verdict.CONTINUE


def single_arm_interim(x: int, m: int, n: int, r: int, theta_f: float, theta_e: float, a: float = 1.0,
                       b: float = 1.0) -> Verdict:
    """PP = P(X_final >= r | x of m), the remaining n - m beta-binomial(a + x, b + m - x)."""
    need = r - x
    pp = 1.0 if need <= 0 else float(stats.betabinom.sf(need - 1, n - m, a + x, b + m - x))
    return _verdict(pp, theta_f, theta_e)


def simon_interim(x1: int, r1: int) -> Verdict:
    return Verdict.FUTILITY if x1 <= r1 else Verdict.CONTINUE


def simon_final(x: int, r: int) -> bool:
    return x > r


def two_arm_final(x_a: int, x_b: int, table) -> bool:
    return bool(table[x_a][x_b])


def two_arm_interim(x_a: int, m_a: int, x_b: int, m_b: int, table, theta_f: float, theta_e: float,
                    a: float = 1.0, b: float = 1.0) -> Verdict:
    n_a, n_b = len(table) - 1, len(table[0]) - 1
    pp = 0.0
    for t_a in range(n_a - m_a + 1):
        w_a = stats.betabinom.pmf(t_a, n_a - m_a, a + x_a, b + m_a - x_a)
        for t_b in range(n_b - m_b + 1):
            if table[x_a + t_a][x_b + t_b]:
                pp += w_a * stats.betabinom.pmf(t_b, n_b - m_b, a + x_b, b + m_b - x_b)
    return _verdict(float(pp), theta_f, theta_e)
