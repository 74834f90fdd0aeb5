"""Structured config of ``design=group_sequential`` (``conf/design/group_sequential.yaml``).

Values are checked in ``__post_init__`` against a declared constraints table; ``to_domain()``
builds the :class:`~simtrial.designs.group_sequential.GroupSequentialDesign`, and
``rates(p_response)`` the :class:`~simtrial.designs.group_sequential.rates.GroupSequentialRates`
at the scenario's true response rates. The names of the spending functions are rpact's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional as Opt

from simtrial._core.validation import (
    Boolean,
    Interval,
    Optional,
    Options,
    Sequence,
    ValidationError,
    check_fields,
)

from simtrial.designs.base import DEFAULT_SWITCH_DAY

from typing import TYPE_CHECKING

from .spending import BetaSpending, TypeOfDesign

if TYPE_CHECKING:  # imported where used: the config schemas must not import scipy.stats
    from .design import GroupSequentialDesign
    from .rates import GroupSequentialRates
    from .trial_design import GroupSequential

__all__ = ["GroupSequentialDesignConfig"]

_PROB = Interval(float, 0.0, 1.0, closed="neither")


@dataclass
class GroupSequentialDesignConfig:
    """A group-sequential test of response rates with Lan-DeMets spending or Wang-Tsiatis bounds.

    Attributes
    ----------
    arms : int
        1: one group against the H0 rate ``p0``; 2: treatment (arm B) against control (arm A),
        H0: equal rates, randomised 1:1.
    n_per_arm : int
        Maximum number of subjects per arm (one arm: the maximum sample size).
    information_fractions : list of float
        Looks as fractions of the maximum sample size, strictly increasing, the last 1.
    alpha, beta : float
        Type I error (two-sided: total) and type II error (beta spending, characteristics).
    sided : int
        1 (H1: treatment better / rate above p0) or 2.
    spending : str
        rpact's ``typeOfDesign``: asOF, asP, asHSD, asKD, WT, OF, P.
    gamma_a : float, optional
        Parameter of asHSD / asKD.
    delta_wt : float, optional
        Wang-Tsiatis Delta (``spending=WT``).
    beta_spending : str
        rpact's ``typeBetaSpending``: none, bsOF, bsP, bsHSD, bsKD (one-sided designs).
    gamma_b : float, optional
        Parameter of bsHSD / bsKD.
    futility_bounds : list of float
        Fixed futility bounds on the z scale at the interim looks (empty: none).
    binding_futility : bool
        Whether futility bounds are binding.
    p0 : float
        H0 response rate of a one-arm design.
    p1 : float
        Planning rate of a one-arm design (used when ``scenario.p_response`` is empty).
    p_a, p_b : float
        Planning rates of control (A) and treatment (B) of a two-arm design.
    regimen, regimen_a, regimen_b : str
        Treatment of the one arm, or of arms A (control) and B, when simulated (study ``trial``).
    landmark_day, switch_day : float
        Day of the response assessment; day of the switch of two-drug regimens.
    block_size : int
        Permuted-block size of the randomisation (two arms).
    """

    name: str = "group_sequential"
    arms: int = 2
    n_per_arm: int = 40
    information_fractions: list[float] = field(default_factory=lambda: [0.5, 1.0])
    alpha: float = 0.025
    beta: float = 0.2
    sided: int = 1
    spending: str = "asOF"
    gamma_a: Opt[float] = None
    delta_wt: Opt[float] = None
    beta_spending: str = "none"
    gamma_b: Opt[float] = None
    futility_bounds: list[float] = field(default_factory=list)
    binding_futility: bool = False
    p0: float = 0.2
    p1: float = 0.4
    p_a: float = 0.40
    p_b: float = 0.65
    regimen: str = "sirolimus"
    regimen_a: str = "mmf"
    regimen_b: str = "sirolimus"
    landmark_day: float = 168.0
    switch_day: float = DEFAULT_SWITCH_DAY
    block_size: int = 4

    _constraints = {
        "arms": Options(1, 2),
        "n_per_arm": Interval(int, 2, 100_000),
        "information_fractions": Sequence(Interval(float, 0.0, 1.0, closed="right"), min_len=1, max_len=20,
                                          increasing=True),
        "alpha": Interval(float, 1e-6, 0.5, closed="left"),
        "beta": Interval(float, 1e-6, 0.5, closed="left"),
        "sided": Options(1, 2),
        "spending": Options(*[d.value for d in TypeOfDesign]),
        "gamma_a": Optional(Interval(float, -10.0, 10.0)),
        "delta_wt": Optional(Interval(float, -0.5, 1.0)),
        "beta_spending": Options(*[b.value for b in BetaSpending]),
        "gamma_b": Optional(Interval(float, -10.0, 10.0)),
        "futility_bounds": Sequence(Interval(float, -1e6, 6.0), max_len=19),
        "binding_futility": Boolean(),
        "p0": _PROB,
        "p1": _PROB,
        "p_a": _PROB,
        "p_b": _PROB,
    }

    def __post_init__(self) -> None:
        check_fields(self, self._constraints)
        object.__setattr__(self, "information_fractions", list(self.information_fractions))
        object.__setattr__(self, "futility_bounds", list(self.futility_bounds))
        self.to_domain()  # the combination checks (e.g. gamma_a with asHSD) live in the domain object

    def boundaries(self) -> GroupSequentialDesign:
        """The design's boundaries (:class:`GroupSequentialDesign`)."""
        from .design import GroupSequentialDesign

        try:
            return GroupSequentialDesign(
                information_rates=self.information_fractions, alpha=self.alpha, beta=self.beta, sided=self.sided,
                type_of_design=self.spending, gamma_a=self.gamma_a, delta_wt=self.delta_wt,
                type_beta_spending=self.beta_spending, gamma_b=self.gamma_b,
                futility_bounds=self.futility_bounds or None, binding_futility=self.binding_futility)
        except ValidationError as exc:
            rename = {"information_rates": "information_fractions", "type_of_design": "spending",
                      "type_beta_spending": "beta_spending"}
            field = rename.get(exc.field, exc.field)
            args = (exc.value,) if exc._has_value else ()
            raise ValidationError(field, exc.problem, *args) from None

    def to_domain(self) -> GroupSequential:
        """The trial design (:class:`GroupSequential`: looks, decisions, exact figures)."""
        from .trial_design import GroupSequential

        return GroupSequential(self.boundaries(), arms=self.arms, n_per_arm=self.n_per_arm, p0=self.p0, p1=self.p1,
                               p_a=self.p_a, p_b=self.p_b, regimen=self.regimen, regimen_a=self.regimen_a,
                               regimen_b=self.regimen_b, landmark_day=self.landmark_day, switch_day=self.switch_day,
                               block_size=self.block_size)

    def planning_rates(self) -> tuple[float, ...]:
        """Planning rates in the arm order of ``scenario.p_response`` (A = control, B = treatment)."""
        return (self.p1,) if self.arms == 1 else (self.p_a, self.p_b)

    def rates(self, p_response=()) -> GroupSequentialRates:
        """The trial at true rates ``p_response`` (arm order A, B; empty: the planning rates)."""
        from .rates import GroupSequentialRates

        p = tuple(float(v) for v in p_response) or None
        return self.to_domain().rates(p)
