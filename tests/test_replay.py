"""python -m simtrial.replay re-runs a run directory and checks its figures."""

import json
import subprocess
import sys

from simtrial.replay import compare
from tests.support.cli import REPO, run_dirs, run_simtrial


def _replay(run_dir):
    return subprocess.run([sys.executable, "-m", "simtrial.replay", str(run_dir)], capture_output=True,
                          text=True, cwd=REPO, timeout=300)


def test_compare_ignores_volatile_fields_only():
    a = {"status": "ok", "started": "t1", "wall_time_s": 1.0, "x": {"y": [1, 2.5]}}
    b = {"status": "ok", "started": "t2", "wall_time_s": 9.0, "x": {"y": [1, 2.5]}}
    assert compare(a, b) == []
    b["x"]["y"][1] = 2.6
    assert compare(a, b) == ["x.y[1]: 2.5 != 2.6"]
    assert compare({"a": 1}, {}) == ["a: only in replay"] or compare({"a": 1}, {}) == ["a: only in original"]


def test_replay_matches_then_detects_a_changed_figure(tmp_path):
    proc = run_simtrial(["experiment=quickstart", "quickstart.steps=[figures]", "seed=11"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    (run_dir,) = run_dirs(tmp_path)
    ok = _replay(run_dir)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "OK: all figures match" in ok.stdout
    summary_path = run_dir / "summary.json"
    summary = json.loads(summary_path.read_text())
    summary["figures_agreeing"] += 1
    summary_path.write_text(json.dumps(summary))
    bad = _replay(run_dir)
    assert bad.returncode == 1
    assert "figures_agreeing" in bad.stdout


def test_replay_refuses_a_run_that_did_not_finish_ok(tmp_path):
    run_dir = tmp_path / "x"
    run_dir.mkdir()
    (run_dir / "summary.json").write_text(json.dumps({"status": "running"}))
    proc = _replay(run_dir)
    assert proc.returncode == 2
    assert "only a run that finished ok can be replayed" in proc.stderr
