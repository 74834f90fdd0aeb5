"""Issue 13 items 1-2: simtrial never removes what it did not create, and a resume cannot mix grids."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from simtrial import preflight
from simtrial.app import remove_run_dir, resumable
from tests.support.cli import run_simtrial


def _plant(folder: Path) -> dict[str, str]:
    """A folder of files a user cares about (no summary.json: not a simtrial run)."""
    files = {"notes.txt": "keep me", "data/cohort.csv": "patient,x\n1,2\n", ".hidden": "x"}
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return files


def _intact(folder: Path, files: dict[str, str]) -> bool:
    return folder.is_dir() and all((folder / n).read_text() == t for n, t in files.items())


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """Run preflight in a temporary cwd with its own results directory and no recorded dirs."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SIMTRIAL_RESULTS", str(tmp_path / "results"))
    monkeypatch.setattr(preflight, "CREATED", [])
    return tmp_path


# --- item 1: an invalid config or a foreign directory -----------------------------------------


@pytest.mark.parametrize("where", ["absolute", "dot", "relative"])
def test_invalid_config_creates_and_removes_nothing(fresh, where):
    folder = fresh / "mine"
    folder.mkdir()
    files = _plant(folder)
    run_dir = {"absolute": str(folder), "dot": ".", "relative": "mine"}[where]
    if where == "dot":
        import os
        os.chdir(folder)
    with pytest.raises(preflight.PreflightError) as err:
        preflight.prepare(["experiment=single_arm", "design.n=-1", f"hydra.run.dir={run_dir}"])
    assert err.value.lines == ["design.n: must be an integer in [1, 10000]; got -1"]
    assert _intact(folder, files)
    assert not (fresh / "results").exists()


@pytest.mark.parametrize("key,multirun", [("hydra.run.dir", False), ("hydra.sweep.dir", True)])
def test_a_valid_config_refuses_an_existing_foreign_directory(fresh, key, multirun):
    folder = fresh / "mine"
    folder.mkdir()
    files = _plant(folder)
    argv = (["-m"] if multirun else []) + ["experiment=single_arm", f"{key}={folder}"]
    with pytest.raises(preflight.PreflightError, match=f"{key}: .* already exists and is not empty"):
        preflight.prepare(argv)
    # not even with run.resume=true: a folder without multirun.yaml is not a sweep
    with pytest.raises(preflight.PreflightError, match="not empty|not a simtrial sweep"):
        preflight.prepare([*argv, "run.resume=true"])
    assert _intact(folder, files)


def test_an_empty_existing_directory_is_used_and_never_removed(fresh):
    folder = fresh / "empty"
    folder.mkdir()
    assert preflight.prepare(["experiment=single_arm", f"hydra.run.dir={folder}"])[-1] == f"hydra.run.dir={folder}"
    assert preflight.CREATED == []
    # what Hydra writes, then a run refused late: only Hydra's files go, the folder stays
    (folder / ".hydra").mkdir()
    for name in ("config.yaml", "hydra.yaml", "overrides.yaml"):
        (folder / ".hydra" / name).write_text("{}")
    (folder / "__main__.log").write_text("")
    (folder / "user.txt").write_text("mine")
    remove_run_dir(folder, "__main__")
    assert sorted(p.name for p in folder.iterdir()) == ["user.txt"]
    (folder / "user.txt").unlink()
    remove_run_dir(folder, "__main__")
    assert folder.is_dir()  # it existed before the run: never removed


def test_created_directories_are_recorded_and_only_those_removed(fresh):
    argv = preflight.prepare(["experiment=single_arm", "paths.results=out"])
    run_dir = Path(argv[-1].split("=", 1)[1])
    assert run_dir.is_dir() and run_dir.parent.parent == fresh / "out"
    assert preflight.CREATED[-1] == run_dir
    (run_dir / ".hydra").mkdir()
    (run_dir / ".hydra" / "config.yaml").write_text("{}")
    remove_run_dir(run_dir, "__main__")
    assert not run_dir.exists() and not (fresh / "out" / "single_arm").exists()
    assert (fresh / "out").is_dir()  # created by the writability check of the results root, shared by runs


def test_cli_data_loss_folder_survives_hydra_run_dir_dot(tmp_path):
    """The reported case, as a user runs it: from a folder of files, with hydra.run.dir=."""
    files = _plant(tmp_path)
    proc = run_simtrial(["experiment=single_arm", "design.n=-1", "hydra.run.dir=."], tmp_path / "results",
                        cwd=tmp_path, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().splitlines() == ["simtrial: error: invalid config: design.n: must be an integer in [1, 10000]; got -1"]
    assert _intact(tmp_path, files)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".hidden", "data", "notes.txt"]


# --- item 2: resume matches jobs by overrides and config hash ---------------------------------


def _sweep_dir(folder: Path, task: list[str], params: dict | None = None) -> Path:
    """A sweep directory as Hydra leaves it: multirun.yaml records the command line's overrides."""
    folder.mkdir(parents=True)
    (folder / "multirun.yaml").write_text(yaml.safe_dump(
        {"hydra": {"sweeper": {"_target_": "hydra._internal.core_plugins.basic_sweeper.BasicSweeper",
                               "params": params},
                   "overrides": {"task": task}}}))
    (folder / "0").mkdir()
    return folder


@pytest.mark.parametrize("now,named", [
    (["design.n=10,30"], "design.n=10,20 before, design.n=10,30 now"),
    (["design.n=10,20", "scenario=null_hypothesis"], "no scenario before, scenario=null_hypothesis now"),
    (["experiment=simon", "design.n=10,20"], "experiment=single_arm before, experiment=simon now"),
])
def test_resume_with_another_sweep_definition_is_refused_naming_the_parameter(fresh, now, named):
    sweep = _sweep_dir(fresh / "sweep", ["experiment=single_arm", "design.n=10,20", "run.resume=false"])
    argv = ["-m", *(["experiment=single_arm"] if not now[0].startswith("experiment") else []), *now,
            f"hydra.sweep.dir={sweep}", "run.resume=true"]
    with pytest.raises(preflight.PreflightError) as err:
        preflight.prepare(argv)
    assert named in str(err.value)


def test_resume_with_the_same_definition_is_accepted_whatever_the_spelling(fresh):
    sweep = _sweep_dir(fresh / "sweep", ["experiment=single_arm", "design.n=10,20"])
    argv = ["-m", "experiment=single_arm", "design.n=10, 20", f"hydra.sweep.dir={sweep}", "run.resume=true"]
    assert preflight.prepare(argv) == argv


def test_a_study_grid_from_its_file_is_part_of_the_definition(tmp_path):
    """experiment=sample_size declares its grid in hydra.sweeper.params: it is expanded into the
    jobs as Hydra's basic sweeper does, and is part of the definition a resume must match."""
    from hydra import compose, initialize_config_dir

    from simtrial.config.store import store_schemas
    from simtrial.paths import CONF_DIR

    store_schemas()
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        master = compose("config", overrides=["experiment=sample_size"], return_hydra_config=True)
    params = preflight.sweeper_params(master)
    assert "design.n=10,20,30,40,50,60,70,80" in params
    jobs = preflight.expand_jobs([*params, "experiment=sample_size"], True)
    sizes = [len(p.split("=", 1)[1].split(",")) for p in params]
    assert len(jobs) == __import__("math").prod(sizes) and len(jobs) >= 48
    assert jobs[0][:3] == ["design=single_arm", "scenario=null_hypothesis", "design.n=10"]
    recorded = {k: v for k, v in (p.split("=", 1) for p in params)}
    sweep = _sweep_dir(tmp_path / "sweep", ["experiment=sample_size"], recorded)
    preflight.check_resume(sweep, [*params, "experiment=sample_size", "run.resume=true"])  # the same: accepted
    with pytest.raises(preflight.PreflightError, match="design.n=10,20,30,40,50,60,70,80 before, design.n=10,20 now"):
        preflight.check_resume(sweep, [*params, "experiment=sample_size", "design.n=10,20"])


def test_a_job_is_kept_only_for_the_same_overrides_and_config_hash():
    previous = {"status": "ok", "overrides": ["experiment=single_arm", "design.n=20", "run.resume=true"],
                "config_hash": "abc"}
    assert resumable(previous, "abc", ["experiment=single_arm", "design.n=20"]) == (True, "")
    keep, why = resumable(previous, "abc", ["experiment=single_arm", "design.n=30"])
    assert not keep and "design.n=20" in why and "design.n=30" in why
    keep, why = resumable(previous, "def", ["experiment=single_arm", "design.n=20"])
    assert not keep and "config hash" in why
    assert not resumable({**previous, "config_hash": None}, "abc", previous["overrides"])[0]  # older runs: redone
    assert not resumable(None, "abc", [])[0]


def test_config_hash_ignores_how_a_job_runs_but_not_what_it_computes():
    from omegaconf import OmegaConf

    from simtrial.app import config_hash

    a = OmegaConf.create({"seed": 1, "design": {"n": 20}, "run": {"resume": False}, "paths": {"results": "x"}})
    b = OmegaConf.create({"seed": 1, "design": {"n": 20}, "run": {"resume": True}, "paths": {"results": "y"}})
    c = OmegaConf.create({"seed": 1, "design": {"n": 21}, "run": {"resume": True}, "paths": {"results": "y"}})
    assert config_hash(a) == config_hash(b) != config_hash(c)
