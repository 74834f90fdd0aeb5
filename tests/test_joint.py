"""One child, two drugs: the joint MMF / sirolimus latent, its closed form, and the simulator.

The closed form of ``P(sirolimus response | MMF failure)`` is a bivariate normal probability;
:func:`simtrial.models.joint.bvn_cdf` is checked against SciPy's independent implementation::

    from scipy.stats import multivariate_normal
    multivariate_normal(mean=[0, 0], cov=[[1, rho], [rho, 1]]).cdf([h, k])
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from scipy.stats import multivariate_normal

from simtrial.models.config import PatientModel
from simtrial.models.defaults import DEFAULT_POPULATION_PARAMETERS, DEFAULT_SIROLIMUS
from simtrial.models.effect import (
    ExposureResponse,
    response_probabilities,
    sample_patient_effects,
    sample_population_effects,
)
from simtrial.models.joint import (
    bvn_cdf,
    joint_latents,
    mmf_failure_cut,
    p_response_given_mmf_failure,
    response_log_fold,
)
from simtrial.models.parameters import GROUPS, PopulationParameters
from simtrial.models.platelets import PlateletNoise
from simtrial.models.population import PopulationSpec
from simtrial.trial.outcomes import OutcomeModel, chunk_outcomes
from simtrial.trial.visits import visit_days

P0 = 15.0
GROUP_IDS = np.arange(len(GROUPS))


def _params(rho: float) -> PopulationParameters:
    p = DEFAULT_POPULATION_PARAMETERS
    return PopulationParameters(p.sirolimus, p.mmf, rho)


def _z(hits: np.ndarray, p: float) -> float:
    n = hits.size
    return (hits.mean() - p) / math.sqrt(p * (1 - p) / n)


def test_bvn_cdf_matches_scipy():
    rng = np.random.default_rng(0)
    h, k = rng.normal(0, 2, (2, 200))
    h[:20], k[20:40] = 0.0, 0.0
    rho = rng.uniform(-0.95, 0.95, 200)
    ref = [multivariate_normal(mean=[0, 0], cov=[[1, r], [r, 1]]).cdf([a, b]) for a, b, r in zip(h, k, rho)]
    np.testing.assert_allclose(bvn_cdf(h, k, rho), ref, atol=1e-7)
    assert bvn_cdf(0.0, 0.0, 0.5) == pytest.approx(0.25 + math.asin(0.5) / (2 * math.pi))
    np.testing.assert_allclose(bvn_cdf([np.inf, -np.inf, 0.3], [0.3, 1.0, np.inf], 0.4),
                               [0.617911422, 0.0, 0.617911422], atol=1e-9)


def test_rho_zero_closed_form_is_the_marginal():
    p = _params(0.0)
    cond = p_response_given_mmf_failure(p.sirolimus, p.mmf, 0.0, GROUP_IDS, P0)
    marginal = response_probabilities(p.sirolimus, GROUP_IDS, False, P0)["response"]
    np.testing.assert_allclose(cond, marginal, atol=1e-12)
    # a positive correlation makes sirolimus less likely after MMF failure, in every group
    assert np.all(p_response_given_mmf_failure(p.sirolimus, p.mmf, 0.6, GROUP_IDS, P0) < marginal)


def test_rho_zero_sirolimus_draws_equal_the_independent_model():
    """rho = 0 and no shift: the old independent draws, number for number, failed or not."""
    z = np.random.default_rng(4).standard_normal((500, 4))
    group = np.tile(GROUP_IDS, 100)
    failed = np.arange(500) % 3 == 0
    joint = sample_population_effects(_params(0.0), group, failed, z=z, p0=P0)
    old = sample_patient_effects(DEFAULT_SIROLIMUS, group, failed, z=z[:, :2])
    np.testing.assert_array_equal(joint["sirolimus"].d_ss, old.d_ss)
    np.testing.assert_array_equal(joint["sirolimus"].ke0, old.ke0)


def test_truncation_puts_every_failed_child_below_the_mmf_threshold():
    z = np.random.default_rng(6).standard_normal((20_000, 4))
    group = np.tile(GROUP_IDS, 4000)
    p0 = np.random.default_rng(7).uniform(8, 28, group.size)
    eff = sample_population_effects(_params(0.4), group, True, z=z, p0=p0)
    assert np.all(eff["mmf"].d_ss < response_log_fold(p0))
    # and the truncated normal is the exact inverse-CDF transform
    cut = mmf_failure_cut(DEFAULT_POPULATION_PARAMETERS.mmf, group, p0)
    _, zm = joint_latents(z[:, 0], z[:, 2], 0.4, cut)
    from scipy.stats import norm
    np.testing.assert_allclose(norm.cdf(zm) / norm.cdf(cut), norm.cdf(z[:, 2]), rtol=1e-9)


@pytest.mark.parametrize("rho", [0.0, 0.6])
def test_latent_conditional_matches_closed_form_per_group(rho):
    """MMF failure simulated (naive children) and assumed (prior failure) give the closed form."""
    n = 40_000
    group = np.repeat(GROUP_IDS, n)
    rng = np.random.default_rng(11)
    p = _params(rho)
    need = response_log_fold(P0)
    naive = sample_population_effects(p, group, False, rng, p0=P0)
    prior = sample_population_effects(p, group, True, rng, p0=P0)
    closed = p_response_given_mmf_failure(p.sirolimus, p.mmf, rho, GROUP_IDS, P0)
    for k in GROUP_IDS:
        sel = group == k
        fail = sel & (naive["mmf"].d_ss < need)
        assert abs(_z(naive["sirolimus"].d_ss[fail] > need, closed[k])) < 3, GROUPS[k]
        assert abs(_z(prior["sirolimus"].d_ss[sel] > need, closed[k])) < 3, GROUPS[k]


@pytest.mark.parametrize("rho", [0.0, 0.6])
def test_trial_switch_conditions_sirolimus_through_the_same_child(rho):
    """Arm A of a sequencing trial: P(response by the landmark | switched) = closed form.

    The closed form is exact when MMF failure by the switch day means ``z_mmf`` below its
    threshold and a switched child responds by the landmark exactly when its sirolimus effect
    exceeds the R threshold: no platelet noise, a fast onset (half-life 1 day), exposure
    saturating the Emax (EC50 1e-9, so any trough or AUC acts as the reference) and a fixed
    baseline (CV 0).
    """
    base = _params(rho)
    fast = dict(log_ke0=np.full(len(GROUPS), math.log(math.log(2.0))), log_ke0_sd=np.array(0.0))
    params = PopulationParameters(replace(base.sirolimus, **fast), replace(base.mmf, **fast), rho)
    flat = ExposureResponse(c_ref=10.0, ec50=1e-9)
    patient = PatientModel(noise=PlateletNoise(sd=0.0, measurement_cv=0.0),
                           sirolimus_response=flat, mmf_response=replace(flat, c_ref=45.0, unit="mg.h/L"))
    pop = PopulationSpec(group_weights=[1.0] * len(GROUPS), share_mmf_exposed=0.0, share_mmf_failed=0.0,
                         platelet_cv=0.0)
    model = OutcomeModel(regimens=("mmf_then_sirolimus",), landmark_day=168.0, switch_day=84.0,
                         followup_days=364.0, visits=visit_days(), population=pop,
                         parameters=lambda r: params, draw_index=lambda r: 0, patient=patient)
    reps, n = list(range(60)), 100
    from simtrial.trial.outcomes import sample_patients

    root = np.random.SeedSequence(2024)
    patients = sample_patients(model, root, reps, n)
    out = chunk_outcomes(model, root, reps, n, np.zeros(len(reps) * n, np.intp), patients)
    switched, responded = out.exposed_both.ravel(), out.responded.ravel()
    closed = p_response_given_mmf_failure(params.sirolimus, params.mmf, rho, GROUP_IDS, P0)
    p_fail = 1 - response_probabilities(params.mmf, GROUP_IDS, False, P0)["response"]
    for k in GROUP_IDS:
        sel = patients.group == k
        assert abs(_z(switched[sel], p_fail[k])) < 3, GROUPS[k]
        assert abs(_z(responded[sel & switched], closed[k])) < 3, GROUPS[k]
