"""The calibration model: closed forms, data assembly, a finite log density, the prior
predictive check, and the simulated data sets of the SBC check."""

from __future__ import annotations

import numpy as np
import pytensor.tensor as pt
import pytest

from simtrial.calibration import closed_form as cf
from simtrial.calibration.data import MIANO_2016, published_data
from simtrial.calibration.fit import predictive_dataset, prior_draws
from simtrial.calibration.model import build_model, model_data, parameter_names
from simtrial.calibration.priors import P0, PRIORS, get_prior
from simtrial.calibration.simulate import simulate_cohorts, simulated_data
from simtrial.models.parameters import (
    GROUPS,
    EffectParameters,
    PopulationParameters,
    days_to_threshold,
    softplus,
    threshold_log_fold,
)


@pytest.fixture(scope="module")
def data():
    return published_data()


@pytest.fixture(scope="module")
def model(data):
    return build_model(data, PRIORS["default"])


def test_closed_forms_match_the_numpy_patient_model():
    rng = np.random.default_rng(1)
    d = rng.uniform(2.2, 8.0, 50)
    ke0 = rng.uniform(0.005, 0.2, 50)
    c_r, c_cr = cf.class_log_folds(P0)
    assert c_r == pytest.approx(float(threshold_log_fold(30.0, P0)))
    assert c_cr == pytest.approx(float(threshold_log_fold(100.0, P0)))
    for c, threshold in ((c_r, 30.0), (c_cr, 100.0)):
        got = cf.days_to_threshold(pt.as_tensor(d), pt.as_tensor(ke0), c).eval()
        np.testing.assert_allclose(got, days_to_threshold(d, ke0, P0, threshold), rtol=1e-10)
        got_log = cf.log_days_to_threshold(pt.as_tensor(d), pt.as_tensor(np.log(ke0)), c).eval()
        np.testing.assert_allclose(np.exp(got_log), days_to_threshold(d, ke0, P0, threshold), rtol=1e-10)
    eta = np.linspace(-5, 5, 11)
    np.testing.assert_allclose(cf.softplus(pt.as_tensor(eta)).eval(), softplus(eta), rtol=1e-12)
    # the cut points of eta are where softplus reaches the class thresholds
    assert float(softplus(cf.eta_cut(c_cr))) == pytest.approx(c_cr)
    assert float(softplus(cf.eta_cut(c_r))) == pytest.approx(c_r)


def test_miano_derived_counts_reproduce_every_printed_percentage():
    pct = {row[0]: row for row in MIANO_2016["groups"]}
    _, n_itp, cr_itp, pr_itp, _ = pct["primary_itp"]
    _, n_ev, cr_ev, pr_ev, _ = pct["multi_lineage"]
    _, n_ars, cr_ars, pr_ars, _ = pct["ars_itp"]

    def r(k, n):
        return int(np.floor(100 * k / n + 0.5))

    assert n_itp + n_ev == 54
    assert r(cr_itp + pr_itp + cr_ev + pr_ev, 54) == 65
    assert r(cr_itp + cr_ev, 54) == 46
    # 10/54 = 18.5%: the abstract prints 18% (truncated), the only PR count consistent with
    # 35 responders and 25 CRs
    assert int(100 * (pr_itp + pr_ev) / 54) == 18
    assert r(cr_itp + pr_itp, n_itp) == 58 and r(cr_itp, n_itp) == 32
    assert r(cr_ev + pr_ev, n_ev) == 81
    assert r(cr_ars + pr_ars, n_ars) == 73 and r(cr_ars, n_ars) == 68


def test_published_data_matches_the_cohorts(data):
    assert data.n_patients == 19
    assert int(np.sum(data.pt_class > 0)) == 13 and int(np.sum(data.pt_class == 2)) == 10
    assert int(np.sum(data.pt_mmf_failed)) == 17
    assert np.nanmedian(data.pt_day_pr) == 50 and np.nanmedian(data.pt_day_cr) == 158
    rows = {GROUPS[g]: (n, k, e) for g, n, k, e in zip(data.bride_group, data.bride_n, data.bride_k, data.bride_event)}
    assert rows == {"alps": (12, 12, "cr"), "multi_lineage": (12, 8, "cr"), "single_lineage": (6, 2, "response")}
    # "within 1-3 months": twelve windows bounded above at day 92 (see published_data)
    assert data.cr_window_group.size == 12 and np.all(data.cr_window_high == 92) and np.all(data.cr_window_low == 0)


@pytest.mark.slow  # builds (and compiles) the PyMC model
def test_model_log_density_and_gradient_are_finite(model):
    point = model.initial_point()
    assert np.isfinite(model.compile_logp()(point))
    assert np.all(np.isfinite(model.compile_dlogp()(point)))
    # a random point in the unconstrained space too
    rng = np.random.default_rng(3)
    jittered = {k: v + rng.normal(0, 0.5, np.shape(v)) for k, v in point.items()}
    assert np.isfinite(model.compile_logp()(jittered))


@pytest.mark.slow  # builds (and compiles) the PyMC model
def test_model_variables_map_onto_effect_parameters(model):
    names = {v.name for v in model.free_RVs + model.deterministics}
    for drug in ("sirolimus", "mmf"):
        for field, var in parameter_names(drug).items():
            assert var in names, var
    assert list(model.coords["group"]) == list(GROUPS)
    assert len(model.coords["latent"]) == 19 + 12  # letter patients + Bride's ALPS children
    assert model.named_vars_to_dims["sirolimus_mu"] == ("group",)


def test_unknown_prior_is_refused_with_the_allowed_names():
    with pytest.raises(ValueError, match=r"calibration.prior: unknown prior 'flat'.*default.*sceptical.*vague"):
        get_prior("flat")


@pytest.mark.slow  # builds (and compiles) the PyMC model
def test_prior_predictive_is_sensible_before_any_data(model, data):
    """The default prior allows anything from few to almost all responders, and puts the median
    day of response between a few days and two years (Bride et al., Blood 2016: responses take 1-3 months)."""
    prior = prior_draws(model, 600, seed=11)["prior"].to_dataset()
    pred = predictive_dataset(prior, data, np.random.default_rng(12))
    share = pred["letter_responders"].values.ravel() / 19
    assert np.quantile(share, 0.05) <= 0.1 and np.quantile(share, 0.95) >= 0.9  # not dogmatic
    assert 0.3 <= np.median(share) <= 0.8
    for key in ("letter_median_days_pr", "letter_median_days_cr", "mmf_median_days_cr"):
        days = pred[key].values.ravel()
        days = days[np.isfinite(days)]
        lo, hi = np.quantile(days, [0.05, 0.95])
        assert lo >= 1.0 and hi <= 730.0, (key, lo, hi)
        assert 10 <= np.median(days) <= 180, key


def _population(n: int, mu: float, sigma: float = 0.5) -> PopulationParameters:
    eff = EffectParameters(mu=np.full((n, 5), mu), sigma=np.full(n, sigma), beta_mmf_failed=np.zeros(n),
                           log_ke0=np.full((n, 5), np.log(np.log(2) / 30)), log_ke0_sd=np.full(n, 0.3))
    return PopulationParameters(eff, eff)


def test_simulated_cohorts_follow_the_parameters(data):
    rng = np.random.default_rng(5)
    everyone = simulate_cohorts(_population(50, 8.0), np.full(50, 0.1), data, rng)
    assert np.all(everyone.letter.cls == 2) and all(np.all(b.cls == 2) for b in everyone.bride)
    nobody = simulate_cohorts(_population(50, -8.0), np.full(50, 0.1), data, rng)
    assert np.all(nobody.letter.cls == 0) and np.all(np.isinf(nobody.letter.day_pr))


@pytest.mark.slow  # builds (and compiles) the PyMC model
def test_simulated_data_refit_the_same_compiled_shapes(data, model):
    sim = simulate_cohorts(_population(3, 2.5, sigma=2.0), np.full(3, 0.3), data, np.random.default_rng(8))
    for k in range(3):
        new = simulated_data(sim, data, k)
        before, after = model_data(data), model_data(new)
        assert before.keys() == after.keys()
        assert all(np.shape(before[key]) == np.shape(after[key]) for key in before)
        # a simulated data set is a valid model input in its own right
        m = build_model(new, PRIORS["default"])
        assert np.isfinite(m.compile_logp()(m.initial_point()))
