"""Structured configs of the ``design`` group: one dataclass per design option.

Each is a Hydra structured config (``conf/design/<name>.yaml``); values are checked in
``__post_init__`` and the entry point prefixes the group path (``design.p0: ...``). Each config's
``to_domain()`` gives its design object (:class:`simtrial.designs.SingleArm`, ``Simon``,
``TwoArm``, ``Sequencing``), which holds the decision rules, all taken from the exact modules of
:mod:`simtrial.designs`.

Every design has the same optional interim fields: predictive-probability (PP) looks at
``interim_fractions`` of the maximum sample size, stopping for futility when PP < ``theta_f`` and
for efficacy when PP > ``theta_e`` (0 and 1 switch them off), with a Beta(``prior_a``,
``prior_b``) prior on each arm's response rate. Simon's design has its own stage-1 rule and no
PP looks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from simtrial._core.validation import Boolean, Interval, Options, Sequence, ValidationError, Validated
from simtrial._core.validation import Optional as Maybe

__all__ = [
    "REGIMENS",
    "SingleArmDesignConfig",
    "SimonDesignConfig",
    "TwoArmDesignConfig",
    "SequencingDesignConfig",
]

#: Treatment regimens a trial arm can give (see :mod:`simtrial.trial.outcomes`).
REGIMENS: tuple[str, ...] = ("sirolimus", "mmf", "mmf_then_sirolimus", "sirolimus_then_mmf")


#: Largest sample size any design accepts (per arm for two arms): far beyond a rare-disease trial,
#: small enough that every exact calculation stays quick.
N_MAX = 10_000

_PROB = Interval(float, 0.0, 1.0, "neither")
_PROB_CLOSED = Interval(float, 0.0, 1.0)
#: A one-sided test's level; 0.5 or more would reject more often than not under the null.
_ALPHA = Interval(float, 0.0, 0.5, "neither")
#: Largest Simon total sample size (fixed or searched): the exact search grows as n^3.
SIMON_N_MAX = 300
#: A day within ten years of follow-up.
_DAY = Interval(float, 0.0, 3650.0, "right")
_REGIMEN = Options(*REGIMENS)


@dataclass
class _Interim(Validated):
    """Predictive-probability interim looks (shared by the designs that allow them)."""

    interim_fractions: list[float] = field(default_factory=list)
    theta_f: float = 0.0
    theta_e: float = 1.0
    prior_a: float = 1.0
    prior_b: float = 1.0
    size_control: str = "refuse"

    _constraints = {
        "interim_fractions": Sequence(_PROB, max_len=20, increasing=True),
        "theta_f": _PROB_CLOSED,
        "theta_e": _PROB_CLOSED,
        "prior_a": Interval(float, 0.0, 1e4, "right"),
        "prior_b": Interval(float, 0.0, 1e4, "right"),
        "size_control": Options("refuse", "final", "efficacy", "allow"),
    }

    def _check(self) -> None:
        if self.theta_f > self.theta_e:
            raise ValidationError("theta_f", f"must be <= theta_e ({self.theta_e})", self.theta_f)

    def _interim_domain(self):
        from simtrial.designs.pp_interim import PPInterim

        if not self.interim_fractions:
            return None
        return PPInterim(tuple(self.interim_fractions), self.theta_f, self.theta_e, self.prior_a, self.prior_b,
                         self.size_control)



@dataclass
class SingleArmDesignConfig(_Interim):
    """One arm, exact one-sided binomial test of H0: p <= p0 at level ``alpha``.

    Attributes
    ----------
    n : int
        Sample size.
    p0 : float
        Uninteresting response rate (H0).
    p1 : float
        Planning response rate: the exact power reported is at p1, and the parametric scenario
        uses it when ``scenario.p_response`` is empty.
    alpha : float
        One-sided level.
    regimen : str
        Treatment of the arm, one of :data:`REGIMENS`.
    landmark_day : float
        Day after treatment start at which response is assessed (confirmed by then).
    """

    name: str = "single_arm"
    n: int = 35
    p0: float = 0.2
    p1: float = 0.4
    alpha: float = 0.05
    regimen: str = "sirolimus"
    landmark_day: float = 168.0

    _constraints = {
        "n": Interval(int, 1, N_MAX),
        "p0": _PROB,
        "p1": _PROB,
        "alpha": _ALPHA,
        "regimen": _REGIMEN,
        "landmark_day": _DAY,
        **_Interim._constraints,
    }

    def _check(self) -> None:
        super()._check()
        if self.p1 <= self.p0:
            raise ValidationError("p1", f"must exceed p0 ({self.p0})", self.p1)
        if self.interim_fractions and self.n < 2:
            raise ValidationError("n", "must be >= 2 with interim looks", self.n)

    def to_domain(self):
        """The design object (:class:`simtrial.designs.SingleArm`)."""
        from simtrial.designs.single_arm import SingleArm

        return SingleArm(self.n, self.p0, self.p1, self.alpha, regimen=self.regimen, landmark_day=self.landmark_day,
                         interim=self._interim_domain())



@dataclass
class SimonDesignConfig(Validated):
    """Simon (1989) two-stage design found by exact search (:func:`simtrial.designs.simon_search`).

    Attributes
    ----------
    p0, p1 : float
        Uninteresting and target response rates, p0 < p1.
    alpha : float
        Maximum one-sided type I error.
    power : float
        Minimum power at p1.
    kind : str
        ``optimal`` (minimum expected N under p0) or ``minimax`` (minimum maximum N).
    n_max : int
        Largest total sample size searched.
    n : int, optional
        Fix the total sample size instead of searching (sample-size sweeps): the design of this
        n with size <= alpha and the smallest EN(p0) among those reaching ``power``, or the most
        powerful one with n1 <= n/2 where none does (:func:`simtrial.designs.simon.design_at_n`);
        ``kind`` is then not used.
    regimen, landmark_day
        As for the single-arm design.
    """

    name: str = "simon"
    p0: float = 0.2
    p1: float = 0.4
    alpha: float = 0.05
    power: float = 0.8
    kind: str = "optimal"
    n_max: int = 100
    n: Optional[int] = None
    regimen: str = "sirolimus"
    landmark_day: float = 168.0

    _constraints = {
        "n": Maybe(Interval(int, 2, SIMON_N_MAX)),
        "p0": _PROB,
        "p1": _PROB,
        "alpha": _ALPHA,
        "power": _PROB,
        "kind": Options("optimal", "minimax"),
        "n_max": Interval(int, 2, SIMON_N_MAX),
        "regimen": _REGIMEN,
        "landmark_day": _DAY,
    }

    def _check(self) -> None:
        if self.p1 <= self.p0:
            raise ValidationError("p1", f"must exceed p0 ({self.p0})", self.p1)
        if self.power <= self.alpha:
            raise ValidationError("power", f"must exceed alpha ({self.alpha})", self.power)

    def to_domain(self):
        """The design object (:class:`simtrial.designs.Simon`): searched, or at the fixed ``n``."""
        from simtrial.designs.simon_two_stage import Simon

        common = dict(regimen=self.regimen, landmark_day=self.landmark_day)
        if self.n is not None:
            return Simon.at_n(self.n, self.p0, self.p1, self.alpha, self.power, **common)
        return Simon.search(self.p0, self.p1, self.alpha, self.power, kind=self.kind, n_max=self.n_max, **common)



@dataclass
class _TwoArm(_Interim):
    n_per_arm: int = 40
    alpha: float = 0.05
    test: str = "fisher"
    threshold: float = 0.975
    alternative: str = "greater"
    p_a: float = 0.3
    p_b: float = 0.6
    landmark_day: float = 168.0
    block_size: int = 4

    _constraints = {
        "n_per_arm": Interval(int, 1, N_MAX),
        "alpha": _ALPHA,
        "test": Options("fisher", "bayes"),
        "threshold": _PROB,
        "alternative": Options("greater", "two-sided"),
        "p_a": _PROB,
        "p_b": _PROB,
        "landmark_day": _DAY,
        # 1:1 allocation within each block.
        "block_size": Options(2, 4, 6, 8, 10, 12),
        **_Interim._constraints,
    }

    def _check(self) -> None:
        super()._check()
        if self.test == "bayes" and self.alternative != "greater":
            raise ValidationError("alternative", "the bayes rule is one-sided; must be 'greater'", self.alternative)

    def _two_arm_domain(self) -> dict:
        return dict(n_per_arm=self.n_per_arm, test=self.test, alpha=self.alpha, threshold=self.threshold,
                    alternative=self.alternative, p_a=self.p_a, p_b=self.p_b, landmark_day=self.landmark_day,
                    block_size=self.block_size, prior_a=self.prior_a, prior_b=self.prior_b,
                    interim=self._interim_domain())



@dataclass
class TwoArmDesignConfig(_TwoArm):
    """Two arms randomised 1:1 (permuted blocks within disease group), response at the landmark.

    Attributes
    ----------
    n_per_arm : int
        Patients per arm.
    alpha : float
        Level of Fisher's exact test (``test=fisher``).
    test : str
        ``fisher`` (exact test, H1 ``alternative``) or ``bayes`` (declare B better when
        P(p_B > p_A | data) > ``threshold``).
    threshold : float
        Posterior threshold of the Bayesian rule.
    alternative : str
        ``greater`` (H1: p_B > p_A) or ``two-sided`` (Fisher only; rejections in either direction).
    p_a, p_b : float
        Planning response rates: exact power is reported there, and the parametric scenario uses
        them when ``scenario.p_response`` is empty.
    regimen_a, regimen_b : str
        Treatments of arms A (control) and B.
    landmark_day : float
        Day of the response assessment.
    block_size : int
        Permuted-block size: even, 2 to 12.
    """

    name: str = "two_arm"
    regimen_a: str = "mmf"
    regimen_b: str = "sirolimus"

    _constraints = {**_TwoArm._constraints, "regimen_a": _REGIMEN, "regimen_b": _REGIMEN}

    def to_domain(self):
        """The design object (:class:`simtrial.designs.TwoArm`)."""
        from simtrial.designs.randomised import TwoArm

        return TwoArm(**self._two_arm_domain(), regimen_a=self.regimen_a, regimen_b=self.regimen_b)



@dataclass
class SequencingDesignConfig(_TwoArm):
    """MMF first (switch to sirolimus without confirmed response by ``switch_day``) against
    sirolimus first (optionally MMF after failure), randomised 1:1; arm A is MMF first.

    Attributes
    ----------
    switch_day : float
        Day of the switch for children without a confirmed response.
    mmf_after_failure : bool
        Arm B switches to MMF at ``switch_day`` without confirmed response.
    primary_endpoint : str
        The endpoint the answer leads with (:class:`simtrial.sequencing.endpoints.Endpoint`):
        ``response`` (at the landmark; the design's test), ``share_in_response``,
        ``time_to_response`` (restricted mean) or ``exposed_both``.
    (other fields as :class:`TwoArmDesignConfig`)
    """

    name: str = "sequencing"
    switch_day: float = 84.0
    mmf_after_failure: bool = False
    alternative: str = "two-sided"
    p_a: float = 0.5
    p_b: float = 0.75
    primary_endpoint: str = "response"

    _constraints = {**_TwoArm._constraints, "switch_day": _DAY, "mmf_after_failure": Boolean(),
                    "primary_endpoint": Options("response", "share_in_response", "time_to_response", "exposed_both")}

    @property
    def regimen_a(self) -> str:
        return "mmf_then_sirolimus"

    @property
    def regimen_b(self) -> str:
        return "sirolimus_then_mmf" if self.mmf_after_failure else "sirolimus"

    def to_domain(self):
        """The design object (:class:`simtrial.designs.Sequencing`)."""
        from simtrial.designs.randomised import Sequencing

        return Sequencing(**self._two_arm_domain(), switch_day=self.switch_day,
                          mmf_after_failure=self.mmf_after_failure, primary_endpoint=self.primary_endpoint)
