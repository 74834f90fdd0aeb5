"""Predicted response rates and time-to-response curves from population parameters.

For a new child of group ``g`` (with or without prior MMF failure): the probability of a response
(R or CR) and of a CR, and the cumulative probability of having responded by day ``t`` under
constant reference exposure, each per posterior draw. Same closed forms as the model
(:mod:`simtrial.models.parameters`); the curves integrate over patients by Monte Carlo.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from simtrial.calibration.closed_form import CR_COUNT, R_COUNT, class_log_folds, eta_cut
from simtrial.calibration.priors import P0
from simtrial.models.parameters import GROUPS, EffectParameters, days_to_threshold, softplus


def class_probabilities(eff: EffectParameters, mmf_failed: bool, p0: float = P0) -> dict[str, np.ndarray]:
    """``P(response)`` and ``P(CR)`` per draw and group, arrays of shape (n_draws, n_groups)."""
    c_r, c_cr = class_log_folds(p0)
    loc = eff.mu + eff.beta_mmf_failed[..., None] * float(mmf_failed)
    s = eff.sigma[..., None]
    return {"response": norm.sf((eta_cut(c_r) - loc) / s), "CR": norm.sf((eta_cut(c_cr) - loc) / s)}


def rates_table(eff: EffectParameters, drug: str, prob: float = 0.90) -> pd.DataFrame:
    """Median and equal-tailed ``prob`` interval of the response and CR rates, per group and
    prior MMF failure (the MMF effect has no prior-failure shift, so its rows use ``False``)."""
    rows = []
    lo, hi = (1 - prob) / 2, 1 - (1 - prob) / 2
    for failed in ((False, True) if drug == "sirolimus" else (False,)):
        probs = class_probabilities(eff, failed)
        for k, g in enumerate(GROUPS):
            row = {"drug": drug, "group": g, "prior MMF failure": failed}
            for what, p in probs.items():
                med, a, b = np.quantile(p[:, k], [0.5, lo, hi])
                row |= {f"P({what}) median": med, f"P({what}) {prob:.0%} lower": a,
                        f"P({what}) {prob:.0%} upper": b}
            rows.append(row)
    return pd.DataFrame(rows)


def response_curves(eff: EffectParameters, days: np.ndarray, mmf_failed: bool, what: str = "response",
                    n_patients: int = 400, rng: np.random.Generator | None = None, p0: float = P0) -> np.ndarray:
    """Cumulative probability of ``what`` ("response" or "CR") by each day, per draw and group.

    Returns an array of shape (n_draws, n_groups, n_days).
    """
    rng = rng or np.random.default_rng(0)
    threshold = CR_COUNT if what == "CR" else max(R_COUNT, 2 * p0)
    n_draws = eff.sigma.shape[0]
    out = np.empty((n_draws, len(GROUPS), days.size))
    for k in range(len(GROUPS)):
        loc = eff.mu[:, k] + eff.beta_mmf_failed * float(mmf_failed)
        eta = loc[:, None] + eff.sigma[:, None] * rng.standard_normal((n_draws, n_patients))
        ke0 = np.exp(eff.log_ke0[:, k, None] + eff.log_ke0_sd[:, None] * rng.standard_normal((n_draws, n_patients)))
        t = np.sort(days_to_threshold(softplus(eta), ke0, p0, threshold), axis=1)
        out[:, k, :] = np.stack([np.searchsorted(row, days, side="right") for row in t]) / n_patients
    return out
