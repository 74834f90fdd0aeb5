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
    value); estimation after stopping (UMVUE, Koyama-Chen exact CI). Import them as
    ``from simtrial.designs import oc, sample_size, estimation``.

Design objects (the public API: constructor stores validated parameters, ``print`` shows the
design summary, ``exact(...)`` the exact operating characteristics)
-------------------------------------------------------------------------------------------
SingleArm, Simon, TwoArm, Sequencing
    The designs the trial simulator runs (:class:`simtrial.Trial`).
PPInterim
    Predictive-probability interim looks, given to a design as its ``interim``.
"""

from simtrial._core.lazy import lazy_exports

#: Public name -> defining module; imported on first use (importing the config schemas in
#: :mod:`simtrial.designs.config` must not import scipy).
_EXPORTS = {
    "final_critical_value": ".bayes",
    "posterior_prob_above": ".bayes",
    "predictive_probability": ".bayes",
    "bayes_power": ".bayes_two_arm",
    "bayes_rejection_table": ".bayes_two_arm",
    "posterior_prob_table": ".bayes_two_arm",
    "prob_b_greater": ".bayes_two_arm",
    "critical_value": ".binomial",
    "min_sample_size": ".binomial",
    "reject": ".binomial",
    "binomial_rejection_probability": ".binomial:rejection_probability",
    "two_by_two_pvalues": ".contingency",
    "fisher_power": ".fisher",
    "fisher_pvalue": ".fisher",
    "fisher_pvalue_table": ".fisher",
    "fisher_rejection_table": ".fisher",
    "Calibration": ".interim",
    "OperatingCharacteristics": ".interim",
    "PPDesign": ".interim",
    "calibrate_thresholds": ".interim",
    "operating_characteristics": ".interim",
    "SimonDesign": ".simon",
    "SimonSearch": ".simon",
    "design_at_n": ".simon",
    "minimax_design": ".simon",
    "optimal_design": ".simon",
    "simon_search": ".simon",
    "two_arm_rejection_probability": ".two_arm:rejection_probability",
    "Design": ".base",
    "PPInterim": ".pp_interim",
    "Sequencing": ".randomised",
    "TwoArm": ".randomised",
    "Simon": ".simon_two_stage",
    "SingleArm": ".single_arm",
    "Smart": ".smart",
    "GroupSequential": ".group_sequential",
    "GroupSequentialDesign": ".group_sequential",
    "GroupSequentialRates": ".group_sequential",
}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

__all__ = [
    "Design",
    "PPInterim",
    "Sequencing",
    "Simon",
    "SingleArm",
    "Smart",
    "TwoArm",
    "GroupSequential",
    "GroupSequentialDesign",
    "GroupSequentialRates",
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
