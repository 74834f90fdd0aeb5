"""The calibration's configuration: a frozen dataclass usable as a Hydra structured config."""

from __future__ import annotations

from dataclasses import dataclass

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
    posterior : str
        Where downstream studies read a posterior from: a ``posterior.nc`` path or
        ``"packaged"`` (the default posterior shipped with simtrial).
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
    posterior: str = "packaged"
    allow_failed_diagnostics: bool = False
    rhat_max: float = 1.01
    ess_min: float = 400.0
    prior_draws: int = 2000

    def __post_init__(self) -> None:
        validate(self)


def validate(cfg) -> None:
    """Check any object with the :class:`CalibrationConfig` fields (a dataclass or an OmegaConf node).

    Raises
    ------
    ValueError
        Naming the first bad field as ``calibration.<field>`` and what is allowed.
    """
    def bad(field: str, allowed: str):
        return ValueError(f"calibration.{field}: got {getattr(cfg, field)!r}; allowed: {allowed}")

    if cfg.sampler not in SAMPLERS:
        raise bad("sampler", str(list(SAMPLERS)))
    if cfg.prior not in PRIORS:
        raise bad("prior", str(sorted(PRIORS)))
    for field, low in (("draws", 1), ("tune", 0), ("chains", 1), ("prior_draws", 1)):
        value = getattr(cfg, field)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise bad(field, f"an integer >= {low}")
    if not 0.0 < float(cfg.target_accept) < 1.0:
        raise bad("target_accept", "a number in (0, 1)")
    if not float(cfg.rhat_max) >= 1.0:
        raise bad("rhat_max", "a number >= 1")
    if not float(cfg.ess_min) > 0:
        raise bad("ess_min", "a number > 0")
    if not isinstance(cfg.allow_failed_diagnostics, bool):
        raise bad("allow_failed_diagnostics", "true or false")
    if not isinstance(cfg.posterior, str) or not cfg.posterior:
        raise bad("posterior", "a path to a posterior.nc or 'packaged'")
