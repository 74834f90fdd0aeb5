"""The full quickstart (figures, calibration, simulation under the fresh posterior) from the
command line, as `make run` runs it. Its 3-minute budget is measured in benchmarks/bench_quickstart.py
(speed goals are not timed tests)."""

import json

import pytest

from tests.support.cli import run_dirs, run_simtrial


@pytest.mark.slow
def test_full_quickstart_calibrates_then_simulates(tmp_path):
    env = {"PYTENSOR_FLAGS": f"base_compiledir={tmp_path / 'pytensor'}"}  # cold compile cache
    proc = run_simtrial(["experiment=quickstart"], tmp_path / "results", timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (run_dir,) = run_dirs(tmp_path / "results")
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["status"] == "ok" and summary["steps"] == ["figures", "calibrate", "simulate"]
    assert summary["figures_differing"] == 0
    cal = summary["calibration"]
    assert cal["diagnostics_ok"] and cal["divergences"] == 0
    assert cal["ppc_covered"] == cal["ppc_total"]
    sim = summary["simulation"]
    assert sim["scenario"]["posterior"] == str(run_dir / "calibration" / "posterior.nc")
    assert 0 <= sim["assurance"] <= 1 and sim["assurance_mcse"] > 0
    for name in ("published_figures.csv", "calibration/posterior.nc", "calibration/report.html",
                 "simulation/oc.nc", "simulation/duration.png"):
        assert (run_dir / name).exists(), name
    print(f"quickstart wall time {summary['wall_time_s']:.0f} s (budget 180 s, see benchmarks/bench_quickstart.py)")
