"""Bad input and faults, run through ``python -m simtrial`` as a user would: one clear message
naming the field (or file, row and column) and what is allowed, a non-zero exit, and no run
directory claiming success."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from simtrial.cohorts.loader import _DATA
from tests.support.cli import REPO, ok_runs, run_in_process, run_simtrial, summaries

LETTER = Path(str(_DATA / "letter_table1a.csv")).read_text()


def _bad_letter(tmp_path, old, new):
    assert old in LETTER
    path = tmp_path / "letter.csv"
    path.write_text(LETTER.replace(old, new))
    return path


@pytest.mark.parametrize(
    "old, new, message",
    [
        (",toxicity\n", "\n", "missing column(s) ['toxicity']"),
        ("4,No,3,false,MMF,CR,,108,", "4,No,3,false,MMF,CR,,10S,", "row 4, column 'day_cr': expected a number"),
        ("5,No,4,false", "4,No,4,false", "row 5, column 'patient': duplicate patient"),
        ("2,No,3,false,MMF,NR,", "2,No,3,false,MMF,SD,", "row 2, column 'response': expected one of ['CR', 'PR', 'NR']"),
    ],
)
def test_bad_cohort_file(tmp_path, old, new, message):
    """In-process: the study reading the file raises one error naming file, row and column."""
    from simtrial.cohorts.loader import CohortDataError

    if old == ",toxicity\n":  # drop the column from the header and every row
        path = tmp_path / "letter.csv"
        lines = LETTER.splitlines()
        path.write_text("\n".join(ln if ln.startswith("#") else ln.rsplit(",", 1)[0] for ln in lines) + "\n")
    else:
        path = _bad_letter(tmp_path, old, new)
    with pytest.raises(CohortDataError) as err:
        run_in_process(["experiment=quickstart", "quickstart.steps=[figures]", f"cohorts.letter={path}"],
                       tmp_path / "run")
    assert message in str(err.value) and "letter.csv" in str(err.value)
    assert "\n" not in str(err.value)


def test_bad_cohort_file_on_the_command_line(tmp_path):
    """One real command line: one line, exit non-zero, the run recorded as failed."""
    results = tmp_path / "results"
    path = _bad_letter(tmp_path, "5,No,4,false", "4,No,4,false")
    message = "row 5, column 'patient': duplicate patient"
    proc = run_simtrial(["experiment=quickstart", "quickstart.steps=[figures]", f"cohorts.letter={path}"], results)
    assert proc.returncode != 0
    assert message in proc.stderr
    assert "letter.csv" in proc.stderr
    assert proc.stderr.count("simtrial: error:") == 1
    assert ok_runs(results) == []
    assert all(s["status"] == "failed" for s in summaries(results))


def _mount_tmpfs(where: Path, options: str) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    where.mkdir(parents=True, exist_ok=True)
    return subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
                          capture_output=True).returncode == 0


def _umount(where: Path) -> None:
    subprocess.run(["umount", "-l", str(where)], capture_output=True)


def test_results_directory_not_writable(tmp_path):
    results = tmp_path / "ro"
    if _mount_tmpfs(results, "ro,size=1m"):
        try:
            proc = run_simtrial(["experiment=quickstart", "quickstart.steps=[figures]"], results)
        finally:
            _umount(results)
    else:  # not root: an ordinary read-only directory
        results.mkdir()
        results.chmod(0o555)
        proc = run_simtrial(["experiment=quickstart", "quickstart.steps=[figures]"], results)
    assert proc.returncode != 0
    assert "Read-only file system" in proc.stderr or "Permission denied" in proc.stderr
    assert f"paths.results: cannot write to the results directory {results}" in proc.stderr
    assert proc.stderr.count("simtrial: error:") == 1


@pytest.mark.slow
def test_disk_full_while_writing(tmp_path):
    """A results file system that fills up mid-run (a 96 KiB tmpfs: the plots do not fit)."""
    results = tmp_path / "full"
    if not _mount_tmpfs(results, "size=96k"):
        pytest.skip("needs root and mount(8) to make a small file system")
    try:
        proc = run_simtrial(["experiment=patient_models", "patient_models.n_patients=300"], results)
        assert proc.returncode != 0
        assert "No space left on device" in proc.stderr
        assert ok_runs(results) == []
    finally:
        _umount(results)


def _start(results: Path, n: int) -> subprocess.Popen:
    env = {**os.environ, "SIMTRIAL_RESULTS": str(results)}
    return subprocess.Popen([sys.executable, "-m", "simtrial", "experiment=patient_models",
                             f"patient_models.n_patients={n}"], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_running(results: Path, proc: subprocess.Popen, timeout: float = 60) -> Path:
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = list(results.rglob("summary.json"))
        if found and json.loads(found[0].read_text())["status"] == "running":
            return found[0]
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    raise AssertionError("the run never started")


@pytest.mark.slow
def test_sigterm_mid_run_records_failure(tmp_path):
    proc = _start(tmp_path, 600_000)
    summary_path = _wait_running(tmp_path, proc)
    time.sleep(1.0)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signal.SIGTERM
    assert "terminated by signal SIGTERM" in err
    summary = json.loads(summary_path.read_text())
    assert summary["status"] == "failed" and "SIGTERM" in summary["error"]


@pytest.mark.slow
def test_sigkill_mid_run_never_claims_ok(tmp_path):
    proc = _start(tmp_path, 600_000)
    summary_path = _wait_running(tmp_path, proc)
    time.sleep(1.0)
    proc.kill()
    proc.communicate(timeout=60)
    assert json.loads(summary_path.read_text())["status"] == "running"
    assert ok_runs(tmp_path) == []


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ["experiment=single_arm", "design.n=1", "simulation.replicates=200"],
        ["experiment=two_arm", "design.n_per_arm=1", "simulation.replicates=200"],
        ["experiment=simon", "design.n=2", "simulation.replicates=200"],
        ["experiment=sequencing", "design.n_per_arm=1", "simulation.replicates=20",
         "model.sirolimus_pk.cl_cv=0", "model.sirolimus_pk.v_cv=0", "model.noise.sd=0"],
        ["experiment=single_arm", "scenario=fixed", "design.n=5", "simulation.replicates=50",
         "model.population.platelet_median=0.5", "model.population.platelet_cv=0.01"],
        ["experiment=patient_models", "patient_models.n_patients=1"],
    ],
)
def test_numerical_extremes_give_finite_figures(tmp_path, args):
    """n = 1, zero clearance variability, no day-to-day noise, baselines near zero: the run
    finishes and every figure in summary.json is finite (the writer refuses NaN and infinity,
    so a non-finite figure would have failed the run)."""
    proc = run_simtrial(args, tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    (summary,) = summaries(tmp_path)
    assert summary["status"] == "ok"
    text = json.dumps(summary)
    assert "NaN" not in text and "Infinity" not in text
