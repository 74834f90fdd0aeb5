"""The PyMC model: a thin adapter around the effect model's closed forms.

Generative process (same as :mod:`simtrial.models.parameters`): patient ``i`` of group ``g`` has
``eta_i ~ Normal(mu[g] + beta_mmf_failed * mmf_failed_i, sigma)``, ``D_i = softplus(eta_i)``,
``log ke0_i ~ Normal(log_ke0[g], log_ke0_sd)``; the class is CR if ``D_i > log(100/P0)``, R if
``D_i > log(max(30, 2 P0)/P0)``, else NR; the mean count reaches a threshold on the closed-form
day ``-log(1 - log(T/P0)/D_i)/ke0_i``, recorded with lognormal error ``sigma_obs``.

Likelihood, per source:

* Letter responders and Bride's ALPS CRs: a latent ``eta_i`` drawn from the normal truncated to
  the class's region (through a uniform ``u_i`` and the normal quantile, a non-centred form), the
  class probability as a potential (together: the joint density of ``eta_i`` and the class), and
  a non-centred ``log ke0_i``. Letter days to PR/CR: normal on the log scale around the closed
  form. ALPS CR days: censored by the published window (``0 < day <= 92``: see
  :func:`simtrial.calibration.data.published_data` for why the 30-day lower end is dropped).
* Letter non-responders, Bride's other groups and Miano's MMF groups: the class probabilities
  (normal CDF differences) as binomial/multinomial potentials.
* Miano's median times to PR and CR: the density of a sample median of ``n`` times, with the
  time distribution among (complete) responders integrated over ``eta`` by quantile quadrature
  and over ``ke0`` in closed form.
"""

from __future__ import annotations

import math

import numpy as np
import pymc as pm
import pytensor.tensor as pt
from pymc.distributions.dist_math import normal_lccdf, normal_lcdf

from simtrial.calibration import closed_form as cf
from simtrial.calibration.data import CalibrationData
from simtrial.calibration.priors import P0, PriorSet
from simtrial.models.parameters import GROUPS

#: Quadrature nodes over the truncated normal of ``eta`` for the MMF median-time likelihood.
N_QUADRATURE: int = 24

#: Upper end of the CR region of ``eta`` (``D = 50`` is far above any threshold).
_ETA_TOP: float = 50.0

#: Free parameters of one drug's block, as named in the model (``<drug>_<name>``).
BLOCK_FREE: tuple[str, ...] = ("mu_pop", "tau", "mu_z", "sigma", "log_ke0_pop", "tau_ke0",
                               "log_ke0_z", "log_ke0_sd")


def _effect_block(drug: str, prior: PriorSet, with_beta: bool) -> dict:
    """Hierarchical population parameters of one drug, named ``<drug>_<EffectParameters field>``."""
    v = {}
    v["mu_pop"] = pm.Normal(f"{drug}_mu_pop", prior.mu_pop_loc, prior.mu_pop_scale)
    v["tau"] = pm.HalfNormal(f"{drug}_tau", prior.tau_scale)
    z = pm.Normal(f"{drug}_mu_z", 0.0, 1.0, dims="group")
    v["mu"] = pm.Deterministic(f"{drug}_mu", v["mu_pop"] + v["tau"] * z, dims="group")
    v["sigma"] = pm.HalfNormal(f"{drug}_sigma", prior.sigma_scale)
    if with_beta:
        v["beta"] = pm.Normal(f"{drug}_beta_mmf_failed", prior.beta_mmf_failed_loc,
                              prior.beta_mmf_failed_scale)
    else:
        v["beta"] = pt.constant(0.0)
    v["log_ke0_pop"] = pm.Normal(f"{drug}_log_ke0_pop", prior.log_ke0_pop_loc, prior.log_ke0_pop_scale)
    v["tau_ke0"] = pm.HalfNormal(f"{drug}_tau_ke0", prior.tau_ke0_scale)
    zk = pm.Normal(f"{drug}_log_ke0_z", 0.0, 1.0, dims="group")
    v["log_ke0"] = pm.Deterministic(f"{drug}_log_ke0", v["log_ke0_pop"] + v["tau_ke0"] * zk, dims="group")
    v["log_ke0_sd"] = pm.HalfNormal(f"{drug}_log_ke0_sd", prior.log_ke0_sd_scale)
    return v


class _Classes:
    """Log class probabilities for ``eta ~ Normal(m, sigma)`` and the region cut points."""

    def __init__(self, e_r: float, e_cr: float):
        self.e_r, self.e_cr = e_r, e_cr

    def log_nr(self, m, s):
        return normal_lcdf(m, s, self.e_r)

    def log_resp(self, m, s):
        return normal_lccdf(m, s, self.e_r)

    def log_cr(self, m, s):
        return normal_lccdf(m, s, self.e_cr)

    def log_not_cr(self, m, s):
        return normal_lcdf(m, s, self.e_cr)

    def log_pr(self, m, s):
        return pm.math.logdiffexp(self.log_resp(m, s), self.log_cr(m, s))


def _timed_patients(data: CalibrationData) -> dict:
    """Letter responders and windowed Bride CRs: the patients with a latent ``eta`` and ``ke0``."""
    resp = np.flatnonzero(data.pt_class > 0)
    n_w = data.cr_window_group.size
    return {
        "labels": [f"letter_{k + 1}" for k in resp] + [f"{GROUPS[g]}_cr_{j + 1}" for j, g in
                                                       enumerate(data.cr_window_group)],
        "group": np.concatenate([data.pt_group[resp], data.cr_window_group]).astype(np.intp),
        "mmf_failed": np.concatenate([data.pt_mmf_failed[resp], np.zeros(n_w)]).astype(float),
        "cr": np.concatenate([data.pt_class[resp] == 2, np.ones(n_w, bool)]),
        "day_pr": np.concatenate([data.pt_day_pr[resp], np.full(n_w, np.nan)]),
        "day_cr": np.concatenate([data.pt_day_cr[resp], np.full(n_w, np.nan)]),
        "low": np.concatenate([np.full(resp.size, np.nan), data.cr_window_low]),
        "high": np.concatenate([np.full(resp.size, np.nan), data.cr_window_high]),
    }


def _median_loglik(median, n, groups, weights, mu, sigma, log_ke0, log_ke0_sd, sigma_obs,
                   eta_low: float, log_fold: float):
    """Log density of the sample median ``median`` of ``n`` times in a mixture of groups.

    Among patients with ``eta > eta_low``, ``log t = log(-log(1 - log_fold/D)) - log ke0 + e``
    is normal given ``D`` with scale ``sqrt(log_ke0_sd^2 + sigma_obs^2)``; ``D`` is integrated by
    :data:`N_QUADRATURE` mid-point quantiles of the truncated normal. The median of ``n`` (odd)
    draws has density ``prop. to F^((n-1)/2) (1-F)^((n-1)/2) f``.
    """
    q = (np.arange(N_QUADRATURE) + 0.5) / N_QUADRATURE
    m = mu[groups][:, None]
    upper = cf.norm_sf((eta_low - m) / sigma)
    eta = m + sigma * cf.norm_ppf_upper(upper * (1.0 - q[None, :]))
    loc = cf.log_days_to_threshold(cf.softplus(eta), log_ke0[groups][:, None], log_fold)
    scale = pt.sqrt(log_ke0_sd**2 + sigma_obs**2)
    z = (math.log(median) - loc) / scale
    w = np.asarray(weights, float) / np.sum(weights)
    cdf = pt.sum(w[:, None] * cf.norm_cdf(z)) / N_QUADRATURE
    pdf = pt.sum(w[:, None] * pt.exp(-0.5 * z**2)) / (N_QUADRATURE * math.sqrt(2 * math.pi) * scale * median)
    half = 0.5 * (n - 1.0)
    return half * (pt.log(cdf) + pt.log1p(-cdf)) + pt.log(pdf)


def build_model(data: CalibrationData, prior: PriorSet, p0: float = P0) -> pm.Model:
    """The joint PyMC model of the letter, Bride 2016 and Miano 2016.

    Parameters
    ----------
    data : CalibrationData
        From :func:`simtrial.calibration.data.published_data` or a simulated cohort.
    prior : PriorSet
        One of :data:`simtrial.calibration.priors.PRIORS`.
    p0 : float
        Fixed baseline count (10^9/L).

    Returns
    -------
    pymc.Model
        Free variables ``<drug>_<name>`` for drug in (sirolimus, mmf) and name in
        :data:`BLOCK_FREE` (plus ``sirolimus_beta_mmf_failed``), ``sigma_obs``, ``u`` and
        ``ke0_z`` (per timed patient); deterministics ``<drug>_mu`` and ``<drug>_log_ke0`` with
        dims ``group`` (coords :data:`GROUPS`), matching :class:`EffectParameters`.
    """
    c_r, c_cr = cf.class_log_folds(p0)
    classes = _Classes(cf.eta_cut(c_r), cf.eta_cut(c_cr))
    timed = _timed_patients(data)
    for g in np.unique(data.cr_window_group):
        row = np.flatnonzero(data.bride_group == g)
        if row.size != 1 or data.bride_event[row[0]] != "cr" or \
                data.bride_k[row[0]] != np.sum(data.cr_window_group == g):
            raise ValueError(f"cr_window_group: the windows of {GROUPS[g]} must match its Bride CR count")

    coords = {"group": list(GROUPS), "timed": timed["labels"]}
    with pm.Model(coords=coords) as model:
        sir = _effect_block("sirolimus", prior, with_beta=True)
        mmf = _effect_block("mmf", prior, with_beta=False)
        sigma_obs = pm.HalfNormal("sigma_obs", prior.sigma_obs_scale)

        # --- timed patients: latent eta in the class region, latent ke0 -------------------
        g, cr = timed["group"], timed["cr"]
        m = sir["mu"][g] + sir["beta"] * timed["mmf_failed"]
        s = sir["sigma"]
        low = np.where(cr, classes.e_cr, classes.e_r)
        high = np.where(cr, _ETA_TOP, classes.e_cr)
        u = pm.Uniform("u", 0.0, 1.0, dims="timed")
        q_low, q_high = cf.norm_sf((low - m) / s), cf.norm_sf((high - m) / s)
        eta = m + s * cf.norm_ppf_upper(q_low - u * (q_low - q_high))
        log_region = pt.switch(cr, classes.log_cr(m, s), classes.log_pr(m, s))
        pm.Potential("timed_class", pt.sum(log_region))
        d = cf.softplus(eta)
        ke0_z = pm.Normal("ke0_z", 0.0, 1.0, dims="timed")
        log_ke0 = sir["log_ke0"][g] + sir["log_ke0_sd"] * ke0_z
        log_t_pr = cf.log_days_to_threshold(d, log_ke0, c_r)
        log_t_cr = cf.log_days_to_threshold(pt.switch(cr, d, c_cr + 1.0), log_ke0, c_cr)

        has_pr = np.flatnonzero(np.isfinite(timed["day_pr"]))
        has_cr = np.flatnonzero(np.isfinite(timed["day_cr"]))
        pm.Normal("log_day_pr", log_t_pr[has_pr], sigma_obs, observed=np.log(timed["day_pr"][has_pr]))
        pm.Normal("log_day_cr", log_t_cr[has_cr], sigma_obs, observed=np.log(timed["day_cr"][has_cr]))
        win = np.flatnonzero(np.isfinite(timed["low"]))
        if win.size:
            lt = log_t_cr[win]
            upper = normal_lcdf(lt, sigma_obs, np.log(timed["high"][win]))
            low = timed["low"][win]
            lower = normal_lcdf(lt, sigma_obs, np.log(np.where(low > 0, low, 1.0)))
            pm.Potential("cr_window", pt.sum(pt.switch(low > 0, pm.math.logdiffexp(upper, lower), upper)))

        # --- letter non-responders -----------------------------------------------------
        nr = np.flatnonzero(data.pt_class == 0)
        if nr.size:
            m_nr = sir["mu"][data.pt_group[nr]] + sir["beta"] * data.pt_mmf_failed[nr]
            pm.Potential("letter_nr", pt.sum(classes.log_nr(m_nr, s)))

        # --- Bride groups as binomials on class probabilities ---------------------------
        terms = []
        for k, (grp, n, hits, event) in enumerate(zip(data.bride_group, data.bride_n, data.bride_k,
                                                      data.bride_event)):
            mg = sir["mu"][grp]
            if event == "cr":
                windowed = np.any(data.cr_window_group == grp)  # CRs already in the timed block
                hit = 0.0 if windowed else hits * classes.log_cr(mg, s)
                terms.append(hit + (n - hits) * classes.log_not_cr(mg, s))
            else:
                terms.append(hits * classes.log_resp(mg, s) + (n - hits) * classes.log_nr(mg, s))
        if terms:
            pm.Potential("bride_counts", pt.sum(pt.stack(terms)))

        # --- MMF: Miano's class counts and median times --------------------------------
        mm = mmf["mu"][data.mmf_group]
        sm = mmf["sigma"]
        n_nr = data.mmf_n - data.mmf_cr - data.mmf_pr
        pm.Potential("mmf_counts", pt.sum(data.mmf_cr * classes.log_cr(mm, sm)
                                          + data.mmf_pr * classes.log_pr(mm, sm)
                                          + n_nr * classes.log_nr(mm, sm)))
        rows = data.mmf_overall
        n_resp, n_cr = data.timed_mmf_n()
        common = dict(groups=data.mmf_group[rows], mu=mmf["mu"], sigma=sm, log_ke0=mmf["log_ke0"],
                      log_ke0_sd=mmf["log_ke0_sd"], sigma_obs=sigma_obs)
        pm.Potential("mmf_median_pr", _median_loglik(
            data.mmf_median_pr, n_resp, weights=data.mmf_cr[rows] + data.mmf_pr[rows],
            eta_low=classes.e_r, log_fold=c_r, **common))
        pm.Potential("mmf_median_cr", _median_loglik(
            data.mmf_median_cr, n_cr, weights=data.mmf_cr[rows],
            eta_low=classes.e_cr, log_fold=c_cr, **common))
    return model


#: The model variables that map onto EffectParameters, per drug.
def parameter_names(drug: str) -> dict[str, str]:
    """EffectParameters field -> model variable name for ``drug``."""
    names = {f: f"{drug}_{f}" for f in ("mu", "sigma", "log_ke0", "log_ke0_sd")}
    if drug == "sirolimus":
        names["beta_mmf_failed"] = "sirolimus_beta_mmf_failed"
    return names
