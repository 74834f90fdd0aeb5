"""Launchers: simtrial's SLURM presets compose, and a sweep on the local one-node SLURM cluster
gives the same numbers as the basic launcher, with the venv's Python and the PyTensor compile
directory reaching the jobs."""

from __future__ import annotations

import json

import pytest
import yaml

from tests.support.cli import run_simtrial
from tests.test_sweeps import STUDY, job_figures, run_sweep, sweep_dir


@pytest.mark.parametrize("preset, partition, mem", [("slurm", None, 2), ("slurm_local", "debug", 1)])
def test_slurm_presets_set_partition_time_memory_and_cpus(tmp_path, preset, partition, mem):
    proc = run_simtrial(["--cfg", "hydra", "experiment=quickstart", f"hydra/launcher={preset}",
                         "hydra.launcher.timeout_min=7"], tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    launcher = yaml.safe_load(proc.stdout)["hydra"]["launcher"]
    assert launcher["_target_"].endswith("submitit_launcher.SlurmLauncher")
    assert launcher["partition"] == partition and launcher["mem_gb"] == mem
    assert launcher["cpus_per_task"] == 1 and launcher["timeout_min"] == 7
    assert not list(tmp_path.iterdir())  # --cfg runs nothing


@pytest.mark.slow
def test_slurm_sweep_gives_the_basic_launchers_numbers(tmp_path, slurm_cluster):
    compiledir = tmp_path / "pytensor-compile"
    proc = run_simtrial(["-m", *STUDY, "hydra/launcher=slurm_local",
                         f"hydra.launcher.partition={slurm_cluster.partition}"],
                        tmp_path / "slurm", timeout=600, env={"SIMTRIAL_PYTENSOR_COMPILEDIR": str(compiledir)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    sweep = sweep_dir(tmp_path / "slurm")
    assert (sweep / ".submitit").is_dir()  # the jobs went through sbatch
    slurm = job_figures(sweep)
    assert set(slurm) == {"0", "1", "2"} and all(s["status"] == "ok" for s in slurm.values())
    assert (sweep / "oc_table.csv").is_file() and (sweep / "design_report.html").is_file()
    # Each job ran with the submitting venv's Python and the configured PyTensor directory.
    for num in slurm:
        log = "".join(p.read_text() for p in (sweep / num).glob("*.log"))
        assert f"python {slurm_cluster.python}" in log
        assert f"PYTENSOR_FLAGS=base_compiledir={compiledir}" in log
    assert job_figures(run_sweep(tmp_path / "basic")) == slurm
    summary = json.loads((sweep / "0" / "summary.json").read_text())
    assert summary["pid"] != json.loads((sweep / "1" / "summary.json").read_text())["pid"]
