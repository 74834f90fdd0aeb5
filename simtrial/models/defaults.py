"""Default population parameters, used until a calibration posterior exists (*fixed* scenario).

These are prior-predictive-level defaults chosen by hand arithmetic from the published response
rates, **not fitted**; replace them with posterior draws from :mod:`simtrial.calibration` for
inference.

Arithmetic (baseline count ``P0 = 15 x 10^9/L``, IWG 2009 thresholds, Rodeghiero et al., Blood
2009;113:2386)
--------------------------------------------------------------------------------------------------
A patient ever reaches CR when ``D_ss > log(100/15) = 1.897``, i.e. when
``eta > softplus^-1(1.897) = log(exp(1.897) - 1) = 1.735``, and R or better when
``D_ss > log(30/15) = log 2``, i.e. ``eta > softplus^-1(log 2) = log(2 - 1) = 0``. With
``eta ~ N(mu, sigma)``: ``P(CR) = Phi((mu - 1.735) / sigma)``, ``P(R+) = Phi(mu / sigma)``, so
``mu = 1.735 + sigma Phi^-1(P(CR))``.

Sirolimus, ``sigma = 2.5`` (wide: the cohorts look all-or-none, few partial responses):

============== ====== ====== ======== =========================================================
group          P(CR)  mu     P(R+)    source of the target
============== ====== ====== ======== =========================================================
primary_itp    0.50   1.735  0.76     letter, Table 1B: 5/10 respond, all CR
ars_itp        0.60   2.368  0.83     letter, Table 1B: 8/9 respond, 5 CR
alps           0.95   5.847  0.99     Bride et al., Blood 2016;127:17: 12/12 CR
multi_lineage  0.65   2.698  0.86     Bride 2016: 8/12 CR
single_lineage 0.30   0.424  0.57     Bride 2016: 2/6 responders
============== ====== ====== ======== =========================================================

(``Phi^-1``: 0.5 -> 0, 0.6 -> 0.253, 0.95 -> 1.645, 0.65 -> 0.385, 0.3 -> -0.524.) The letter's
11/17 MMF-failed responders (65%) against 13/19 overall (68%) give no usable contrast (2 MMF-naive
patients), so ``beta_mmf_failed = 0``. Onset: ``ke0 = log 2 / 30`` per day (half-life a month,
the feasibility posterior in design.md), ALPS faster (half-life 20 d: CR within 1-3 months in all
12, Bride 2016), multi-lineage slower (45 d: "slower" CR in Bride 2016); ``log_ke0_sd = 0.7`` for
the wide spread of the letter's times (PR 14-135 d, CR 14-579 d). Note: at these values the
median time to R among simulated primary-ITP responders is about 14 d and to CR about 36 d (at
constant reference exposure), faster than the letter's medians (PR 50 d, CR 158 d, which include
the visit schedule); the letter's medians alone would suggest a half-life of 100-140 d. Treat
the onset as the most uncertain default and prefer the calibration posterior.

MMF (Miano et al., Br J Haematol 2016: 65% of 54 respond, CR 46%; ITP 58% with CR 32%;
Evans 81%; ALPS-related syndrome 73% with CR 68%; median time to PR 20 d, to CR 37 d).
``sigma`` from the ITP pair: ``mu = sigma Phi^-1(0.58) = 0.202 sigma`` and
``mu = 1.735 + sigma Phi^-1(0.32) = 1.735 - 0.468 sigma`` give ``sigma = 1.735 / 0.670 = 2.59``,
taken as 2.6:

============== ====== ====== ======== =========================================================
group          mu     P(CR)  P(R+)    target
============== ====== ====== ======== =========================================================
primary_itp    0.525  0.32   0.58     ITP: 58% respond, CR 32%
ars_itp        2.951  0.68   0.87     ALPS-related syndrome: CR 68% (response 73%)
alps           2.951  0.68   0.87     same
multi_lineage  2.283  0.58   0.81     Evans syndrome: 81% respond
single_lineage 1.002  0.39   0.65     whole cohort: 65% respond
============== ====== ====== ======== =========================================================

MMF onset half-life 30 d in every group, ``log_ke0_sd = 0.5``: at the whole-cohort location the
median time to R among responders is then about 16 d and to CR about 38 d (Miano: 20 d, 37 d).
``beta_mmf_failed = 0`` for MMF itself.
"""

from __future__ import annotations

import math

import numpy as np

from simtrial.models.parameters import EffectParameters, PopulationParameters

__all__ = ["DEFAULT_POPULATION_PARAMETERS", "DEFAULT_SIROLIMUS", "DEFAULT_MMF"]


def _log_ke0(half_lives_days) -> np.ndarray:
    return np.log(math.log(2.0) / np.asarray(half_lives_days, dtype=float))


#: Sirolimus effect defaults (order: primary_itp, ars_itp, alps, multi_lineage, single_lineage).
DEFAULT_SIROLIMUS = EffectParameters(
    mu=np.array([1.735, 2.368, 5.847, 2.698, 0.424]),
    sigma=np.array(2.5),
    beta_mmf_failed=np.array(0.0),
    log_ke0=_log_ke0([30.0, 30.0, 20.0, 45.0, 30.0]),
    log_ke0_sd=np.array(0.7),
)

#: MMF effect defaults (Miano et al., Br J Haematol 2016).
DEFAULT_MMF = EffectParameters(
    mu=np.array([0.525, 2.951, 2.951, 2.283, 1.002]),
    sigma=np.array(2.6),
    beta_mmf_failed=np.array(0.0),
    log_ke0=_log_ke0([30.0] * 5),
    log_ke0_sd=np.array(0.5),
)

#: The *fixed* scenario's population parameters (hand-set, not fitted; see module docstring).
DEFAULT_POPULATION_PARAMETERS = PopulationParameters(sirolimus=DEFAULT_SIROLIMUS, mmf=DEFAULT_MMF)

for _params in (DEFAULT_SIROLIMUS, DEFAULT_MMF):
    for _name in ("mu", "sigma", "beta_mmf_failed", "log_ke0", "log_ke0_sd"):
        getattr(_params, _name).flags.writeable = False  # shared module-level defaults
