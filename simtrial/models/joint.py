"""One child, two drugs: the joint latent of MMF and sirolimus responsiveness.

Child ``i`` has a standard bivariate normal pair ``(z_mmf, z_sir)`` with correlation ``rho``
(:attr:`simtrial.models.parameters.PopulationParameters.rho`), and
``logit E_drug,i = mu_drug[group] + beta_mmf_failed_drug * mmf_failed_i + sigma_drug z_drug``.
The argument for this structure is in ``docs/models-platelets.md``.

*Failing MMF* means the MMF latent lies below the child's MMF response threshold: at the
reference MPA exposure the MMF effect would never lift the child's mean count to an IWG 2009
response (R: at least 30 x 10^9/L and twice baseline; Rodeghiero et al., Blood 2009;113:2386),
``z_mmf < b_i = (softplus^-1(D_R(P0_i)) - mu_mmf[g_i]) / sigma_mmf``. A child known to have
failed MMF before the trial therefore has ``z_mmf`` from the normal truncated above at ``b_i``
and ``z_sir | z_mmf ~ N(rho z_mmf, 1 - rho^2)``: a truncated bivariate normal. A child who fails
MMF inside a simulated trial is conditioned the same way without any extra step, because the
switch to sirolimus happens to the same child with the same pair.

Draws use transforms of the caller's standard normals (:func:`joint_latents`), so ``rho = 0``
reproduces the independent model's sirolimus draws number for number.
"""

from __future__ import annotations

import numpy as np
from scipy.special import log_ndtr, ndtr, ndtri_exp, owens_t

from simtrial.models.parameters import EffectParameters, threshold_log_fold

__all__ = [
    "bvn_cdf",
    "eta_cut",
    "mmf_failure_cut",
    "joint_latents",
    "p_response_given_mmf_failure",
]

#: Standardised cuts are clipped to +-CUT_LIMIT: ``Phi(-37)`` is about 6e-300, the smallest
#: probability whose logarithm the inverse transform still resolves; a cut beyond it means the
#: model all but rules out (or all but guarantees) MMF failure for that child.
CUT_LIMIT: float = 37.0


def bvn_cdf(h, k, rho) -> np.ndarray:
    """``P(X < h, Y < k)`` for a standard bivariate normal with correlation ``rho``.

    Owen's T form (Owen, Ann Math Stat 1956;27:1075, eq. 3.1):
    ``Phi2(h, k; rho) = (Phi(h) + Phi(k)) / 2 - T(h, a_h) - T(k, a_k) - beta``, with
    ``a_h = (k - rho h) / (h sqrt(1 - rho^2))``, ``a_k = (h - rho k) / (k sqrt(1 - rho^2))`` and
    ``beta = 1/2`` when ``h k < 0`` or (``h k = 0`` and ``h + k < 0``), else 0. Vectorised over
    broadcast inputs; ``|rho| < 1``; infinite ``h`` or ``k`` allowed.

    Checked against :func:`scipy.stats.multivariate_normal.cdf` in ``tests/test_joint.py``.
    """
    h, k, rho = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (h, k, rho)))
    if np.any(np.abs(rho) >= 1) or np.any(np.isnan(rho)):
        raise ValueError("rho: must be in (-1, 1)")
    out = np.empty(h.shape)
    # infinite limits reduce to a univariate normal (or 0)
    inf_h, inf_k = np.isinf(h), np.isinf(k)
    out[inf_h & (h < 0)] = 0.0
    out[inf_k & (k < 0)] = 0.0
    only_k = inf_h & (h > 0) & ~(inf_k & (k < 0))
    out[only_k] = ndtr(k[only_k])
    only_h = inf_k & (k > 0) & ~(inf_h & (h < 0))
    out[only_h] = ndtr(h[only_h])
    fin = ~inf_h & ~inf_k
    h, k, rho = h[fin], k[fin], rho[fin]
    # Phi2 is continuous: a zero limit is moved off 0 by far less than double precision resolves
    h = np.where(h == 0, 1e-150, h)
    k = np.where(k == 0, 1e-150, k)
    s = np.sqrt(1.0 - rho * rho)
    t_h = owens_t(h, (k - rho * h) / (h * s))
    t_k = owens_t(k, (h - rho * k) / (k * s))
    beta = np.where(h * k < 0, 0.5, 0.0)
    val = 0.5 * (ndtr(h) + ndtr(k)) - t_h - t_k - beta
    out[fin] = np.clip(val, 0.0, 1.0)
    return out


def eta_cut(log_fold) -> np.ndarray:
    """The ``eta = logit E`` with ``softplus(eta) = log_fold`` (``-inf`` at ``log_fold <= 0``)."""
    d = np.asarray(log_fold, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(d <= 0, -np.inf, np.where(d > 30, d, np.log(np.expm1(np.minimum(d, 30)))))


def _standardised(params: EffectParameters, group, shift, log_fold) -> np.ndarray:
    """``(softplus^-1(log_fold) - mu[group] - shift) / sigma``, clipped to +-CUT_LIMIT."""
    loc = params.mu[group] + shift
    cut = eta_cut(log_fold)
    if params.sigma == 0:
        b = np.where(cut > loc, CUT_LIMIT, -CUT_LIMIT)
    else:
        with np.errstate(invalid="ignore"):
            b = (cut - loc) / params.sigma
    return np.clip(np.nan_to_num(b, nan=-CUT_LIMIT), -CUT_LIMIT, CUT_LIMIT)


def response_log_fold(p0, r_threshold: float = 30.0, r_fold: float = 2.0) -> np.ndarray:
    """Log-fold rise ``D_R`` at which the mean count reaches an IWG 2009 response from ``P0``."""
    p0 = np.asarray(p0, dtype=float)
    return threshold_log_fold(np.maximum(r_threshold, r_fold * p0), p0)


def mmf_failure_cut(mmf: EffectParameters, group, p0, r_threshold: float = 30.0,
                    r_fold: float = 2.0, mmf_failed=True) -> np.ndarray:
    """Standardised MMF response threshold ``b_i``: the child fails MMF when ``z_mmf < b_i``.

    ``b_i = (softplus^-1(D_R(P0_i)) - mu_mmf[g_i]) / sigma_mmf`` with ``D_R`` the log-fold rise
    to an IWG 2009 response (:func:`response_log_fold`) at the reference MPA exposure; so
    ``P(MMF failure) = Phi(b_i)``, the complement of
    :func:`simtrial.models.effect.response_probabilities` ``["response"]`` for MMF.

    Parameters
    ----------
    mmf : EffectParameters
        A single MMF parameter set.
    group : array of int
        Disease-group indices.
    p0 : array_like
        Baseline mean count (10^9/L, > 0), scalar or one per child.
    r_threshold, r_fold : float
        IWG 2009 response: at least ``r_threshold`` and ``r_fold`` times baseline.
    mmf_failed : bool or array
        Applies the MMF parameters' ``beta_mmf_failed`` (0 by the calibration's contract).
    """
    g = np.asarray(group, dtype=np.intp)
    p0 = np.broadcast_to(np.asarray(p0, dtype=float), g.shape)
    shift = mmf.beta_mmf_failed * np.broadcast_to(np.asarray(mmf_failed, float), g.shape)
    return _standardised(mmf, g, shift, response_log_fold(p0, r_threshold, r_fold))


def joint_latents(z_sir, z_mmf, rho, failed_cut=None) -> tuple[np.ndarray, np.ndarray]:
    """The pair ``(z_sir, z_mmf)`` of each child from independent standard normals.

    A child not known to have failed MMF keeps its sirolimus normal and takes
    ``z_mmf <- rho z_sir + sqrt(1 - rho^2) z_mmf``; a child known to have failed MMF takes
    ``z_mmf`` from the normal truncated above at its cut (the inverse-CDF transform
    ``Phi^-1(Phi(b) Phi(z_mmf))``, on the log scale) and then
    ``z_sir <- rho z_mmf + sqrt(1 - rho^2) z_sir``. Both give the standard bivariate normal
    (conditioned on failure for the second); the order keeps a sirolimus-only arm of MMF-naive
    children the same children whatever ``rho`` (common random numbers across the rho rows).

    Parameters
    ----------
    z_sir, z_mmf : numpy.ndarray, shape (n,)
        Independent standard normals.
    rho : float
        Correlation of the pair, in (-1, 1).
    failed_cut : numpy.ndarray, shape (n,), optional
        Standardised MMF threshold (:func:`mmf_failure_cut`) of children known to have failed
        MMF, NaN for the others.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        ``(z_sir, z_mmf)``; with ``rho = 0`` and no cut, the inputs unchanged.
    """
    z_sir = np.array(z_sir, dtype=float)
    z_mmf = np.array(z_mmf, dtype=float)
    rho = float(rho)
    s = np.sqrt(1.0 - rho * rho)
    known = np.zeros(z_sir.shape, dtype=bool) if failed_cut is None else ~np.isnan(failed_cut)
    if rho != 0.0:
        z_mmf[~known] = rho * z_sir[~known] + s * z_mmf[~known]
    if known.any():
        cut = np.asarray(failed_cut, dtype=float)[known]
        z_mmf[known] = ndtri_exp(log_ndtr(cut) + log_ndtr(z_mmf[known]))
        if rho != 0.0:
            z_sir[known] = rho * z_mmf[known] + s * z_sir[known]
    return z_sir, z_mmf


def p_response_given_mmf_failure(sirolimus: EffectParameters, mmf: EffectParameters, rho,
                                 group, p0, mmf_failed=False, cr: bool = False,
                                 r_threshold: float = 30.0, r_fold: float = 2.0,
                                 cr_threshold: float = 100.0) -> np.ndarray:
    """Closed-form ``P(sirolimus response | MMF failure)`` for a child of ``group`` and ``P0``.

    ``P(z_sir > a, z_mmf < b) / Phi(b) = (Phi(b) - Phi2(a, b; rho)) / Phi(b)``, with ``b`` the
    MMF threshold (:func:`mmf_failure_cut`) and ``a`` the sirolimus one
    (``(softplus^-1(D) - mu_sir[g] - beta_mmf_failed * mmf_failed) / sigma_sir`` with ``D`` the
    log-fold rise to R, or to CR with ``cr=True``), both at the reference exposure. The answer
    is the same whether the failure was before the trial (``mmf_failed=True``, which also applies
    any residual ``beta_mmf_failed`` shift) or inside it (an MMF-naive child who failed MMF
    first). ``rho = 0`` gives the marginal ``1 - Phi(a)``.
    """
    g = np.atleast_1d(np.asarray(group, dtype=np.intp))
    p0 = np.broadcast_to(np.asarray(p0, dtype=float), g.shape)
    shift = sirolimus.beta_mmf_failed * np.broadcast_to(np.asarray(mmf_failed, float), g.shape)
    need = (threshold_log_fold(cr_threshold, p0) if cr
            else response_log_fold(p0, r_threshold, r_fold))
    a = _standardised(sirolimus, g, shift, need)
    b = mmf_failure_cut(mmf, g, p0, r_threshold, r_fold, mmf_failed)
    pb = ndtr(b)
    both = pb - bvn_cdf(a, b, rho)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.clip(np.where(pb > 0, both / pb, np.nan), 0.0, 1.0)
