"""The vectorised calendar gives, replicate by replicate, exactly what the simpy calendar gives."""

import dataclasses
import functools

import numpy as np
import pytest

from simtrial.designs.config import SequencingDesignConfig, SimonDesignConfig, SingleArmDesignConfig, TwoArmDesignConfig
from simtrial.models.defaults import DEFAULT_POPULATION_PARAMETERS
from simtrial.trial import replicates
from simtrial.trial.calendar import run_trial
from simtrial.trial.calendar_vectorised import AccrualDraws, run_trials, site_open_times
from simtrial.trial.enrolment import MONTH_DAYS, Sites
from simtrial.trial.outcomes import OutcomeModel
from simtrial.trial.replicates import Plan, simulate
from simtrial.trial.visits import visit_days

SITES = Sites(3, 30.0, 1.0, 0.15)

DESIGNS = {
    "single_arm": SingleArmDesignConfig(n=30, p0=0.2, p1=0.4, alpha=0.05),
    "single_arm_looks": SingleArmDesignConfig(n=30, p0=0.2, p1=0.4, alpha=0.05, interim_fractions=[0.4, 0.7],
                                              theta_f=0.1, theta_e=0.99),
    "simon": SimonDesignConfig(p0=0.2, p1=0.4, alpha=0.05, power=0.8),
    "two_arm": TwoArmDesignConfig(n_per_arm=20),
    "two_arm_look": TwoArmDesignConfig(n_per_arm=20, interim_fractions=[0.5], theta_f=0.1, theta_e=0.99),
}


@functools.cache
def _design(name: str):
    """The design object of ``DESIGNS[name]``, built once (Simon's search takes seconds)."""
    return DESIGNS[name].to_domain()


def _assert_same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


def _both(plan: Plan, replicates: int, seed: int, chunk: int = 100):
    root = np.random.SeedSequence(seed)
    ref = simulate(dataclasses.replace(plan, calendar="simpy"), root, replicates, chunk)
    fast = simulate(dataclasses.replace(plan, calendar="vectorised"), root, replicates, chunk)
    return ref, fast


@pytest.mark.parametrize("pause", [True, False])
@pytest.mark.parametrize("dropout", [0.0, 1.5])
@pytest.mark.parametrize("design", sorted(DESIGNS))
def test_parametric_equal_to_simpy(design, dropout, pause):
    an = _design(design)
    model = OutcomeModel(regimens=("sirolimus",) * an.n_arms, landmark_day=168.0, switch_day=84.0,
                         followup_days=364.0, visits=visit_days(), p_response=(0.25, 0.45)[:an.n_arms],
                         dropout_per_year=dropout)
    ref, fast = _both(Plan(an, model, SITES, pause_at_looks=pause), 300, seed=len(design) + int(10 * dropout))
    _assert_same(ref, fast)
    if an.looks:  # the comparison covers early stops and, without pausing, overrun
        assert np.any(ref["decision"] == 0)
        if not pause:
            assert np.any(ref["n_enrolled"] > ref["n_assessed"])


@pytest.mark.parametrize("pause", [True, False])
def test_sequencing_biology_equal_to_simpy(pause):
    cfg = SequencingDesignConfig(n_per_arm=10, interim_fractions=[0.5], theta_f=0.2, theta_e=0.95)
    model = OutcomeModel(regimens=(cfg.regimen_a, cfg.regimen_b), landmark_day=168.0, switch_day=84.0,
                         followup_days=364.0, visits=visit_days(), dropout_per_year=1.0,
                         parameters=lambda r: DEFAULT_POPULATION_PARAMETERS, draw_index=lambda r: 0)
    ref, fast = _both(Plan(cfg.to_domain(), model, SITES, pause_at_looks=pause), 120, seed=3, chunk=60)
    _assert_same(ref, fast)
    assert np.any(ref["exposed_both"][:, 0] > 0)


def test_all_sites_open_at_once_and_long_trials():
    """Sites opening on day 0, and trials needing more than two batches of accrual draws."""
    an = SingleArmDesignConfig(n=150, p0=0.2, p1=0.4, alpha=0.05, interim_fractions=[0.5],
                               theta_f=0.05, theta_e=0.999).to_domain()
    model = OutcomeModel(regimens=("sirolimus",), landmark_day=168.0, switch_day=84.0, followup_days=364.0,
                         visits=visit_days(), p_response=(0.3,))
    for sites in (Sites(2, 0.0, 0.2 * MONTH_DAYS, 0.5), Sites(5, 45.0, 0.05 * MONTH_DAYS, 0.4)):
        ref, fast = _both(Plan(an, model, sites), 60, seed=2, chunk=25)
        _assert_same(ref, fast)
        assert ref["referred"].max() > 128


class _Scripted:
    """An accrual stream with chosen gaps (and uniforms of 0.5)."""

    def __init__(self, gaps):
        self.gaps = list(gaps)

    def standard_exponential(self, size):
        out, self.gaps = np.array((self.gaps + [1.0] * size)[:size]), self.gaps[size:]
        return out

    def random(self, size):
        return np.full(size, 0.5)


class _ScriptedDraws(AccrualDraws):
    """The vectorised calendar's reading of :class:`_Scripted` streams."""

    def __init__(self, gaps):
        self.scripts = [list(g) for g in gaps]

    def pairs(self, rows, first, width):
        gap = np.array([(self.scripts[r] + [1.0] * (f + width))[f:f + width] for r, f in zip(rows, first)])
        return gap, np.full(gap.shape, 0.5)


def test_tie_with_a_site_opening_is_left_to_simpy():
    """A referral due exactly when a site opens is flagged; the others match simpy."""
    sites = Sites(2, 30.0, 0.5 * MONTH_DAYS, 0.1)
    assert site_open_times(sites).tolist() == [0.0, 30.0]
    an = SingleArmDesignConfig(n=5, p0=0.2, p1=0.4, alpha=0.05).to_domain()
    arm, resp, delay = np.zeros((2, 5), int), np.ones((2, 5), bool), np.full((2, 5), 175.0)
    gaps = [[15.0], [14.5]]  # 15 / 0.5 = 30.0: due exactly at the opening; 29 then 31 (redrawn)
    rec = run_trials(an, arm, resp, delay, sites, _ScriptedDraws(gaps))
    assert rec.exact.tolist() == [False, True]
    ref = run_trial(an, arm[1], resp[1], delay[1], sites, _Scripted(gaps[1]))
    assert (rec.duration_days[1], rec.referred[1], rec.n_events[1]) == (ref.duration_days, ref.referred, ref.n_events)


def test_flagged_trials_are_rerun_with_simpy(monkeypatch):
    an = _design("two_arm_look")
    model = OutcomeModel(regimens=("sirolimus",) * 2, landmark_day=168.0, switch_day=84.0, followup_days=364.0,
                         visits=visit_days(), p_response=(0.3, 0.5))
    plan = Plan(an, model, SITES)
    real = replicates.run_trials

    def spoiled(*args, **kwargs):
        rec = real(*args, **kwargs)
        rec.exact[::3] = False
        rec.duration_days[::3] = -1.0  # a wrong value the simpy re-run must replace
        return rec

    monkeypatch.setattr(replicates, "run_trials", spoiled)
    ref, fast = _both(plan, 90, seed=5, chunk=40)
    _assert_same(ref, fast)


def test_arm_summaries_match_nanmean():
    """The vectorised per-arm means equal np.nanmean over each trial's selection (to rounding),
    and a row's mean does not depend on the other rows."""
    rng = np.random.default_rng(0)
    r, n = 400, 300
    values = rng.gamma(2.0, 37.3, (r, n))
    values[rng.random((r, n)) < 0.3] = np.nan
    sel = rng.random((r, n)) < rng.random((r, 1))
    got = replicates._selected_mean(values, sel)
    for i in range(r):
        v = values[i][sel[i]]
        want = float(np.nanmean(v)) if np.any(~np.isnan(v)) else np.nan
        np.testing.assert_allclose(got[i], want, rtol=1e-13, err_msg=str(i))
    np.testing.assert_array_equal(replicates._selected_mean(values[7:9], sel[7:9]), got[7:9])


def test_auto_calendar_is_numpy_without_biology_and_simpy_with_it(monkeypatch):
    an = _design("two_arm_look")
    para = OutcomeModel(regimens=("sirolimus",) * 2, landmark_day=168.0, switch_day=84.0, followup_days=364.0,
                        visits=visit_days(), p_response=(0.3, 0.5))
    bio = dataclasses.replace(para, p_response=None, parameters=lambda r: DEFAULT_POPULATION_PARAMETERS,
                              draw_index=lambda r: 0)
    assert Plan(an, para, SITES).calendar_used == "vectorised"
    assert Plan(an, bio, SITES).calendar_used == "simpy"
    assert Plan(an, para, SITES, calendar="simpy").calendar_used == "simpy"
    called = []
    monkeypatch.setattr(replicates, "run_trials", lambda *a, **k: called.append(1) or pytest.fail("numpy calendar"))
    simulate(Plan(an, bio, SITES), np.random.SeedSequence(0), 3)
    assert not called


def test_unknown_calendar_is_refused():
    from simtrial.trial.config import SimulationConfig

    with pytest.raises(ValueError, match="calendar"):
        SimulationConfig(calendar="fast")
    an = _design("single_arm")
    model = OutcomeModel(regimens=("sirolimus",), landmark_day=168.0, switch_day=84.0, followup_days=364.0,
                         visits=visit_days(), p_response=(0.3,))
    with pytest.raises(ValueError, match="calendar"):
        simulate(Plan(an, model, SITES, calendar="fast"), np.random.SeedSequence(0), 2)


def test_chunk_allocation_equals_per_trial_blocks():
    """allocate() over a chunk gives each trial's permuted_blocks + cap_arms allocation."""
    from tests.oracles.randomisation import cap_arms, permuted_blocks
    from simtrial.trial.streams import counter_stream

    rng = np.random.default_rng(1)
    for n_per_arm, block in ((7, 2), (20, 4), (30, 6)):
        an = TwoArmDesignConfig(n_per_arm=n_per_arm).to_domain()
        model = OutcomeModel(regimens=("sirolimus",) * 2, landmark_day=168.0, switch_day=84.0, followup_days=364.0,
                             visits=visit_days(), p_response=(0.3, 0.5))
        plan, root, reps = Plan(an, model, SITES, block_size=block), np.random.SeedSequence(n_per_arm), list(range(3, 83))
        strata = rng.integers(0, 4, (len(reps), an.n_max)) * (rng.random((len(reps), 1)) < 0.8)
        got = replicates.allocate(plan, root, reps, strata.ravel()).reshape(len(reps), -1)
        for i, r in enumerate(reps):
            gens = {int(s): counter_stream(root, r, "randomisation", int(s)) for s in np.unique(strata[i])}
            np.testing.assert_array_equal(got[i], cap_arms(permuted_blocks(strata[i], block, gens), n_per_arm))


@pytest.mark.slow
def test_oc_nc_identical_from_the_command_line(tmp_path):
    import xarray as xr

    from tests.support.cli import run_dirs, run_simtrial

    common = ["experiment=two_arm", "design.interim_fractions=[0.5]", "design.theta_f=0.1", "simulation.replicates=200",
              "simulation.dropout_per_year=1.0", "simulation.pause_at_looks=false", "scenario=parametric", "seed=8"]
    sets = {}
    for calendar in ("simpy", "vectorised"):
        proc = run_simtrial([*common, f"simulation.calendar={calendar}"], tmp_path / calendar)
        assert proc.returncode == 0, proc.stderr[-2000:]
        (run_dir,) = run_dirs(tmp_path / calendar)
        sets[calendar] = xr.open_dataset(run_dir / "oc.nc")
    assert sets["simpy"].equals(sets["vectorised"])
    assert int((sets["simpy"]["decision"] == 0).sum()) > 0
