"""The public API (docs/api.md): design objects, scenarios, Trial, SimulationResult, and the
design objects' vectorised rules against the one-trial oracles (tests/oracles/rules.py)."""

import json
from itertools import product

import numpy as np
import pytest

import simtrial as st
from simtrial._core.codes import DECISIONS, Decision, Verdict
from simtrial._core.validation import ValidationError
from tests.oracles import rules


def test_issue_example_runs_as_written():
    d = st.designs.Simon.search(p0=0.2, p1=0.4, alpha=0.05, power=0.8)
    text = str(d)
    # Simon (1989), Table 1: p0 = 0.2, p1 = 0.4, alpha 0.05, power 0.8, optimal: 3/13, 12/43,
    # EN(p0) 20.6, PET(p0) 0.75
    assert "r1/n1 = 3/13, r/n = 12/43" in text and "Exact power" in text and "PET" in text
    assert (d.r1, d.n1, d.r, d.n) == (3, 13, 12, 43)
    assert d.parameters["exact_expected_n_p0"] == pytest.approx(20.58, abs=0.01)
    oc = d.exact(p=[0.2, 0.3, 0.4])
    assert list(oc.columns) == ["p", "reject", "pet", "expected_n"]
    assert oc["reject"].iloc[0] <= 0.05 and oc["reject"].iloc[2] >= 0.8
    res = st.Trial(d, st.scenarios.Parametric(0.4)).simulate(2000, seed=1)
    s = res.summary()
    assert list(s.columns) == ["estimate", "mcse", "exact", "z"]
    for fig in ("reject_rate", "pet", "expected_n"):
        assert s.loc[fig, "exact"] == pytest.approx(oc.set_index("p").loc[0.4, fig.replace("_rate", "")])
        assert abs(s.loc[fig, "z"]) < 4


def test_simon_minimax_and_at_n_and_boundaries():
    # Simon (1989), Table 1, minimax: 4/18, 10/33
    d = st.designs.Simon.search(0.2, 0.4, 0.05, 0.8, kind="minimax", n_max=45)
    assert (d.r1, d.n1, d.r, d.n) == (4, 18, 10, 33)
    same = st.designs.Simon(4, 18, 10, 33, p0=0.2, p1=0.4)
    np.testing.assert_allclose(same.exact(p=[0.2, 0.4]).to_numpy(), d.exact(p=[0.2, 0.4]).to_numpy(), rtol=1e-12)
    assert st.designs.Simon.at_n(40, 0.2, 0.4).n == 40
    with pytest.raises(ValidationError, match="r1"):
        st.designs.Simon(5, 4, 10, 33, p0=0.2, p1=0.4)


def test_constructors_validate_with_the_field_name():
    with pytest.raises(ValidationError, match=r"^n: must be an integer"):
        st.designs.SingleArm(n=0)
    with pytest.raises(ValidationError, match=r"^alpha:"):
        st.designs.TwoArm(alpha=0.7)
    with pytest.raises(ValidationError, match=r"^alternative:"):
        st.designs.TwoArm(test="bayes", alternative="two-sided")
    with pytest.raises(ValidationError, match=r"^theta_f: must be <= theta_e"):
        st.designs.PPInterim([0.5], theta_f=0.9, theta_e=0.5)
    with pytest.raises(ValidationError, match=r"^fractions:"):
        st.designs.PPInterim([0.7, 0.3])
    with pytest.raises(ValidationError, match=r"^p_response:"):
        st.scenarios.Parametric([0.1, 0.2, 0.3])
    with pytest.raises(ValidationError, match=r"^n_sites:"):
        st.Sites(n_sites=0)
    with pytest.raises(ValidationError, match=r"^followup_days: must be >= biweekly_until"):
        st.Schedule(followup_days=50.0)


def test_cross_checks_name_the_fields():
    with pytest.raises(ValidationError, match=r"^scenario.p_response: needs one probability per arm \(2\)"):
        st.Trial(st.designs.TwoArm(), st.scenarios.Parametric(0.3))
    with pytest.raises(ValidationError, match=r"^design.landmark_day: must be <= schedule.followup_days"):
        st.Trial(st.designs.SingleArm(landmark_day=400.0), st.scenarios.Parametric())
    with pytest.raises(ValidationError, match=r"^design.switch_day: must be < schedule.followup_days"):
        st.Trial(st.designs.Sequencing(switch_day=200.0), st.scenarios.Fixed(),
                 schedule=st.Schedule(followup_days=180.0))
    with pytest.raises(ValidationError, match=r"^design: must be a design object"):
        st.Trial("simon")


def test_null_and_planning_rates_per_design():
    two = st.designs.TwoArm(p_a=0.3, p_b=0.6)
    assert st.scenarios.Null().rates(two) == (0.3, 0.3)
    assert st.scenarios.Null(0.1).rates(two) == (0.1, 0.1)
    assert st.scenarios.Parametric().rates(two) == (0.3, 0.6)
    one = st.designs.SingleArm(p0=0.2, p1=0.4)
    assert st.scenarios.Null().rates(one) == (0.2,)
    assert st.scenarios.Parametric().rates(one) == (0.4,)


def test_single_arm_search_is_the_smallest_n():
    d = st.designs.SingleArm.search(p0=0.2, p1=0.4, alpha=0.05, power=0.8)
    oc = d.exact()
    assert oc["reject"].iloc[0] <= 0.05 and oc["reject"].iloc[1] >= 0.8
    smaller = st.designs.SingleArm(n=d.n - 1, p0=0.2, p1=0.4).exact()
    assert smaller["reject"].iloc[0] > 0.05 or smaller["reject"].iloc[1] < 0.8


def test_result_outputs():
    d = st.designs.TwoArm(n_per_arm=10, p_a=0.3, p_b=0.7)
    res = st.Trial(d, st.scenarios.Parametric([0.3, 0.7])).simulate(300, seed=2)
    f = json.loads(res.to_json())
    assert f["replicates"] == 300 and f["scenario"] == {"name": "parametric", "p_response": [0.3, 0.7]}
    ds = res.to_xarray()
    assert ds.sizes == {"replicate": 300, "arm": 2} and ds.attrs["seed"] == 2
    assert set(np.unique(ds["decision"])) <= {float(c) for c in Decision}
    assert json.loads(ds["decision"].attrs["codes"]) == {str(k): v for k, v in enumerate(DECISIONS)}
    for fig in (res.plot_duration(), res.plot_responders(), res.plot_decisions()):
        assert fig.axes
    assert "reject rate" in str(res)
    # the same seed gives the same trials; the chunk size and the workers do not matter
    again = st.Trial(d, st.scenarios.Parametric([0.3, 0.7])).simulate(300, seed=2, chunk_size=7, workers=2)
    for k, v in res.replicates.items():
        np.testing.assert_array_equal(v, again.replicates[k], err_msg=k)


def test_single_arm_rules_equal_the_oracle():
    d = st.designs.SingleArm(n=30, p0=0.2, alpha=0.05, interim=st.designs.PPInterim([0.4, 0.7], 0.1, 0.99))
    x = np.arange(31)[:, None]
    assert d.final(x, x).tolist() == [rules.single_arm_final(int(v), 30, 0.2, 0.05) for v in x[:, 0]]
    for j, m in enumerate(d.looks):
        xs = np.arange(m + 1)[:, None]
        want = [rules.single_arm_interim(int(v), m, 30, d.r, 0.1, 0.99) for v in xs[:, 0]]
        assert d.interim(j, xs, np.full_like(xs, m)).tolist() == [int(w) for w in want]
        assert Verdict.FUTILITY in want


def test_simon_rules_equal_the_oracle():
    d = st.designs.Simon(3, 13, 12, 43, p0=0.2, p1=0.4)
    x1 = np.arange(d.n1 + 1)[:, None]
    assert d.interim(0, x1, x1).tolist() == [int(rules.simon_interim(int(v), d.r1)) for v in x1[:, 0]]
    x = np.arange(d.n + 1)[:, None]
    assert d.final(x, x).tolist() == [rules.simon_final(int(v), d.r) for v in x[:, 0]]


@pytest.mark.parametrize("test", ["fisher", "bayes"])
def test_two_arm_rules_equal_the_oracle(test):
    n = 8
    d = st.designs.TwoArm(n_per_arm=n, test=test, alpha=0.1, threshold=0.9,
                          interim=st.designs.PPInterim([0.5], 0.15, 0.6))
    table = d.table.tolist()
    x = np.array(list(product(range(n + 1), range(n + 1))))
    assert d.final(x, x).tolist() == [rules.two_arm_final(a, b, table) for a, b in x]
    rows = [(xa, ma, xb, n - ma) for ma in range(1, n) for xa in range(ma + 1) for xb in range(n - ma + 1)]
    xs = np.array([(r[0], r[2]) for r in rows])
    ms = np.array([(r[1], r[3]) for r in rows])
    want = [int(rules.two_arm_interim(*r, table, 0.15, 0.6)) for r in rows]
    assert d.interim(0, xs, ms).tolist() == want
    assert {Verdict.FUTILITY, Verdict.EFFICACY} <= set(want)


def test_design_summaries_print_the_exact_figures():
    seq = st.designs.Sequencing(n_per_arm=20, switch_day=56.0, interim=st.designs.PPInterim([0.5], 0.1))
    text = str(seq)
    assert "arm A: mmf_then_sirolimus" in text and "switch on day 56" in text and "interim 1  20" in text
    assert "two-sided" in text and f"{seq.parameters['exact_power']:.4f}" in text
    single = st.designs.SingleArm(n=35)
    assert "reject H0 if >= 12 responders" in str(single)
    assert f"{single.parameters['exact_size']:.4f}" in str(single)
    looks = st.designs.SingleArm(n=35, interim=st.designs.PPInterim([0.5], 0.05))
    assert "interim 1" in str(looks) and f"{looks.exact_at((0.2,))['pet']:.4f}" in str(looks)
    assert repr(single).startswith("SingleArm(n=35")


def test_fixed_scenario_runs_the_patient_models_with_the_simpy_calendar():
    trial = st.Trial(st.designs.SingleArm(n=8), st.scenarios.Fixed(population="bride"))
    res = trial.simulate(4, seed=3)
    assert res.calendar == "simpy" and res.exact is None
    assert np.isnan(res.summary().loc["reject_rate", "exact"])


@pytest.mark.parametrize("module", ["simtrial.designs.single_arm", "simtrial.designs.simon_two_stage",
                                    "simtrial.designs.randomised", "simtrial.designs.pp_interim",
                                    "simtrial.scenarios.parametric", "simtrial.trial.enrolment",
                                    "simtrial.trial.simulator"])
def test_docstring_examples(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0


def test_result_figures_are_titled_with_design_and_scenario():
    d = st.designs.SingleArm(n=35, p0=0.2, p1=0.4)
    res = st.Trial(d, st.scenarios.Parametric(0.35)).simulate(50, seed=1)
    assert res.title("single_arm", "pessimistic") == "single_arm n = 35, pessimistic (p = 0.35)"
    assert res.title() == "single-arm exact binomial n = 35, parametric (p = 0.35)"
    for fig in (res.plot_duration(), res.plot_decisions()):
        assert fig.axes[0].get_title() == res.title()
    fig = res.plot_responders("custom")
    assert fig.axes[0].get_title() == "custom"
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["arm A: sirolimus (true p = 0.35)"]
    two = st.Trial(st.designs.TwoArm(n_per_arm=10, p_a=0.3, p_b=0.7), st.scenarios.Null()).simulate(20, seed=1)
    assert two.title("two_arm", "null_hypothesis") == "two_arm n = 10 per arm, null_hypothesis (p_A = 0.3, p_B = 0.3)"
    legend = [t.get_text() for t in two.plot_responders().axes[0].get_legend().get_texts()]
    assert all("true p = 0.3" in t for t in legend)
