"""The four trial experiments with their overrides and outputs (in-process: composed and
validated as the entry point does, then the study run), one real command line, and bad input."""

import json

import pytest
import xarray as xr

from simtrial.config.commandline import check_command_line
from simtrial.config.errors import ConfigError

from tests.support.cli import ok_runs, run_dirs, run_in_process, run_simtrial


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
    run_dir = tmp_path / "run"
    s = run_in_process([f"experiment={experiment}", "simulation.replicates=40", "seed=5", *extra], run_dir)
    assert s["replicates"] == 40
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


def test_one_real_command_line(tmp_path):
    run_dir, s = _one(tmp_path, ["experiment=two_arm", "simulation.replicates=30", "seed=3"])
    assert s["status"] == "ok" and s["seed"] == 3 and s["replicates"] == 30
    assert (run_dir / "oc.nc").is_file() and (run_dir / "config.yaml").is_file()


def test_same_seed_gives_identical_oc(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    run_in_process(["experiment=two_arm", "simulation.replicates=30", "seed=3"], a)
    run_in_process(["experiment=two_arm", "simulation.replicates=30", "seed=3", "simulation.chunk_size=7"], b)
    assert xr.open_dataset(a / "oc.nc").equals(xr.open_dataset(b / "oc.nc"))


@pytest.mark.parametrize("override, field", [
    ("design.p0=1.5", "design.p0"),
    ("design.n=0", "design.n"),
    ("simulation.replicates=0", "simulation.replicates"),
    ("scenario.p_response=[0.2,0.3,0.4]", "scenario.p_response"),
])
def test_bad_values_name_the_field(override, field):
    with pytest.raises(ConfigError, match=field.replace(".", r"\.")):
        check_command_line(["experiment=single_arm", override])


def test_unknown_scenario_fails():
    with pytest.raises(ConfigError, match="scenario: unknown option 'nope'"):
        check_command_line(["experiment=single_arm", "scenario=nope"])


def test_wrong_number_of_rates_for_two_arms():
    with pytest.raises(ConfigError, match=r"scenario\.p_response: must have one rate per arm of the design \(2\)"):
        check_command_line(["experiment=two_arm", "scenario.p_response=[0.3]"])
