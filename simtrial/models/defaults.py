"""Default population parameters, used until a calibration posterior exists (*fixed* scenario).

These are prior-predictive-level defaults chosen by hand arithmetic from the published response
rates, **not fitted**; replace them with posterior draws from :mod:`simtrial.calibration` for
inference.

Arithmetic (baseline count ``P0 = 15 x 10^9/L``, IWG 2009 thresholds, Rodeghiero et al., Blood
2009;113:2386), carried out in code below
--------------------------------------------------------------------------------------------------
A patient ever reaches CR when ``D_ss > D_100 = threshold_log_fold(100, 15) = 2.147`` (with the
saturating count of :mod:`simtrial.models.parameters`, ``P_max = 400``), i.e. when
``eta > c_CR = softplus^-1(D_100) = log(expm1(D_100)) = 2.022``, and R or better when
``D_ss > D_30 = 0.733``, i.e. ``eta > c_R = 0.078``. With ``eta ~ N(mu, sigma)``:
``P(CR) = Phi((mu - c_CR) / sigma)`` and ``P(R+) = Phi((mu - c_R) / sigma)``, so a target
``P(CR)`` gives ``mu = c_CR + sigma Phi^-1(P(CR))`` and a target ``P(R+)`` gives
``mu = c_R + sigma Phi^-1(P(R+))``.

Sirolimus, ``sigma = 2.5`` (wide: the cohorts look all-or-none, few partial responses), targets:

============== ====== =========================================================
group          P(CR)  source of the target
============== ====== =========================================================
primary_itp    0.50   letter, Table 1B: 5/10 respond, all CR
ars_itp        0.60   letter, Table 1B: 8/9 respond, 5 CR
alps           0.95   Bride et al., Blood 2016;127:17: 12/12 CR
multi_lineage  0.65   Bride 2016: 8/12 CR
single_lineage 0.30   Bride 2016: 2/6 responders
============== ====== =========================================================

The letter's 11/17 MMF-failed responders (65%) against 13/19 overall (68%) give no usable
contrast (2 MMF-naive patients), so ``beta_mmf_failed = 0``. Onset: ``ke0 = log 2 / 30`` per day
(half-life a month, where a feasibility fit of a reduced form of this model to both cohorts put it), ALPS faster (half-life 20 d: CR
within 1-3 months in all 12, Bride 2016), multi-lineage slower (45 d: "slower" CR in Bride 2016);
``log_ke0_sd = 0.7`` for the wide spread of the letter's times (PR 14-135 d, CR 14-579 d). At
these values simulated responders reach R and CR faster than the letter's medians (PR 50 d, CR
158 d, which include the visit schedule): treat the onset as the most uncertain default and
prefer the calibration posterior.

MMF (Miano et al., Br J Haematol 2016: 65% of 54 respond, CR 46%; ITP 58% with CR 32%;
Evans 81%; ALPS-related syndrome 73% with CR 68%; median time to PR 20 d, to CR 37 d).
``sigma`` from the ITP pair: ``c_R + sigma Phi^-1(0.58) = c_CR + sigma Phi^-1(0.32)`` gives
``sigma = (c_CR - c_R) / (Phi^-1(0.58) - Phi^-1(0.32))``; then primary_itp from ITP (CR 32%),
ars_itp and alps from the ALPS-related syndrome (CR 68%), multi_lineage from Evans syndrome (81%
respond), single_lineage from the whole cohort (65% respond). MMF onset half-life 30 d in every
group, ``log_ke0_sd = 0.5`` (Miano's median times to PR 20 d and CR 37 d). ``beta_mmf_failed = 0``
for MMF itself.
"""

from __future__ import annotations

import math

import numpy as np

from scipy.special import ndtri

from simtrial.models.parameters import EffectParameters, PopulationParameters, threshold_log_fold

__all__ = ["DEFAULT_POPULATION_PARAMETERS", "DEFAULT_SIROLIMUS", "DEFAULT_MMF"]


def _log_ke0(half_lives_days) -> np.ndarray:
    return np.log(math.log(2.0) / np.asarray(half_lives_days, dtype=float))


#: Baseline count at which the targets are set (10^9/L).
TARGET_P0 = 15.0
#: eta cut points for CR and for R or better at TARGET_P0.
C_CR = float(np.log(np.expm1(threshold_log_fold(100.0, TARGET_P0))))
C_R = float(np.log(np.expm1(threshold_log_fold(max(30.0, 2 * TARGET_P0), TARGET_P0))))

_SIR_SIGMA = 2.5
#: Target P(CR) per group (primary_itp, ars_itp, alps, multi_lineage, single_lineage).
SIROLIMUS_TARGET_CR = (0.50, 0.60, 0.95, 0.65, 0.30)

_MMF_SIGMA = (C_CR - C_R) / (float(ndtri(0.58)) - float(ndtri(0.32)))
_MMF_MU = [
    C_CR + _MMF_SIGMA * float(ndtri(0.32)),  # primary_itp: ITP, CR 32%
    C_CR + _MMF_SIGMA * float(ndtri(0.68)),  # ars_itp: ALPS-related syndrome, CR 68%
    C_CR + _MMF_SIGMA * float(ndtri(0.68)),  # alps: as ALPS-related syndrome
    C_R + _MMF_SIGMA * float(ndtri(0.81)),  # multi_lineage: Evans syndrome, 81% respond
    C_R + _MMF_SIGMA * float(ndtri(0.65)),  # single_lineage: whole cohort, 65% respond
]

#: Sirolimus effect defaults (order: primary_itp, ars_itp, alps, multi_lineage, single_lineage).
DEFAULT_SIROLIMUS = EffectParameters(
    mu=np.array([C_CR + _SIR_SIGMA * float(ndtri(p)) for p in SIROLIMUS_TARGET_CR]),
    sigma=np.array(_SIR_SIGMA),
    beta_mmf_failed=np.array(0.0),
    log_ke0=_log_ke0([30.0, 30.0, 20.0, 45.0, 30.0]),
    log_ke0_sd=np.array(0.7),
)

#: MMF effect defaults (Miano et al., Br J Haematol 2016).
DEFAULT_MMF = EffectParameters(
    mu=np.array(_MMF_MU),
    sigma=np.array(_MMF_SIGMA),
    beta_mmf_failed=np.array(0.0),
    log_ke0=_log_ke0([30.0] * 5),
    log_ke0_sd=np.array(0.5),
)

#: The *fixed* scenario's population parameters (hand-set, not fitted; see module docstring).
DEFAULT_POPULATION_PARAMETERS = PopulationParameters(sirolimus=DEFAULT_SIROLIMUS, mmf=DEFAULT_MMF)

for _params in (DEFAULT_SIROLIMUS, DEFAULT_MMF):
    for _name in ("mu", "sigma", "beta_mmf_failed", "log_ke0", "log_ke0_sd"):
        getattr(_params, _name).flags.writeable = False  # shared module-level defaults
