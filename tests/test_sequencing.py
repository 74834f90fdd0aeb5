"""Sequencing endpoints and answers with a direction (simtrial.sequencing)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simtrial.sequencing.comparison import compare, comparison_table, favoured
from simtrial.sequencing.endpoints import ENDPOINT_FIELDS, Endpoint, arm_statistics, patient_values
from simtrial.trial.outcomes import ChunkOutcomes


def _out(responded, day, share, both):
    a = lambda x, t=float: np.asarray(x, dtype=t)[None, :]  # noqa: E731
    return ChunkOutcomes(responded=a(responded, bool), assess_day=a([168.0] * len(responded)),
                         day_response=a(day), share_in_response=a(share), exposed_both=a(both, bool))


def test_patient_values_restricted_mean_time_to_response():
    out = _out([True, False, False, True], [30.0, np.nan, 200.0, 400.0], [0.9, 0.0, 0.4, np.nan],
               [False, True, True, False])
    v = patient_values(out, 364.0)
    np.testing.assert_array_equal(v[Endpoint.TIME_TO_RESPONSE][0], [30.0, 364.0, 200.0, 364.0])
    np.testing.assert_array_equal(v[Endpoint.RESPONSE][0], [1, 0, 0, 1])
    np.testing.assert_array_equal(v[Endpoint.EXPOSED_BOTH][0], [0, 1, 1, 0])


def test_arm_statistics_per_row():
    rng = np.random.default_rng(1)
    vals = {e: rng.normal(size=(5, 12)) for e in Endpoint}
    vals[Endpoint.SHARE_IN_RESPONSE][0, 3] = np.nan
    arm = rng.integers(0, 2, (5, 12))
    enrolled = np.arange(12)[None, :] < np.array([12, 12, 8, 12, 3])[:, None]
    st = arm_statistics(vals, arm, enrolled, 2)
    assert set(st) == set(ENDPOINT_FIELDS)
    for e, v in vals.items():
        for r in range(5):
            for a in range(2):
                x = v[r][(arm[r] == a) & enrolled[r] & np.isfinite(v[r])]
                assert st[f"{e.value}_n"][r, a] == x.size
                if x.size:
                    assert st[f"{e.value}_mean"][r, a] == pytest.approx(x.mean())
                if x.size > 1:
                    assert st[f"{e.value}_var"][r, a] == pytest.approx(x.var(ddof=1))


def _res(a, b, decision=None, rr=None):
    """Results with the same per-arm means on every endpoint."""
    m = np.column_stack([a, b]).astype(float)
    res = {}
    for e in Endpoint:
        res[f"{e.value}_mean"] = m
        res[f"{e.value}_var"] = np.full(m.shape, 0.04)
        res[f"{e.value}_n"] = np.full(m.shape, 40.0)
    res["decision"] = np.asarray(decision if decision is not None else [1] * len(a))
    res["response_rate"] = m if rr is None else np.asarray(rr, float)
    return res


def test_direction_follows_the_endpoint():
    res = _res([0.5, 0.5, 0.5, 0.5], [0.6, 0.6, 0.4, 0.5])
    c = compare(res, 0.05)
    up = c["response"]
    assert (up.p_b_better, up.p_a_better, up.p_tie) == (0.5, 0.25, 0.25)
    assert up.difference == pytest.approx(0.025)
    down = c["time_to_response"]  # lower is better: the same numbers favour A
    assert (down.p_b_better, down.p_a_better) == (0.25, 0.5)
    assert favoured(up)["strategy"] == "B" and favoured(down)["strategy"] == "A"
    assert "*" in comparison_table(c, primary="response").splitlines()[1]


def test_two_sided_design_test_reports_both_directions():
    # decisions: rejected (2) twice with B ahead, once (efficacy stop, 3) with A ahead, one not
    rr = [[0.3, 0.7], [0.2, 0.6], [0.8, 0.3], [0.5, 0.5]]
    res = _res([0.3, 0.2, 0.8, 0.5], [0.7, 0.6, 0.3, 0.5], decision=[2, 2, 3, 1], rr=rr)
    c = compare(res, 0.05)["response"]
    assert (c.p_declares_b, c.p_declares_a, c.p_declares_neither) == (0.5, 0.25, 0.25)
    assert c.p_declares_b_mcse == pytest.approx(math.sqrt(0.25 / 4))


def test_welch_test_level_and_direction():
    """Equal arms: each direction declared at alpha/2 within MC error; a lower-is-better
    endpoint declares B better when B is smaller."""
    rng = np.random.default_rng(3)
    r, n = 20_000, 40
    m = rng.normal(100.0, 30.0 / math.sqrt(n), (r, 2))
    v = (30.0 ** 2) * rng.chisquare(n - 1, (r, 2)) / (n - 1)
    res = _res(m[:, 0], m[:, 1])
    for e in Endpoint:
        res[f"{e.value}_var"] = v
    c = compare(res, 0.05)["time_to_response"]
    for p in (c.p_declares_b, c.p_declares_a):
        assert abs(p - 0.025) / math.sqrt(0.025 * 0.975 / r) < 3.5
    res["time_to_response_mean"] = m - np.array([[0.0, 30.0]])
    c = compare(res, 0.05)["time_to_response"]
    assert c.p_declares_b > 0.9 and c.p_declares_a < 0.01


def test_with_rho_replaces_every_draw():
    from simtrial.models.defaults import DEFAULT_POPULATION_PARAMETERS as P
    from simtrial.models.parameters import PopulationParameters
    from simtrial.studies.sequencing import with_rho

    assert float(with_rho(P, 0.3).rho) == 0.3
    stacked = PopulationParameters(
        *(type(e)(**{f: np.stack([getattr(e, f)] * 3) for f in ("mu", "sigma", "beta_mmf_failed",
                                                                 "log_ke0", "log_ke0_sd")})
          for e in (P.sirolimus, P.mmf)))
    np.testing.assert_array_equal(with_rho(stacked, 0.6).rho, [0.6] * 3)


def test_regime_statistics_weights():
    from simtrial.sequencing.endpoints import regime_statistics

    # one trial, arm 0: responder (stage 0) y=1, switched y=1, stayed y=0, stayed y=0; arm 1 empty
    v = {e: np.array([[1.0, 1.0, 0.0, 0.0]]) for e in Endpoint}
    st = regime_statistics(v, np.array([[0, 1, 2, 2]]), np.zeros((1, 4), int), np.ones((1, 4), bool), 2, True)
    assert st["response_regime_switch"][0, 0] == pytest.approx((1 + 2) / 3)
    assert st["response_regime_stay"][0, 0] == pytest.approx(1 / 5)
    assert np.isnan(st["response_regime_stay"][0, 1])
    off = regime_statistics(v, np.array([[0, 1, 2, 2]]), np.zeros((1, 4), int), np.ones((1, 4), bool), 2, False)
    assert all(np.isnan(x).all() for x in off.values())


def test_smart_rerandomises_non_responders():
    """SMART: half of the non-responders at the switch day stay on the first drug, the others
    switch; without re-randomisation every non-responder switches (both arms)."""
    from simtrial.models.defaults import DEFAULT_POPULATION_PARAMETERS
    from simtrial.models.population import mmf_naive_population
    from simtrial.trial.outcomes import STAGE_NONE, STAGE_STAY, STAGE_SWITCH, OutcomeModel, chunk_outcomes
    from simtrial.trial.visits import visit_days

    def run(rerandomise):
        model = OutcomeModel(regimens=("mmf_then_sirolimus", "sirolimus_then_mmf"), landmark_day=168.0,
                             switch_day=84.0, followup_days=364.0, visits=visit_days(),
                             population=mmf_naive_population(), rerandomise=rerandomise,
                             parameters=lambda r: DEFAULT_POPULATION_PARAMETERS, draw_index=lambda r: 0)
        reps, n = list(range(40)), 50
        arm = np.tile(np.arange(n) % 2, len(reps))
        return chunk_outcomes(model, np.random.SeedSequence(5), reps, n, arm)

    smart, plain = run(True), run(False)
    eligible = smart.second_stage != STAGE_NONE
    np.testing.assert_array_equal(eligible, plain.second_stage != STAGE_NONE)  # same children
    stay = smart.second_stage[eligible] == STAGE_STAY
    assert abs(stay.mean() - 0.5) / math.sqrt(0.25 / stay.size) < 3
    np.testing.assert_array_equal(smart.exposed_both, smart.second_stage == STAGE_SWITCH)
    assert not np.any(plain.second_stage == STAGE_STAY)
    np.testing.assert_array_equal(plain.exposed_both, eligible)
    # children who switch in both runs have the same outcomes (same biology, same streams)
    both = (smart.second_stage == STAGE_SWITCH)
    np.testing.assert_array_equal(smart.responded[both], plain.responded[both])


def test_smart_design_config_and_plan():
    import simtrial as st
    from simtrial._core.validation import ValidationError
    from simtrial.designs.smart import SmartDesignConfig
    from simtrial.scenarios import Fixed

    with pytest.raises(ValueError, match="mmf_after_failure"):
        SmartDesignConfig(mmf_after_failure=False)
    with pytest.raises(ValueError, match="primary_endpoint"):
        SmartDesignConfig(primary_endpoint="survival")
    with pytest.raises(ValidationError, match="primary_endpoint"):
        st.designs.Sequencing(primary_endpoint="survival")
    d = SmartDesignConfig(n_per_arm=10, rerandomise=True, primary_endpoint="time_to_response").to_domain()
    assert isinstance(d, st.designs.Smart) and d.primary_endpoint == "time_to_response"
    trial = st.Trial(d, Fixed(population="mmf_naive"))
    plan = trial._plan(trial.scenario)
    assert plan.model.regimens == ("mmf_then_sirolimus", "sirolimus_then_mmf") and plan.model.rerandomise
    assert d.parameters["rerandomise"] is True and "re-randomised" in str(d)


def test_answers_in_process():
    """The study's answer on the domain objects: comparison, rho rows, embedded regimes."""
    import simtrial as st
    from simtrial.scenarios import Fixed
    from simtrial.studies.sequencing import RHO_ROWS, answers

    trial = st.Trial(st.designs.Smart(n_per_arm=6, rerandomise=True), Fixed(population="mmf_naive"))
    res = trial.simulate(12, seed=4)
    out = answers(trial, res, replicates=12, seed=4)
    assert set(out["comparison"]["endpoints"]) == {e.value for e in Endpoint}
    assert [r["rho"] for r in out["rho_sensitivity"]] == ["scenario", *RHO_ROWS]
    assert out["rho_sensitivity"][0]["estimate_a"] == out["rho_sensitivity"][1]["estimate_a"]  # rho 0 = scenario
    assert len(out["embedded_regimes"]) == 4


def test_cli_sequencing_answer_and_refusal(tmp_path):
    """``experiment=sequencing`` (posterior, MMF-naive): the direction and the rho rows in
    summary.json; the letter's population (MMF-failed children) is refused, exit 2."""
    import json

    from tests.support.cli import run_dirs, run_simtrial

    proc = run_simtrial(["experiment=sequencing", "design.n_per_arm=6", "simulation.replicates=12", "seed=2",
                         "scenario.power_at_median=false"], tmp_path / "ok")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "favoured on the primary endpoint" in proc.stdout and "Sensitivity to rho" in proc.stdout
    (run,) = run_dirs(tmp_path / "ok")
    s = json.loads((run / "summary.json").read_text())
    assert s["scenario"]["name"] == "posterior" and s["comparison"]["primary_endpoint"] == "response"
    assert s["comparison"]["favoured"]["strategy"] in ("A", "B", "neither")
    assert [r["rho"] for r in s["rho_sensitivity"]] == ["scenario", 0.0, 0.3, 0.6]
    bad = run_simtrial(["experiment=sequencing", "scenario.population=letter", "simulation.replicates=5"],
                       tmp_path / "bad")
    assert bad.returncode == 2
    assert "scenario.population: the design gives MMF" in bad.stderr
    assert run_dirs(tmp_path / "bad") == []
