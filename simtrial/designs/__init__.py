"""Exact statistics of the trial designs (closed form or full enumeration).

Modules
-------
binomial
    Single-arm exact one-sided binomial test.
simon
    Simon (1989) optimal and minimax two-stage designs.
fisher, two_arm, bayes_two_arm
    Two-arm Fisher exact test and Bayesian P(p_B > p_A) rule as lookup tables, with
    exact power by enumeration.
bayes, interim
    Beta-binomial posterior and predictive probabilities; exact characteristics and
    threshold calibration of predictive-probability interim designs.
contingency
    The usual 2x2 p-values side by side.
oc, sample_size, estimation
    Exact OC curves over the true rate (and two-arm size over the null space); exact
    sample-size search (smallest and stable n, Simon minimax / admissible / optimal per planning
    value); estimation after stopping (UMVUE, Koyama-Chen exact CI).

Design objects (the public API: constructor stores validated parameters, ``print`` shows the
design summary, ``exact(...)`` the exact operating characteristics)
-------------------------------------------------------------------------------------------
SingleArm, Simon, TwoArm, Sequencing
    The designs the trial simulator runs (:class:`simtrial.Trial`).
PPInterim
    Predictive-probability interim looks, given to a design as its ``interim``.
"""

from .bayes import final_critical_value, posterior_prob_above, predictive_probability
from .bayes_two_arm import (
    bayes_power,
    bayes_rejection_table,
    posterior_prob_table,
    prob_b_greater,
)
from .binomial import critical_value, min_sample_size, reject
from .binomial import rejection_probability as binomial_rejection_probability
from .contingency import two_by_two_pvalues
from .fisher import (
    fisher_power,
    fisher_pvalue,
    fisher_pvalue_table,
    fisher_rejection_table,
)
from .interim import (
    Calibration,
    OperatingCharacteristics,
    PPDesign,
    calibrate_thresholds,
    operating_characteristics,
)
from .simon import (
    SimonDesign,
    SimonSearch,
    design_at_n,
    minimax_design,
    optimal_design,
    simon_search,
)
from .two_arm import rejection_probability as two_arm_rejection_probability
from .base import Design
from .pp_interim import PPInterim
from .randomised import Sequencing, TwoArm
from .simon_two_stage import Simon
from .single_arm import SingleArm
from . import estimation, oc, sample_size  # noqa: E402  (decisions: exact OCs, sample size, estimation)

__all__ = [
    "Design",
    "PPInterim",
    "Sequencing",
    "Simon",
    "SingleArm",
    "TwoArm",
    "Calibration",
    "OperatingCharacteristics",
    "PPDesign",
    "SimonDesign",
    "SimonSearch",
    "bayes_power",
    "bayes_rejection_table",
    "binomial_rejection_probability",
    "calibrate_thresholds",
    "critical_value",
    "final_critical_value",
    "fisher_power",
    "fisher_pvalue",
    "fisher_pvalue_table",
    "fisher_rejection_table",
    "min_sample_size",
    "minimax_design",
    "operating_characteristics",
    "optimal_design",
    "posterior_prob_above",
    "posterior_prob_table",
    "predictive_probability",
    "prob_b_greater",
    "reject",
    "simon_search",
    "design_at_n",
    "two_arm_rejection_probability",
    "two_by_two_pvalues",
]
