"""Reproducibility and common random numbers of the simulator."""

import numpy as np
import pytest

from simtrial.designs.config import SequencingDesignConfig, SingleArmDesignConfig, TwoArmDesignConfig
from simtrial.models.defaults import DEFAULT_POPULATION_PARAMETERS
from simtrial.trial.enrolment import Sites
from simtrial.trial.outcomes import OutcomeModel, chunk_outcomes, sample_patients
from tests.oracles.randomisation import cap_arms, permuted_blocks
from simtrial.trial.replicates import Plan, simulate
from simtrial.trial.streams import Replay, counter_stream, stream
from simtrial.trial.visits import visit_days

SITES = Sites(2, 30.0, 1.0, 0.1)


def _bio_model(regimens):
    return OutcomeModel(regimens=regimens, landmark_day=168.0, switch_day=84.0, followup_days=364.0,
                        visits=visit_days(), dropout_per_year=0.1,
                        parameters=lambda r: DEFAULT_POPULATION_PARAMETERS, draw_index=lambda r: 0)


def _plan(cfg, parametric=True):
    an = cfg.to_domain()
    regs = ("mmf_then_sirolimus", "sirolimus") if an.n_arms == 2 else ("sirolimus",)
    if parametric:
        m = OutcomeModel(regimens=regs, landmark_day=168.0, switch_day=84.0, followup_days=364.0,
                         visits=visit_days(), p_response=(0.4,) * an.n_arms)
    else:
        m = _bio_model(regs)
    return Plan(an, m, SITES)


def _same(a, b):
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


def test_chunk_size_does_not_change_results():
    plan = _plan(SequencingDesignConfig(n_per_arm=10), parametric=False)
    root = np.random.SeedSequence(4)
    _same(simulate(plan, root, 60, chunk_size=7), simulate(plan, root, 60, chunk_size=60))


def test_replicate_r_same_whatever_the_number_of_replicates():
    plan = _plan(TwoArmDesignConfig(n_per_arm=12))
    root = np.random.SeedSequence(9)
    small, large = simulate(plan, root, 100, 100), simulate(plan, root, 1000, 1000)
    _same(small, {k: v[:100] for k, v in large.items()})
    part = simulate(plan, root, range(500, 520), 6)
    _same(part, {k: v[500:520] for k, v in large.items()})


def test_same_seed_same_results_and_other_seed_differs():
    plan = _plan(SingleArmDesignConfig(n=20))
    a = simulate(plan, np.random.SeedSequence(1), 200)
    _same(a, simulate(plan, np.random.SeedSequence(1), 200))
    assert not np.array_equal(a["responders"], simulate(plan, np.random.SeedSequence(2), 200)["responders"])


def test_patient_k_is_the_same_child_whatever_n():
    model = _bio_model(("sirolimus",))
    root = np.random.SeedSequence(3)
    small, big = sample_patients(model, root, [0, 1], 20), sample_patients(model, root, [0, 1], 150)
    np.testing.assert_array_equal(small.age_years.reshape(2, 20), big.age_years.reshape(2, 150)[:, :20])
    o_small = chunk_outcomes(model, root, [0, 1], 20, np.zeros(40, int), small)
    o_big = chunk_outcomes(model, root, [0, 1], 150, np.zeros(300, int), big)
    np.testing.assert_array_equal(o_small.responded, o_big.responded[:, :20])
    np.testing.assert_array_equal(o_small.day_response, o_big.day_response[:, :20])


def test_switch_keeps_pre_switch_counts():
    """Arm A's switchers keep the same noise: counts before the switch equal MMF-only counts."""
    from simtrial.trial.outcomes import _Biology

    model = _bio_model(("mmf_then_sirolimus",))
    root = np.random.SeedSequence(8)
    pats = sample_patients(model, root, [0], 64)
    bio = _Biology(model, root, [0], 64, pats)
    rows = np.arange(64)
    only, _ = bio.counts(rows, "mmf")
    switched, _ = bio.counts(rows, "mmf", "sirolimus", 84.0)
    pre = model.visits <= 84.0
    np.testing.assert_array_equal(only[:, pre], switched[:, pre])
    assert not np.allclose(only[:, ~pre], switched[:, ~pre])


def test_permuted_blocks_balance_within_strata_and_caps():
    strata = np.random.default_rng(0).integers(0, 3, 200)
    gens = {s: counter_stream(np.random.SeedSequence(1), 0, "randomisation", s) for s in range(3)}
    arm = permuted_blocks(strata, 4, gens)
    for s in range(3):
        a = arm[strata == s]
        full = (a.size // 4) * 4
        assert a[:full].reshape(-1, 4).sum(axis=1).tolist() == [2] * (full // 4)
    capped = cap_arms(arm[:41], 20)
    assert np.bincount(capped[:40]).tolist() == [20, 20]


def test_replay_refuses_unexpected_draws():
    r = Replay([np.zeros(3)])
    with pytest.raises(RuntimeError, match="shape"):
        r.standard_normal(4)
    with pytest.raises(RuntimeError):
        r.random(3)


@pytest.mark.parametrize("root", [np.random.SeedSequence(2026), np.random.SeedSequence(),
                                  np.random.SeedSequence([1, 2**40, 3]), np.random.SeedSequence(5).spawn(2)[1]])
def test_vectorised_seeding_gives_the_same_streams(root):
    from simtrial.trial.streams import STREAMS, streams

    keys = [(r, STREAMS["accrual"]) for r in (0, 1, 77, 2**31 + 5)]
    for ks in (keys, [(r, STREAMS["randomisation"], b) for r in range(4) for b in range(3)]):
        for gen, (r, i, *sub) in zip(streams(root, np.array(ks)), ks):
            name = next(k for k, v in STREAMS.items() if v == i)
            np.testing.assert_array_equal(gen.standard_exponential(70), stream(root, r, name, *sub).standard_exponential(70))


@pytest.mark.parametrize("parametric", [True, False])
def test_worker_threads_do_not_change_results(parametric):
    plan = _plan(SequencingDesignConfig(n_per_arm=10), parametric=parametric)
    root = np.random.SeedSequence(21)
    _same(simulate(plan, root, 90, chunk_size=13), simulate(plan, root, 90, chunk_size=13, workers=3))


def test_bad_worker_count_is_refused():
    plan = _plan(SingleArmDesignConfig(n=10))
    with pytest.raises(ValueError, match="workers: must be an integer >= 1"):
        simulate(plan, np.random.SeedSequence(0), 5, workers=0)
