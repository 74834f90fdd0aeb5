"""The sweep's smallest n by exact calculation (simtrial.aggregate.exact) and its report section."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from simtrial.aggregate.exact import exact_smallest_n, planning_values
from simtrial.aggregate.jobs import Job
from simtrial.aggregate.report import build_report
from simtrial.aggregate.targets import Targets


def _job(root: Path, num: int, design: dict, scenario: dict, choice: str) -> Job:
    d = root / str(num)
    (d / ".hydra").mkdir(parents=True)
    (d / ".hydra" / "config.yaml").write_text(yaml.safe_dump({"design": design, "scenario": scenario}))
    return Job(num, d, "ok", choices={"scenario": choice})


def test_issue_sweep_gives_56_and_stable_59(tmp_path):
    single = {"name": "single_arm", "n": 10, "p0": 0.2, "p1": 0.4, "alpha": 0.05, "interim_fractions": []}
    simon = {"name": "simon", "p0": 0.2, "p1": 0.4, "alpha": 0.05, "power": 0.8, "n": 10}
    scen = {
        "pessimistic": {"name": "parametric", "p_response": [0.35], "population": "model"},
        "null_hypothesis": {"name": "null_hypothesis", "population": "model"},
        "posterior": {"name": "parametric", "p_response": [], "population": "posterior"},
    }
    jobs = [_job(tmp_path, i, d, s, c) for i, (d, (c, s)) in enumerate(
        (d, cs) for d in (single, simon) for cs in scen.items())]
    plans = planning_values(jobs)
    assert set(plans["source"]) == {"design p1", "pessimistic", "posterior"}
    exact = exact_smallest_n(plans, power=0.8)
    row = exact[(exact["design"] == "single_arm") & exact["planning value"].str.startswith("p = 0.35")].iloc[0]
    assert (row["smallest n"], row["stable n"]) == (56, 59)
    assert row["rule at smallest n"] == "reject if >= 17/56"
    p1 = exact[(exact["design"] == "single_arm") & exact["planning value"].str.startswith("p = 0.4")].iloc[0]
    assert p1["smallest n"] == 35
    opt = exact[(exact["design"] == "simon (optimal)") & exact["planning value"].str.startswith("p = 0.4")].iloc[0]
    assert opt["rule at smallest n"] == "stop if <= 3/13; reject if > 12/43"
    post = exact[exact["planning value"] == "posterior"]
    assert len(post) and post["smallest n"].isna().all() and post["note"].str.contains("not a power").all()

    table = pd.DataFrame({"job": [0], "status": ["ok"], "design": ["single_arm"], "scenario": ["pessimistic"],
                          "design.n": [10], "reject_rate": [0.2], "reject_rate_mcse": [0.01]})
    rep, _ = build_report(table, ["design.n"], Targets(), "t", exact=exact)
    html = rep.to_html()
    assert html.index('id="exact-n"') < html.index('id="smallest-n"')
    assert "simulated confirmation" in html and "Jung SH et al." in html

    from simtrial.aggregate.report import write_report

    write_report(tmp_path / "design_report.html", table, ["design.n"], Targets(), "t", exact=exact)
    csv = pd.read_csv(tmp_path / "smallest_n_exact.csv", dtype=str)
    assert ("56" in set(csv["Smallest n"])) and ("59" in set(csv["Stable n"]))
    assert (tmp_path / "smallest_n_exact.docx").stat().st_size > 5000


def test_assurance_never_in_the_power_column(tmp_path):
    """Issue 16: "single_arm / posterior: 20, power 0.9143" put an assurance in the power column."""
    from simtrial.aggregate.targets import smallest_n

    rows = []
    for n, null, pess, post in ((20, 0.04, 0.5, 0.91), (40, 0.03, 0.85, 0.97)):
        rows += [{"status": "ok", "design": "single_arm", "scenario": "null_hypothesis", "design.n": n,
                  "reject_rate": null, "reject_rate_mcse": 0.003},
                 {"status": "ok", "design": "single_arm", "scenario": "pessimistic", "design.n": n,
                  "reject_rate": pess, "reject_rate_mcse": 0.008},
                 {"status": "ok", "design": "single_arm", "scenario": "posterior", "design.n": n,
                  "reject_rate": post, "reject_rate_mcse": 0.005, "assurance": post, "assurance_mcse": 0.005}]
    got = smallest_n(pd.DataFrame(rows), "design.n", ["design"], Targets()).set_index("scenario")
    assert got.loc["posterior", "judged_on"] == "assurance"
    assert pd.isna(got.loc["posterior", "power"]) and got.loc["posterior", "assurance"] == 0.91
    assert got.loc["pessimistic", "judged_on"] == "power" and got.loc["pessimistic", "power"] == 0.85
    assert pd.isna(got.loc["pessimistic", "assurance"])
