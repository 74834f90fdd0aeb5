"""Aggregation of a sweep directory: the OC table, failed jobs, the smallest n, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from simtrial.aggregate import aggregate, comparable, read_sweep
from simtrial.aggregate.jobs import expected_overrides, parse_override
from simtrial.aggregate.targets import Targets, smallest_n
from tests.support.cli import REPO, run_simtrial

REPLICATES = 2000
P0 = 0.2
RATES = {"null_hypothesis": P0, "pessimistic": 0.35, "posterior": 0.45}
SIZES = [10, 20, 30, 40]
DESIGNS = ["single_arm", "simon"]


def exact_reject_rate(n: int, p: float, alpha: float = 0.05) -> float:
    """P(reject) of the one-sided exact binomial test of p <= P0 at level alpha, when the truth is p."""
    r = next(r for r in range(n + 2) if stats.binom.sf(r - 1, n, P0) <= alpha)
    return float(stats.binom.sf(r - 1, n, p))


def _summary(design: str, scenario: str, n: int, job: int) -> dict:
    size = n if design == "single_arm" else n - 2  # a Simon design loses a little power
    rate = exact_reject_rate(size, RATES[scenario])
    mcse = float(np.sqrt(rate * (1 - rate) / REPLICATES))
    figures = {
        "reject_rate": rate, "reject_rate_mcse": mcse,
        "expected_n": float(n if design == "single_arm" else 0.7 * n), "expected_n_mcse": 0.0 if design == "single_arm" else 0.1,
        "pet": 0.0 if design == "single_arm" else 0.3, "pet_mcse": 0.0 if design == "single_arm" else 0.01,
        "duration_months": {"median": 6 + n / 4, "p05": 4 + n / 5, "p95": 9 + n / 3},
        "n": n, "p0": P0,
    }
    if scenario == "posterior":
        figures.update(assurance=rate, assurance_mcse=mcse)
    overrides = [f"design={design}", f"scenario={scenario}", f"design.n={n}"]
    return {"status": "ok", "experiment": "sample_size", "study": "trial", "seed": 20261123,
            "started": "2026-11-23T20:00:00+00:00", "finished": "2026-11-23T20:00:05+00:00",
            "wall_time_s": 5.0 + job, "pid": 1000 + job, "overrides": overrides, **figures}


def make_sweep(root: Path, broken: bool = True) -> Path:
    """A sweep directory shaped as Hydra and simtrial.app leave it: multirun.yaml and one job
    directory per job with .hydra/ and summary.json; with ``broken``, job 1 failed, job 2 says
    running, job 3 has no summary.json and the last job never started."""
    sweep = root / "sample_size" / "multirun" / "2026-11-23_20-00-00"
    sweep.mkdir(parents=True)
    params = {"design": ",".join(DESIGNS), "scenario": ",".join(RATES), "design.n": ",".join(map(str, SIZES))}
    multirun = {"hydra": {"sweeper": {"_target_": "hydra._internal.core_plugins.basic_sweeper.BasicSweeper",
                                      "params": params},
                          "overrides": {"task": ["experiment=sample_size"]}}}
    (sweep / "multirun.yaml").write_text(yaml.safe_dump(multirun, sort_keys=False))
    jobs = expected_overrides(sweep)
    last = len(jobs) - 1
    for num, overrides in enumerate(jobs):
        if broken and num == last:
            continue
        d = sweep / str(num)
        (d / ".hydra").mkdir(parents=True)
        (d / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(overrides))
        kv = dict(parse_override(o) for o in overrides)
        summary = _summary(kv["design"], kv["scenario"], kv["design.n"], num)
        summary["overrides"] = overrides
        if broken and num == 1:
            summary = {k: summary[k] for k in ("experiment", "study", "seed", "started", "overrides")}
            summary.update(status="failed", error="ValueError: scenario.p: must be in (0, 1); got 1.5")
        if broken and num == 2:
            summary = {k: summary[k] for k in ("experiment", "study", "seed", "started", "overrides")}
            summary.update(status="running")
        if not (broken and num == 3):
            (d / "summary.json").write_text(json.dumps(summary))
    return sweep


def test_expected_overrides_follow_hydra_job_numbers(tmp_path):
    sweep = make_sweep(tmp_path)
    jobs = expected_overrides(sweep)
    assert len(jobs) == len(DESIGNS) * len(RATES) * len(SIZES)
    # Hydra's basic sweeper: sweeper params in order, the last one varying fastest.
    assert jobs[0] == ["design=single_arm", "scenario=null_hypothesis", "design.n=10", "experiment=sample_size"]
    assert jobs[1] == ["design=single_arm", "scenario=null_hypothesis", "design.n=20", "experiment=sample_size"]
    assert jobs[-1][:2] == ["design=simon", "scenario=posterior"]


def test_table_has_a_row_per_job_and_marks_failures(tmp_path):
    sweep = make_sweep(tmp_path)
    result = aggregate(sweep, report=False)
    table = pd.read_csv(sweep / "oc_table.csv")
    assert len(table) == 24 and list(table["job"]) == list(range(24))
    for col in ("design", "scenario", "design.n", "reject_rate", "reject_rate_mcse", "expected_n",
                "duration_months.median", "duration_months.p95", "wall_time_s"):
        assert col in table, col
    cols = list(table.columns)
    assert cols.index("reject_rate_mcse") == cols.index("reject_rate") + 1
    failed = table[table.status == "failed"].set_index("job")
    assert list(failed.index) == [1, 2, 3, 23] == result.failed
    assert "scenario.p: must be in (0, 1)" in failed.loc[1, "detail"]
    assert "running" in failed.loc[2, "detail"]
    assert "no summary.json" in failed.loc[3, "detail"]
    assert "never started" in failed.loc[23, "detail"]
    # Failed jobs keep their parameters (read from multirun.yaml) and have no figures.
    assert failed.loc[23, "design"] == "simon" and failed.loc[23, "design.n"] == 40
    assert failed["reject_rate"].isna().all()
    ok = table[table.status == "ok"].set_index("job")
    assert ok.loc[0, "reject_rate"] == pytest.approx(exact_reject_rate(10, P0))
    assert ok.loc[0, "scenario"] == "null_hypothesis" and ok.loc[0, "design.n"] == 10


def test_smallest_n_estimate_and_conservative_rules(tmp_path):
    sweep = make_sweep(tmp_path, broken=False)
    table = aggregate(sweep, report=False).table
    # From the exact binomial power function, n=10..40 under p=0.45 and p=0.35 with p0=0.2:
    power = {p: [exact_reject_rate(n, p) for n in SIZES] for p in (0.35, 0.45)}
    expect_post = SIZES[next(i for i, x in enumerate(power[0.45]) if x >= 0.8)]
    got = smallest_n(table, "design.n", ["design"], Targets(power=0.8, alpha=0.05))
    got = got.set_index(["design", "scenario"])
    assert got.loc[("single_arm", "posterior"), "smallest_n"] == expect_post == 30
    assert pd.isna(got.loc[("single_arm", "pessimistic"), "smallest_n"])  # 0.35 never reaches 0.8 by n=40
    assert got.loc[("single_arm", "posterior"), "type_i_error"] <= 0.05
    # A lower target is met earlier; the conservative rule needs the 95% MC bound above it.
    target = power[0.45][1] - 0.01  # just below the power at n=20
    est = smallest_n(table, "design.n", ["design"], Targets(power=target)).set_index(["design", "scenario"])
    cons = smallest_n(table, "design.n", ["design"], Targets(power=target, rule="conservative"))
    cons = cons.set_index(["design", "scenario"])
    assert est.loc[("single_arm", "posterior"), "smallest_n"] == 20
    assert cons.loc[("single_arm", "posterior"), "smallest_n"] == 30


def test_type_i_error_above_alpha_disqualifies_a_size(tmp_path):
    sweep = make_sweep(tmp_path, broken=False)
    table = aggregate(sweep, report=False).table
    null30 = (table["design"] == "single_arm") & (table["scenario"] == "null_hypothesis") & (table["design.n"] == 30)
    table.loc[null30, "reject_rate"] = 0.09
    got = smallest_n(table, "design.n", ["design"], Targets()).set_index(["design", "scenario"])
    assert got.loc[("single_arm", "posterior"), "smallest_n"] == 40


def test_targets_are_checked():
    with pytest.raises(ValueError, match=r"targets.power: must be in \(0, 1\); got 1.5"):
        Targets(power=1.5)
    with pytest.raises(ValueError, match="targets.rule: must be 'estimate' or 'conservative'"):
        Targets(rule="optimistic")


def test_comparable_drops_only_timing_and_process_fields():
    s = {"status": "ok", "reject_rate": 0.8, "started": "a", "finished": "b", "wall_time_s": 1.0, "pid": 3}
    assert comparable(s) == {"status": "ok", "reject_rate": 0.8}


def test_cli_writes_table_and_report_and_names_a_bad_directory(tmp_path):
    sweep = make_sweep(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "simtrial.aggregate", str(sweep), "--power", "0.7"],
                          capture_output=True, text=True, cwd=REPO, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "20 of 24 jobs ok" in proc.stdout and "failed or unfinished jobs: 1 2 3 23" in proc.stdout
    assert (sweep / "oc_table.csv").is_file() and (sweep / "design_report.html").is_file()
    assert "target power" in (sweep / "design_report.html").read_text()
    bad = subprocess.run([sys.executable, "-m", "simtrial.aggregate", str(tmp_path / "nope")],
                         capture_output=True, text=True, cwd=REPO, timeout=60)
    assert bad.returncode == 2
    assert f"sweep directory {tmp_path / 'nope'} does not exist" in bad.stderr


def test_real_sweep_is_aggregated_by_the_callback_and_a_lost_job_shows(tmp_path):
    proc = run_simtrial(["-m", "experiment=quickstart", "quickstart.steps=[figures]", "seed=1,2,3"], tmp_path,
                        timeout=300)
    assert proc.returncode == 0, proc.stderr
    (sweep,) = (tmp_path / "quickstart" / "multirun").iterdir()
    assert "sweep finished: 3 of 3 jobs ok" in proc.stdout
    table = pd.read_csv(sweep / "oc_table.csv")
    assert list(table["seed"]) == [1, 2, 3] and set(table["status"]) == {"ok"}
    output = proc.stdout + proc.stderr
    for num in range(3):  # one log line per job start and end
        assert f"job #{num} (experiment=quickstart quickstart.steps=[figures] seed={num + 1}) started" in output
        assert f"job #{num} (experiment=quickstart quickstart.steps=[figures] seed={num + 1}) ended: ok" in output
    # A job lost on a cluster (its directory gone): still a row, failed, with its seed.
    import shutil

    shutil.rmtree(sweep / "1")
    jobs = read_sweep(sweep)
    assert [j.status for j in jobs] == ["ok", "failed", "ok"]
    assert jobs[1].overrides["seed"] == 2 and "never started" in jobs[1].detail
