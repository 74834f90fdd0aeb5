"""Power and sample size of a group-sequential test of response rates (normal approximation).

The same formulas as rpact's ``getPowerRates`` and ``getSampleSizeRates`` with their defaults
(``normalApproximation = TRUE``, ``riskRatio = FALSE``, ``thetaH0 = 0`` for two groups,
``allocationRatioPlanned = 1``):

* Test statistic at look k, from the cumulative data: one group
  ``Z = (x/n - pi0) / sqrt(pi0 (1 - pi0) / n)`` (variance under H0); two groups
  ``Z = (x1/n1 - x2/n2 - theta0) / sqrt(v1/n1 + v2/n2)`` with the Farrington-Manning restricted
  maximum-likelihood rates under H0 in ``v`` (for ``theta0 = 0``: the pooled rate). Group 1 is
  the treatment ("pi1"), group 2 the control ("pi2").
* Drift (E Z_K) used for power (rpact's ``theta * sqrt(maxNumberOfSubjects)``): the effect over
  its standard error under H1, corrected so that the fixed design's power is that of the
  H0-variance test, ``Phi(Delta/se1 - z se0/se1)``:
  ``drift = Delta/se1 + sign(Delta) z_{1 - alpha/sided} (1 - se0/se1)``.
* Sample size: the fixed design's ``N = (z_{1-alpha/sided} sd0 + z_{1-beta} sd1)^2 / Delta^2``
  (per unit of allocation), times the design's inflation factor.

``maxNumberOfSubjects`` in rpact is the total over both groups; ``allocation_ratio`` is
n1 / n2 (treatment over control).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from scipy.special import ndtri

from simtrial._core.validation import Interval, Optional, ValidationError, check

from .design import ExitProbabilities, GroupSequentialDesign
from . import exact as _exact

__all__ = ["GroupSequentialRates", "SampleSizeRates", "sample_size_rates", "farrington_manning_diff"]


def farrington_manning_diff(rate1: float, rate2: float, theta: float, allocation: float) -> tuple[float, float]:
    """Restricted ML rates under H0: pi1 - pi2 = theta (Farrington & Manning 1990), as rpact."""
    if theta == 0:
        ml = (allocation * rate1 + rate2) / (1 + allocation)
        return ml, ml
    a = 1 + 1 / allocation
    b = -(1 + 1 / allocation + rate1 + rate2 / allocation + theta * (1 / allocation + 2))
    c = theta**2 + theta * (2 * rate1 + 1 / allocation + 1) + rate1 + rate2 / allocation
    d = -theta * (1 + theta) * rate1
    v = b**3 / (3 * a) ** 3 - b * c / (6 * a**2) + d / (2 * a)
    if v == 0:
        u = np.sqrt(b**2 / (3 * a) ** 2 - c / (3 * a))
        w = np.pi / 2
    else:
        u = np.sign(v) * np.sqrt(b**2 / (3 * a) ** 2 - c / (3 * a))
        w = (np.pi + np.arccos(v / u**3)) / 3
    ml1 = min(max(0.0, 2 * u * np.cos(w) - b / (3 * a)), 1.0)
    ml2 = min(max(0.0, ml1 - theta), 1.0)
    return ml1, ml2


def _sd(pi1: float, pi2: float | None, theta_h0: float, allocation: float) -> tuple[float, float, float]:
    """Effect and the standard deviations of one unit (one group: per subject; two groups: per
    subject of group 1) under H0 and H1."""
    if pi2 is None:
        return pi1 - theta_h0, np.sqrt(theta_h0 * (1 - theta_h0)), np.sqrt(pi1 * (1 - pi1))
    ml1, ml2 = farrington_manning_diff(pi1, pi2, theta_h0, allocation)
    sd0 = np.sqrt(ml1 * (1 - ml1) + allocation * ml2 * (1 - ml2))
    sd1 = np.sqrt(pi1 * (1 - pi1) + allocation * pi2 * (1 - pi2))
    return pi1 - pi2 - theta_h0, sd0, sd1


def drift_rates(design: GroupSequentialDesign, pi1: float, pi2: float | None, n_max: float,
                theta_h0: float, allocation: float = 1.0) -> float:
    """E Z_K for ``n_max`` subjects in total (rpact's getPowerRates)."""
    effect, sd0, sd1 = _sd(pi1, pi2, theta_h0, allocation)
    n_unit = n_max if pi2 is None else n_max * allocation / (1 + allocation)
    z = ndtri(1 - design.alpha / design.sided)
    return float(np.sqrt(n_unit) * effect / sd1 + np.sign(effect) * z * (1 - sd0 / sd1))


@dataclass(frozen=True)
class SampleSizeRates:
    """rpact's ``getSampleSizeRates`` figures (continuous; round up per group in practice).

    Attributes
    ----------
    n_fixed : float
        Total sample size of the fixed (single-look) design.
    n_max : float
        Maximum total sample size of the group-sequential design.
    n_per_look : ndarray
        Cumulative total sample size at each look.
    expected_n_h0, expected_n_h01, expected_n_h1 : float
        Expected total sample size under H0, half the effect's drift, and H1.
    """

    n_fixed: float
    n_max: float
    n_per_look: np.ndarray
    expected_n_h0: float
    expected_n_h01: float
    expected_n_h1: float


def sample_size_rates(design: GroupSequentialDesign, pi1: float, pi2: float | None = None,
                      theta_h0: float | None = None, allocation_ratio: float = 1.0) -> SampleSizeRates:
    """Sample size for power ``1 - design.beta`` (rpact's ``getSampleSizeRates``).

    Parameters
    ----------
    design : GroupSequentialDesign
    pi1 : float
        Response rate under H1 (treatment; the only group of a one-group design).
    pi2 : float, optional
        Control response rate; None for a one-group design.
    theta_h0 : float, optional
        H0 rate (one group, required) or difference (two groups, default 0).
    allocation_ratio : float
        n1 / n2.
    """
    p = _check_rates(pi1, pi2, theta_h0, allocation_ratio)
    effect, sd0, sd1 = _sd(p["pi1"], p["pi2"], p["theta_h0"], p["allocation_ratio"])
    za, zb = ndtri(1 - design.alpha / design.sided), ndtri(1 - design.beta)
    n_unit = (za * sd0 + zb * sd1) ** 2 / effect**2
    r = p["allocation_ratio"]
    n_fixed = float(n_unit if pi2 is None else n_unit * (1 + r) / r)
    ch = design.characteristics
    n_max = n_fixed * ch.inflation_factor
    return SampleSizeRates(n_fixed=n_fixed, n_max=n_max, n_per_look=n_max * design.t,
                           expected_n_h0=ch.asn_h0 * n_fixed, expected_n_h01=ch.asn_h01 * n_fixed,
                           expected_n_h1=ch.asn_h1 * n_fixed)


_RATES = {
    "pi1": Interval(float, 0.0, 1.0, closed="neither"),
    "pi2": Optional(Interval(float, 0.0, 1.0, closed="neither")),
    "theta_h0": Optional(Interval(float, -1.0, 1.0, closed="neither")),
    "allocation_ratio": Interval(float, 0.01, 100.0),
}


def _check_rates(pi1, pi2, theta_h0, allocation_ratio) -> dict:
    p = check(dict(pi1=pi1, pi2=pi2, theta_h0=theta_h0, allocation_ratio=allocation_ratio), _RATES)
    if p["pi2"] is None:
        if p["theta_h0"] is None or not 0 < p["theta_h0"] < 1:
            raise ValidationError("theta_h0", "a one-group design needs the H0 rate in (0, 1)", p["theta_h0"])
    elif p["theta_h0"] is None:
        p["theta_h0"] = 0.0
    return p


class GroupSequentialRates:
    """A group-sequential trial of response rates: analytic power (normal approximation, as
    rpact's ``getPowerRates``), boundaries on the observed counts, and exact binomial operating
    characteristics of the same z boundaries.

    Parameters
    ----------
    design : GroupSequentialDesign
        Boundaries on the z scale.
    n_max : int
        Maximum total number of subjects (both groups).
    pi1 : float
        True (planning) response rate of the treatment group (the only group if ``pi2`` is None).
    pi2 : float, optional
        Control response rate; None for a one-group design.
    theta_h0 : float, optional
        One group: the H0 rate (required). Two groups: the H0 difference (default 0).
    allocation_ratio : float
        n1 / n2 (treatment over control).

    Attributes
    ----------
    n_per_look : ndarray of int
        Cumulative subjects per group at each look, shape (groups, K): ``round(n_max t_k)``
        split by the allocation ratio (group 1 first).

    Examples
    --------
    >>> d = GroupSequentialDesign([0.5, 1.0], alpha=0.025, type_of_design="asOF")
    >>> gs = GroupSequentialRates(d, n_max=80, pi1=0.65, pi2=0.40)
    >>> round(gs.power, 4)   # rpact getPowerRates(...)$overallReject = 0.6116
    0.6116
    """

    _constraints = {"n_max": Interval(int, 2, 100_000)}

    def __init__(self, design: GroupSequentialDesign, n_max: int, pi1: float, pi2: float | None = None,
                 theta_h0: float | None = None, allocation_ratio: float = 1.0):
        if not isinstance(design, GroupSequentialDesign):
            raise ValidationError("design", "must be a GroupSequentialDesign", type(design).__name__)
        self.design = design
        self.n_max = check({"n_max": n_max}, self._constraints)["n_max"]
        p = _check_rates(pi1, pi2, theta_h0, allocation_ratio)
        self.pi1, self.pi2, self.theta_h0, self.allocation_ratio = p["pi1"], p["pi2"], p["theta_h0"], p["allocation_ratio"]
        n = np.rint(self.n_max * design.t).astype(int)
        if self.groups == 1:
            self.n_per_look = n[None, :]
        else:
            r = self.allocation_ratio
            n1 = np.rint(n * r / (1 + r)).astype(int)
            self.n_per_look = np.vstack([n1, n - n1])
        if np.any(self.n_per_look < 1) or np.any(np.diff(self.n_per_look, axis=1) < 1):
            raise ValidationError("n_max", "too small for these looks: every look needs new subjects in every group",
                                  self.n_max)

    @property
    def groups(self) -> int:
        return 1 if self.pi2 is None else 2

    # ------------------------------------------------------------------ analytic (normal approximation)
    def drift(self, pi1: float | None = None, pi2: float | None = None) -> float:
        """E Z_K at rates (pi1, pi2) (default: the object's), rpact's theta * sqrt(N)."""
        pi1 = self.pi1 if pi1 is None else pi1
        pi2 = self.pi2 if pi2 is None else pi2
        return drift_rates(self.design, pi1, pi2, self.n_max, self.theta_h0, self.allocation_ratio)

    @cached_property
    def exit(self) -> ExitProbabilities:
        """Analytic exit probabilities at (pi1, pi2)."""
        return self.design.exit_probabilities(self.drift())

    @cached_property
    def exit_h0(self) -> ExitProbabilities:
        """Analytic exit probabilities under H0 (futility applied as planned)."""
        return self.design.exit_probabilities(0.0)

    @property
    def power(self) -> float:
        """Analytic power at (pi1, pi2): rpact's ``overallReject``."""
        return self.exit.power

    @property
    def expected_n(self) -> float:
        """Analytic expected total sample size at (pi1, pi2): rpact's ``expectedNumberOfSubjects``."""
        return self.exit.expected_fraction(self.design.t) * self.n_max

    # ------------------------------------------------------------------ counts and exact
    def count_boundaries(self) -> "pd.DataFrame":
        """The boundaries on the observed responder counts, per look.

        One group: the smallest count rejecting H0 and the largest count stopping for futility.
        Two groups: the same for the treatment count, one row per control count.
        """
        import pandas as pd

        return _exact.count_boundaries(self._spec())

    def _spec(self) -> "_exact.Spec":
        d = self.design
        fut = np.full(d.k_max, -np.inf)
        if d.futility is not None:
            fut[:-1] = d.futility
        return _exact.Spec(n=self.n_per_look, critical=np.asarray(d.critical_values, float), futility=fut,
                           sided=d.sided, theta_h0=self.theta_h0, groups=self.groups)

    def exact(self, pi1: float | None = None, pi2: float | None = None, futility: bool = True) -> ExitProbabilities:
        """Exact binomial exit probabilities of the same z boundaries at the integer look sizes.

        ``futility=False`` ignores the futility bounds (the type I error of a non-binding design).
        """
        pi1 = self.pi1 if pi1 is None else pi1
        pi2 = self.pi2 if pi2 is None else pi2
        reject, fut = _exact.exit_probabilities(self._spec(), pi1, pi2, futility)
        return ExitProbabilities(reject, fut, np.nan)

    def exact_expected_n(self, pi1: float | None = None, pi2: float | None = None) -> float:
        ep = self.exact(pi1, pi2)
        n = self.n_per_look.sum(0)
        stop = np.append(ep.stop, 1.0 - ep.stop.sum())
        return float(np.sum(stop * n))

    @property
    def null_rates(self) -> tuple[float, float | None]:
        """True rates on the H0 boundary used for the exact size: (theta_h0, None) for one group;
        both groups at the control rate plus theta_h0 for two."""
        if self.groups == 1:
            return self.theta_h0, None
        return self.pi2 + self.theta_h0, self.pi2

    # ------------------------------------------------------------------ reporting
    def summary(self) -> "pd.DataFrame":
        """One row per look: sizes, boundaries on z and on counts, cumulative alpha spent, exit
        probabilities (analytic at the planning rates and under H0, exact at the planning rates).

        The table's ``attrs`` hold the trial-level figures: ``power`` and ``expected_n``
        (analytic, rpact's), ``exact_power``, ``exact_expected_n`` and ``n_max``."""
        import pandas as pd

        d = self.design
        cb = self.count_boundaries()
        if self.groups == 2:
            # the count boundary at the control count nearest its expected value under the control rate
            x2 = np.rint(self.pi2 * self.n_per_look[1]).astype(int)
            cb = pd.concat([cb[(cb.look == k + 1) & (cb.x_control == x2[k])] for k in range(d.k_max)])
        exact = self.exact()
        out = pd.DataFrame({
            "look": np.arange(1, d.k_max + 1),
            "information": d.t,
            "n": self.n_per_look.sum(0),
        })
        if self.groups == 2:
            out["n_treatment"] = self.n_per_look[0]
            out["n_control"] = self.n_per_look[1]
            out["x_control"] = cb["x_control"].to_numpy()
        out["critical_z"] = d.critical_values
        out["futility_z"] = np.append(d.futility, np.nan) if d.futility is not None else np.nan
        out["reject_if_x_at_least"] = cb["reject_min"].to_numpy()
        out["futility_if_x_at_most"] = cb["futility_max"].to_numpy()
        out["alpha_spent"] = d.alpha_spent
        out["reject_h0"] = self.exit_h0.reject
        out["reject"] = self.exit.reject
        out["futility"] = self.exit.futility
        out["cumulative_power"] = np.cumsum(self.exit.reject)
        out["exact_reject"] = exact.reject
        out["exact_futility"] = exact.futility
        out = out.set_index("look")
        # the trial-level figures travel with the table
        out.attrs.update(power=self.power, expected_n=self.expected_n, exact_power=exact.power,
                         exact_expected_n=self.exact_expected_n(), n_max=self.n_max)
        return out

    def figures(self) -> dict:
        """Headline figures (JSON-ready) for summary.json."""
        s = self.summary()
        h0 = self.null_rates
        exact_h0 = self.exact(*h0)
        exact_h0_nb = self.exact(*h0, futility=False)
        per_look = {c: [None if not np.isfinite(v) else float(v) if isinstance(v, float) else int(v)
                        for v in s[c].to_numpy()] for c in s.columns}
        per_look["look"] = [int(k) for k in s.index]
        return {
            "design": self.design.describe(),
            "groups": self.groups,
            "n_max": self.n_max,
            "pi1": self.pi1, "pi2": self.pi2, "theta_h0": self.theta_h0,
            "allocation_ratio": self.allocation_ratio,
            "drift": self.drift(),
            "power": self.power,
            "expected_n": self.expected_n,
            "alpha_spent": float(self.design.alpha_spent[-1]),
            "exact_power": self.exact().power,
            "exact_expected_n": self.exact_expected_n(),
            "exact_size": exact_h0.power,
            "exact_size_ignoring_futility": exact_h0_nb.power,
            "looks": per_look,
        }

    def __str__(self) -> str:
        s = self.summary()
        d = self.design
        rates = (f"pi1 = {self.pi1:g}, H0 rate = {self.theta_h0:g}" if self.groups == 1
                 else f"pi1 (treatment) = {self.pi1:g}, pi2 (control) = {self.pi2:g}, H0 difference = {self.theta_h0:g}")
        fmt = lambda v: " ".join(f"{x:8.4f}" if np.isfinite(x) else "     inf" if x == np.inf else "       -"
                                 for x in np.asarray(v, float))
        fmti = lambda v: " ".join(f"{x:8.0f}" if np.isfinite(x) else "       -" for x in np.asarray(v, float))
        h0 = self.null_rates
        lines = [f"Power calculation for testing rates ({self.groups} group{'s' if self.groups > 1 else ''}), "
                 f"normal approximation", f"  {d.describe()}", f"  {rates}, maximum N = {self.n_max}", "",
                 f"  Stage                              : {fmti(s.index)}",
                 f"  Information rate                   : {fmt(d.t)}",
                 f"  Cumulative sample size             : {fmti(s['n'])}",
                 f"  Efficacy boundary (z)              : {fmt(d.critical_values)}"]
        if d.futility is not None:
            lines.append(f"  Futility boundary (z)              : {fmt(np.append(d.futility, np.nan))}")
        who = "responders" if self.groups == 1 else "treatment responders"
        lines.append(f"  {'Reject if ' + who + ' >=':<35}: {fmti(s['reject_if_x_at_least'])}")
        if self.groups == 2:
            lines.append(f"    (at control responders           : {fmti(s['x_control'])})")
        if d.futility is not None:
            label = ("Futility stop if " + who + " <=").replace("stop if treatment responders", "if treatment resp.")
            lines.append(f"  {label:<35}: {fmti(s['futility_if_x_at_most'])}")
        lines += [f"  Cumulative alpha spent             : {fmt(d.alpha_spent)}",
                  f"  Overall power (analytic)           : {self.power:.4f}",
                  f"  Rejection per stage (analytic)     : {fmt(self.exit.reject)}"]
        if d.futility is not None:
            lines.append(f"  Futility stop per stage (analytic) : {fmt(self.exit.futility[:-1])}")
        lines += [f"  Expected number of subjects        : {self.expected_n:.2f}",
                  f"  Exact power (binomial)             : {self.exact().power:.4f}",
                  f"  Exact size at H0 rates {self._h0_label(h0):<11} : {self.exact(*h0).power:.4f}"
                  + ("" if d.futility is None else f" ({self.exact(*h0, futility=False).power:.4f} ignoring futility)")]
        return "\n".join(lines)

    @staticmethod
    def _h0_label(h0) -> str:
        return f"{h0[0]:g}" if h0[1] is None else f"{h0[0]:g}/{h0[1]:g}"
