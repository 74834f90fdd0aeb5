"""The PyMC model: a thin adapter around the effect model's closed forms.

Generative process (same as :mod:`simtrial.models.parameters`): patient ``i`` of group ``g`` has
``eta_i ~ Normal(mu[g] + beta_mmf_failed * mmf_failed_i, sigma)``, ``D_i = softplus(eta_i)``,
``log ke0_i ~ Normal(log_ke0[g], log_ke0_sd)``; the class is CR if ``D_i`` exceeds the log-fold
rise ``D_T`` that takes the mean count from ``P0`` to ``T = 100``, R if it exceeds ``D_T`` for
``T = max(30, 2 P0)``, else NR (``D_T`` from :func:`simtrial.models.parameters.threshold_log_fold`,
with the count's ceiling ``P_max``; :func:`simtrial.calibration.closed_form.class_log_folds`); the
mean count reaches a threshold on the closed-form day ``-log(1 - D_T/D_i)/ke0_i``, recorded with
lognormal error ``sigma_obs``.

Likelihood, per source:

* Every letter patient and every child of Bride's ALPS group: a latent ``eta_i`` drawn from the
  normal truncated to the region of the child's class (through a uniform ``u_i`` and the normal
  quantile, a non-centred form), the class probability as a potential (together: the joint
  density of ``eta_i`` and the class), and a non-centred ``log ke0_i``. Letter days to PR/CR:
  normal on the log scale around the closed form. ALPS CR days: ``ke0`` integrated out in closed
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
from simtrial.calibration.names import parameter_names  # noqa: F401 (the model's variable names)
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


#: Region codes of a latent patient's ``eta``: NR (eta < e_R), PR (e_R < eta < e_CR),
#: CR (eta > e_CR), not CR (eta < e_CR: a Bride child in a timed group without a CR).
REGION_NR, REGION_PR, REGION_CR, REGION_NOT_CR = 0, 1, 2, 3


def _latent_patients(data: CalibrationData) -> dict:
    """The children with a latent ``eta`` and ``ke0``: every letter patient, then every child of
    the timed Bride groups (ALPS), CRs first. The shapes depend only on the cohort sizes, so one
    compiled model serves every data set of those sizes (simulation-based calibration)."""
    n_letter = data.n_patients
    labels = [f"letter_{k + 1}" for k in range(n_letter)]
    group = list(data.pt_group)
    mmf_failed = list(data.pt_mmf_failed.astype(float))
    code = list(data.pt_class)  # NR/PR/CR coincide with REGION_NR/PR/CR
    day_pr, day_cr = list(data.pt_day_pr), list(data.pt_day_cr)
    low, high = [np.nan] * n_letter, [np.nan] * n_letter
    for row, timed in enumerate(data.bride_timed):
        if not timed:
            continue
        g, n, k = int(data.bride_group[row]), int(data.bride_n[row]), int(data.bride_k[row])
        win = data.cr_window_group == g
        labels += [f"{GROUPS[g]}_{j + 1}" for j in range(n)]
        group += [g] * n
        mmf_failed += [0.0] * n
        code += [REGION_CR] * k + [REGION_NOT_CR] * (n - k)
        day_pr += [np.nan] * n
        day_cr += [np.nan] * n
        low += list(data.cr_window_low[win]) + [np.nan] * (n - k)
        high += list(data.cr_window_high[win]) + [np.nan] * (n - k)
    return {"labels": labels, "group": np.asarray(group, np.intp), "mmf_failed": np.asarray(mmf_failed),
            "code": np.asarray(code, np.int64), "day_pr": np.asarray(day_pr, float),
            "day_cr": np.asarray(day_cr, float), "low": np.asarray(low, float), "high": np.asarray(high, float)}


def model_data(data: CalibrationData) -> dict[str, np.ndarray]:
    """The values of the model's ``pm.Data`` containers for ``data`` (for ``with_data``/``set_data``)."""
    lat = _latent_patients(data)
    has_win = np.isfinite(lat["low"])
    rows = data.mmf_overall
    n_resp, n_cr = data.timed_mmf_n()

    def log_or_zero(x):
        return np.where(np.isfinite(x) & (x > 0), np.log(np.where(np.isfinite(x) & (x > 0), x, 1.0)), 0.0)

    return {
        "latent_code": lat["code"],
        "log_day_pr": log_or_zero(lat["day_pr"]), "has_day_pr": np.isfinite(lat["day_pr"]).astype(float),
        "log_day_cr": log_or_zero(lat["day_cr"]), "has_day_cr": np.isfinite(lat["day_cr"]).astype(float),
        "log_window_low": log_or_zero(lat["low"]),
        "window_two_sided": (has_win & (np.nan_to_num(lat["low"]) > 0)).astype(float),
        "log_window_high": log_or_zero(lat["high"]), "has_window": has_win.astype(float),
        "bride_k": data.bride_k.astype(float),
        "mmf_cr": data.mmf_cr.astype(float), "mmf_pr": data.mmf_pr.astype(float),
        "mmf_median": np.array([data.mmf_median_pr, data.mmf_median_cr], float),
        "mmf_median_n": np.array([n_resp, n_cr], float),
        "mmf_weight_pr": (data.mmf_cr + data.mmf_pr)[rows].astype(float),
        "mmf_weight_cr": data.mmf_cr[rows].astype(float),
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
    z = (pt.log(median) - loc) / scale
    w = weights / pt.sum(weights)
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
        ``ke0_z`` (per latent patient, dim ``latent``); deterministics ``<drug>_mu`` and
        ``<drug>_log_ke0`` with dims ``group`` (coords :data:`GROUPS`), matching
        :class:`EffectParameters`. The observations are ``pm.Data`` containers
        (:func:`model_data`), so a compiled model can be refitted to another data set of the same
        cohort sizes.
    """
    c_r, c_cr = cf.class_log_folds(p0)
    classes = _Classes(cf.eta_cut(c_r), cf.eta_cut(c_cr))
    lat = _latent_patients(data)
    values = model_data(data)
    coords = {"group": list(GROUPS), "latent": lat["labels"]}
    with pm.Model(coords=coords) as model:
        d_ = {k: pm.Data(k, v) for k, v in values.items()}
        sir = _effect_block("sirolimus", prior, with_beta=True)
        mmf = _effect_block("mmf", prior, with_beta=False)
        sigma_obs = pm.HalfNormal("sigma_obs", prior.sigma_obs_scale)

        # --- latent patients: eta in the region of the class, ke0 -------------------------
        g, code = lat["group"], d_["latent_code"]
        m = sir["mu"][g] + sir["beta"] * lat["mmf_failed"]
        s = sir["sigma"]
        low = pt.switch(pt.eq(code, REGION_PR), classes.e_r,
                        pt.switch(pt.eq(code, REGION_CR), classes.e_cr, -_ETA_TOP))
        high = pt.switch(pt.eq(code, REGION_NR), classes.e_r,
                         pt.switch(pt.eq(code, REGION_CR), _ETA_TOP, classes.e_cr))
        u = pm.Uniform("u", 0.0, 1.0, dims="latent")
        q_low, q_high = cf.norm_sf((low - m) / s), cf.norm_sf((high - m) / s)
        eta = m + s * cf.norm_ppf_upper(q_low - u * (q_low - q_high))
        # log P(region): the class probability (normal CDF difference)
        log_region = pm.math.logdiffexp(normal_lccdf(m, s, low), normal_lccdf(m, s, high))
        pm.Potential("latent_class", pt.sum(log_region))
        d = cf.softplus(eta)
        ke0_z = pm.Normal("ke0_z", 0.0, 1.0, dims="latent")
        log_ke0 = sir["log_ke0"][g] + sir["log_ke0_sd"] * ke0_z
        responder = pt.eq(code, REGION_PR) | pt.eq(code, REGION_CR)
        log_t_pr = cf.log_days_to_threshold(pt.switch(responder, d, c_r + 1.0), log_ke0, c_r)
        log_t_cr = cf.log_days_to_threshold(pt.switch(pt.eq(code, REGION_CR), d, c_cr + 1.0), log_ke0, c_cr)

        def masked(mask, term):
            return pt.sum(pt.switch(mask > 0, term, 0.0))

        pm.Potential("letter_days", masked(d_["has_day_pr"], pm.logp(pm.Normal.dist(log_t_pr, sigma_obs),
                                                                      d_["log_day_pr"]))
                     + masked(d_["has_day_cr"], pm.logp(pm.Normal.dist(log_t_cr, sigma_obs), d_["log_day_cr"])))
        # Windowed CR days: ke0 integrated out in closed form (log t is normal given D with
        # scale sqrt(log_ke0_sd^2 + sigma_obs^2)); a one-sided window left the ke0 latents of
        # these children weakly identified, a funnel with log_ke0_sd and tau_ke0.
        log_t_cr_typical = cf.log_days_to_threshold(pt.switch(pt.eq(code, REGION_CR), d, c_cr + 1.0),
                                                    sir["log_ke0"][g], c_cr)
        window_scale = pt.sqrt(sir["log_ke0_sd"] ** 2 + sigma_obs**2)
        upper = normal_lcdf(log_t_cr_typical, window_scale, d_["log_window_high"])
        lower = normal_lcdf(log_t_cr_typical, window_scale, d_["log_window_low"])
        two_sided = pm.math.logdiffexp(upper, pt.switch(d_["window_two_sided"] > 0, lower, -np.inf))
        pm.Potential("cr_window", masked(d_["has_window"], two_sided))

        # --- Bride's untimed groups as binomials on class probabilities ---------------------
        terms = []
        for row, (grp, n, event, timed) in enumerate(zip(data.bride_group, data.bride_n, data.bride_event,
                                                         data.bride_timed)):
            if timed:  # its children are latent patients above
                continue
            mg, hits = sir["mu"][grp], d_["bride_k"][row]
            if event == "cr":
                terms.append(hits * classes.log_cr(mg, s) + (n - hits) * classes.log_not_cr(mg, s))
            else:
                terms.append(hits * classes.log_resp(mg, s) + (n - hits) * classes.log_nr(mg, s))
        if terms:
            pm.Potential("bride_counts", pt.sum(pt.stack(terms)))

        # --- MMF: Miano's class counts and median times --------------------------------
        mm = mmf["mu"][data.mmf_group]
        sm = mmf["sigma"]
        n_nr = data.mmf_n - d_["mmf_cr"] - d_["mmf_pr"]
        pm.Potential("mmf_counts", pt.sum(d_["mmf_cr"] * classes.log_cr(mm, sm)
                                          + d_["mmf_pr"] * classes.log_pr(mm, sm)
                                          + n_nr * classes.log_nr(mm, sm)))
        common = dict(groups=data.mmf_group[data.mmf_overall], mu=mmf["mu"], sigma=sm,
                      log_ke0=mmf["log_ke0"], log_ke0_sd=mmf["log_ke0_sd"], sigma_obs=sigma_obs)
        pm.Potential("mmf_median_pr", _median_loglik(
            d_["mmf_median"][0], d_["mmf_median_n"][0], weights=d_["mmf_weight_pr"],
            eta_low=classes.e_r, log_fold=c_r, **common))
        pm.Potential("mmf_median_cr", _median_loglik(
            d_["mmf_median"][1], d_["mmf_median_n"][1], weights=d_["mmf_weight_cr"],
            eta_low=classes.e_cr, log_fold=c_cr, **common))
    return model


