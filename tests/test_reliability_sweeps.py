"""Issue 13 items 12 and 14: sweeps are checked whole before any job runs; the tools read damaged
files with one line; a failed aggregation fails the sweep; workers stop with their sweep."""

from __future__ import annotations

import json
import os
import time

import pytest

from simtrial import callbacks, preflight
from simtrial.aggregate import read_sweep
from simtrial.aggregate.__main__ import main as aggregate_main


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SIMTRIAL_RESULTS", str(tmp_path / "results"))
    monkeypatch.setattr(preflight, "CREATED", [])
    return tmp_path


# --- item 14: the whole grid, and the sweep's own settings, before any job --------------------


def test_every_bad_grid_point_is_named_before_any_job_runs(fresh):
    with pytest.raises(preflight.PreflightError) as err:
        preflight.prepare(["-m", "experiment=single_arm", "design.n=10,0,20,-4"])
    assert err.value.lines == [
        "job 1 (experiment=single_arm design.n=0): design.n: must be an integer in [1, 10000]; got 0",
        "job 3 (experiment=single_arm design.n=-4): design.n: must be an integer in [1, 10000]; got -4",
    ]
    assert not (fresh / "results").exists()


@pytest.mark.parametrize("override,message", [
    ("hydra.callbacks.simtrial.targets.power=2", "hydra.callbacks.simtrial.targets.power: must be in (0, 1); got 2"),
    ("hydra.callbacks.simtrial.targets.rule=bogus", "hydra.callbacks.simtrial.targets.rule: must be 'estimate' or"),
    ("+hydra.callbacks.simtrial.targets.speed=1", "hydra.callbacks.simtrial.targets: "),
])
def test_sweep_targets_are_checked_before_any_job(fresh, override, message):
    with pytest.raises(preflight.PreflightError) as err:
        preflight.prepare(["-m", "experiment=single_arm", "design.n=10,20", override])
    assert len(err.value.lines) == 1 and err.value.lines[0].startswith(message)


@pytest.mark.parametrize("n_jobs", ["0", "-2"])
def test_joblib_workers_must_be_a_positive_count_or_minus_one(fresh, n_jobs):
    with pytest.raises(preflight.PreflightError, match="hydra.launcher.n_jobs: must be a number of workers"):
        preflight.prepare(["-m", "experiment=single_arm", "design.n=10,20", "hydra/launcher=joblib",
                           f"hydra.launcher.n_jobs={n_jobs}"])


def test_a_module_that_is_not_a_study_is_refused(fresh):
    with pytest.raises(preflight.PreflightError, match="study: unknown study 'context'; available: .*quickstart"):
        preflight.prepare(["experiment=single_arm", "study=context"])


def test_a_failed_aggregation_makes_the_sweep_exit_non_zero(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(callbacks, "SWEEP_STATUS", {})
    empty = tmp_path / "sweep"
    empty.mkdir()
    assert callbacks.aggregate_sweep(empty, {}) is False
    assert callbacks.SWEEP_STATUS == {"exit": 1}
    assert "simtrial: error: aggregation of the sweep failed" in capsys.readouterr().err


def test_a_worker_stops_when_its_sweep_process_is_gone():
    fired = []
    callbacks._WATCHING.clear()
    callbacks.watch_parent(os.getppid() + 1_000_000, interval=0.01, on_orphaned=lambda: fired.append(1))
    deadline = time.time() + 5
    while not fired and time.time() < deadline:
        time.sleep(0.01)
    assert fired == [1]
    callbacks._WATCHING.clear()
    calm = []
    callbacks.watch_parent(os.getppid(), interval=0.01, on_orphaned=lambda: calm.append(1))
    time.sleep(0.1)
    assert calm == []
    callbacks._WATCHING.clear()


# --- item 12: the tools on damaged files ------------------------------------------------------


@pytest.mark.parametrize("content,detail", [
    (b"[1, 2, 3]", "summary.json is not a run summary (a JSON list)"),
    (b'{"status": "ok", "reject', "unreadable summary.json: JSONDecodeError"),
    (b"\xff\xfe\x00binary", "unreadable summary.json: UnicodeDecodeError"),
    ('{"status": "ok"}'.encode("utf-16"), "unreadable summary.json"),
])
def test_aggregate_reads_a_damaged_summary_as_a_failed_job(tmp_path, content, detail):
    (tmp_path / "0" / ".hydra").mkdir(parents=True)
    (tmp_path / "0" / "summary.json").write_bytes(content)
    (tmp_path / "0" / ".hydra" / "hydra.yaml").write_text("- a list\n- not a mapping\n")
    (job,) = read_sweep(tmp_path)
    assert job.status == "failed" and job.detail.startswith(detail)


def test_aggregate_command_on_a_damaged_sweep_and_on_a_file(tmp_path, capsys):
    (tmp_path / "0").mkdir()
    (tmp_path / "0" / "summary.json").write_text("[]")
    assert aggregate_main([str(tmp_path), "--no-report"]) == 0
    out = capsys.readouterr().out
    assert "0 of 1 jobs ok" in out
    afile = tmp_path / "x.json"
    afile.write_text("{}")
    assert aggregate_main([str(afile)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"simtrial.aggregate: error: {afile} is a file, not a sweep directory "
                   "(give results/<experiment>/multirun/<timestamp>)"]


def test_a_bad_grid_point_fails_its_job_only_when_it_gets_past_the_preflight(tmp_path, monkeypatch):
    """In a sweep a job refused by the run itself is recorded as failed; nothing is deleted."""
    from simtrial import app

    (tmp_path / "keep.txt").write_text("x")
    monkeypatch.setattr(app, "_hydra_info", lambda: (tmp_path, "single_arm", "__main__", True))
    monkeypatch.setattr(app, "_overrides", lambda: ["design.n=0"])
    from omegaconf import OmegaConf

    summary = app._refuse("invalid config: design.n: must be an integer in [1, 10000]; got 0", tmp_path, "__main__",
                          True, "single_arm", ["design.n=0"])
    assert summary["status"] == "failed"
    assert json.loads((tmp_path / "summary.json").read_text())["error"].startswith("invalid config: design.n")
    assert (tmp_path / "keep.txt").exists()


@pytest.mark.slow
def test_joblib_workers_stop_when_the_sweep_process_is_killed(tmp_path):
    """Kill -9 the sweep's process mid-job: its workers notice within seconds, record failed, exit."""
    import signal
    import subprocess
    import sys

    from tests.support.cli import REPO

    env = {**os.environ, "SIMTRIAL_RESULTS": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-m", "simtrial", "-m", "experiment=patient_models",
                             "patient_models.n_patients=600000", "seed=1,2", "hydra/launcher=joblib",
                             "hydra.launcher.n_jobs=2"], cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 240
    running: list = []
    while time.time() < deadline and len(running) < 2:
        running = []
        for path in tmp_path.rglob("summary.json"):
            try:
                summary = json.loads(path.read_text())
            except ValueError:
                continue
            if summary.get("status") == "running":
                running.append((path, summary["pid"]))
        time.sleep(0.2)
    assert len(running) == 2, "the jobs never started"
    proc.kill()
    proc.wait(timeout=30)
    deadline = time.time() + 40

    def alive(pid):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True

    while time.time() < deadline and any(alive(pid) for _, pid in running):
        time.sleep(0.5)
    leftover = [pid for _, pid in running if alive(pid)]
    for pid in leftover:
        os.kill(pid, signal.SIGKILL)
    assert not leftover, "workers outlived their sweep"
    for path, _ in running:
        assert json.loads(path.read_text())["status"] == "failed"
