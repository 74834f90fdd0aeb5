"""Exact sample-size search: the smallest n, and the smallest n that stays (the saw-tooth).

The exact size and power of a discrete test are not monotone in n: adding a patient can
lower the power (the critical value jumps, and the size drops with it). A protocol therefore
needs two numbers:

* ``n_min``: the smallest n in the range whose design meets both targets (size <= alpha and
  power >= the target at the planning value);
* ``n_stable``: the smallest n from which *every* larger n in the range also meets them, so
  that over-recruiting a few patients never costs the targets.

Both come from exact calculation over every n of the range (no simulation). The same search
is offered for the one-stage exact binomial test (A'Hern RP, Stat Med 2001;20:859-866), for
Fisher's exact test and the Bayesian rule P(p_B > p_A | data) > threshold with n patients per
arm, and for predictive-probability designs calibrated to exact size <= alpha at each n.

Simon two-stage designs are searched per planning value: the minimax, the optimal and the
admissible designs in between (Jung SH, Lee T, Kim K, George SL, Stat Med 2004;23:561-569):
the designs that minimise ``q n + (1 - q) EN(p0)`` for some weight q in [0, 1], each with
its q range.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from . import simon
from ._validation import check_int, check_probability
from .binomial import critical_value
from .oc import null_size

__all__ = [
    "SampleSizeSearch",
    "single_arm_sample_size",
    "two_arm_sample_size",
    "pp_sample_size",
    "AdmissibleDesign",
    "simon_best_by_n",
    "admissible_designs",
    "simon_designs",
]


@dataclass(frozen=True)
class SampleSizeSearch:
    """Result of an exact sample-size search.

    Attributes
    ----------
    n_min : int or None
        Smallest n of the range meeting both targets (None if none does).
    n_stable : int or None
        Smallest n from which every larger n of the range meets both targets (None if the
        largest n of the range fails).
    alpha, power : float
        The targets (size <= alpha, power >= power).
    table : pandas.DataFrame
        One row per n: ``n``, the design's critical values, ``size`` (exact), ``power``
        (exact, at the planning value) and ``meets`` (both targets).
    description : str
        What was searched (design, rates), for printing.
    """

    n_min: int | None
    n_stable: int | None
    alpha: float
    power: float
    table: object
    description: str

    def __str__(self) -> str:
        lines = [
            f"Exact sample-size search: {self.description}",
            f"  targets: exact size <= {self.alpha:g}, exact power >= {self.power:g}",
            f"  smallest n meeting both:             {self.n_min if self.n_min is not None else 'none in range'}",
            f"  smallest n from which all larger do: {self.n_stable if self.n_stable is not None else 'none in range'}",
        ]
        if self.n_min is not None:
            row = self.table.loc[self.table["n"] == self.n_min].iloc[0]
            lines.append(f"  at n = {self.n_min}: size {row['size']:.4f}, power {row['power']:.4f}")
        return "\n".join(lines)


def _stable(ns: np.ndarray, meets: np.ndarray) -> int | None:
    if not meets[-1]:
        return None
    fails = np.flatnonzero(~meets)
    return int(ns[fails[-1] + 1]) if fails.size else int(ns[0])


def _result(rows: dict, alpha: float, power: float, description: str) -> SampleSizeSearch:
    import pandas as pd

    table = pd.DataFrame(rows)
    table["meets"] = (table["size"] <= alpha + 1e-12) & (table["power"] >= power - 1e-12)
    ns = table["n"].to_numpy()
    meets = table["meets"].to_numpy()
    hit = np.flatnonzero(meets)
    n_min = int(ns[hit[0]]) if hit.size else None
    return SampleSizeSearch(n_min, _stable(ns, meets), alpha, power, table, description)


def _range(n_range) -> np.ndarray:
    lo, hi = (int(v) for v in n_range)
    check_int("n_range[0]", lo, minimum=1)
    if hi < lo:
        raise ValueError(f"n_range must be (low, high) with low <= high, got {n_range!r}")
    return np.arange(lo, hi + 1)


def single_arm_sample_size(p0: float, p1: float, alpha: float, power: float, n_range=(1, 200)) -> SampleSizeSearch:
    """Exact one-stage test of H0: p <= p0: n_min and n_stable for power at ``p1``.

    ``n_min`` is A'Hern's (2001) single-stage sample size: the smallest n for which some
    critical value r has P(X >= r | p0) <= alpha and P(X >= r | p1) >= power (the smallest
    admissible r is the one with the largest power).
    """
    from scipy import stats

    p0 = check_probability("p0", p0)
    p1 = check_probability("p1", p1)
    alpha = check_probability("alpha", alpha)
    power = check_probability("power", power)
    if p1 <= p0:
        raise ValueError(f"p1 must exceed p0 (one-sided test), got p0={p0}, p1={p1}")
    ns = _range(n_range)
    r = critical_value(ns, p0, alpha)
    rows = {
        "n": ns,
        "r": r,
        "size": stats.binom.sf(r - 1, ns, p0),
        "power": stats.binom.sf(r - 1, ns, p1),
    }
    return _result(rows, alpha, power, f"single-arm exact binomial test, p0 = {p0:g} vs p1 = {p1:g}")


def two_arm_sample_size(
    rule, p_a: float, p_b: float, alpha: float, power: float, n_range=(5, 80)
) -> SampleSizeSearch:
    """Exact search over n patients per arm for a two-arm rule.

    Parameters
    ----------
    rule : callable
        ``rule(n_a, n_b)`` returns the boolean rejection table ``reject[x_a, x_b]``, e.g.
        ``lambda na, nb: fisher_rejection_table(na, nb, 0.05, "greater")``.
    p_a, p_b : float
        Planning rates of control (A) and experimental (B) arms; power is at (p_a, p_b).
    alpha : float
        Size target: the maximum over the whole null space p_A = p_B in [0, 1]
        (:func:`simtrial.designs.oc.null_size`) must not exceed it.
    """
    from .two_arm import rejection_probability

    p_a = check_probability("p_a", p_a)
    p_b = check_probability("p_b", p_b)
    alpha = check_probability("alpha", alpha)
    power = check_probability("power", power)
    ns = _range(n_range)
    sizes, p_max, powers = [], [], []
    for n in ns:
        table = rule(int(n), int(n))
        ns_ = null_size(table, np.linspace(0, 1, 201))
        sizes.append(ns_.size_max)
        p_max.append(ns_.p_max)
        powers.append(float(rejection_probability(table, p_a, p_b)))
    rows = {"n": ns, "n_total": 2 * ns, "size": sizes, "p_at_max_size": p_max, "power": powers}
    return _result(rows, alpha, power, f"two-arm rule, n per arm, p_A = {p_a:g} vs p_B = {p_b:g}")


def pp_sample_size(
    p0: float, p1: float, alpha: float, power: float, fractions, theta_f: float, theta_e: float,
    n_range=(10, 80), adjust: str = "final", a: float = 1.0, b: float = 1.0,
) -> SampleSizeSearch:
    """Predictive-probability designs calibrated at each n to exact size <= alpha.

    At every n the design with looks at ``fractions`` is calibrated by
    :func:`simtrial.designs.interim.control_size` (``adjust`` = "final" raises the final
    critical value, "efficacy" lowers nothing and raises theta_e) and its exact power at p1
    is recorded.
    """
    from .interim import control_size
    from .oc import pp_oc

    p0 = check_probability("p0", p0)
    p1 = check_probability("p1", p1)
    alpha = check_probability("alpha", alpha)
    power = check_probability("power", power)
    ns = _range(n_range)
    rows = {"n": [], "r_final": [], "theta_e": [], "size": [], "power": []}
    for n in ns:
        cal = control_size(int(n), fractions, p0, alpha, theta_f, theta_e, adjust=adjust, a=a, b=b)
        curve = pp_oc([p0, p1], cal.design)
        rows["n"].append(int(n))
        rows["r_final"].append(cal.design.r_final)
        rows["theta_e"].append(cal.design.theta_e)
        rows["size"].append(float(curve.reject[0]))
        rows["power"].append(float(curve.reject[1]))
    return _result(rows, alpha, power, f"predictive-probability design (looks at {list(fractions)}), "
                   f"p0 = {p0:g} vs p1 = {p1:g}, size controlled by the {adjust} threshold")


# ---------------------------------------------------------------- Simon: optimal, minimax, admissible


def simon_best_by_n(p0: float, p1: float, alpha: float, power: float, n_max: int = 100):
    """For every total n with a feasible design: the one with the smallest EN(p0).

    Ties are broken by the smaller n1 (as Simon's optimal design). Returns a DataFrame with
    columns r1, n1, r, n, en_p0, pet_p0, size, power (the table clinfun's ``ph2simon`` prints
    as ``out``).
    """
    import pandas as pd

    p0 = check_probability("p0", p0)
    p1 = check_probability("p1", p1)
    alpha = check_probability("alpha", alpha)
    power = check_probability("power", power)
    cand = simon._candidates(p0, p1, alpha, power, 2, check_int("n_max", n_max, minimum=2))
    if cand is None:
        raise ValueError(f"no feasible design with n <= n_max={n_max}; raise n_max")
    en = np.round(cand[:, 7], 10)
    order = np.lexsort((cand[:, 1], en, cand[:, 3]))
    cand = cand[order]
    first = np.concatenate([[True], cand[1:, 3] != cand[:-1, 3]])
    best = cand[first]
    return pd.DataFrame(
        {
            "r1": best[:, 0].astype(int),
            "n1": best[:, 1].astype(int),
            "r": best[:, 2].astype(int),
            "n": best[:, 3].astype(int),
            "en_p0": best[:, 7],
            "pet_p0": best[:, 6],
            "size": best[:, 4],
            "power": best[:, 5],
        }
    )


@dataclass(frozen=True)
class AdmissibleDesign:
    """An admissible Simon design and the weights q for which it is the best compromise.

    It minimises ``q n + (1 - q) EN(p0)`` for every q in [``q_low``, ``q_high``]; q = 1 is the
    minimax design, q = 0 the optimal one.
    """

    design: simon.SimonDesign
    q_low: float
    q_high: float
    label: str


def admissible_designs(p0: float, p1: float, alpha: float, power: float, n_max: int = 100) -> list[AdmissibleDesign]:
    """Admissible two-stage designs (Jung, Lee, Kim and George 2004), minimax first.

    The best design at each n (:func:`simon_best_by_n`) gives points (n, EN(p0)); the designs
    minimising ``q n + (1 - q) EN(p0)`` for some q are the vertices of the lower convex hull
    of those points between the minimax (smallest n) and the optimal (smallest EN(p0)) design.
    """
    best = simon_best_by_n(p0, p1, alpha, power, n_max)
    n = best["n"].to_numpy(float)
    en = np.round(best["en_p0"].to_numpy(), 10)
    i_opt = int(np.lexsort((n, en))[0])
    if n[i_opt] > n_max - 5:
        warnings.warn(
            f"the optimal design's n = {int(n[i_opt])} is within 5 of n_max = {n_max}: a design with a larger "
            "n may have a smaller EN(p0); raise n_max",
            stacklevel=2,
        )
    pts = list(range(0, i_opt + 1))  # n increases along the table; the optimum ends the hull
    hull: list[int] = []
    for i in pts:
        while len(hull) >= 2:
            a, b_ = hull[-2], hull[-1]
            # drop b_ if it lies on or above the segment a -> i
            cross = (n[b_] - n[a]) * (en[i] - en[a]) - (en[b_] - en[a]) * (n[i] - n[a])
            if cross <= 1e-12:
                hull.pop()
            else:
                break
        hull.append(i)
    # q at which consecutive vertices tie: q dn + (1 - q) den = 0
    q_switch = []
    for a, b_ in zip(hull, hull[1:]):
        dn, den = n[b_] - n[a], en[b_] - en[a]
        q_switch.append(float(-den / (dn - den)))
    out = []
    for j, i in enumerate(hull):
        q_high = 1.0 if j == 0 else q_switch[j - 1]
        q_low = 0.0 if j == len(hull) - 1 else q_switch[j]
        row = best.iloc[i]
        d = simon.SimonDesign(
            int(row.r1), int(row.n1), int(row.r), int(row.n), p0, p1,
            float(row.pet_p0), float(row.en_p0), float(row["size"]), float(row["power"]),
        )
        label = "minimax" if j == 0 else ("optimal" if j == len(hull) - 1 else "admissible")
        out.append(AdmissibleDesign(d, q_low, q_high, label))
    return out


def simon_designs(p0: float, planning_values, alpha: float, power: float, n_max: int = 100):
    """Minimax, admissible and optimal Simon designs for each planning value p1.

    Returns a DataFrame, one row per (p1, design), with the design's r1/n1 and r/n, its exact
    size, power at that p1, PET and EN under p0 and under p1, and the q range (Jung et al. 2004)
    over which it is admissible.
    """
    import pandas as pd

    rows = []
    for p1 in np.atleast_1d(planning_values):
        p1 = float(p1)
        for adm in admissible_designs(p0, p1, alpha, power, n_max):
            d = adm.design
            rows.append(
                {
                    "p1": p1, "design": adm.label, "r1": d.r1, "n1": d.n1, "r": d.r, "n": d.n,
                    "size": d.alpha_actual, "power": d.power_actual,
                    "pet_p0": d.pet_p0, "en_p0": d.en_p0,
                    "pet_p1": float(d.pet(p1)), "en_p1": float(d.expected_n(p1)),
                    "q_low": adm.q_low, "q_high": adm.q_high,
                }
            )
    return pd.DataFrame(rows)
