"""Scenarios: where each simulated child's outcome comes from.

Parametric, Null
    No biology: each child responds with the arm's true probability (exact comparisons exist).
Fixed, Posterior
    The patient models (PK, TDM, platelets, IWG criteria) at one parameter set, or at posterior
    draws (the rejection rate is then an assurance).
"""

from simtrial.scenarios.base import POPULATIONS, Scenario
from simtrial.scenarios.biology import Fixed, Posterior, posterior_median
from simtrial.scenarios.parametric import Null, Parametric

__all__ = ["Scenario", "Parametric", "Null", "Fixed", "Posterior", "POPULATIONS", "posterior_median"]
