"""The design report of real sweeps, opened in headless Chromium: sections and images in the DOM."""

from __future__ import annotations

import re

import pytest

from simtrial.aggregate import aggregate
from simtrial.report import dump_dom, find_chromium, render
from tests.support.cli import run_simtrial
from tests.test_aggregate import make_sweep

needs_chromium = pytest.mark.skipif(find_chromium() is None, reason="needs Chromium (Debian package chromium)")


@pytest.mark.slow
@needs_chromium
def test_report_with_failed_jobs_renders_in_chromium(tmp_path):
    sweep = make_sweep(tmp_path)
    result = aggregate(sweep)
    dom = dump_dom(result.report_path)
    for section in ("smallest-n", "oc", "jobs", "failed"):
        assert f'<section id="{section}">' in dom, section
    assert len(re.findall(r'<img src="data:image/png;base64,', dom)) == 2  # one OC figure per design
    assert "Failed jobs" in dom and "never started" in dom and "scenario.p: must be in (0, 1)" in dom
    shot = render(result.report_path, tmp_path / "report.png")
    assert shot.stat().st_size > 10_000


@pytest.mark.slow
@needs_chromium
def test_sequencing_sweep_report_has_the_comparison_panel(tmp_path):
    proc = run_simtrial(["-m", "experiment=sequencing", "design.n_per_arm=20,40", "design.switch_day=56,112",
                         "simulation.replicates=100", "hydra/launcher=joblib", "hydra.launcher.n_jobs=2"],
                        tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (sweep,) = tmp_path.glob("sequencing/multirun/*")
    dom = dump_dom(sweep / "design_report.html")
    for section in ("smallest-n", "oc", "sequencing", "jobs"):
        assert f'<section id="{section}">' in dom, section
    assert "Sequencing comparison by switch day and n per arm" in dom
    assert "arms.A.share_exposed_both" in dom and "arms.B.response_rate" in dom
    assert len(re.findall(r'<img src="data:image/png;base64,', dom)) == 3  # OC per switch day + sequencing
    assert render(sweep / "design_report.html", tmp_path / "sequencing.png").stat().st_size > 10_000
