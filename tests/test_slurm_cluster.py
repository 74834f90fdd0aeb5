"""The one-node SLURM cluster runs batch jobs and submitit jobs (slow: starts SLURM)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.slurm import REPO_ROOT, SlurmCluster, slurm_cluster  # noqa: F401 (fixture)

pytestmark = pytest.mark.slow

JOB_TIMEOUT_S = 120


def probe(x: int) -> dict[str, object]:
    """Run inside the SLURM job: a result plus where it ran."""
    import simtrial

    return {
        "square": x * x,
        "prefix": sys.prefix,
        "simtrial": simtrial.__file__,
        "job_id": os.environ.get("SLURM_JOB_ID"),
    }


def _wait_for_text(path: Path, expected: str, job_id: str) -> str:
    deadline = time.monotonic() + JOB_TIMEOUT_S
    while time.monotonic() < deadline:
        if path.exists() and expected in (text := path.read_text()):
            return text
        time.sleep(0.5)
    queue = subprocess.run(["squeue", "-j", job_id], capture_output=True, text=True).stdout
    pytest.fail(f"job {job_id} wrote no {expected!r} to {path} within {JOB_TIMEOUT_S} s; squeue:\n{queue}")


def test_sbatch_wrap_runs_and_writes_output(slurm_cluster: SlurmCluster, tmp_path: Path) -> None:
    out = tmp_path / "wrap.out"
    submitted = subprocess.run(
        ["sbatch", "--parsable", f"--partition={slurm_cluster.partition}", "--time=2",
         "--cpus-per-task=1", "--mem=100M", f"--output={out}",
         "--wrap", 'echo "hello from $SLURM_JOB_ID on $SLURMD_NODENAME"'],
        capture_output=True, text=True, check=True,
    )
    job_id = submitted.stdout.strip().split(";")[0]
    assert job_id.isdigit(), submitted.stdout
    text = _wait_for_text(out, f"hello from {job_id}", job_id)
    assert f"on {slurm_cluster.node}" in text


def test_submitit_runs_a_python_function_in_the_venv(slurm_cluster: SlurmCluster, tmp_path: Path) -> None:
    submitit = pytest.importorskip("submitit", reason="needs the 'cluster' extra (submitit)")
    executor = submitit.AutoExecutor(folder=tmp_path / "submitit", cluster="slurm",
                                     slurm_python=slurm_cluster.python)
    executor.update_parameters(
        slurm_partition=slurm_cluster.partition, timeout_min=5, cpus_per_task=1, mem_gb=1,
        # The job unpickles `probe` by reference, so it must be able to import this module.
        slurm_setup=[f"export PYTHONPATH={REPO_ROOT}${{PYTHONPATH:+:$PYTHONPATH}}"],
    )
    job = executor.submit(probe, 7)
    deadline = time.monotonic() + JOB_TIMEOUT_S
    # Without accounting, submitit cannot see a failed job's state; bound the wait ourselves.
    while not job.paths.result_pickle.exists():
        if time.monotonic() > deadline:
            pytest.fail(f"submitit job {job.job_id} gave no result within {JOB_TIMEOUT_S} s\n"
                        f"stdout:\n{job.stdout()}\nstderr:\n{job.stderr()}")
        time.sleep(0.5)
    result = job.result()
    assert result["square"] == 49
    assert result["job_id"] == job.job_id
    assert result["prefix"] == sys.prefix
    assert Path(result["simtrial"]).resolve().is_relative_to(REPO_ROOT)
