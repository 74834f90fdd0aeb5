"""Real (short) fits through the study, the report rendered in headless Chromium, and the prior
sensitivity runs writing the same outputs. Marked slow: each compiles and samples the model."""

from __future__ import annotations

import json
import types

import numpy as np
import pytest
import xarray as xr

from simtrial.calibration import CalibrationConfig, PosteriorError, load_posterior
from simtrial.models.parameters import GROUPS
from simtrial.studies import calibrate
from simtrial.studies.context import RunContext

pytestmark = pytest.mark.slow

OUTPUTS = {"posterior.nc", "ppc.csv", "report.html"}
SUMMARY_KEYS = {"max_rhat", "min_ess_bulk", "min_ess_tail", "divergences", "wall_time_s", "diagnostics_ok", "ppc"}


def _run(tmp_path, **overrides):
    cfg = types.SimpleNamespace(calibration=CalibrationConfig(**overrides), seed=20261123)
    out = calibrate.run(cfg, RunContext(tmp_path, np.random.SeedSequence(cfg.seed)))
    json.dumps(out, allow_nan=False)  # summary.json must be strict JSON
    return out


@pytest.fixture(scope="module")
def short_fit(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("calibrate")
    return run_dir, _run(run_dir, draws=300, tune=300, chains=2, prior_draws=300)


def test_short_fit_writes_every_output(short_fit):
    run_dir, out = short_fit
    assert OUTPUTS <= {p.name for p in run_dir.iterdir()}
    assert SUMMARY_KEYS <= set(out)
    assert out["ppc_total"] == len(out["ppc"]) == 27
    for entry in out["ppc"]:
        assert {"name", "observed", "median", "lower", "upper", "covered"} <= set(entry)
    tree = xr.open_datatree(run_dir / "posterior.nc")
    assert {"posterior", "sample_stats", "observed_data", "posterior_predictive", "prior",
            "prior_predictive"} <= set(tree.children)
    post = tree["posterior"].to_dataset()
    assert list(post["sirolimus_mu"].dims) == ["chain", "draw", "group"]
    assert list(post["group"].values) == list(GROUPS)
    assert post.sizes["draw"] == 300
    assert float(tree["observed_data"]["letter_responders"]) == 13
    tree.close()


def test_short_fit_is_loadable_downstream_or_refused_by_name(short_fit):
    run_dir, out = short_fit
    path = run_dir / "posterior.nc"
    if out["diagnostics_ok"]:
        assert load_posterior(path).n_draws == 600
    else:
        with pytest.raises(PosteriorError, match="calibration.allow_failed_diagnostics=true"):
            load_posterior(path)
    params = load_posterior(path, allow_failed_diagnostics=True)
    assert params.sirolimus.mu.shape == (600, len(GROUPS))
    # even a short fit sees ALPS (12/12 CR) respond better than single-lineage disease (2/6)
    assert np.median(params.sirolimus.mu[:, 2] - params.sirolimus.mu[:, 4]) > 0


def test_report_renders_in_headless_chromium(short_fit, tmp_path):
    from simtrial.report import dump_dom, find_chromium, render

    if find_chromium() is None:
        pytest.skip("Chromium not installed (make system-deps installs Debian's chromium)")
    run_dir, out = short_fit
    html = run_dir / "report.html"
    shot = render(html, tmp_path / "report.png", height=2400)
    assert shot.stat().st_size > 20_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    dom = dump_dom(html)
    for title in ("What was fitted", "Posterior summary", "Convergence", "Prior vs posterior",
                  "Posterior predictive checks", "Predicted response by disease group and prior treatment"):
        assert title in dom
    assert "90% equal-tailed" in dom
    assert dom.count("<img") >= 4  # rank, prior vs posterior, PPC, response curves
    assert ("Diagnostics failed" in dom) == (not out["diagnostics_ok"])


@pytest.mark.parametrize("prior, sampler", [("vague", "nutpie"), ("sceptical", "pymc")])
def test_prior_sensitivity_runs_write_the_same_outputs(tmp_path, short_fit, prior, sampler):
    _, reference = short_fit
    out = _run(tmp_path, prior=prior, sampler=sampler, draws=150, tune=150, prior_draws=200)
    assert OUTPUTS <= {p.name for p in tmp_path.iterdir()}
    assert set(out) == set(reference)
    assert out["prior"] == prior and out["sampler"] == sampler
    assert [e["name"] for e in out["ppc"]] == [e["name"] for e in reference["ppc"]]


def test_simulation_based_calibration_recovers_known_parameters():
    """Five prior draws, simulated at the cohorts' sizes and refitted with the one compiled model:
    the 90% posterior intervals must cover the true values about 90% of the time (the full check,
    40 replicates, is in docs/calibration.md)."""
    from simtrial.calibration.sbc import SBC_PARAMETERS, run_sbc

    out = run_sbc(n_replicates=5, draws=250, tune=300, seed=7, log=lambda *_: None)
    ranks = np.asarray(out["ranks"])
    assert ranks.shape == (5, len(SBC_PARAMETERS))
    assert np.all((0 <= ranks) & (ranks <= out["n_ranks"]))
    assert out["coverage_90_overall"] >= 0.7
    # each replicate is a different data set: the posteriors differ
    assert len({tuple(r) for r in ranks.tolist()}) == 5
