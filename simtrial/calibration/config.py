"""The calibration's configuration: a frozen dataclass usable as a Hydra structured config."""

from __future__ import annotations

from dataclasses import dataclass

from simtrial._core.validation import Boolean, Interval, Options, ValidationError, check_fields
from simtrial.calibration.priors import PRIORS

SAMPLERS: tuple[str, ...] = ("nutpie", "pymc")


@dataclass(frozen=True)
class CalibrationConfig:
    """Settings of ``experiment=calibrate`` (the ``calibration`` block of the config).

    Parameters
    ----------
    sampler : {"nutpie", "pymc"}
        NUTS implementation: nutpie (default, compiled with numba) or PyMC's own.
    draws, tune, chains : int
        Posterior draws per chain, tuning steps per chain, number of chains (at most 2 here).
    target_accept : float
        NUTS target acceptance rate, in (0, 1).
    prior : {"default", "vague", "sceptical"}
        Prior set (:data:`simtrial.calibration.priors.PRIORS`).
    allow_failed_diagnostics : bool
        Let downstream studies use a posterior whose diagnostics failed.
    rhat_max, ess_min : float
        Convergence bounds: max r-hat and min bulk/tail ESS.
    prior_draws : int
        Prior draws for the prior predictive check and the prior-vs-posterior plots.
    """

    sampler: str = "nutpie"
    draws: int = 2000
    tune: int = 1000
    chains: int = 2
    target_accept: float = 0.98
    prior: str = "default"
    allow_failed_diagnostics: bool = False
    rhat_max: float = 1.01
    ess_min: float = 400.0
    prior_draws: int = 2000

    def __post_init__(self) -> None:
        check_fields(self, CONSTRAINTS, store=False)


#: The declared ranges of :class:`CalibrationConfig`'s fields.
CONSTRAINTS = {
    "sampler": Options(*SAMPLERS),
    "prior": Options(*sorted(PRIORS)),
    "draws": Interval(int, 1, 1_000_000),
    "tune": Interval(int, 0, 1_000_000),
    # Two cores here; more chains only queue.
    "chains": Interval(int, 1, 64),
    "target_accept": Interval(float, 0.0, 1.0, "neither"),
    "allow_failed_diagnostics": Boolean(),
    "rhat_max": Interval(float, 1.0, 2.0),
    "ess_min": Interval(float, 0.0, 1e7, "neither"),
    "prior_draws": Interval(int, 1, 1_000_000),
}


def validate(cfg) -> None:
    """Check any object with the :class:`CalibrationConfig` fields (a dataclass or an OmegaConf node).

    Raises
    ------
    simtrial._core.validation.ValidationError
        Naming the first bad field as ``calibration.<field>`` and what is allowed.
    """
    try:
        check_fields(cfg, CONSTRAINTS, store=False)
    except ValidationError as exc:
        raise exc.under("calibration") from None
