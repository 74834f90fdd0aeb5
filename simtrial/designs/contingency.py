"""Standard p-values for one 2x2 comparison of response proportions.

Used to identify which test a publication reported. Arm A: x_a of n_a responders;
arm B: x_b of n_b. One-sided tests are for H1: p_B > p_A.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from ._validation import check_counts, check_int
from .fisher import fisher_pvalue_table

__all__ = ["two_by_two_pvalues"]


def two_by_two_pvalues(x_a: int, n_a: int, x_b: int, n_b: int) -> dict[str, float]:
    """P-values of the usual tests for a 2x2 table of responders.

    Returns
    -------
    dict
        ``fisher_two_sided``, ``fisher_one_sided``, ``fisher_mid_p_one_sided``,
        ``pearson_chi2`` (no continuity correction), ``yates_chi2``,
        ``likelihood_ratio_g`` (G-test, chi-square with 1 df),
        ``barnard_two_sided``, ``boschloo_two_sided``.
    """
    n_a = check_int("n_a", n_a, minimum=1)
    n_b = check_int("n_b", n_b, minimum=1)
    x_a = int(check_counts("x_a", x_a, n_a))
    x_b = int(check_counts("x_b", x_b, n_b))
    table = np.array([[x_b, n_b - x_b], [x_a, n_a - x_a]])
    hyper = stats.hypergeom(n_a + n_b, x_a + x_b, n_b)  # X_b given the total responders
    out = {
        "fisher_two_sided": float(fisher_pvalue_table(n_a, n_b, "two-sided")[x_a, x_b]),
        "fisher_one_sided": float(fisher_pvalue_table(n_a, n_b, "greater")[x_a, x_b]),
        "fisher_mid_p_one_sided": float(hyper.sf(x_b) + 0.5 * hyper.pmf(x_b)),
    }
    degenerate = (table.sum(axis=0) == 0).any() or (table.sum(axis=1) == 0).any()
    if degenerate:
        out.update(pearson_chi2=1.0, yates_chi2=1.0, likelihood_ratio_g=1.0)
    else:
        out["pearson_chi2"] = float(stats.chi2_contingency(table, correction=False)[1])
        out["yates_chi2"] = float(stats.chi2_contingency(table, correction=True)[1])
        out["likelihood_ratio_g"] = float(
            stats.chi2_contingency(table, correction=False, lambda_="log-likelihood")[1]
        )
    out["barnard_two_sided"] = float(stats.barnard_exact(table).pvalue)
    out["boschloo_two_sided"] = float(stats.boschloo_exact(table).pvalue)
    return out
