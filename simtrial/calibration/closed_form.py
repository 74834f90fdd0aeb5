"""The effect model's closed forms as PyTensor expressions (the sampler's adapter).

These mirror :func:`simtrial.models.parameters.softplus`, ``threshold_log_fold`` and
``days_to_threshold`` term for term; ``tests/test_calibration_model.py`` checks they agree.
"""

from __future__ import annotations

import math

import numpy as np
import pytensor.tensor as pt

from simtrial.criteria.rules import IWG_2009
from simtrial.models.parameters import threshold_log_fold

#: IWG 2009 thresholds (Rodeghiero et al., Blood 2009;113:2386): CR >= 100 x 10^9/L; R (the
#: letter's PR) >= 30 x 10^9/L and at least twice baseline.
CR_COUNT: float = IWG_2009.cr_threshold
R_COUNT: float = IWG_2009.r_threshold


def class_log_folds(p0: float) -> tuple[float, float]:
    """Log-fold rises ``(c_R, c_CR)`` a patient's ``D`` must exceed for R and for CR."""
    c_r = float(threshold_log_fold(max(R_COUNT, IWG_2009.r_fold * p0), p0))
    c_cr = float(threshold_log_fold(CR_COUNT, p0))
    return c_r, c_cr


def eta_cut(log_fold: float) -> float:
    """The ``eta = logit E`` at which ``softplus(eta)`` equals ``log_fold`` (inverse softplus)."""
    return float(np.log(np.expm1(log_fold)))


def softplus(x):
    """``log(1 + exp(x))``: ``D`` from ``eta``."""
    return pt.softplus(x)


def days_to_threshold(d_ss, ke0, log_fold):
    """``-log(1 - log_fold / d_ss) / ke0``; only valid where ``d_ss > log_fold`` (responders)."""
    return -pt.log1p(-log_fold / d_ss) / ke0


def log_days_to_threshold(d_ss, log_ke0, log_fold):
    """``log`` of :func:`days_to_threshold` with the onset on the log scale."""
    return pt.log(-pt.log1p(-log_fold / d_ss)) - log_ke0


def norm_ppf_upper(p):
    """``x`` with ``P(Z > x) = p`` for standard normal ``Z``; accurate for small ``p``."""
    return math.sqrt(2.0) * pt.erfcinv(2.0 * p)


def norm_sf(z):
    """``P(Z > z)``."""
    return 0.5 * pt.erfc(z / math.sqrt(2.0))


def norm_cdf(z):
    """``P(Z <= z)``."""
    return 0.5 * pt.erfc(-z / math.sqrt(2.0))
