"""Design summaries (simtrial.report.design_summary): every figure exact, power apart from assurance."""

from __future__ import annotations

import json

import pytest
from scipy import stats

from simtrial.designs import simon
from simtrial.designs.fisher import fisher_rejection_table
from simtrial.report.design_summary import (
    DesignSummary,
    format_figure,
    pp_summary,
    simon_summary,
    single_arm_summary,
    two_arm_summary,
)
from simtrial.trial.interim import single_arm_pp_design


def test_single_arm_summary_figures_and_no_pet():
    s = single_arm_summary(56, 0.2, 0.35, 0.05, "pessimistic", 0.35)
    assert s.exact_size == pytest.approx(stats.binom.sf(16, 56, 0.2))
    assert s.power["H1: p = 0.35"] == pytest.approx(stats.binom.sf(16, 56, 0.35))
    text = str(s)
    assert "reject H0 if >= 17 responders" in text
    assert "no interim look (N = 56 always)" in text
    assert "PET" not in text and "0.0000 (MCSE" not in text
    assert "pessimistic (true values: p = 0.35)" in text
    assert s.to_dict()["exact_pet"] is None


def test_simon_summary_matches_simon_1989_row():
    s = simon_summary(3, 13, 12, 43, 0.2, 0.4, 0.05, "optimal")
    assert s.exact_size == pytest.approx(float(simon.rejection_probability(0.2, 3, 13, 12, 43)))
    assert round(s.expected_n["H0: p = 0.2"], 1) == 20.6 and round(s.pet["H0: p = 0.2"], 2) == 0.75
    assert [lk.n for lk in s.looks] == [13, 43]
    assert "stop if <= 3 responders" in s.to_markdown()


def test_inflated_pp_design_is_flagged_everywhere(tmp_path):
    s = pp_summary(single_arm_pp_design(35, (0.25, 0.5, 0.75), 0.2, 0.05, 0.0, 0.8), 0.05, 0.4)
    assert s.size_inflated and s.exact_size == pytest.approx(0.1112, abs=5e-5)
    assert "[EXCEEDS ALPHA]" in str(s)
    assert "**0.1112" in s.to_markdown()
    assert "color:#b00020" in s.to_html()
    assert s.looks[-1].alpha_spent == pytest.approx(s.exact_size)
    assert [lk.alpha_spent for lk in s.looks] == sorted(lk.alpha_spent for lk in s.looks)
    path = s.write(tmp_path)
    assert path.name == "design_summary.md" and "EXCEEDS ALPHA" in path.read_text()


def test_two_arm_summary_size_is_maximum_over_null():
    t = fisher_rejection_table(20, 20, 0.05, "greater")
    s = two_arm_summary(t, "Fisher exact test", 0.2, 0.5, 0.05)
    assert s.exact_size == pytest.approx(0.02663, abs=1e-5)
    assert "maximum over p_A = p_B" in str(s)


def test_assurance_never_in_power():
    s = DesignSummary("x", "H0", 0.05, "one-sided", (), 0.04, power={"H1: p = 0.4": 0.8},
                      assurance={"posterior": (0.91, "the posterior predictive response rate")})
    d = json.loads(json.dumps(s.to_dict()))
    assert d["exact_power"] == {"H1: p = 0.4": 0.8}
    assert d["assurance"]["posterior"]["value"] == 0.91
    assert "not a power" in str(s)


def test_format_figure():
    assert format_figure(0.80651, 0.00621) == "0.8065 (MCSE 0.0062)"
    assert format_figure(0.0, 0.0, varies=False) == "0 (fixed by the design)"
    assert format_figure(None, varies=False) == "fixed by the design"
