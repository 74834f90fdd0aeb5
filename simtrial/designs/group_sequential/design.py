"""Group-sequential design on the z scale: boundaries, exit probabilities, design characteristics.

The object mirrors rpact's ``getDesignGroupSequential`` (argument names in snake case) and
``getDesignCharacteristics``; see docs/designs.md for worked examples to reproduce in rpact.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from scipy.optimize import brentq
from scipy.special import ndtr, ndtri

from simtrial._core.validation import (
    Boolean,
    Interval,
    Optional,
    Options,
    Sequence,
    ValidationError,
    check,
)

from .boundaries import beta_spending_bounds, spending_bounds, wang_tsiatis_bounds
from .integration import GRID_POINTS, exit_probabilities
from .spending import BetaSpending, TypeOfDesign, spending

__all__ = ["GroupSequentialDesign", "ExitProbabilities", "DesignCharacteristics"]

#: rpact's value for "no futility bound" (C_FUTILITY_BOUNDS_DEFAULT); lower bounds are read as none.
NO_FUTILITY = -6.0


@dataclass(frozen=True)
class ExitProbabilities:
    """Probabilities of stopping at each look for one drift.

    Attributes
    ----------
    reject : ndarray, shape (K,)
        P(reject H0 at look k) (two-sided: either direction).
    futility : ndarray, shape (K,)
        P(stop for futility at look k); 0 at the last look and without futility bounds.
    drift : float
        E Z_K, the drift of the canonical process.
    """

    reject: np.ndarray
    futility: np.ndarray
    drift: float

    @property
    def power(self) -> float:
        """P(reject H0 at any look)."""
        return float(self.reject.sum())

    @property
    def stop(self) -> np.ndarray:
        """P(stop at look k), for k < K; the last look always ends the trial."""
        return (self.reject + self.futility)[:-1]

    def expected_fraction(self, t) -> float:
        """Expected information (sample size) as a fraction of the maximum."""
        t = np.asarray(t, float)
        return float(1.0 - np.sum(self.stop * (1.0 - t[:-1])))


@dataclass(frozen=True)
class DesignCharacteristics:
    """rpact's ``getDesignCharacteristics``: the drift for power 1 - beta and the inflation factor.

    Attributes
    ----------
    shift : float
        Squared drift giving power 1 - beta (rpact's ``shift``).
    n_fixed : float
        ``(z_{1-alpha/sided} + z_{1-beta})^2``, the shift of the fixed design.
    inflation_factor : float
        ``shift / n_fixed``: maximum sample size relative to the fixed design.
    asn_h1, asn_h01, asn_h0 : float
        Expected sample size relative to the fixed design at the drift, half of it, and 0.
    power : ndarray
        Cumulative power by look at the drift.
    """

    shift: float
    n_fixed: float
    inflation_factor: float
    asn_h1: float
    asn_h01: float
    asn_h0: float
    power: np.ndarray


class GroupSequentialDesign:
    """A group-sequential test of H0: theta <= 0 (one-sided) or theta = 0 (two-sided).

    Parameters follow rpact's ``getDesignGroupSequential`` (snake case). The constructor
    validates them and computes the boundaries.

    Parameters
    ----------
    information_rates : sequence of float
        Information fractions of the looks, strictly increasing, the last equal to 1.
    alpha : float
        Overall type I error (two-sided designs: in total over both tails).
    beta : float
        Type II error, for beta spending and :meth:`characteristics`.
    sided : {1, 2}
        One-sided test (reject for large Z) or two-sided with symmetric bounds.
    type_of_design : str
        ``asOF``, ``asP``, ``asHSD``, ``asKD`` (alpha spending), ``WT``, ``OF``, ``P``
        (Wang-Tsiatis family), rpact's names.
    gamma_a : float, optional
        Parameter of asHSD (in [-10, 5]; rpact's gammaA) or asKD (> 0).
    delta_wt : float, optional
        Wang-Tsiatis Delta in [-0.5, 1] (``WT`` only).
    type_beta_spending : str
        ``none``, or ``bsOF``, ``bsP``, ``bsHSD``, ``bsKD``: futility bounds by beta spending
        (one-sided designs).
    gamma_b : float, optional
        Parameter of bsHSD / bsKD.
    futility_bounds : sequence of float, optional
        Fixed futility bounds on the z scale at the K - 1 interim looks (one-sided designs);
        a value <= -6 (rpact's default) means none at that look. Not with beta spending.
    binding_futility : bool
        Whether the futility bounds are binding (the critical values then use them; with
        non-binding bounds the type I error holds even if a futility stop is overruled).
    grid_points : int
        Grid points per look of the numerical integration (odd).

    Attributes
    ----------
    critical_values : ndarray, shape (K,)
        Efficacy bounds on the z scale (inf: no efficacy stop at that look).
    futility : ndarray, shape (K - 1,) or None
        Futility bounds (None without futility).
    alpha_spent : ndarray, shape (K,)
        Cumulative type I error by look (with the binding futility bounds, if any).
    beta_spent : ndarray or None
        Cumulative type II error by look at the beta-spending drift.
    beta_spending_drift : float or None
        The drift at which a beta-spending design has power 1 - beta.

    Examples
    --------
    >>> d = GroupSequentialDesign([0.5, 1.0], alpha=0.025, type_of_design="asOF")
    >>> d.critical_values.round(4)   # rpact: 2.9626 1.9686
    array([2.9626, 1.9686])
    """

    _constraints = {
        "information_rates": Sequence(Interval(float, 0.0, 1.0, closed="right"), min_len=1, max_len=20,
                                      increasing=True),
        "alpha": Interval(float, 1e-6, 0.5, closed="left"),
        "beta": Interval(float, 1e-6, 0.5, closed="left"),
        "sided": Options(1, 2),
        "type_of_design": Options(*[d.value for d in TypeOfDesign]),
        "gamma_a": Optional(Interval(float, -10.0, 10.0)),
        "delta_wt": Optional(Interval(float, -0.5, 1.0)),
        "type_beta_spending": Options(*[b.value for b in BetaSpending]),
        "gamma_b": Optional(Interval(float, -10.0, 10.0)),
        "futility_bounds": Optional(Sequence(Interval(float, -1e6, 6.0), max_len=19)),
        "binding_futility": Boolean(),
        "grid_points": Interval(int, 21, 2001),
    }

    def __init__(self, information_rates=(0.5, 1.0), alpha: float = 0.025, beta: float = 0.2, sided: int = 1,
                 type_of_design: str = "asOF", gamma_a: float | None = None, delta_wt: float | None = None,
                 type_beta_spending: str = "none", gamma_b: float | None = None, futility_bounds=None,
                 binding_futility: bool = False, grid_points: int = GRID_POINTS):
        p = check(dict(information_rates=information_rates, alpha=alpha, beta=beta, sided=sided,
                       type_of_design=str(getattr(type_of_design, "value", type_of_design)), gamma_a=gamma_a,
                       delta_wt=delta_wt,
                       type_beta_spending=str(getattr(type_beta_spending, "value", type_beta_spending)),
                       gamma_b=gamma_b, futility_bounds=futility_bounds, binding_futility=binding_futility,
                       grid_points=grid_points), self._constraints)
        self.information_rates = p["information_rates"]
        self.alpha = p["alpha"]
        self.beta = p["beta"]
        self.sided = p["sided"]
        self.type_of_design = TypeOfDesign(p["type_of_design"])
        self.gamma_a = p["gamma_a"]
        self.delta_wt = p["delta_wt"]
        self.type_beta_spending = BetaSpending(p["type_beta_spending"])
        self.gamma_b = p["gamma_b"]
        self.futility_bounds = p["futility_bounds"]
        self.binding_futility = p["binding_futility"]
        self.grid_points = p["grid_points"] | 1
        self._check_combination()
        self._compute()

    # ------------------------------------------------------------------ validation
    def _check_combination(self) -> None:
        K = len(self.information_rates)
        if abs(self.information_rates[-1] - 1.0) > 1e-12:
            raise ValidationError("information_rates", "must end at 1 (the final analysis)",
                                  list(self.information_rates))
        design = self.type_of_design
        if design.uses_gamma and self.gamma_a is None:
            raise ValidationError("gamma_a", f"is required with {design.value}")
        if design is TypeOfDesign.AS_KD and not self.gamma_a > 0:
            raise ValidationError("gamma_a", "must be > 0 with asKD", self.gamma_a)
        if design is TypeOfDesign.WT and self.delta_wt is None:
            raise ValidationError("delta_wt", "is required with WT")
        bs = self.type_beta_spending
        if bs is not BetaSpending.NONE:
            if self.sided != 1:
                raise ValidationError("type_beta_spending", "beta spending is implemented for one-sided designs",
                                      bs.value)
            if not design.is_spending:
                raise ValidationError("type_beta_spending", "needs an alpha-spending design (asOF, asP, asHSD, asKD)",
                                      bs.value)
            if K < 2:
                raise ValidationError("type_beta_spending", "needs at least 2 looks", bs.value)
            if self.futility_bounds is not None:
                raise ValidationError("futility_bounds", "give either fixed futility bounds or beta spending",
                                      list(self.futility_bounds))
            if bs.uses_gamma and self.gamma_b is None:
                raise ValidationError("gamma_b", f"is required with {bs.value}")
            if bs is BetaSpending.BS_KD and not self.gamma_b > 0:
                raise ValidationError("gamma_b", "must be > 0 with bsKD", self.gamma_b)
        if self.futility_bounds is not None:
            if self.sided != 1:
                raise ValidationError("futility_bounds", "futility bounds are for one-sided designs",
                                      list(self.futility_bounds))
            if len(self.futility_bounds) != K - 1:
                raise ValidationError("futility_bounds", f"must have one value per interim look ({K - 1})",
                                      list(self.futility_bounds))

    # ------------------------------------------------------------------ computation
    @property
    def k_max(self) -> int:
        """Number of looks."""
        return len(self.information_rates)

    @property
    def t(self) -> np.ndarray:
        return np.asarray(self.information_rates, float)

    def _alpha_function(self) -> np.ndarray:
        return spending(self.type_of_design.value, self.alpha, self.t, self.sided, self.gamma_a)

    def _fixed_futility(self) -> np.ndarray | None:
        if self.futility_bounds is None:
            return None
        f = np.asarray(self.futility_bounds, float)
        return np.where(f <= NO_FUTILITY, -np.inf, f)

    def _compute(self) -> None:
        t, m = self.t, self.grid_points
        self.beta_spent = None
        self.beta_spending_drift = None
        fixed = self._fixed_futility()
        binding = fixed if self.binding_futility else None
        if self.type_of_design.is_spending:
            crit = spending_bounds(t, self._alpha_function(), self.sided, binding, m)
        else:
            delta = self.type_of_design.delta_wt
            delta = self.delta_wt if delta is None else delta
            crit = wang_tsiatis_bounds(t, self.alpha, self.sided, delta, binding, m)
        futility = fixed
        if self.type_beta_spending is not BetaSpending.NONE:
            cum_beta = spending(self.type_beta_spending.value, self.beta, t, 1, self.gamma_b)
            crit, futility, drift = beta_spending_bounds(t, crit, self._alpha_function(), cum_beta,
                                                         self.binding_futility, m)
            self.beta_spending_drift = drift
            ep = self.exit_probabilities(drift, critical_values=crit, futility=futility)
            self.beta_spent = np.cumsum(ep.futility)
            self.beta_spent[-1] = 1.0 - ep.power
        self.critical_values = crit
        self.futility = futility
        if fixed is not None and np.any(fixed > crit[:-1] - 0.01):
            # as rpact: a futility bound at or above the efficacy bound leaves no continuation region
            raise ValidationError("futility_bounds", "must be below the critical values of the interim looks "
                                  f"({', '.join(f'{c:.4f}' for c in crit[:-1])})", list(self.futility_bounds))
        h0 = self.exit_probabilities(0.0, futility_binding_only=True)
        self.alpha_spent = np.cumsum(h0.reject)

    def _regions(self, drift, critical_values, futility, use_futility: bool):
        t = self.t
        shift = np.asarray(drift, float)[..., None] * np.sqrt(t)
        crit = np.asarray(critical_values, float)
        upper = crit - shift
        if self.sided == 2:
            lower = -crit - shift
        else:
            fut = np.full(self.k_max, -np.inf)
            if use_futility and futility is not None:
                fut[:-1] = futility
            lower = fut - shift
        return lower, upper

    def exit_probabilities(self, drift=0.0, *, critical_values=None, futility=None,
                           futility_binding_only: bool = False):
        """Probabilities of rejecting and of stopping for futility at each look.

        Parameters
        ----------
        drift : float or array_like
            E Z_K under the alternative (0: H0). An array gives a list of results.
        futility_binding_only : bool
            Apply the futility bounds only if they are binding (the type I error of a
            non-binding design); by default they are applied (the trial as planned).

        Returns
        -------
        ExitProbabilities or list of ExitProbabilities
        """
        crit = self.critical_values if critical_values is None else critical_values
        fut = self.futility if futility is None and critical_values is None else futility
        use = not (futility_binding_only and not self.binding_futility)
        d = np.asarray(drift, float)
        lower, upper = self._regions(d, crit, fut, use)
        below, above = exit_probabilities(lower, upper, self.t, self.grid_points)
        if self.sided == 2:
            reject, fut_p = above + below, np.zeros_like(above)
        else:
            reject, fut_p = above, below.copy()
            fut_p[..., -1] = 0.0
        if d.ndim == 0:
            return ExitProbabilities(reject, fut_p, float(d))
        return [ExitProbabilities(r, f, float(x)) for r, f, x in zip(reject, fut_p, d)]

    def power(self, drift) -> np.ndarray:
        """Overall rejection probability at drift(s) ``drift`` (futility bounds applied)."""
        d = np.asarray(drift, float)
        lower, upper = self._regions(d, self.critical_values, self.futility, True)
        below, above = exit_probabilities(lower, upper, self.t, self.grid_points)
        return above.sum(-1) + (below.sum(-1) if self.sided == 2 else 0.0)

    @cached_property
    def characteristics(self) -> DesignCharacteristics:
        """The drift for power 1 - beta, the inflation factor and relative expected sample sizes."""
        n_fixed = float((ndtri(1 - self.alpha / self.sided) + ndtri(1 - self.beta)) ** 2)
        if self.beta_spending_drift is not None:
            drift = self.beta_spending_drift
        else:
            drift = brentq(lambda d: float(self._upper_power(d)) - (1 - self.beta), 0.0,
                           4 * np.sqrt(n_fixed) + 4, xtol=1e-12)
        shift = drift**2
        eps = self.exit_probabilities(np.array([drift, drift / 2, 0.0]))
        asn = [ep.expected_fraction(self.t) * shift / n_fixed for ep in eps]
        return DesignCharacteristics(shift=shift, n_fixed=n_fixed, inflation_factor=shift / n_fixed,
                                     asn_h1=asn[0], asn_h01=asn[1], asn_h0=asn[2],
                                     power=np.cumsum(self._upper_reject(drift)))

    def _upper_reject(self, drift: float) -> np.ndarray:
        # rpact's getDesignCharacteristics counts only the upper tail (twoSidedPower = FALSE).
        lower, upper = self._regions(np.asarray(drift), self.critical_values, self.futility, True)
        return exit_probabilities(lower, upper, self.t, self.grid_points)[1]

    def _upper_power(self, drift: float) -> float:
        return float(self._upper_reject(drift).sum())

    @property
    def stage_levels(self) -> np.ndarray:
        """Nominal one-sided level of each look, 1 - Phi(c_k)."""
        return ndtr(-self.critical_values)

    # ------------------------------------------------------------------ reporting
    def summary(self) -> "pd.DataFrame":
        """One row per look: boundaries, nominal levels, cumulative alpha (and beta) spent, and
        exit probabilities under H0 and at the drift with power 1 - beta."""
        import pandas as pd

        h0 = self.exit_probabilities(0.0)
        h1 = self.exit_probabilities(np.sqrt(self.characteristics.shift))
        df = pd.DataFrame({
            "look": np.arange(1, self.k_max + 1),
            "information": self.t,
            "critical_z": self.critical_values,
            "futility_z": np.append(self.futility, np.nan) if self.futility is not None else np.nan,
            "stage_level": self.stage_levels,
            "alpha_spent": self.alpha_spent,
            "beta_spent": self.beta_spent if self.beta_spent is not None else np.nan,
            "reject_h0": h0.reject,
            "futility_h0": h0.futility,
            "reject_h1": h1.reject,
            "futility_h1": h1.futility,
        }).set_index("look")
        return df

    def describe(self) -> str:
        """One line naming the design (rpact's terms)."""
        name = self.type_of_design.value
        if self.type_of_design.uses_gamma:
            name += f"(gamma = {self.gamma_a:g})"
        if self.type_of_design is TypeOfDesign.WT:
            name += f"(Delta = {self.delta_wt:g})"
        fut = ""
        if self.type_beta_spending is not BetaSpending.NONE:
            fut = f", futility by {self.type_beta_spending.value}"
            if self.type_beta_spending.uses_gamma:
                fut += f"(gamma = {self.gamma_b:g})"
        elif self.futility is not None:
            fut = ", fixed futility bounds"
        if self.futility is not None:
            fut += " (binding)" if self.binding_futility else " (non-binding)"
        return (f"{self.k_max}-look group-sequential design, {name}, {self.sided}-sided alpha = "
                f"{self.alpha:g}{fut}")

    def __repr__(self) -> str:
        args = [f"information_rates={list(self.information_rates)}", f"alpha={self.alpha}",
                f"sided={self.sided}", f"type_of_design={self.type_of_design.value!r}"]
        if self.type_beta_spending is not BetaSpending.NONE:
            args.append(f"type_beta_spending={self.type_beta_spending.value!r}")
        return f"GroupSequentialDesign({', '.join(args)})"

    def __str__(self) -> str:
        s = self.summary()
        ch = self.characteristics
        fmt = lambda v: " ".join("  inf " if np.isinf(x) else ("   -  " if np.isnan(x) else f"{x:6.4f}")
                                 for x in np.atleast_1d(v))
        lines = [f"Design parameters and output of {self.describe()}:", "",
                 "User defined parameters:",
                 f"  Type of design                     : {self.type_of_design.value}",
                 f"  Information rates                  : {fmt(self.t)}",
                 f"  Significance level                 : {self.alpha:.4f}",
                 f"  Type II error rate                 : {self.beta:.4f}",
                 f"  Test                               : {self.sided}-sided",
                 "", "Derived from user defined parameters:",
                 f"  Maximum number of stages           : {self.k_max}",
                 "", "Output:",
                 f"  Critical values                    : {fmt(self.critical_values)}"]
        if self.futility is not None:
            label = f"Futility bounds (binding = {str(self.binding_futility).upper()})"
            lines.append(f"  {label:<35}: {fmt(self.futility)}")
        lines += [f"  Cumulative alpha spending          : {fmt(self.alpha_spent)}",
                  f"  Stage levels (one-sided)           : {fmt(self.stage_levels)}"]
        if self.beta_spent is not None:
            lines.append(f"  Cumulative beta spending           : {fmt(self.beta_spent)}")
        lines += [f"  Inflation factor                   : {ch.inflation_factor:.4f}",
                  f"  Drift for power {1 - self.beta:.2f}               : {np.sqrt(ch.shift):.4f}",
                  f"  Exit probability for efficacy (H1) : {fmt(s['reject_h1'])}"]
        return "\n".join(lines)
