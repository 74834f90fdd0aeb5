"""Tests of the per-patient drug effects and their closed-form time course."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from simtrial.models.defaults import (
    DEFAULT_MMF,
    DEFAULT_POPULATION_PARAMETERS,
    DEFAULT_SIROLIMUS,
)
from simtrial.models.effect import (
    MMF_EXPOSURE_RESPONSE,
    SIROLIMUS_EXPOSURE_RESPONSE,
    ExposureResponse,
    PatientEffects,
    effect_path,
    exposure_scaling,
    response_probabilities,
    sample_patient_effects,
    sample_population_effects,
)
from simtrial.models.parameters import (
    GROUPS,
    EffectParameters,
    count_from_log_fold,
    days_to_threshold,
    softplus,
)

INF = np.inf


def test_exposure_scaling_is_normalised_emax():
    for er in (SIROLIMUS_EXPOSURE_RESPONSE, MMF_EXPOSURE_RESPONSE):
        assert exposure_scaling(0.0, er) == 0.0
        assert exposure_scaling(er.c_ref, er) == pytest.approx(1.0, abs=1e-15)
        c = np.linspace(0, 10 * er.c_ref, 101)
        g = er.scaling(c)
        assert np.all(np.diff(g) > 0)
        assert np.all(g < 1 + er.c_ref / er.ec50)
    # sirolimus trough window 5-15 ng/mL: g(5) = 5*12/(10*7), g(15) = 15*12/(10*17)
    assert exposure_scaling([5.0, 15.0], SIROLIMUS_EXPOSURE_RESPONSE) == pytest.approx(
        [60 / 70, 180 / 170]
    )


def _ode_reference(days, change_days, exposure, d_ss, ke0, er):
    """Integrate dD/dt = k (d_ss g(C) - D) segment by segment with solve_ivp."""
    out = np.zeros(len(days))
    bounds = list(change_days) + [max(days) + 1.0]
    d = 0.0
    for j, c0 in enumerate(change_days):
        c1 = bounds[j + 1]
        target = d_ss * exposure_scaling(exposure[j], er)
        rate = ke0 * (er.off_rate_multiplier if target < d else 1.0)
        inside = [t for t in days if c0 <= t < c1]
        sol = solve_ivp(
            lambda t, y: rate * (target - y),
            (c0, c1),
            [d],
            t_eval=inside + [c1],
            rtol=1e-12,
            atol=1e-14,
            method="DOP853",
        )
        for t, y in zip(inside, sol.y[0][:-1]):
            out[list(days).index(t)] = y
        d = sol.y[0][-1]
    return out


@pytest.mark.parametrize("off", [1.0, 3.0, 0.4])
def test_closed_form_matches_ode_with_stop_and_restart(off):
    er = ExposureResponse(c_ref=10.0, ec50=2.0, off_rate_multiplier=off)
    # start at 10, raise to 14, stop (0), restart at 6, stop again
    change_days = np.array([0.0, 21.0, 50.0, 90.0, 150.0])
    exposure = np.array([10.0, 14.0, 0.0, 6.0, 0.0])
    days = [float(t) for t in np.arange(0.0, 200.0, 0.5)]
    d_ss, ke0 = 2.7, math.log(2) / 30
    ref = _ode_reference(days, change_days, exposure, d_ss, ke0, er)
    got = effect_path(days, change_days[None], exposure[None], [d_ss], [ke0], er)[0]
    positive = ref > 1e-9
    assert got[0] == 0.0 and ref[0] == 0.0
    np.testing.assert_allclose(got[positive], ref[positive], rtol=1e-6)
    # the stop makes the effect decay toward 0 (recurrence after withdrawal)
    assert got[days.index(89.5)] < got[days.index(50.0)]


def test_effect_path_vectorised_padding_and_before_start():
    er = SIROLIMUS_EXPOSURE_RESPONSE
    change_days = np.array([[5.0, INF, INF], [0.0, 10.0, INF], [INF, INF, INF]])
    exposure = np.array([[10.0, np.nan, np.nan], [10.0, 0.0, np.nan], [np.nan, np.nan, np.nan]])
    d_ss = np.array([2.0, 2.0, 2.0])
    ke0 = np.array([0.1, 0.1, 0.1])
    days = np.array([0.0, 5.0, 10.0, 30.0])
    d = effect_path(days, change_days, exposure, d_ss, ke0, er)
    assert d.shape == (3, 4)
    np.testing.assert_allclose(d[0], [0.0, 0.0, 2 * (1 - math.exp(-0.5)), 2 * (1 - math.exp(-2.5))])
    d10 = 2 * (1 - math.exp(-1.0))
    np.testing.assert_allclose(d[1], [0.0, 2 * (1 - math.exp(-0.5)), d10, d10 * math.exp(-2.0)])
    np.testing.assert_array_equal(d[2], 0.0)
    # per-patient day grids give the same values, in any order
    d2 = effect_path(np.tile(days[::-1], (3, 1)), change_days, exposure, d_ss, ke0, er)
    np.testing.assert_allclose(d2[:, ::-1], d)


def test_days_to_threshold_matches_mean_path_on_fine_grid():
    rng = np.random.default_rng(11)
    n = 200
    d_ss = rng.uniform(0.2, 5.0, n)
    ke0 = np.exp(rng.normal(math.log(math.log(2) / 30), 0.7, n))
    p0 = rng.uniform(5.0, 40.0, n)
    step = 0.01
    days = np.arange(0.0, 800.0, step)
    d = effect_path(days, np.array([[0.0]]), np.array([[10.0]]), d_ss, ke0)
    for threshold in (30.0, 100.0, 50.0):
        t_closed = days_to_threshold(d_ss, ke0, p0, threshold)
        reached = count_from_log_fold(p0[:, None], d) >= threshold
        first = np.where(reached.any(axis=1), days[np.argmax(reached, axis=1)], np.inf)
        finite = np.isfinite(t_closed) & (t_closed < days[-1] - 1)
        assert finite.sum() > 50
        # first grid day at or after the closed-form time (allow float rounding at the boundary)
        assert np.all(first[finite] >= t_closed[finite] - 1e-9)
        assert np.all(first[finite] - t_closed[finite] <= step + 1e-9)
        never = ~np.isfinite(t_closed)
        assert np.all(~reached[never].any(axis=1))


def test_sample_patient_effects_distribution():
    rng = np.random.default_rng(3)
    n = 40_000
    group = np.repeat(np.arange(len(GROUPS)), n // len(GROUPS))
    mmf_failed = np.tile([0, 1], group.size // 2)
    params = EffectParameters(
        mu=np.array([0.5, 1.0, 3.0, -1.0, 0.0]),
        sigma=np.array(1.3),
        beta_mmf_failed=np.array(-0.8),
        log_ke0=np.log(np.array([0.02, 0.03, 0.05, 0.01, 0.02])),
        log_ke0_sd=np.array(0.6),
    )
    eff = sample_patient_effects(params, group, mmf_failed, rng)
    eta = np.log(np.expm1(eff.d_ss))
    for k in range(len(GROUPS)):
        for m in (0, 1):
            sel = (group == k) & (mmf_failed == m)
            loc = params.mu[k] + params.beta_mmf_failed * m
            z = (eta[sel].mean() - loc) / (params.sigma / math.sqrt(sel.sum()))
            assert abs(z) < 4.5
            z = (np.log(eff.ke0[sel]).mean() - params.log_ke0[k]) / (0.6 / math.sqrt(sel.sum()))
            assert abs(z) < 4.5
    # sample SD of eta: z-score from the chi-square approximation, SE(s) ~ sigma / sqrt(2 n)
    sel = (group == 2) & (mmf_failed == 0)
    z = (eta[sel].std(ddof=1) - 1.3) / (1.3 / math.sqrt(2 * sel.sum()))
    assert abs(z) < 4.5


def test_common_random_numbers_and_seeds():
    z = np.random.default_rng(5).standard_normal((6, 2))
    group = ["primary_itp", "alps", "ars_itp", "multi_lineage", "single_lineage", "alps"]
    a = sample_patient_effects(DEFAULT_SIROLIMUS, group, False, z=z)
    np.testing.assert_allclose(a.d_ss, softplus(DEFAULT_SIROLIMUS.mu[[0, 2, 1, 3, 4, 2]]
                                               + 2.5 * z[:, 0]))
    b = sample_patient_effects(DEFAULT_SIROLIMUS, [0, 2, 1, 3, 4, 2], np.zeros(6, bool), z=z)
    np.testing.assert_array_equal(a.d_ss, b.d_ss)
    np.testing.assert_array_equal(a.ke0, b.ke0)
    one = sample_population_effects(DEFAULT_POPULATION_PARAMETERS, group, True,
                                    np.random.default_rng(9))
    two = sample_population_effects(DEFAULT_POPULATION_PARAMETERS, group, True,
                                    np.random.default_rng(9))
    for drug in ("sirolimus", "mmf"):
        np.testing.assert_array_equal(one[drug].d_ss, two[drug].d_ss)
        np.testing.assert_array_equal(one[drug].ke0, two[drug].ke0)


def test_defaults_reproduce_the_documented_class_probabilities():
    groups = list(range(len(GROUPS)))
    sir = response_probabilities(DEFAULT_SIROLIMUS, groups, False, 15.0)
    np.testing.assert_allclose(sir["cr"], [0.5, 0.6, 0.95, 0.65, 0.3], atol=0.002)
    mmf = response_probabilities(DEFAULT_MMF, groups, False, 15.0)
    np.testing.assert_allclose(mmf["cr"][[0, 1]], [0.32, 0.68], atol=0.005)
    np.testing.assert_allclose(mmf["response"][[0, 3, 4]], [0.58, 0.81, 0.65], atol=0.005)
    assert np.all(sir["response"] >= sir["cr"])


def test_response_probabilities_match_sampled_effects():
    rng = np.random.default_rng(8)
    n = 50_000
    p0 = rng.uniform(5, 60, n)
    group = rng.integers(0, len(GROUPS), n)
    eff = sample_patient_effects(DEFAULT_SIROLIMUS, group, False, rng)
    probs = response_probabilities(DEFAULT_SIROLIMUS, group, False, p0)
    cr = count_from_log_fold(p0, eff.d_ss) >= 100
    resp = count_from_log_fold(p0, eff.d_ss) >= np.maximum(30, 2 * p0)
    for hit, p in ((cr, probs["cr"]), (resp, probs["response"])):
        z = (hit.sum() - p.sum()) / math.sqrt(np.sum(p * (1 - p)))
        assert abs(z) < 4.5


@pytest.mark.parametrize(
    "call",
    [
        lambda: ExposureResponse(c_ref=0.0),
        lambda: ExposureResponse(ec50=-1.0),
        lambda: ExposureResponse(off_rate_multiplier=float("nan")),
        lambda: PatientEffects(d_ss=[-0.1], ke0=[0.1]),
        lambda: PatientEffects(d_ss=[1.0], ke0=[0.0]),
        lambda: sample_patient_effects(DEFAULT_SIROLIMUS, ["not_a_group"], False,
                                       np.random.default_rng(0)),
        lambda: sample_patient_effects(DEFAULT_SIROLIMUS, [7], False, np.random.default_rng(0)),
        lambda: sample_patient_effects(DEFAULT_SIROLIMUS, [0, 1], [0, 2], np.random.default_rng(0)),
        lambda: sample_patient_effects(DEFAULT_SIROLIMUS, [0, 1], False),
        lambda: sample_patient_effects(DEFAULT_SIROLIMUS, [0, 1], False, z=np.zeros((3, 2))),
        lambda: effect_path([0.0], [[0.0]], [[-1.0]], [1.0], [0.1]),
        lambda: effect_path([0.0], [[5.0, 1.0]], [[1.0, 1.0]], [1.0], [0.1]),
        lambda: effect_path([0.0], [[np.nan]], [[1.0]], [1.0], [0.1]),
        lambda: effect_path([np.inf], [[0.0]], [[1.0]], [1.0], [0.1]),
        lambda: effect_path([0.0], [[0.0]], [[1.0]], [1.0, 2.0], [0.1, 0.1], er="sirolimus"),
    ],
)
def test_invalid_input_raises_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_multi_draw_parameters_must_be_selected():
    stacked = EffectParameters(
        mu=np.stack([DEFAULT_SIROLIMUS.mu] * 2),
        sigma=np.array([2.5, 2.5]),
        beta_mmf_failed=np.zeros(2),
        log_ke0=np.stack([DEFAULT_SIROLIMUS.log_ke0] * 2),
        log_ke0_sd=np.array([0.7, 0.7]),
    )
    with pytest.raises(ValueError, match="params"):
        sample_patient_effects(stacked, [0], False, np.random.default_rng(0))
    eff = sample_patient_effects(stacked.draw(1), [0], False, np.random.default_rng(0))
    assert eff.n_patients == 1
