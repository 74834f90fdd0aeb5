"""A calibration whose diagnostics fail is reported as such and never used silently downstream
(hardening issue): through the command line, as a user would meet it."""

import json

import pytest

from tests.support.cli import run_dirs, run_simtrial


@pytest.mark.slow
def test_failed_diagnostics_are_reported_and_refused_downstream(tmp_path):
    # 2 chains x 30 draws cannot reach ESS >= 400: the diagnostics fail by construction.
    proc = run_simtrial(["experiment=calibrate", "calibration.draws=30", "calibration.tune=100",
                         "calibration.prior_draws=50"], tmp_path / "cal", timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (run_dir,) = run_dirs(tmp_path / "cal")
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["diagnostics_ok"] is False and summary["diagnostics_problems"]
    assert 'class="banner warning"' in (run_dir / "report.html").read_text()
    posterior = run_dir / "posterior.nc"

    args = ["experiment=single_arm", "scenario=posterior", f"scenario.posterior={posterior}",
            "simulation.replicates=50", "scenario.power_at_median=false"]
    refused = run_simtrial(args, tmp_path / "sim")
    assert refused.returncode != 0
    assert "calibration.allow_failed_diagnostics=true" in refused.stderr
    assert not any(json.loads((d / "summary.json").read_text())["status"] == "ok" for d in run_dirs(tmp_path / "sim"))

    allowed = run_simtrial(args + ["calibration.allow_failed_diagnostics=true"], tmp_path / "sim2")
    assert allowed.returncode == 0, allowed.stderr[-2000:]
