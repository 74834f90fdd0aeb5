"""experiment=patient_models: a virtual cohort on sirolimus with TDM, end to end."""

import json

import numpy as np

from simtrial.models.config import PatientModel
from simtrial.models.course import simulate_sirolimus_course
from simtrial.models.defaults import DEFAULT_POPULATION_PARAMETERS
from tests.support.cli import run_dirs, run_simtrial


def test_course_is_seeded_and_stage_streams_are_independent():
    days = np.arange(0, 120, 7.0)
    model = PatientModel()
    a = simulate_sirolimus_course(model, DEFAULT_POPULATION_PARAMETERS, 50, days, np.random.SeedSequence(3))
    b = simulate_sirolimus_course(model, DEFAULT_POPULATION_PARAMETERS, 50, days, np.random.SeedSequence(3))
    np.testing.assert_array_equal(a.platelets.counts, b.platelets.counts)
    # A different TDM window changes doses but not the children or their drug sensitivity.
    other = PatientModel(tdm=type(model.tdm)(window_low=8.0, target_trough=11.0))
    c = simulate_sirolimus_course(other, DEFAULT_POPULATION_PARAMETERS, 50, days, np.random.SeedSequence(3))
    np.testing.assert_array_equal(a.patients.age_years, c.patients.age_years)
    np.testing.assert_array_equal(a.effects["sirolimus"].d_ss, c.effects["sirolimus"].d_ss)
    assert not np.array_equal(a.doses.trough, c.doses.trough)


def test_patient_models_study_writes_figures_and_plots(tmp_path):
    proc = run_simtrial(["experiment=patient_models", "patient_models.n_patients=600"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    (run_dir,) = run_dirs(tmp_path)
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["status"] == "ok"
    # The TDM check of the patient-models issue: >= 80% in the window by day 60.
    assert summary["trough_in_window_fraction_day_60"] >= 0.8
    assert 3 < summary["median_trough_first_sample"] < 12
    assert summary["dose_changes_per_patient_median"] >= 0
    assert set(summary["response_rate_by_group"]) == {"primary_itp", "ars_itp", "alps", "multi_lineage",
                                                      "single_lineage"}
    for name in ("pk_profiles.png", "troughs_doses.png", "platelets_by_group.png", "response_by_group.png",
                 "patients.csv"):
        assert (run_dir / name).stat().st_size > 1000, name


def test_patient_models_rejects_bad_options(tmp_path):
    proc = run_simtrial(["experiment=patient_models", "patient_models.horizon_days=30"], tmp_path)
    assert proc.returncode != 0
    assert "patient_models.horizon_days: must be an integer in [61, 3650]" in proc.stderr
    proc = run_simtrial(["experiment=patient_models", "model.noise.sd=-1"], tmp_path)
    assert "model.noise.sd: must be a finite number in [0, 5]" in proc.stderr
    assert run_dirs(tmp_path) == []
