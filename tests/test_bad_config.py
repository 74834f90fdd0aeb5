"""Every kind of bad config value named in the hardening issue, through ``python -m simtrial``:
one message naming the field and what is allowed, a non-zero exit, no run directory that claims
success."""

import pytest

from tests.support.cli import ok_runs, run_simtrial

CASES = [
    # values out of range
    (["experiment=single_arm", "design.n=-3"], "design.n: must be an integer >= 1"),
    (["experiment=single_arm", "design.n=0"], "design.n: must be an integer >= 1"),
    (["experiment=two_arm", "design.n_per_arm=0"], "design.n_per_arm: must be an integer >= 1"),
    (["experiment=simon", "design.p0=0.5", "design.p1=0.4"], "design.p1: must exceed p0"),
    (["experiment=single_arm", "design.p0=1.2"], "design.p0: must be in (0, 1)"),
    (["experiment=single_arm", "scenario.p_response=[1.5]"], "scenario.p_response: every entry must be in [0, 1]"),
    (["experiment=single_arm", "design.alpha=0.6"], "design.alpha: must be in (0, 0.5)"),
    (["experiment=two_arm", "design.alpha=0"], "design.alpha: must be in (0, 0.5)"),
    (["experiment=sequencing", "design.alpha=0.5"], "design.alpha: must be in (0, 0.5)"),
    (["experiment=patient_models", "model.tdm.window_low=15", "model.tdm.window_high=5"],
     "model.tdm.target_trough: need 0 < window_low < target_trough < window_high"),
    (["experiment=sequencing", "design.switch_day=400"], "design.switch_day: must be < simulation.followup_days"),
    (["experiment=single_arm", "simulation.replicates=0"], "simulation.replicates: must be an integer >= 1"),
    (["experiment=single_arm", "simulation.workers=0"], "simulation.workers: must be an integer >= 1"),
    (["experiment=two_arm", "design.block_size=14"], "design.block_size: must be an even number from 2 to 12"),
    (["experiment=two_arm", "simulation.calendar=fast"],
     "simulation.calendar: must be one of ['auto', 'simpy', 'vectorised']"),
    (["experiment=single_arm", "simulation.replicates=2.5"],
     "Value '2.5' of type 'float' could not be converted to Integer"),
    # unknown study, option, key; wrong type
    (["experiment=no_such"], "experiment: unknown study 'no_such'"),
    (["experiment=single_arm", "design=nope"], "Could not find 'design/nope'"),
    (["experiment=single_arm", "scenario=nope"], "Could not find 'scenario/nope'"),
    (["experiment=single_arm", "design.nn=3"], "Key 'nn' not in"),
    (["experiment=single_arm", "design.n=ten"], "Value 'ten' of type 'str' could not be converted to Integer"),
    # posterior files
    (["experiment=single_arm", "scenario=posterior", "scenario.posterior=/nonexistent/posterior.nc"],
     "scenario.posterior: file not found: /nonexistent/posterior.nc"),
    (["experiment=single_arm", "scenario=posterior", "scenario.posterior=/etc/hostname"],
     "scenario.posterior: /etc/hostname is not a NetCDF posterior file"),
]


@pytest.mark.slow
def test_posterior_lacking_the_parameters(tmp_path):
    import numpy as np
    import xarray as xr

    path = tmp_path / "lacking.nc"
    xr.Dataset({"x": ("draw", np.arange(3.0))}).to_netcdf(path)
    proc = run_simtrial(["experiment=single_arm", "scenario=posterior", f"scenario.posterior={path}"], tmp_path / "r")
    assert proc.returncode != 0
    assert f"scenario.posterior: {path} has no 'posterior' group" in proc.stderr
    assert ok_runs(tmp_path / "r") == []


@pytest.mark.slow
@pytest.mark.parametrize("args, message", CASES, ids=[" ".join(a[1:]) or a[0] for a, _ in CASES])
def test_bad_config_value(tmp_path, args, message):
    proc = run_simtrial(args, tmp_path)
    assert proc.returncode != 0
    assert message in proc.stderr, proc.stderr[-2000:]
    assert ok_runs(tmp_path) == []
