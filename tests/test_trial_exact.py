"""Parametric mode against exact operating characteristics (|z| < 3)."""

import numpy as np
import pytest

from simtrial.designs.config import SimonDesignConfig, SingleArmDesignConfig, TwoArmDesignConfig
from simtrial.designs import fisher_power
from simtrial.trial.enrolment import Sites
from simtrial.trial.outcomes import OutcomeModel
from simtrial.trial.replicates import Plan, simulate
from simtrial.trial.results import summarise
from simtrial.trial.visits import visit_days

SITES = Sites(3, 30.0, 1.0, 0.1)


def _run(cfg, p, reps, seed=11, regimens=None):
    an = cfg.to_domain()
    model = OutcomeModel(regimens=regimens or ("sirolimus",) * an.n_arms, landmark_day=168.0, switch_day=84.0,
                         followup_days=364.0, visits=visit_days(), p_response=tuple(p))
    res = simulate(Plan(an, model, SITES), np.random.SeedSequence(seed), reps, chunk_size=1000)
    return summarise(res, an, model.regimens, an.exact_at(tuple(p)))


def _z_ok(s, keys=("reject_rate", "pet", "expected_n")):
    for k in keys:
        z = s["exact_z"][k]
        assert z is not None and abs(z) < 3, (k, s[k], s["exact"][k], z)


@pytest.mark.parametrize("p", [0.2, 0.4])
def test_single_arm_size_and_power(p):
    s = _run(SingleArmDesignConfig(n=35, p0=0.2, p1=0.4, alpha=0.05), [p], 3000)
    _z_ok(s, ("reject_rate",))
    assert s["expected_n"] == 35


# published Simon rows (Simon 1989; docs/designs.md)
SIMON = [
    (0.1, 0.3, 0.05, 0.8, "optimal", (1, 10, 5, 29)),
    (0.2, 0.4, 0.05, 0.8, "optimal", (3, 13, 12, 43)),
    (0.2, 0.4, 0.05, 0.8, "minimax", (4, 18, 10, 33)),
    (0.3, 0.5, 0.05, 0.8, "optimal", (5, 15, 18, 46)),
]


@pytest.mark.slow
@pytest.mark.parametrize("p0, p1, alpha, power, kind, rows", SIMON)
def test_simon_pet_en_and_rejection_at_p0_and_p1(p0, p1, alpha, power, kind, rows):
    cfg = SimonDesignConfig(p0=p0, p1=p1, alpha=alpha, power=power, kind=kind, n_max=60)
    for p in (p0, p1):
        s = _run(cfg, [p], 2500, seed=int(p * 100))
        d = s["design"]
        assert (d["r1"], d["n1"], d["r"], d["n"]) == rows
        _z_ok(s)


def test_simon_one_row_fast():
    s = _run(SimonDesignConfig(p0=0.2, p1=0.4, alpha=0.05, power=0.8), [0.2], 2000)
    assert (s["design"]["r1"], s["design"]["n1"], s["design"]["r"], s["design"]["n"]) == (3, 13, 12, 43)
    _z_ok(s)


@pytest.mark.slow
@pytest.mark.parametrize("pa, pb", [(0.3, 0.6), (0.4, 0.4)])
def test_two_arm_fisher_power_by_enumeration(pa, pb):
    cfg = TwoArmDesignConfig(n_per_arm=20, alpha=0.05)
    s = _run(cfg, [pa, pb], 2500)
    exact = float(fisher_power(pa, pb, 20, 20, 0.05, "greater"))
    assert abs(s["exact"]["reject_rate"] - exact) < 1e-12
    _z_ok(s, ("reject_rate",))
    assert s["arms"]["A"]["mean_n"] == s["arms"]["B"]["mean_n"] == 20


def test_interim_pp_design_matches_exact_oc():
    cfg = SingleArmDesignConfig(n=30, p0=0.2, p1=0.4, alpha=0.05, interim_fractions=[0.4, 0.7],
                                theta_f=0.1, theta_e=0.99)
    for p in (0.2, 0.4):
        s = _run(cfg, [p], 3000, seed=5)
        _z_ok(s)
        assert s["pet"] > 0
