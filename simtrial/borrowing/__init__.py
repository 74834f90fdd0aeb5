"""Borrowing from historical data: robust meta-analytic-predictive (MAP) priors for a response
rate, as RBesT does (Neuenschwander et al., Clin Trials 2010;7:5-18; Schmidli et al.,
Biometrics 2014;70:1023-1032).

Pure numpy/scipy: beta mixtures (:class:`BetaMixture`), their fit to MAP draws
(:func:`automixfit`), prior effective sample sizes (:func:`ess`), and exact decisions and
operating characteristics by beta-binomial enumeration (:mod:`simtrial.borrowing.decisions`).
The MAP draws themselves come from the PyMC meta-analysis in
:mod:`simtrial.calibration.meta_analytic`. Guide: docs/borrowing.md.
"""

from simtrial.borrowing.ess import EssMethod, ess
from simtrial.borrowing.mixture import BetaBinomialMixture, BetaMixture, beta_moments_to_ab

__all__ = ["BetaBinomialMixture", "BetaMixture", "EssMethod", "beta_moments_to_ab", "ess"]
