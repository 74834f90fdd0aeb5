"""Single-arm design with predictive-probability interim looks: exact characteristics.

Patients are evaluated in cohorts; at each interim look k (after m_k patients, with
x responders) the predictive probability PP of final success is computed
(:func:`simtrial.designs.bayes.predictive_probability`). The trial stops for futility
if PP < theta_f and for efficacy (H0 rejected) if PP > theta_e; otherwise it goes on.
At the final analysis (n patients) H0 is rejected if the total reaches r_final, the
critical number of the posterior rule P(p > p0 | data) > eta.

Operating characteristics are exact: the distribution of the cumulative responders
among trials still running is propagated look to look by binomial convolution
(enumeration over all binomial paths), so P(reject), PET and E[N] carry no Monte Carlo
error. Look sizes are m_k = floor(f_k n + 1/2) for information fractions f_k.
Reference: Lee JJ, Liu DD. Clin Trials 2008;5:93-106.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product

import numpy as np
from scipy import stats

from simtrial._core.codes import Outcome

from ._validation import check_int, check_positive, check_probability
from .bayes import final_critical_value, predictive_probability

__all__ = [
    "PPDesign",
    "OperatingCharacteristics",
    "look_sizes",
    "operating_characteristics",
    "calibrate_thresholds",
    "Calibration",
]

# Decision codes returned by ``decide`` (simtrial._core.codes.Outcome).
STOP_FUTILITY, FAIL_FINAL, REJECT_H0 = Outcome.STOP_FUTILITY, Outcome.FAIL_FINAL, Outcome.REJECT_H0


def look_sizes(n: int, fractions) -> np.ndarray:
    """Interim sample sizes m_k = floor(f_k n + 1/2); fractions strictly increasing in (0, 1)."""
    n = check_int("n", n, minimum=2)
    f = np.atleast_1d(np.asarray(fractions, dtype=float))
    if f.ndim != 1 or f.size == 0 or np.any((f <= 0) | (f >= 1)) or np.any(np.diff(f) <= 0):
        raise ValueError(f"fractions must be strictly increasing values in (0, 1), got {fractions!r}")
    m = np.floor(f * n + 0.5).astype(np.int64)
    if m[0] < 1 or m[-1] >= n or np.any(np.diff(m) <= 0):
        raise ValueError(f"fractions {fractions!r} give look sizes {m.tolist()} that are not distinct in 1..{n - 1}")
    return m


@dataclass(frozen=True)
class PPDesign:
    """A predictive-probability design.

    Parameters
    ----------
    n : int
        Final sample size.
    fractions : tuple of float
        Information fractions of the interim looks, strictly increasing in (0, 1).
    p0 : float
        Null response rate.
    eta : float
        Final success rule P(p > p0 | data) > eta.
    theta_f : float
        Stop for futility at an interim if PP < theta_f (0 disables).
    theta_e : float
        Stop for efficacy at an interim if PP > theta_e (1 disables).
    a, b : float
        Beta prior parameters.
    """

    n: int
    fractions: tuple
    p0: float
    eta: float
    theta_f: float = 0.05
    theta_e: float = 1.0
    a: float = 1.0
    b: float = 1.0
    looks: np.ndarray = field(init=False, repr=False, compare=False)
    r_final: int = field(init=False)

    def __post_init__(self):
        check_probability("p0", self.p0)
        check_probability("eta", self.eta)
        check_probability("theta_f", self.theta_f, open_interval=False)
        check_probability("theta_e", self.theta_e, open_interval=False)
        check_positive("a", self.a)
        check_positive("b", self.b)
        object.__setattr__(self, "fractions", tuple(float(v) for v in np.atleast_1d(self.fractions)))
        object.__setattr__(self, "looks", look_sizes(self.n, self.fractions))
        object.__setattr__(self, "r_final", final_critical_value(self.n, self.p0, self.eta, self.a, self.b))

    def predictive_probabilities(self) -> list[np.ndarray]:
        """PP for every x = 0..m_k at each interim look k."""
        return [
            predictive_probability(np.arange(m + 1), int(m), self.n, self.r_final, self.a, self.b)
            for m in self.looks
        ]

    def boundaries(self) -> tuple[np.ndarray, np.ndarray]:
        """Per-look decision sets as masks: (futility[k][x], efficacy[k][x])."""
        pps = self.predictive_probabilities()
        fut = [pp < self.theta_f for pp in pps]
        eff = [(pp > self.theta_e) & ~f for pp, f in zip(pps, fut)]
        return fut, eff

    def decide(self, responders_at_looks) -> tuple[np.ndarray, np.ndarray]:
        """Vectorised decisions for simulated trials.

        Parameters
        ----------
        responders_at_looks : array_like of int, shape (..., K + 1)
            Cumulative responders at each interim look and at the final analysis
            (entries after a stop are ignored).

        Returns
        -------
        outcome : numpy.ndarray of int
            0 futility stop, 1 completed without rejecting H0, 2 H0 rejected
            (at an interim for efficacy or at the final analysis).
        stop_look : numpy.ndarray of int
            Index of the look at which the trial ended (K = final analysis).
        """
        x = np.asarray(responders_at_looks)
        k = len(self.looks)
        if x.shape[-1:] != (k + 1,) or x.dtype.kind not in "iu":
            raise ValueError(f"responders_at_looks must be integers with last axis of length {k + 1}")
        sizes = np.append(self.looks, self.n)
        if np.any(x < 0) or np.any(x > sizes):
            raise ValueError(f"responders_at_looks must lie between 0 and the look sizes {sizes.tolist()}")
        fut, eff = self.boundaries()
        outcome = np.where(x[..., k] >= self.r_final, REJECT_H0, FAIL_FINAL)
        stop = np.full(x.shape[:-1], k)
        for j in range(k - 1, -1, -1):  # backwards so the earliest stop wins
            f = fut[j][x[..., j]]
            e = eff[j][x[..., j]]
            outcome = np.where(f, STOP_FUTILITY, np.where(e, REJECT_H0, outcome))
            stop = np.where(f | e, j, stop)
        return outcome, stop


@dataclass(frozen=True)
class OperatingCharacteristics:
    """Exact characteristics of a :class:`PPDesign` at response rate ``p``."""

    p: float
    reject: float
    pet: float
    pet_futility: float
    pet_efficacy: float
    expected_n: float
    stop_futility_by_look: np.ndarray
    stop_efficacy_by_look: np.ndarray


def _oc_from_masks(p, looks, n, fut, eff, r_final) -> OperatingCharacteristics:
    sizes = np.append(looks, n)
    alive = np.array([1.0])  # distribution of responders among running trials, x = 0
    prev = 0
    sf = np.zeros(len(looks))
    se = np.zeros(len(looks))
    for k, m in enumerate(sizes):
        inc = stats.binom.pmf(np.arange(m - prev + 1), m - prev, p)
        alive = np.convolve(alive, inc)
        prev = m
        if k == len(looks):
            break
        sf[k] = alive[fut[k]].sum()
        se[k] = alive[eff[k]].sum()
        alive = np.where(fut[k] | eff[k], 0.0, alive)
    final_reject = alive[r_final:].sum()
    running_final = alive.sum()
    en = float(np.dot(sf + se, looks) + running_final * n)
    return OperatingCharacteristics(
        p=float(p),
        reject=float(final_reject + se.sum()),
        pet=float(sf.sum() + se.sum()),
        pet_futility=float(sf.sum()),
        pet_efficacy=float(se.sum()),
        expected_n=en,
        stop_futility_by_look=sf,
        stop_efficacy_by_look=se,
    )


def operating_characteristics(design: PPDesign, p: float) -> OperatingCharacteristics:
    """Exact P(reject H0), PET (futility and efficacy) and E[N] at true rate ``p``."""
    p = check_probability("p", p, open_interval=False)
    fut, eff = design.boundaries()
    return _oc_from_masks(p, design.looks, design.n, fut, eff, design.r_final)


@dataclass(frozen=True)
class Calibration:
    """Result of :func:`calibrate_thresholds`.

    ``design`` is the chosen design; ``grid`` holds one row per evaluated combination:
    (theta_f, theta_e, eta, r_final, size, power) with power NaN if no p1 was given.
    """

    design: PPDesign
    size: float
    power: float
    grid: np.ndarray


def calibrate_thresholds(
    n: int,
    fractions,
    p0: float,
    alpha: float,
    theta_f_grid,
    theta_e_grid,
    eta_grid,
    p1: float | None = None,
    a: float = 1.0,
    b: float = 1.0,
) -> Calibration:
    """Grid search for thresholds whose exact type I error is as close to alpha as allowed.

    Every combination (theta_f, theta_e, eta) of the grids is evaluated exactly. The
    chosen one has the largest size <= alpha; ties (common, since the data are discrete)
    are broken by the largest power at ``p1`` if given, then by grid order (first
    theta_f, then theta_e, then eta as given).

    Raises
    ------
    ValueError
        On invalid arguments or if no combination has size <= alpha.
    """
    alpha = check_probability("alpha", alpha)
    if p1 is not None:
        p1 = check_probability("p1", p1)
    grids = []
    for name, g in (("theta_f_grid", theta_f_grid), ("theta_e_grid", theta_e_grid), ("eta_grid", eta_grid)):
        arr = np.atleast_1d(np.asarray(g, dtype=float))
        if arr.ndim != 1 or arr.size == 0:
            raise ValueError(f"{name} must be a non-empty 1-d sequence of probabilities")
        grids.append(arr)
    rows = []
    designs = []
    cache: dict = {}
    for tf, te, eta in product(*grids):
        d = PPDesign(n, tuple(np.atleast_1d(fractions)), p0, float(eta), float(tf), float(te), a, b)
        fut, eff = d.boundaries()
        key = (d.r_final, tuple(map(bytes, map(np.packbits, fut))), tuple(map(bytes, map(np.packbits, eff))))
        if key not in cache:
            size = _oc_from_masks(p0, d.looks, n, fut, eff, d.r_final).reject
            pw = _oc_from_masks(p1, d.looks, n, fut, eff, d.r_final).reject if p1 is not None else np.nan
            cache[key] = (size, pw)
        size, pw = cache[key]
        rows.append((tf, te, eta, d.r_final, size, pw))
        designs.append(d)
    grid = np.array(rows, dtype=float)
    ok = np.flatnonzero(grid[:, 4] <= alpha + 1e-12)
    if ok.size == 0:
        raise ValueError(f"no threshold combination has type I error <= alpha={alpha}; widen the grids")
    size_r = np.round(grid[ok, 4], 12)
    power_key = np.nan_to_num(grid[ok, 5], nan=0.0)
    best = ok[np.lexsort((ok, -power_key, -size_r))[0]]
    return Calibration(designs[best], float(grid[best, 4]), float(grid[best, 5]), grid)


# ---------------------------------------------------------------- type I error control at every look


class SizeInflationError(ValueError):
    """A design's exact type I error, over all its looks, exceeds the nominal alpha."""


#: How :func:`control_size` brings the exact size down to alpha.
SIZE_ADJUSTMENTS = ("final", "efficacy")


@dataclass(frozen=True)
class SizeControl:
    """Result of :func:`control_size`.

    Attributes
    ----------
    design : PPDesign
        The design whose exact size (efficacy stops at every look plus the final test) is
        <= alpha.
    size : float
        Its exact size at p0.
    unadjusted_size : float
        The exact size of the design before adjustment (final critical value of the exact
        binomial test, the requested theta_e).
    adjust : str
        "none" (already <= alpha), "final" or "efficacy".
    alpha_by_look : numpy.ndarray
        Cumulative type I error spent by each interim look and the final analysis.
    """

    design: PPDesign
    size: float
    unadjusted_size: float
    adjust: str
    alpha_by_look: np.ndarray


def _pp_with_final(n, fractions, p0, r, theta_f, theta_e, a, b) -> PPDesign:
    # the final rule P(p > p0 | data) > eta with eta = P(p > p0 | r - 1 of n) is "X >= r"
    from .bayes import posterior_prob_above

    eta = float(posterior_prob_above(r - 1, n, p0, a, b)) if r >= 1 else 0.0
    d = PPDesign(n, tuple(fractions), p0, max(eta, 1e-300), theta_f, theta_e, a, b)
    if d.r_final != r:  # pragma: no cover - guards the monotonicity argument above
        raise ValueError(f"final critical value {d.r_final} differs from the requested {r}")
    return d


def _size(d: PPDesign):
    from .oc import pp_oc

    curve = pp_oc([d.p0], d)
    return float(curve.reject[0]), curve.cumulative_reject_by_look[:, 0]


def exact_size(design: PPDesign) -> float:
    """Exact type I error of a PP design: P(reject H0 at any look or at the end | p0)."""
    return _size(design)[0]


def check_size(design: PPDesign, alpha: float, allow_inflated_size: bool = False, fix: str | None = None) -> float:
    """Refuse a design whose exact size exceeds alpha, naming the size and the fix.

    Parameters
    ----------
    design : PPDesign
    alpha : float
        Nominal one-sided level.
    allow_inflated_size : bool
        Accept the design anyway (reports must then show the inflated size).
    fix : str, optional
        The remedy named in the message (default: this module's functions and flag).

    Returns
    -------
    float
        The exact size.

    Raises
    ------
    SizeInflationError
        When the size exceeds alpha and ``allow_inflated_size`` is False.
    """
    alpha = check_probability("alpha", alpha)
    size = exact_size(design)
    if size > alpha + 1e-12 and not allow_inflated_size:
        looks = "/".join(str(int(m)) for m in design.looks)
        raise SizeInflationError(
            f"exact type I error {size:.4f} exceeds alpha = {alpha:g} (n = {design.n}, looks after "
            f"{looks} patients, theta_e = {design.theta_e:g}, final critical value {design.r_final}): "
            + (fix or "control it with control_size(..., adjust='final') (raise the final critical value) or "
               "adjust='efficacy' (raise theta_e), or set allow_inflated_size=True to keep the "
               "inflated size (it is then shown in every report)")
        )
    return size


def control_size(
    n: int, fractions, p0: float, alpha: float, theta_f: float = 0.0, theta_e: float = 1.0,
    adjust: str = "final", a: float = 1.0, b: float = 1.0,
) -> SizeControl:
    """A PP design with efficacy looks whose exact size, over every look, is <= alpha.

    The design starts from the exact binomial test's final critical value r (reject if X >= r
    of n) and the requested thresholds. If its exact size (efficacy stops at the interim looks
    plus the final test) exceeds alpha:

    * ``adjust="final"`` raises the final critical value, one responder at a time, to the
      smallest r' whose design has exact size <= alpha (the predictive probabilities, which
      refer to the final rule, are recomputed with r');
    * ``adjust="efficacy"`` keeps r and raises theta_e to the smallest value whose design has
      exact size <= alpha. The efficacy sets change only at the predictive probabilities the
      looks can produce, so the candidates are those values and the search is exact.

    Both choices leave the least conservative design that keeps the size <= alpha.

    Raises
    ------
    ValueError
        On invalid arguments or when no adjustment reaches alpha (``n`` too small).
    """
    from .binomial import critical_value

    n = check_int("n", n, minimum=2)
    p0 = check_probability("p0", p0)
    alpha = check_probability("alpha", alpha)
    if adjust not in SIZE_ADJUSTMENTS:
        raise ValueError(f"adjust must be one of {SIZE_ADJUSTMENTS}, got {adjust!r}")
    r0 = int(critical_value(n, p0, alpha))
    if r0 > n:
        raise ValueError(f"n: the exact test at alpha={alpha} cannot reject with n={n}")
    d = _pp_with_final(n, fractions, p0, r0, theta_f, theta_e, a, b)
    size0, by_look = _size(d)
    if size0 <= alpha + 1e-12:
        return SizeControl(d, size0, size0, "none", by_look)
    if adjust == "final":
        for r in range(r0 + 1, n + 1):
            d = _pp_with_final(n, fractions, p0, r, theta_f, theta_e, a, b)
            size, by_look = _size(d)
            if size <= alpha + 1e-12:
                return SizeControl(d, size, size0, "final", by_look)
        raise ValueError(f"n: no final critical value keeps the size <= alpha={alpha} with n={n}")
    values = np.unique(np.concatenate(d.predictive_probabilities()))
    values = values[(values >= theta_e) & (values < 1.0)]
    for te in np.append(values, 1.0):
        d = _pp_with_final(n, fractions, p0, r0, min(theta_f, float(te)), float(te), a, b)
        size, by_look = _size(d)
        if size <= alpha + 1e-12:
            return SizeControl(d, size, size0, "efficacy", by_look)
    raise ValueError(f"theta_e: even without efficacy stops the size exceeds alpha={alpha}")  # pragma: no cover


#: What a design does when efficacy looks push its exact size above alpha.
SIZE_CONTROLS = ("refuse", "final", "efficacy", "allow")


def sized_pp_design(n: int, fractions, p0: float, alpha: float, theta_f: float = 0.0, theta_e: float = 1.0,
                    a: float = 1.0, b: float = 1.0, size_control: str = "refuse") -> SizeControl:
    """The single-arm PP design a protocol can use, with its type I error over every look.

    Parameters
    ----------
    size_control : {"refuse", "final", "efficacy", "allow"}
        What to do when the exact size of the design (exact binomial final test, the requested
        thresholds) exceeds alpha: ``"refuse"`` raises :class:`SizeInflationError` naming the
        size and the fix; ``"final"`` and ``"efficacy"`` calibrate (:func:`control_size`);
        ``"allow"`` keeps the inflated design (reports must show its size in red).

    Returns
    -------
    SizeControl
        ``.design`` to use, ``.size`` its exact size, ``.unadjusted_size``, ``.adjust``
        ("none", "final", "efficacy" or "allowed"), ``.alpha_by_look``.
    """
    if size_control not in SIZE_CONTROLS:
        raise ValueError(f"size_control must be one of {SIZE_CONTROLS}, got {size_control!r}")
    if size_control in SIZE_ADJUSTMENTS:
        return control_size(n, fractions, p0, alpha, theta_f, theta_e, adjust=size_control, a=a, b=b)
    res = control_size(n, fractions, p0, alpha, theta_f, theta_e, adjust="final", a=a, b=b)
    if res.adjust == "none":
        return res
    from .binomial import critical_value

    d = _pp_with_final(n, fractions, p0, int(critical_value(n, p0, alpha)), theta_f, theta_e, a, b)
    if size_control == "refuse":
        check_size(d, alpha, fix="set size_control='final' (raise the final critical value) or 'efficacy' "
                   "(raise theta_e) to bring it to <= alpha, or 'allow' to keep the inflated size (every "
                   "report then shows it in red)")  # raises
    size, by_look = _size(d)
    return SizeControl(d, size, size, "allowed", by_look)
