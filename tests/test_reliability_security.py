"""Issue 13 items 3-6: unique run directories, a usable results path, replay that runs no code,
and no environment variable copied into a run's records."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
import yaml

from simtrial import preflight
from simtrial.replay import Refused, replay, safe_overrides


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SIMTRIAL_RESULTS", str(tmp_path / "results"))
    monkeypatch.setattr(preflight, "CREATED", [])
    return tmp_path


# --- item 3: two starts in the same second get two directories --------------------------------


def test_concurrent_claims_of_the_same_name_get_distinct_directories(tmp_path):
    base = tmp_path / "results" / "single_arm" / "2026-12-03_19-00-00"
    got: list[Path] = []
    barrier = threading.Barrier(8)

    def claim():
        barrier.wait()
        got.append(preflight.claim_new_dir(base)[0])

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(got)) == 8 and all(p.is_dir() for p in got)
    assert base in got and base.with_name(base.name + "_8") in got


def test_two_runs_and_two_sweeps_started_in_the_same_second_get_their_own_directory(fresh, monkeypatch):
    import datetime as dt

    import hydra.core.utils

    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime(2026, 12, 3, 19, 0, 0)

    monkeypatch.setattr(hydra.core.utils, "datetime", Frozen)
    runs = [preflight.prepare(["experiment=single_arm"])[-1] for _ in range(2)]
    sweeps = [preflight.prepare(["-m", "experiment=single_arm", "design.n=10,20"])[-1] for _ in range(2)]
    assert runs[0].endswith("/single_arm/2026-12-03_19-00-00")
    assert runs[1].endswith("/single_arm/2026-12-03_19-00-00_2")
    assert sweeps[0].endswith("/multirun/2026-12-03_19-00-00")
    assert sweeps[1].endswith("/multirun/2026-12-03_19-00-00_2")


@pytest.mark.slow
def test_two_concurrent_cli_runs_write_two_complete_run_directories(tmp_path):
    import subprocess
    import sys

    from tests.support.cli import REPO, run_dirs

    env = {**__import__("os").environ, "SIMTRIAL_RESULTS": str(tmp_path)}
    args = [sys.executable, "-m", "simtrial", "experiment=single_arm", "simulation.replicates=20"]
    procs = [subprocess.Popen([*args, f"seed={s}"], cwd=REPO, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for s in (1, 2)]
    for p in procs:
        assert p.wait(timeout=300) == 0, p.stderr.read()
    dirs = run_dirs(tmp_path)
    assert len(dirs) == 2
    seeds = sorted(json.loads((d / "summary.json").read_text())["seed"] for d in dirs)
    assert seeds == [1, 2]
    for d in dirs:
        assert yaml.safe_load((d / "config.yaml").read_text())["seed"] == json.loads((d / "summary.json").read_text())["seed"]


# --- item 4: an empty or root results path ----------------------------------------------------


@pytest.mark.parametrize("value", ["", "/", "//", "/tmp/..", "' '"])
def test_empty_or_root_results_path_is_refused(fresh, value):
    with pytest.raises(preflight.PreflightError, match="paths.results: must not be"):
        preflight.prepare(["experiment=single_arm", f"paths.results={value}"])


def test_empty_results_from_the_environment_is_refused(fresh, monkeypatch):
    monkeypatch.setenv("SIMTRIAL_RESULTS", "")
    with pytest.raises(preflight.PreflightError, match="paths.results: must not be empty"):
        preflight.prepare(["experiment=single_arm"])


# --- items 5 and 6: hostile overrides ---------------------------------------------------------

HOSTILE = [
    "+hydra.callbacks.x._target_=pandas.read_pickle",
    "hydra.callbacks.simtrial._target_=os.system",
    "++hydra.callbacks.evil.cmd=ls",
    "design._target_=os.system",
    "scenario.label=${oc.env:SECRET}",
    "design.n=${oc.decode:'1'}",
    "hydra/callbacks=anything",
    "hydra/launcher=../../tmp/evil",
]


@pytest.mark.parametrize("override", HOSTILE)
def test_the_command_line_refuses_overrides_that_run_code_or_read_the_environment(fresh, monkeypatch, override):
    monkeypatch.setenv("SECRET", "hunter2")
    with pytest.raises(preflight.PreflightError) as err:
        preflight.prepare(["experiment=single_arm", override])
    assert len(err.value.lines) == 1 and "hunter2" not in str(err.value)
    assert not (fresh / "results").exists()


@pytest.mark.parametrize("argv", [["--config-dir", "/tmp"], ["--config-path", "/tmp"],
                                  ["--experimental-rerun", "/tmp/config.pickle"]])
def test_options_that_load_foreign_config_or_pickles_are_refused(fresh, argv):
    with pytest.raises(preflight.PreflightError, match="not supported"):
        preflight.prepare([*argv, "experiment=single_arm"])


def test_own_callback_settings_and_plain_interpolations_are_allowed():
    for ok in ("hydra.callbacks.simtrial.targets.power=0.9", "hydra.run.dir=out/${now:%H}",
               "design.n=${design.n_max}", "hydra/launcher=joblib"):
        preflight.check_override_text(ok)


@pytest.mark.parametrize("override", [
    *HOSTILE, "hydra.run.dir=/tmp/x", "--config-dir=/tmp/evil", "-m", "experiment=../../../../tmp/payload",
    "design=nope", "+design.extra=1", "~design.n", "design.n=1,2", "not_a_field.x=1", "design@_global_=simon",
])
def test_replay_refuses_every_override_that_is_not_simtrials_own(override):
    with pytest.raises(Refused):
        safe_overrides(["experiment=single_arm", override])


def test_replay_keeps_own_fields_and_drops_where_and_how():
    given = ["experiment=simon", "design=simon", "design.n_max=30", "seed=3", "run.resume=true",
             "paths.results=/elsewhere", "scenario.p_response=[0.3]"]
    assert safe_overrides(given) == ["experiment=simon", "design=simon", "design.n_max=30", "seed=3",
                                     "scenario.p_response=[0.3]"]


def test_a_planted_run_directory_is_refused_before_anything_runs(tmp_path, capsys, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    payload = tmp_path / "payload.pkl"
    marker = tmp_path / "pwned"
    import pickle
    payload.write_bytes(pickle.dumps({"harmless": True}))
    run_dir = tmp_path / "run"
    (run_dir / ".hydra").mkdir(parents=True)
    (run_dir / "summary.json").write_text(json.dumps({"status": "ok"}))
    (run_dir / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump([
        "experiment=quickstart", "+hydra.callbacks.x._target_=pandas.read_pickle",
        f"+hydra.callbacks.x.filepath_or_buffer={payload}"]))
    assert replay(run_dir) == 2
    err = capsys.readouterr().err
    assert "refused" in err and "_target_" in err
    assert not marker.exists()
    assert not list(tmp_path.glob("simtrial-replay-*"))  # nothing was started


@pytest.mark.parametrize("content", ["[1, 2]", '{"status": "ok"', "\x00\x01binary", '"ok"'])
def test_replay_of_a_malformed_summary_is_one_line(tmp_path, capsys, content):
    (tmp_path / "summary.json").write_text(content)
    with pytest.raises(SystemExit) as exit_:
        replay(tmp_path)
    assert exit_.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("simtrial.replay: error:") and "summary.json" in err[0]
