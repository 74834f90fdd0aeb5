"""The four trial experiments from the command line, their overrides, outputs and bad input."""

import json

import pytest
import xarray as xr

from tests.support.cli import ok_runs, run_dirs, run_simtrial


def _one(tmp_path, args):
    proc = run_simtrial(args, tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    (run_dir,) = run_dirs(tmp_path)
    return run_dir, json.loads((run_dir / "summary.json").read_text())


@pytest.mark.parametrize("experiment, extra", [
    ("single_arm", ["design.n=30", "design.p0=0.25", "scenario=null_hypothesis"]),
    ("simon", ["design.kind=minimax", "scenario=parametric", "scenario.p_response=[0.3]"]),
    ("two_arm", ["design.n_per_arm=15", "design.alpha=0.1", "scenario.p_response=[0.2,0.7]"]),
    ("sequencing", ["design.n_per_arm=8", "design.switch_day=56"]),
])
def test_experiment_runs_with_overrides(tmp_path, experiment, extra):
    run_dir, s = _one(tmp_path, [f"experiment={experiment}", "simulation.replicates=40", "seed=5", *extra])
    assert s["status"] == "ok" and s["seed"] == 5 and s["replicates"] == 40
    for key in ("reject_rate", "reject_rate_mcse", "expected_n", "expected_n_mcse", "pet", "pet_mcse",
                "duration_months", "arms", "design"):
        assert key in s
    assert set(s["duration_months"]) >= {"median", "p05", "p95"}
    ds = xr.open_dataset(run_dir / "oc.nc")
    assert ds.sizes["replicate"] == 40 and "arm" in ds.dims
    for png in ("duration.png", "responders.png", "decisions.png"):
        assert (run_dir / png).stat().st_size > 0
    if experiment == "simon":
        assert {"r1", "n1", "r", "n", "exact_pet_p0", "exact_expected_n_p0"} <= set(s["design"])
        assert s["scenario"]["p_response"] == [0.3]
    if experiment == "two_arm":
        assert s["design"]["n_per_arm"] == 15 and s["arms"]["A"]["mean_n"] == 15
    if experiment == "sequencing":
        assert s["design"]["switch_day"] == 56 and s["arms"]["A"]["share_exposed_both"] is not None
    if experiment == "single_arm":
        assert s["exact"]["reject_rate"] < 0.06 and s["design"]["n"] == 30


def test_same_seed_gives_identical_oc(tmp_path):
    a, _ = _one(tmp_path / "a", ["experiment=two_arm", "simulation.replicates=30", "seed=3"])
    b, _ = _one(tmp_path / "b", ["experiment=two_arm", "simulation.replicates=30", "seed=3",
                                 "simulation.chunk_size=7"])
    assert xr.open_dataset(a / "oc.nc").equals(xr.open_dataset(b / "oc.nc"))


@pytest.mark.parametrize("override, field", [
    ("design.p0=1.5", "design.p0"),
    ("design.n=0", "design.n"),
    ("simulation.replicates=0", "simulation.replicates"),
    ("scenario.p_response=[0.2,0.3,0.4]", "scenario.p_response"),
])
def test_bad_values_name_the_field(tmp_path, override, field):
    proc = run_simtrial(["experiment=single_arm", override], tmp_path)
    assert proc.returncode != 0
    assert field in proc.stderr
    assert ok_runs(tmp_path) == []


def test_unknown_scenario_fails(tmp_path):
    proc = run_simtrial(["experiment=single_arm", "scenario=nope"], tmp_path)
    assert proc.returncode != 0
    assert "scenario" in proc.stderr and "nope" in proc.stderr


def test_wrong_number_of_rates_for_two_arms(tmp_path):
    proc = run_simtrial(["experiment=two_arm", "scenario.p_response=[0.3]", "simulation.replicates=10"], tmp_path)
    assert proc.returncode != 0
    assert "scenario.p_response" in proc.stderr
