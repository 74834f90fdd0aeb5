"""MMF dosing and MPA AUC against hand calculation, the 2 g cap and the cSLE cohort's AUC."""

import numpy as np
import pytest

from simtrial.models.mmf_pk import MMFPK, mmf_dose_mg, mpa_auc, mpa_clearance, mpa_segments
from simtrial.models.population import (
    Patients,
    PopulationSpec,
    bsa_costeff,
    sample_population,
    weight_for_age,
)


def _one_child(age):
    """A child of median weight for ``age``."""
    w = np.atleast_1d(weight_for_age(age))
    return Patients(
        age_years=np.array([age]), sex=np.array([0]), weight_kg=w, bsa_m2=bsa_costeff(w),
        group=np.array([0]), mmf_exposed=np.array([True]), mmf_failed=np.array([True]),
        baseline_platelets=np.array([15.0]),
    )


def test_typical_auc_hand_calculation():
    child = _one_child(10.0)  # 37 kg, BSA 155/127 m^2
    bsa = 155 / 127
    expected = 600 * bsa / 25.3
    auc = mpa_auc(child, MMFPK(), None)
    print(f"typical 10-year-old: dose {600 * bsa:.0f} mg bid, AUC0-12 {auc[0]:.1f} mg.h/L")
    np.testing.assert_allclose(auc, [expected], rtol=1e-12)


def test_cap_two_grams_per_day():
    np.testing.assert_allclose(mmf_dose_mg([1.0, 1.5, 1.8, 2.2], MMFPK()), [600, 900, 1000, 1000])
    assert np.all(2 * mmf_dose_mg(np.linspace(0.3, 3.0, 50), MMFPK()) <= 2000 + 1e-9)


def test_cohort_auc_close_to_sagcal_gironella():
    # cSLE cohort, median age 16.5 y: measured AUC0-12 32 +- 4.2 (SE) mg.h/L, CV 57%
    auc = mpa_auc(_one_child(16.5), MMFPK(), None)[0]
    print(f"typical 16.5-year-old AUC0-12 {auc:.1f} mg.h/L (cohort mean 32)")
    assert 32 - 2 * 4.2 * 1.5 < auc < 32 + 2 * 4.2 * 1.5


def test_variability_and_seed():
    pop = sample_population(PopulationSpec(), 40_000, np.random.default_rng(1))
    cl = mpa_clearance(pop, MMFPK(), np.random.default_rng(2))
    assert abs(np.std(np.log(cl)) - np.sqrt(np.log1p(0.486**2))) < 0.01
    a = mpa_auc(pop, MMFPK(), np.random.default_rng(9))
    b = mpa_auc(pop, MMFPK(), np.random.default_rng(9))
    np.testing.assert_array_equal(a, b)
    assert np.all(np.isfinite(a)) and np.all(a > 0)


def test_weight_scaling_option():
    child = _one_child(4.0)  # 19 kg
    flat = mpa_auc(child, MMFPK(), None)[0]
    scaled = mpa_auc(child, MMFPK(cl_weight_exponent=0.75), None)[0]
    np.testing.assert_allclose(scaled / flat, (55 / 19) ** 0.75)


@pytest.mark.parametrize("kwargs, field", [(dict(cl_f_l_h=0), "cl_f_l_h"), (dict(cl_cv=-1), "cl_cv"),
                                           (dict(max_mg_day=float("inf")), "max_mg_day")])
def test_invalid(kwargs, field):
    with pytest.raises(ValueError, match=field):
        MMFPK(**kwargs)


def test_mpa_segments_layout():
    seg = mpa_segments([30.0, 45.0], start_day=0.0, stop_day=[90.0, np.inf])
    np.testing.assert_array_equal(seg.change_days, [[0.0, 90.0], [0.0, np.inf]])
    np.testing.assert_array_equal(seg.auc, [[30.0, 0.0], [45.0, 0.0]])
    change_days, auc = seg
    assert change_days.shape == auc.shape == (2, 2)
    with pytest.raises(ValueError, match="stop_day"):
        mpa_segments([30.0], start_day=10.0, stop_day=5.0)
    with pytest.raises(ValueError, match="auc"):
        mpa_segments([-1.0])
