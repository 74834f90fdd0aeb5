"""Borrowing from historical data: robust meta-analytic-predictive (MAP) priors for a response
rate, as RBesT does (Neuenschwander et al., Clin Trials 2010;7:5-18; Schmidli et al.,
Biometrics 2014;70:1023-1032).

Pure numpy/scipy: beta mixtures (:class:`BetaMixture`), their fit to MAP draws
(:func:`automixfit`), prior effective sample sizes (:func:`ess`), exact decisions and operating
characteristics by beta-binomial enumeration (:mod:`simtrial.borrowing.decisions`) and a
single-arm design object (:class:`BorrowingDesign`). The MAP draws themselves come from the
meta-analysis in :mod:`simtrial.calibration.meta_analytic`. Guide: docs/borrowing.md.
"""

from simtrial.borrowing.decisions import (
    Decision1S,
    Decision2S,
    decision1s_boundary,
    decision2s_boundary,
    oc1s,
    oc2s,
    pmixdiff,
    pos1s,
)
from simtrial.borrowing.design import BorrowingDesign
from simtrial.borrowing.ess import EssMethod, ess
from simtrial.borrowing.fit import MixtureFit, automixfit, mixfit
from simtrial.borrowing.mixture import BetaBinomialMixture, BetaMixture, beta_moments_to_ab

__all__ = [
    "BetaBinomialMixture", "BetaMixture", "BorrowingDesign", "Decision1S", "Decision2S", "EssMethod",
    "MixtureFit", "automixfit", "beta_moments_to_ab", "decision1s_boundary", "decision2s_boundary",
    "ess", "mixfit", "oc1s", "oc2s", "pmixdiff", "pos1s",
]
