"""Prior sets for the calibration: ``default``, ``vague`` and ``sceptical``.

Every location and scale is a plain float so a prior set is a frozen, Hydra-friendly dataclass.
Scales are on the model's own scales: ``logit E`` for the steady-state effect (see
:mod:`simtrial.models.parameters`) and ``log ke0`` (1/day) for the onset rate.

Sources
-------
* Baseline count ``P0 = 15 x 10^9/L``: between the romiplostim ITP turnover models' baselines,
  about 18 (Petrov et al., Clin Pharmacol Drug Dev 2025) and 11.1 x 10^9/L (Perez-Ruixo et al.,
  J Clin Pharmacol 2012), and under the <= 30 inclusion limit of paediatric ITP trials
  (Tarantino et al., Lancet 2016).
* Response location ``mu_pop``: the default is centred on ``logit E = 0.5``, a prior response
  probability of about 60% (the share of children responding to the comparable second-line
  immunosuppressant MMF: 65% of 54, Miano et al., Br J Haematol 2016), with a wide scale so the
  prior allows anything from almost no to almost all responders (prior predictive check in
  :mod:`simtrial.calibration.prior_check`).
* Onset rate ``log_ke0_pop``: centred on a half-life of 30 days (``ke0 = ln 2 / 30``): sirolimus
  responses take "1-3 months" (Bride et al., Blood 2016;127:17-28) and MMF's median time to CR is
  37 days (Miano et al. 2016); the scale of 1 on the log scale spans half-lives of about
  4 days to 7 months at +-2 SD.
* Between-patient scales (``sigma``, ``log_ke0_sd``) and group scales (``tau``, ``tau_ke0``):
  half-normal, weakly informative; no published patient-level variability of the sirolimus
  effect exists. The 50% IIV of the platelet loss rate in ITP (Petrov et al. 2025) supports a
  log-scale spread of order 0.5-1 for the onset.
* Prior MMF failure ``beta_mmf_failed``: centred on 0 (no published estimate; the letter's 11/17
  MMF-failed responders is a calibration target, not a prior).
* Timing error ``sigma_obs`` (log days): visits every 2-4 weeks and the IWG 7-day confirmation
  (Rodeghiero et al., Blood 2009;113:2386) blur the recorded day by about 10-30%.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Baseline platelet count fixed in the calibration (10^9/L); sources in the module docstring.
P0: float = 15.0

#: Onset rate for a half-life of 30 days (1/day); sources in the module docstring.
_LOG_KE0_30D: float = math.log(math.log(2.0) / 30.0)


@dataclass(frozen=True)
class PriorSet:
    """Locations and scales of the calibration priors (one drug's block is reused for both).

    ``*_loc`` are normal locations, ``*_scale`` normal or half-normal scales.
    """

    name: str
    mu_pop_loc: float
    mu_pop_scale: float
    tau_scale: float
    sigma_scale: float
    beta_mmf_failed_loc: float
    beta_mmf_failed_scale: float
    log_ke0_pop_loc: float
    log_ke0_pop_scale: float
    tau_ke0_scale: float
    log_ke0_sd_scale: float
    sigma_obs_scale: float

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if name == "name":
                continue
            if not math.isfinite(value):
                raise ValueError(f"prior.{name}: must be finite (got {value})")
            if name.endswith("_scale") and value <= 0:
                raise ValueError(f"prior.{name}: must be > 0 (got {value})")


#: The three prior sets of the sensitivity analysis.
PRIORS: dict[str, PriorSet] = {
    "default": PriorSet(
        name="default",
        mu_pop_loc=0.5, mu_pop_scale=1.5, tau_scale=1.0, sigma_scale=2.0,
        beta_mmf_failed_loc=0.0, beta_mmf_failed_scale=1.0,
        log_ke0_pop_loc=_LOG_KE0_30D, log_ke0_pop_scale=1.0, tau_ke0_scale=0.5,
        log_ke0_sd_scale=0.75, sigma_obs_scale=0.3,
    ),
    # Three times wider everywhere but sigma_scale (3.0 against the default 2.0): how much do the
    # conclusions lean on the default prior?
    "vague": PriorSet(
        name="vague",
        mu_pop_loc=0.0, mu_pop_scale=4.5, tau_scale=3.0, sigma_scale=3.0,
        beta_mmf_failed_loc=0.0, beta_mmf_failed_scale=3.0,
        log_ke0_pop_loc=_LOG_KE0_30D, log_ke0_pop_scale=3.0, tau_ke0_scale=1.5,
        log_ke0_sd_scale=2.25, sigma_obs_scale=0.9,
    ),
    # Sceptical of efficacy: about 30% responders a priori, groups alike, MMF failure harmful,
    # slower onset (half-life 60 days).
    "sceptical": PriorSet(
        name="sceptical",
        mu_pop_loc=-0.75, mu_pop_scale=0.75, tau_scale=0.5, sigma_scale=1.0,
        beta_mmf_failed_loc=-0.5, beta_mmf_failed_scale=0.5,
        log_ke0_pop_loc=_LOG_KE0_30D - math.log(2.0), log_ke0_pop_scale=0.5, tau_ke0_scale=0.5,
        log_ke0_sd_scale=0.75, sigma_obs_scale=0.3,
    ),
}


def get_prior(name: str) -> PriorSet:
    """The prior set called ``name``.

    Raises
    ------
    ValueError
        If ``name`` is not one of :data:`PRIORS`.
    """
    try:
        return PRIORS[name]
    except (KeyError, TypeError):
        raise ValueError(f"calibration.prior: unknown prior {name!r}; allowed: {sorted(PRIORS)}") from None
