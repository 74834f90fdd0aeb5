"""Options of the borrowing study (``experiment=borrowing``, config group ``analysis: borrowing``).

Kept apart from the study so the config schema imports nothing heavy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional

from simtrial._core.validation import (
    Interval,
    Optional as OptionalC,
    Options,
    Predicate,
    Sequence,
    ValidationError,
    check_fields,
)

_GROUPS = ("letter:primary_itp", "letter:ars_itp", "bride:alps", "bride:multi_lineage", "bride:single_lineage")
_CALIBRATION_GROUPS = ("primary_itp", "ars_itp", "alps", "multi_lineage", "single_lineage")


@dataclass
class BorrowingConfig:
    """A single-arm trial that borrows from published groups through a robust MAP prior.

    Attributes
    ----------
    historical : list of str
        Published groups in the MAP prior (``letter:primary_itp``, ``letter:ars_itp``,
        ``bride:alps``, ``bride:multi_lineage``, ``bride:single_lineage``); may be empty when
        ``table`` is given.
    table : str, optional
        A CSV of further historical studies (columns ``study``, ``n``, ``r``).
    endpoint : str
        ``response`` (CR or PR) or ``complete_response``.
    engine : str
        ``pymc`` (NUTS via PyMC, RBesT gMAP's approach) or ``quadrature`` (exact numerical
        integration of the same model; deterministic, a few seconds).
    tau_scale, mu_mean, mu_sd : float
        Priors of the meta-analysis: tau ~ HalfNormal(tau_scale), mu ~ Normal(mu_mean, mu_sd)
        on the logit scale (RBesT's defaults 1, 0, 2).
    draws : int
        Predictive draws the beta mixture is fitted to (PyMC: split over ``chains``).
    chains, tune : int
        PyMC sampler settings.
    max_components : int
        The mixture fit tries 1 to this many components (AIC with k = 6, as RBesT).
    robust_weight, robust_mean : float
        Weight and mean of the weakly informative Beta(2 m, 2 (1 - m)) component (RBesT
        ``robustify``; 0.5 gives Beta(1, 1)).
    n : int
        Patients in the new trial.
    p0 : float
        Response rate the trial must beat.
    threshold : float
        Success when P(p > p0 | data) > threshold.
    delta : float
        Clinically relevant difference; > 0 adds P(p > p0 + delta | data) > 0.5 (dual criteria).
    true_rates : list of float, optional
        Grid of true response rates for the OC curve; null = 0.01 to 0.99 by 0.01.
    robust_weights : list of float
        Robust weights compared in the sensitivity table and plot.
    assurance_group : str, optional
        Calibration group whose posterior-predicted response rate (sirolimus after MMF failure)
        gives the assurance; null to skip.
    posterior : str
        Calibration posterior for the assurance (``packaged`` or a posterior.nc path).
    """

    historical: List[str] = field(default_factory=lambda: ["letter:primary_itp", "bride:single_lineage"])
    table: Optional[str] = None
    endpoint: str = "response"
    engine: str = "pymc"
    tau_scale: float = 1.0
    mu_mean: float = 0.0
    mu_sd: float = 2.0
    draws: int = 4000
    chains: int = 2
    tune: int = 1000
    max_components: int = 4
    robust_weight: float = 0.2
    robust_mean: float = 0.5
    n: int = 40
    p0: float = 0.2
    threshold: float = 0.95
    delta: float = 0.0
    true_rates: Optional[List[float]] = None
    robust_weights: List[float] = field(default_factory=lambda: [0.0, 0.1, 0.2, 0.5, 0.8, 1.0])
    assurance_group: Optional[str] = "primary_itp"
    posterior: str = "packaged"

    _constraints = {
        "historical": Sequence(Options(*_GROUPS), 0, len(_GROUPS)),
        "endpoint": Options("response", "complete_response"),
        "engine": Options("pymc", "quadrature"),
        "tau_scale": Interval(float, 0.0, 10.0, closed="right"),
        "mu_mean": Interval(float, -10.0, 10.0),
        "mu_sd": Interval(float, 0.0, 10.0, closed="right"),
        "draws": Interval(int, 500, 1_000_000),
        "chains": Interval(int, 1, 8),
        "tune": Interval(int, 100, 100_000),
        "max_components": Interval(int, 1, 6),
        "robust_weight": Interval(float, 0.0, 1.0),
        "robust_mean": Interval(float, 0.0, 1.0, closed="neither"),
        "n": Interval(int, 1, 10_000),
        "p0": Interval(float, 0.0, 1.0, closed="neither"),
        "threshold": Interval(float, 0.0, 1.0, closed="neither"),
        "delta": Interval(float, 0.0, 1.0, closed="left"),
        "true_rates": OptionalC(Sequence(Interval(float, 0.0, 1.0), 1, 1000, increasing=True)),
        "robust_weights": Sequence(Interval(float, 0.0, 1.0), 1, 50),
        "assurance_group": OptionalC(Options(*_CALIBRATION_GROUPS)),
        "posterior": Predicate(lambda v: isinstance(v, str) and bool(v), "must be 'packaged' or a path"),
    }

    def __post_init__(self) -> None:
        check_fields(self, self._constraints)
        self.historical = list(self.historical)
        self.robust_weights = list(self.robust_weights)
        if self.true_rates is not None:
            self.true_rates = list(self.true_rates)
        if not self.historical and self.table is None:
            raise ValidationError("historical", "name at least one published group or give a table", [])
        if len(set(self.historical)) != len(self.historical):
            raise ValidationError("historical", "must not repeat a group", self.historical)
        if self.p0 + self.delta >= 1:
            raise ValidationError("delta", "p0 + delta must be < 1", self.delta)
        if self.chains > self.draws // 100:
            raise ValidationError("chains", "must leave at least 100 draws per chain", self.chains)
