"""Group-sequential boundaries, power and sample size equal to rpact 3.3.4.

The reference numbers are in tests/fixtures/rpact/group_sequential.json, written by
tests/fixtures/rpact/group_sequential.R (run it to reproduce; the slow test below does). For
each case, in R::

    library(rpact)
    d <- getDesignGroupSequential(kMax = 2, informationRates = c(0.5, 1), alpha = 0.025,
                                  sided = 1, typeOfDesign = "asOF")
    d$criticalValues                 # 2.962588 1.968596
    ch <- getDesignCharacteristics(d)
    ch$shift; ch$inflationFactor     # 7.878117 ...
    getPowerRates(d, groups = 2, pi1 = 0.65, pi2 = 0.40, maxNumberOfSubjects = 80)$overallReject
                                     # 0.6115537
    getSampleSizeRates(d, groups = 2, pi1 = 0.65, pi2 = 0.40)$maxNumberOfSubjects   # 123.3413
    getSimulationRates(d, groups = 2, pi1 = 0.65, pi2 = 0.40, plannedSubjects = c(40, 80),
                       maxNumberOfIterations = 100000, seed = 20261203)$overallReject  # 0.63857

The other cases (2 to 5 looks; asOF, asP, asHSD(-4), asKD(2), WT(0.25), OF, P; beta spending
bsOF/bsP/bsHSD(-2) and fixed futility bounds, binding and non-binding; one- and two-sided; one
and two groups, allocation 2:1) follow the same pattern with the arguments stored in the JSON.
Boundaries, alpha/beta spent, analytic power and exit probabilities agree to 1e-4 (in fact
about 1e-6); sample sizes to 1e-5 relative; the exact enumeration agrees with rpact's
simulation of the same test within 4 Monte Carlo standard errors.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from simtrial.designs.group_sequential import GroupSequentialDesign
from simtrial.designs.group_sequential.rates import GroupSequentialRates, sample_size_rates

FIXTURES = Path(__file__).parent / "fixtures" / "rpact"
REFERENCE = json.loads((FIXTURES / "group_sequential.json").read_text())
CASES = {c["id"]: c for c in REFERENCE["cases"]}
TOL = 1e-4


def _na(values) -> np.ndarray:
    return np.array([np.nan if v in ("NA", None) else v for v in np.atleast_1d(values)], float)


def design_of(case: dict) -> GroupSequentialDesign:
    a = case["design"]
    return GroupSequentialDesign(
        information_rates=np.atleast_1d(a["informationRates"]).tolist(), alpha=a["alpha"], beta=a.get("beta", 0.2),
        sided=a["sided"], type_of_design=a["typeOfDesign"], gamma_a=a.get("gammaA"), delta_wt=a.get("deltaWT"),
        type_beta_spending=a.get("typeBetaSpending", "none"), gamma_b=a.get("gammaB"),
        futility_bounds=None if "futilityBounds" not in a else np.atleast_1d(a["futilityBounds"]).tolist(),
        binding_futility=a.get("bindingFutility", False))


def rates_of(design: GroupSequentialDesign, args: dict, n_max: int | None = None) -> GroupSequentialRates:
    two = args["groups"] == 2
    return GroupSequentialRates(design, n_max=n_max or args["maxNumberOfSubjects"], pi1=args["pi1"],
                                pi2=args["pi2"] if two else None, theta_h0=args.get("thetaH0"),
                                allocation_ratio=args.get("allocationRatioPlanned", 1.0))


def check_case(case: dict) -> None:
    d = design_of(case)
    np.testing.assert_allclose(d.critical_values, case["criticalValues"], atol=TOL)
    fut = _na(case["futilityBounds"])
    if d.futility is None:
        assert np.all(fut <= -6)
    else:
        np.testing.assert_allclose(d.futility, fut, atol=TOL)
    np.testing.assert_allclose(d.alpha_spent, case["alphaSpent"], atol=TOL)
    beta = _na(case["betaSpent"])
    if not np.all(np.isnan(beta)):
        np.testing.assert_allclose(d.beta_spent, beta, atol=TOL)
    np.testing.assert_allclose(d.stage_levels, case["stageLevels"], atol=TOL)
    ch, ref = d.characteristics, case["characteristics"]
    np.testing.assert_allclose(np.sqrt(ch.shift), np.sqrt(ref["shift"]), atol=TOL)
    np.testing.assert_allclose(ch.inflation_factor, ref["inflationFactor"], atol=TOL)
    for name, key in (("asn_h1", "averageSampleNumber1"), ("asn_h01", "averageSampleNumber01"),
                      ("asn_h0", "averageSampleNumber0")):
        np.testing.assert_allclose(getattr(ch, name), ref[key], atol=TOL)
    for p in case["power"]:
        r = rates_of(d, p["args"])
        np.testing.assert_allclose(r.power, p["overallReject"], atol=TOL)
        np.testing.assert_allclose(r.exit.reject, p["rejectPerStage"], atol=TOL)
        if d.futility is not None:
            np.testing.assert_allclose(r.exit.futility[:-1], p["futilityPerStage"], atol=TOL)
        np.testing.assert_allclose(r.exit.stop.sum(), p["earlyStop"], atol=TOL)
        np.testing.assert_allclose(r.expected_n / r.n_max, p["expectedNumberOfSubjects"] / r.n_max, atol=TOL)
    for s in case["sampleSize"]:
        a = s["args"]
        got = sample_size_rates(d, pi1=a["pi1"], pi2=a.get("pi2") if a["groups"] == 2 else None,
                                theta_h0=a.get("thetaH0"), allocation_ratio=a.get("allocationRatioPlanned", 1.0))
        np.testing.assert_allclose(got.n_fixed, s["nFixed"], rtol=1e-8)
        np.testing.assert_allclose(got.n_max, s["maxNumberOfSubjects"], rtol=1e-5)
        np.testing.assert_allclose(got.n_per_look, s["numberOfSubjects"], rtol=1e-5)
        for name, key in (("expected_n_h0", "expectedNumberOfSubjectsH0"),
                          ("expected_n_h01", "expectedNumberOfSubjectsH01"),
                          ("expected_n_h1", "expectedNumberOfSubjectsH1")):
            np.testing.assert_allclose(getattr(got, name), s[key], rtol=1e-5)


def check_simulation(case: dict) -> None:
    """rpact's getSimulationRates runs the same test on binomial data: the exact enumeration
    must agree within Monte Carlo error (|z| < 4 per figure)."""
    d = design_of(case)
    for sim in case.get("simulation", []):
        a = sim["args"]
        planned = np.atleast_1d(a["plannedSubjects"])
        r = rates_of(d, a, n_max=int(planned[-1]))
        assert np.array_equal(r.n_per_look.sum(0), planned)
        ex = r.exact()
        n = sim["iterations"]
        for got, want in [(ex.power, sim["overallReject"]), *zip(ex.reject, sim["rejectPerStage"])]:
            se = np.sqrt(max(got * (1 - got), 1e-12) / n)
            assert abs(got - want) / se < 4, (case["id"], got, want)
        if d.futility is not None:
            for got, want in zip(ex.futility[:-1], _na(sim["futilityPerStage"])):
                se = np.sqrt(max(got * (1 - got), 1e-12) / n)
                assert abs(got - want) / se < 4, (case["id"], got, want)


def test_reference_is_rpact_334():
    assert REFERENCE["rpact_version"] == "3.3.4"
    assert len(CASES) >= 16


@pytest.mark.parametrize("case_id", list(CASES))
def test_equal_to_rpact(case_id):
    check_case(CASES[case_id])


@pytest.mark.parametrize("case_id", [c for c in CASES if CASES[c].get("simulation")])
def test_exact_matches_rpact_simulation(case_id):
    check_simulation(CASES[case_id])


def test_issue_example_power_0611():
    """The issue's example: 2 looks at 40/80 subjects, pi 0.65 vs 0.40, one-sided 0.025, asOF."""
    d = GroupSequentialDesign([0.5, 1.0], alpha=0.025, type_of_design="asOF")
    r = GroupSequentialRates(d, n_max=80, pi1=0.65, pi2=0.40)
    assert abs(r.power - 0.6115537) < 1e-4
    assert abs(r.exact().power - 0.63857) < 4 * np.sqrt(0.64 * 0.36 / 1e5)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("Rscript") is None, reason="R is not installed")
def test_rerun_rpact(tmp_path):
    """Rerun the R script and compare the fresh rpact numbers with this package."""
    ok = subprocess.run(["Rscript", "-e", "library(rpact); library(jsonlite)"], capture_output=True)
    if ok.returncode != 0:
        pytest.skip("rpact or jsonlite not installed")
    out = subprocess.run(["Rscript", str(FIXTURES / "group_sequential.R")], capture_output=True, text=True,
                         timeout=900, check=True).stdout
    fresh = json.loads(out)
    for case in fresh["cases"]:
        check_case(case)
        check_simulation(case)
