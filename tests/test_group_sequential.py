"""Group-sequential designs: properties, validation, exact enumeration, config and study.

Agreement with rpact is in tests/test_group_sequential_rpact.py.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from scipy.stats import binom, multivariate_normal

from simtrial._core.validation import ValidationError
from simtrial.designs.group_sequential import GroupSequentialDesign, spending
from simtrial.designs.group_sequential.exact import Spec, exit_probabilities, z_statistic
from simtrial.designs.group_sequential.integration import exit_probabilities as gs_probabilities
from simtrial.designs.group_sequential.rates import GroupSequentialRates


def test_integration_matches_multivariate_normal():
    """P(Z_1 < b1, Z_2 < b2) from the recursion against scipy's bivariate normal cdf
    (corr(Z_1, Z_2) = sqrt(t1/t2))."""
    t = np.array([0.4, 1.0])
    b = np.array([2.5, 2.0])
    below, above = gs_probabilities([-np.inf, -np.inf], b, t)
    rho = np.sqrt(t[0] / t[1])
    p_continue_both = multivariate_normal(mean=[0, 0], cov=[[1, rho], [rho, 1]]).cdf(b)
    assert abs((1 - above.sum()) - p_continue_both) < 1e-7


def test_spending_families_end_at_alpha():
    t = np.array([0.25, 0.5, 1.0])
    for kind, gamma in (("asOF", None), ("asP", None), ("asHSD", -4.0), ("asHSD", 0.0), ("asKD", 2.0)):
        s = spending(kind, 0.025, t, 1, gamma)
        assert np.all(np.diff(s) > 0) and abs(s[-1] - 0.025) < 1e-15


def test_single_look_is_the_fixed_test():
    d = GroupSequentialDesign([1.0], alpha=0.025)
    assert abs(d.critical_values[0] - 1.959964) < 1e-6


def test_wang_tsiatis_special_cases_equal_of_and_pocock():
    t = [1 / 3, 2 / 3, 1.0]
    of = GroupSequentialDesign(t, type_of_design="OF")
    wt0 = GroupSequentialDesign(t, type_of_design="WT", delta_wt=0.0)
    p = GroupSequentialDesign(t, type_of_design="P")
    np.testing.assert_allclose(of.critical_values, wt0.critical_values, atol=1e-10)
    assert np.ptp(p.critical_values) < 1e-10


def test_non_binding_futility_keeps_alpha_and_binding_lowers_critical_values():
    t = [1 / 3, 2 / 3, 1.0]
    nb = GroupSequentialDesign(t, futility_bounds=[0.0, 0.0], binding_futility=False)
    b = GroupSequentialDesign(t, futility_bounds=[0.0, 0.0], binding_futility=True)
    plain = GroupSequentialDesign(t)
    np.testing.assert_allclose(nb.critical_values, plain.critical_values)
    assert b.critical_values[-1] < plain.critical_values[-1]
    assert abs(b.alpha_spent[-1] - 0.025) < 1e-8
    # with futility obeyed the non-binding design is conservative
    assert nb.exit_probabilities(0.0).power < 0.025


@pytest.mark.parametrize("kwargs, field", [
    (dict(information_rates=[0.5, 0.9]), "information_rates"),
    (dict(information_rates=[0.6, 0.5, 1.0]), "information_rates"),
    (dict(alpha=0.7), "alpha"),
    (dict(type_of_design="asXX"), "type_of_design"),
    (dict(type_of_design="asHSD"), "gamma_a"),
    (dict(type_of_design="WT"), "delta_wt"),
    (dict(type_beta_spending="bsHSD"), "gamma_b"),
    (dict(sided=2, type_beta_spending="bsOF"), "type_beta_spending"),
    (dict(futility_bounds=[0.0, 0.0]), "futility_bounds"),
    (dict(sided=3), "sided"),
    (dict(information_rates=[0.5, 1.0], futility_bounds=[3.5]), "futility_bounds"),
])
def test_validation_names_the_field(kwargs, field):
    with pytest.raises(ValidationError) as err:
        GroupSequentialDesign(**kwargs)
    assert err.value.field == field


def _brute_force_one_arm(n, crit, fut, p0, p):
    """All 2^... paths summarised by the counts of each stage: sum over stage-wise counts."""
    inc = np.diff(np.concatenate([[0], n]))
    reject = np.zeros(len(n))
    for xs in itertools.product(*[range(m + 1) for m in inc]):
        prob = np.prod([binom.pmf(x, m, p) for x, m in zip(xs, inc)])
        cum = np.cumsum(xs)
        for k in range(len(n)):
            z = (cum[k] / n[k] - p0) / np.sqrt(p0 * (1 - p0) / n[k])
            if z >= crit[k]:
                reject[k] += prob
                break
            if k < len(n) - 1 and z <= fut[k]:
                break
    return reject


def test_exact_enumeration_equals_brute_force():
    n = np.array([6, 12, 18])
    crit = np.array([2.5, 2.2, 1.9])
    fut = np.array([-0.2, 0.5, -np.inf])
    spec = Spec(n=n[None, :], critical=crit, futility=fut, sided=1, theta_h0=0.3, groups=1)
    got, _ = exit_probabilities(spec, 0.5, None)
    np.testing.assert_allclose(got, _brute_force_one_arm(n, crit, fut, 0.3, 0.5), atol=1e-12)


def test_exact_two_arm_equals_monte_carlo():
    """Exact rejection probabilities of a 3-look two-arm design against a direct simulation of
    the same pooled z test (|z| < 4 in MCSE)."""
    d = GroupSequentialDesign([1 / 3, 2 / 3, 1.0], type_of_design="asOF", type_beta_spending="bsOF")
    r = GroupSequentialRates(d, n_max=60, pi1=0.6, pi2=0.35)
    ex = r.exact()
    rng = np.random.default_rng(17)
    reps = 40_000
    n1, n2 = r.n_per_look
    x1 = np.cumsum(rng.binomial(np.diff(np.concatenate([[0], n1]))[None, :], 0.6, (reps, 3)), axis=1)
    x2 = np.cumsum(rng.binomial(np.diff(np.concatenate([[0], n2]))[None, :], 0.35, (reps, 3)), axis=1)
    pooled = (x1 + x2) / (n1 + n2)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (x1 / n1 - x2 / n2) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = np.nan_to_num(z, nan=0.0)
    alive = np.ones(reps, bool)
    rejected = np.zeros(3)
    for k in range(3):
        rej = alive & (z[:, k] >= d.critical_values[k] - 1e-9)
        rejected[k] = rej.mean()
        alive &= ~rej
        if k < 2:
            alive &= ~(z[:, k] <= d.futility[k] + 1e-9)
    se = np.sqrt(ex.reject * (1 - ex.reject) / reps) + 1e-12
    assert np.all(np.abs(rejected - ex.reject) / se < 4)


def test_z_statistic_pooled_zero_variance_is_zero():
    spec = Spec(n=np.array([[5], [5]]), critical=np.array([1.96]), futility=np.array([-np.inf]), sided=1,
                theta_h0=0.0, groups=2)
    z = z_statistic(spec, 0)
    assert z[0, 0] == 0 and z[5, 5] == 0 and z[5, 0] > 3


def test_summary_and_str():
    d = GroupSequentialDesign([0.5, 1.0], type_beta_spending="bsOF")
    s = d.summary()
    assert list(s.index) == [1, 2] and {"critical_z", "futility_z", "alpha_spent", "beta_spent"} <= set(s.columns)
    assert "Critical values" in str(d) and "bsOF" in str(d)
    r = GroupSequentialRates(d, n_max=30, pi1=0.5, theta_h0=0.2)
    rs = r.summary()
    assert {"reject_if_x_at_least", "futility_if_x_at_most", "reject", "exact_reject"} <= set(rs.columns)
    assert rs.attrs["power"] == r.power and rs.attrs["expected_n"] == r.expected_n
    # the count boundary is the first count whose z reaches the critical value
    k = 0
    n = r.n_per_look[0, k]
    x = int(rs["reject_if_x_at_least"].iloc[k])
    z = lambda x: (x / n - 0.2) / np.sqrt(0.2 * 0.8 / n)
    assert z(x) >= d.critical_values[k] > z(x - 1)
    figs = r.figures()
    json.dumps(figs)
    assert "Exact power" in str(r)


def test_five_looks_under_50_ms():
    import time

    t = np.linspace(0.2, 1.0, 5)
    GroupSequentialDesign(t)  # warm-up
    t0 = time.perf_counter()
    GroupSequentialDesign(t, type_of_design="asOF")
    assert time.perf_counter() - t0 < 0.05


# ---------------------------------------------------------------- config and study (in process)

def _compose(overrides):
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from simtrial.config.store import store_schemas
    from simtrial.config.validate import validate_config
    from simtrial.paths import CONF_DIR

    store_schemas()
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = compose(config_name="config", overrides=["experiment=group_sequential", *overrides])
    return validate_config(cfg)


def test_study_runs_in_process_and_matches_rpact(tmp_path):
    from simtrial.studies import group_sequential
    from simtrial.studies.context import RunContext

    config = _compose(["design.n_per_arm=40", "design.information_fractions=[0.5,1.0]", "design.alpha=0.025",
                       "design.spending=asOF", "scenario.p_response=[0.40,0.65]"])
    figs = group_sequential.run(config, RunContext(run_dir=tmp_path, seed=np.random.SeedSequence(1)))
    assert abs(figs["power"] - 0.6115537) < 1e-4  # rpact getPowerRates
    assert abs(figs["expected_n"] - 76.60486) < 1e-3
    assert figs["looks"]["n"] == [40, 80]
    # rpact: getSampleSizeRates(d, groups = 2, pi1 = 0.65, pi2 = 0.40)$maxNumberOfSubjects = 123.3413
    assert abs(figs["sample_size"]["n_max"] - 123.3413) < 1e-3
    json.dumps(figs, allow_nan=False)
    for name in ("design.txt", "design_summary.md", "looks.csv", "count_boundaries.csv", "oc_curve.csv",
                 "boundaries.png", "oc_curve.png"):
        assert (tmp_path / name).stat().st_size > 0


@pytest.mark.parametrize("override, field", [
    ("design.spending=asHSD", "design.gamma_a"),
    ("design.information_fractions=[0.5,0.9]", "design.information_fractions"),
    ("design.beta_spending=bsXX", "design.beta_spending"),
    ("design.n_per_arm=1", "design.n_per_arm"),
])
def test_bad_config_names_the_field(override, field):
    from simtrial.config.errors import ConfigError

    with pytest.raises(ConfigError) as err:
        _compose([override])
    assert err.value.field == field


@pytest.mark.slow
def test_cli_issue_command(tmp_path):
    from tests.support.cli import ok_runs, run_simtrial

    proc = run_simtrial(["experiment=group_sequential", "design.n_per_arm=40", "design.information_fractions=[0.5,1.0]",
                         "design.alpha=0.025", "design.spending=asOF", "scenario.p_response=[0.40,0.65]"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    (summary,) = ok_runs(tmp_path)
    assert abs(summary["power"] - 0.6115537) < 1e-4
    assert "Overall power (analytic)" in proc.stdout


def test_sequential_test_decisions_equal_the_exact_regions():
    """The simulator's decision object gives, at the planned sizes, the exact module's regions."""
    from simtrial.designs.group_sequential.decisions import SequentialTest, Verdict
    from simtrial.designs.group_sequential.exact import _regions

    d = GroupSequentialDesign([0.5, 1.0], type_beta_spending="bsOF")
    r = GroupSequentialRates(d, n_max=40, pi1=0.65, pi2=0.40)
    spec = r._spec()
    test = SequentialTest(d, groups=2, theta_h0=0.0)
    for k in range(2):
        n1, n2 = r.n_per_look[:, k]
        x1, x2 = np.meshgrid(np.arange(n1 + 1), np.arange(n2 + 1), indexing="ij")
        x = np.column_stack([x2.ravel(), x1.ravel()])  # arm order A (control), B (treatment)
        m = np.tile([n2, n1], (x.shape[0], 1))
        verdict = test.decide(k, x, m).reshape(x1.shape)
        rej, fut = _regions(spec, k, k < 1)
        assert np.array_equal(verdict == Verdict.EFFICACY, rej)
        if k == 0:
            assert np.array_equal(verdict == Verdict.FUTILITY, fut)


# ---------------------------------------------------------------- the trial calendar

@pytest.mark.parametrize("arms, rates, kw", [
    (1, (0.45,), dict(type_beta_spending="bsOF")),
    (2, (0.40, 0.65), dict()),
    (2, (0.40, 0.40), dict(futility_bounds=[0.0], binding_futility=False)),
])
def test_simulated_trials_agree_with_exact(arms, rates, kw):
    """The simulator's interim looks run the same boundaries: simulated reject rate, PET and
    expected N against the exact enumeration (|z| < 4 in MCSE; parametric scenario)."""
    import simtrial as st
    from simtrial.designs.group_sequential.trial_design import GroupSequential

    gs = GroupSequentialDesign([0.5, 1.0], alpha=0.025, **kw)
    d = GroupSequential(gs, arms=arms, n_per_arm=40, p0=0.2)
    res = st.Trial(d, st.scenarios.Parametric(list(rates))).simulate(3000, seed=11)
    s = res.summary()
    for fig in ("reject_rate", "pet", "expected_n"):
        est, mcse, exact = s.loc[fig, "estimate"], s.loc[fig, "mcse"], s.loc[fig, "exact"]
        assert np.isfinite(exact)
        assert abs(est - exact) <= 4 * max(mcse, 1e-3), (fig, est, exact, mcse)


def test_trial_design_looks_and_str():
    from simtrial.designs.group_sequential.trial_design import GroupSequential

    d = GroupSequential(GroupSequentialDesign([1 / 3, 2 / 3, 1.0]), arms=2, n_per_arm=30)
    assert d.looks == (20, 40) and d.n_max == 60 and d.regimens == ("mmf", "sirolimus")
    assert "Exact power" in str(d)
    json.dumps(d.parameters)
    with pytest.raises(ValidationError) as err:
        GroupSequential(GroupSequentialDesign([0.1, 0.2, 1.0]), arms=2, n_per_arm=3)
    assert err.value.field == "n_per_arm"


@pytest.mark.slow
def test_patient_model_scenario_runs_the_boundaries():
    """With the patient models (simpy calendar) the same looks and decisions run."""
    import simtrial as st
    from simtrial.designs.group_sequential.trial_design import GroupSequential

    d = GroupSequential(GroupSequentialDesign([0.5, 1.0], type_beta_spending="bsOF"), arms=2, n_per_arm=20)
    res = st.Trial(d, st.scenarios.Fixed(population="mmf_naive")).simulate(60, seed=3)
    dec = np.asarray(res.replicates["decision"])
    assert dec.size == 60
    assert res.calendar == "simpy"


def test_study_check_config_names_p_response():
    """Checked in the preflight (before a run directory exists): one rate per arm."""
    from simtrial.config.errors import ConfigError
    from simtrial.studies import group_sequential

    # validate_config's cross-group check catches it while composing; the study's own check
    # must name the same field if it is ever reached.
    with pytest.raises(ConfigError) as err:
        group_sequential.check_config(_compose(["design.arms=1", "scenario.p_response=[0.4,0.6]"]))
    assert err.value.field == "scenario.p_response"
