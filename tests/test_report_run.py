"""Per-run design summary, console text and report.html (simtrial.report.run_report)."""

from __future__ import annotations

import pytest

import simtrial as st
from simtrial.report.run_report import Z_EXPLAINED, console_report, design_summary, write_run_report


@pytest.fixture(scope="module")
def single_arm_result():
    d = st.designs.SingleArm(35, 0.2, 0.4, 0.05)
    return st.Trial(d, st.scenarios.Parametric(0.35)).simulate(200, seed=3)


def test_console_states_truth_explains_z_once_and_fixed_figures(single_arm_result):
    text = console_report(single_arm_result)
    assert "true values: p = 0.35" in text
    assert "rejection rate (power at p = 0.35)" in text
    assert text.count(Z_EXPLAINED) == 1
    assert "probability of early termination: fixed by the design (no interim look)" in text
    assert "expected number of children: 35, fixed by the design" in text
    assert "0.0000 (MCSE 0.0000)" not in text


def test_run_report_files(single_arm_result, tmp_path):
    md, html = write_run_report(tmp_path, single_arm_result)
    assert md.name == "design_summary.md" and "reject H0 if >= 12 responders" in md.read_text()
    page = html.read_text()
    assert page.index('id="design"') < page.index('id="simulated"') < page.index('id="oc"')
    assert "Exact type I error" in page and "0.0344" in page
    assert "data:image/png;base64" in page


def test_inflated_design_is_red_in_report(tmp_path):
    d = st.designs.SingleArm(35, 0.2, 0.4, 0.05,
                             interim=st.designs.PPInterim([0.25, 0.5, 0.75], theta_e=0.8, size_control="allow"))
    res = st.Trial(d, st.scenarios.Parametric(0.2)).simulate(100, seed=4)
    s = design_summary(d, res.scenario, res.rates)
    assert s.size_inflated and s.exact_size == pytest.approx(0.1112, abs=5e-5)
    _, html = write_run_report(tmp_path, res)
    page = html.read_text()
    assert "Inflated type I error" in page and "color:#b00020" in page


def test_estimation_after_a_simon_stop_in_the_run_output():
    """Issue 16: after a Simon early stop the naive estimate is biased (0.582 for truth 0.600 was
    reported); the run now shows the naive mean, the UMVUE and the exact CI coverage, simulated
    with MCSE beside the exact values (|z| < 4)."""
    from simtrial.report.run_report import estimation_table

    d = st.designs.Simon.search(0.2, 0.4, 0.05, 0.8)
    res = st.Trial(d, st.scenarios.Parametric(0.3)).simulate(1500, seed=6)
    est = estimation_table(res)
    assert est is not None and len(est) == 3
    assert (est["z"].abs() < 4).all()
    assert est.loc["UMVUE (Jung and Kim 2004)", "exact"] == pytest.approx(0.3, abs=1e-12)
    assert est.loc["observed proportion (naive)", "exact"] < 0.3
    assert "UMVUE (Jung and Kim 2004)" in console_report(res)


def test_null_scenario_is_labelled_type_one_error():
    d = st.designs.SingleArm(20, 0.2, 0.4, 0.05)
    res = st.Trial(d, st.scenarios.Parametric(0.2)).simulate(50, seed=5)
    assert "rejection rate (type I error at p = 0.2)" in console_report(res)


def test_two_arm_summary_from_design_object():
    d = st.designs.TwoArm(n_per_arm=20, p_a=0.2, p_b=0.5)
    s = design_summary(d, st.scenarios.Parametric([0.2, 0.5]), (0.2, 0.5))
    assert "maximum over p_A = p_B" in s.size_note
    assert s.true_values == {"p_A": 0.2, "p_B": 0.5}
    assert s.exact_size <= 0.05


@pytest.mark.slow
def test_run_report_renders_in_chromium_at_1400px(single_arm_result, tmp_path):
    from simtrial.report import dump_dom, find_chromium, render

    if find_chromium() is None:
        pytest.skip("needs Chromium")
    _, html = write_run_report(tmp_path, single_arm_result)
    dom = dump_dom(html)
    for section in ("design", "simulated", "oc"):
        assert f'<section id="{section}">' in dom
    assert "Design summary" in dom and "true values: p = 0.35" in dom
    assert render(html, tmp_path / "run.png", width=1400, height=1800).stat().st_size > 10_000


def test_sequencing_answer_in_report_and_design_summary(tmp_path):
    """Issue 14: report.html and design_summary.md show which strategy is favoured, with the
    numbers of the summary figures (comparison per endpoint, rho rows, embedded regimes)."""
    from simtrial.scenarios import Fixed
    from simtrial.studies.sequencing import answers

    trial = st.Trial(st.designs.Smart(n_per_arm=6, rerandomise=True), Fixed(population="mmf_naive"))
    res = trial.simulate(12, seed=4)
    out = answers(trial, res, replicates=12, seed=4)
    md, html = write_run_report(tmp_path, res, sequencing=out)
    page, text = html.read_text(), md.read_text()
    assert page.index('id="design"') < page.index('id="sequencing"')
    assert "Which strategy is favoured" in page and "## Which strategy is favoured" in text
    comp = out["comparison"]
    f = comp["favoured"]
    assert f"primary endpoint: {comp['primary_endpoint']}" in page
    for doc in (page, text):
        for key, c in comp["endpoints"].items():
            digits = 1 if key == "time_to_response" else 3
            assert f"{c['estimate_a']:.{digits}f} (MCSE {c['estimate_a_mcse']:.{digits}f})" in doc
            assert f"{c['estimate_b']:.{digits}f} (MCSE {c['estimate_b_mcse']:.{digits}f})" in doc
            assert f"{c['difference']:+.{digits}f} (MCSE {c['difference_mcse']:.{digits}f})" in doc
            assert " / ".join(f"{c[f'difference_p{q}']:+.{digits}f}" for q in ("05", "50", "95")) in doc
            assert f"{c['p_b_better']:.3f} (MCSE {c['p_b_better_mcse']:.3f})" in doc
            assert (f"{c['p_declares_b']:.3f} / {c['p_declares_a']:.3f} / {c['p_declares_neither']:.3f}"
                    in doc)
        for r in out["rho_sensitivity"]:
            assert r["rho_value"] in doc and f"{r['p_a_better']:.3f} (MCSE {r['p_a_better_mcse']:.3f})" in doc
        for r in out["embedded_regimes"]:
            assert r["regime"] in doc and f"{r['response']:.3f} (MCSE {r['response_mcse']:.3f})" in doc
    if f["strategy"] != "neither":
        assert f"Favoured: {f['strategy']}, better in {f['probability']:.3f}" in page


def test_no_sequencing_section_without_an_answer(single_arm_result, tmp_path):
    _, html = write_run_report(tmp_path, single_arm_result)
    assert 'id="sequencing"' not in html.read_text()


def test_two_sided_design_summary_states_two_sided_hypotheses():
    """The sequencing design's two-sided Fisher test was summarised as one-sided (H1: p_B > p_A)."""
    d = st.designs.Sequencing(n_per_arm=20)
    s = design_summary(d, st.scenarios.Parametric([0.5, 0.75]), (0.5, 0.75))
    assert d.alternative == "two-sided"
    assert s.sided == "two-sided" and s.hypotheses == "H0: p_B = p_A against H1: p_B != p_A"
    assert s.hypotheses == d.design_summary().hypotheses
    one = design_summary(st.designs.TwoArm(n_per_arm=20), st.scenarios.Parametric([0.3, 0.6]), (0.3, 0.6))
    assert one.sided == "one-sided" and "p_B > p_A" in one.hypotheses
