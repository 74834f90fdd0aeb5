"""The borrowing study (experiment=borrowing): in-process with the quadrature engine, its config
validation, the historical groups from the cohorts, and the CLI (bad input fast, a full run slow)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest

from simtrial._core.validation import ValidationError
from simtrial.borrowing import BetaMixture, BorrowingDesign
from simtrial.borrowing.historical import HISTORICAL_GROUPS, historical_studies, read_table
from simtrial.cohorts.config import CohortsConfig
from simtrial.studies import borrowing as study
from simtrial.studies.borrowing_config import BorrowingConfig
from simtrial.studies.context import RunContext
from tests.support.cli import run_dirs, run_simtrial


def test_historical_groups_are_the_cohorts_counts():
    """The letter's primary ITP 5/10 and ARS-ITP 8/9 responders (5 CR each); Bride 2016's ALPS
    12/12, single-lineage 2/6 and multi-lineage 8 CR of 12 (letter Table 1A; Bride et al.,
    Blood 2016;127:17-28)."""
    got = {s.name: (s.r, s.n) for s in historical_studies(["letter:primary_itp", "letter:ars_itp", "bride:alps",
                                                            "bride:single_lineage"])}
    assert got == {"letter:primary_itp": (5, 10), "letter:ars_itp": (8, 9), "bride:alps": (12, 12),
                   "bride:single_lineage": (2, 6)}
    cr = {s.name: (s.r, s.n) for s in historical_studies(["letter:ars_itp", "bride:multi_lineage"], "complete_response")}
    assert cr == {"letter:ars_itp": (5, 9), "bride:multi_lineage": (8, 12)}
    with pytest.raises(ValidationError, match="historical"):
        historical_studies(["bride:multi_lineage"], "response")
    with pytest.raises(ValidationError, match="historical"):
        historical_studies(["letter:everyone"])
    assert len(HISTORICAL_GROUPS) == 5


def test_user_table(tmp_path):
    good = tmp_path / "t.csv"
    good.write_text("# my studies\nstudy,n,r\nA,20,7\nB,15,6\n")
    assert [(s.name, s.n, s.r) for s in read_table(good)] == [("A", 20, 7), ("B", 15, 6)]
    bad = tmp_path / "bad.csv"
    bad.write_text("study,n,r\nA,20,27\n")
    with pytest.raises(ValidationError, match="table"):
        read_table(bad)


@pytest.mark.parametrize("field,value", [("robust_weight", 1.5), ("p0", 0.0), ("n", 0), ("engine", "stan"),
                                         ("historical", ["letter:everyone"]), ("threshold", 1.0)])
def test_config_rejects_bad_values(field, value):
    with pytest.raises(ValidationError) as err:
        BorrowingConfig(**{field: value})
    assert err.value.field == field


def test_study_in_process(tmp_path):
    opts = BorrowingConfig(engine="quadrature", draws=2000, max_components=3, robust_weights=[0.0, 0.5, 1.0],
                           true_rates=[0.1, 0.2, 0.3, 0.45, 0.6, 0.8], n=30, p0=0.2)
    cfg = SimpleNamespace(analysis=opts, cohorts=CohortsConfig())
    ctx = RunContext(run_dir=tmp_path, seed=np.random.SeedSequence(7))
    figures = study.run(cfg, ctx)
    json.dumps(figures, allow_nan=False)  # JSON-serialisable and finite
    assert figures["historical"] == {"study": ["letter:primary_itp", "bride:single_lineage"], "n": [10, 6], "r": [5, 2]}
    mix = figures["map_mixture"]
    prior = BetaMixture(mix["w"], mix["a"], mix["b"]).robustify(opts.robust_weight)
    design = BorrowingDesign(prior, opts.n, opts.p0, opts.threshold)
    assert figures["design"]["critical_count"] == design.critical_count
    np.testing.assert_allclose(figures["oc_curve"]["p_success"], design.oc(opts.true_rates), atol=1e-6)
    # the mixture approximates the exact predictive
    exact_mean = figures["map_diagnostics"]["exact_predictive_mean"]
    assert mix["mean"] == pytest.approx(exact_mean, abs=0.02)
    assert figures["mixture_fit"]["approximation_error"]["ks_distance"] < 0.05
    e = figures["ess_map"]
    assert 0 < figures["ess_robust"]["elir"] < e["elir"] and e["moment"] > 0 and e["morita"] > 0
    # weight 1 is the Beta(1, 1) design
    w = figures["robust_weights"]
    assert w["critical_count"][w["robust_weight"].index(1.0)] == figures["design"]["critical_count_uniform_prior"]
    assert 0 <= figures["assurance"]["value"] <= 1
    for name in ("historical.csv", "oc_curve.csv", "robust_weights.csv", "map_prior.png", "oc_curve.png"):
        assert (tmp_path / name).stat().st_size > 0


def test_cli_bad_override_names_the_field(tmp_path):
    proc = run_simtrial(["experiment=borrowing", "analysis.robust_weight=1.5"], tmp_path, timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert "analysis.robust_weight" in proc.stderr
    assert run_dirs(tmp_path) == []


@pytest.mark.slow
def test_cli_run_with_pymc(tmp_path):
    proc = run_simtrial(["experiment=borrowing", "analysis.draws=2000", "'analysis.true_rates=[0.2,0.4,0.6]'"
                         .strip("'")], tmp_path, timeout=900)
    assert proc.returncode == 0, proc.stderr
    (run,) = run_dirs(tmp_path)
    summary = json.loads((run / "summary.json").read_text())
    assert summary["status"] == "ok"
    assert summary["engine"] == "pymc" and summary["map_diagnostics"]["max_rhat"] < 1.05
    assert (run / "oc_curve.png").exists()
