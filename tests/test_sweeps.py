"""Sweeps: the same numbers whatever the launcher and number of workers; resuming a sweep."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from simtrial.aggregate import comparable
from tests.support.cli import run_simtrial

#: A small sweep of a seeded study: each job's figures depend on its seed.
STUDY = ["experiment=patient_models", "seed=11,12,13"]


def sweep_dir(results: Path) -> Path:
    (found,) = results.glob("*/multirun/*")
    return found


def job_figures(sweep: Path) -> dict[str, dict]:
    """Job number -> its summary without timestamps, pids and wall times."""
    out = {}
    for summary in sorted(sweep.glob("[0-9]*/summary.json")):
        out[summary.parent.name] = comparable(json.loads(summary.read_text()))
    return out


def run_sweep(results: Path, *extra: str) -> Path:
    proc = run_simtrial(["-m", *STUDY, *extra], results, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return sweep_dir(results)


@pytest.mark.slow
def test_same_numbers_on_basic_and_joblib_with_one_or_two_workers(tmp_path):
    basic = job_figures(run_sweep(tmp_path / "basic"))
    assert len(basic) == 3 and all(s["status"] == "ok" for s in basic.values())
    assert len({json.dumps(s["response_rate_by_group"]) for s in basic.values()}) == 3  # seeds matter
    for workers in (1, 2):
        got = job_figures(run_sweep(tmp_path / f"joblib{workers}", "hydra/launcher=joblib",
                                    f"hydra.launcher.n_jobs={workers}"))
        assert got == basic, f"joblib with {workers} worker(s) differs from the basic launcher"


@pytest.mark.slow
def test_resume_reruns_only_unfinished_jobs_and_matches_an_uninterrupted_sweep(tmp_path):
    sweep = run_sweep(tmp_path)
    reference = job_figures(sweep)
    started = {n: json.loads((sweep / n / "summary.json").read_text())["started"] for n in reference}
    # Job 1 lost its node (no summary), job 2 was killed mid-run (summary says running).
    (sweep / "1" / "summary.json").unlink()
    killed = json.loads((sweep / "2" / "summary.json").read_text())
    (sweep / "2" / "summary.json").write_text(json.dumps({**killed, "status": "running"}))
    proc = run_simtrial(["-m", *STUDY, f"hydra.sweep.dir={sweep}", "run.resume=true"], tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    output = proc.stdout + proc.stderr
    assert "job 0: already ok, skipped (run.resume=true)" in output
    assert "study patient_models started" in output and output.count("study patient_models started") == 2
    after = {n: json.loads((sweep / n / "summary.json").read_text()) for n in reference}
    assert after["0"]["started"] == started["0"]  # not redone
    assert job_figures(sweep) == reference
    table = pd.read_csv(sweep / "oc_table.csv")
    assert list(table["status"]) == ["ok", "ok", "ok"]


def test_resume_is_ignored_outside_a_sweep_directory_with_results(tmp_path):
    """run.resume=true on a fresh sweep runs every job (nothing to skip)."""
    proc = run_simtrial(["-m", "experiment=quickstart", "quickstart.steps=[figures]", "seed=1,2", "run.resume=true"], tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "skipped" not in proc.stdout + proc.stderr
    assert len(list(sweep_dir(tmp_path).glob("[0-9]*/summary.json"))) == 2
