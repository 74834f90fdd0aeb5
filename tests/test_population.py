"""Virtual children against the cohorts' figures and the cited formulas."""

import numpy as np
import pandas as pd
import pytest

from simtrial.models.parameters import GROUPS
from simtrial.models.population import (
    Patients,
    PopulationSpec,
    bride_population,
    bsa_costeff,
    letter_population,
    sample_population,
    weight_for_age,
)


@pytest.fixture(scope="module")
def pop() -> Patients:
    return sample_population(PopulationSpec(), 50_000, np.random.default_rng(20250101))


def test_weight_formula_hand_values():
    # Luscombe & Owens 2007: 3 x age + 7; the line continues above 13 y
    np.testing.assert_allclose(weight_for_age([1.0, 5.0, 10.0, 13.0, 16.0]), [10, 22, 37, 46, 55])
    spec = PopulationSpec(adolescent_slope_kg_per_year=2.0)
    np.testing.assert_allclose(weight_for_age([13.0, 18.0], spec), [46.0, 56.0])


def test_bsa_costeff_hand_values():
    # (4W + 7) / (W + 90): 10 kg -> 47/100; 30 kg -> 127/120; 70 kg -> 287/160
    np.testing.assert_allclose(bsa_costeff([10.0, 30.0, 70.0]), [0.47, 127 / 120, 287 / 160])


def test_default_population_matches_cohorts(pop):
    age = pop.age_years
    med = np.median(age)
    print(f"median age {med:.2f} y, range {age.min():.2f}-{age.max():.2f}")
    assert 9.5 <= med <= 10.5  # letter 9.8, Bride 11
    assert age.min() >= 1.8 and age.max() <= 21.0
    assert 0.40 <= pop.sex.mean() <= 0.55  # 9/19 male
    assert abs(pop.mmf_failed.mean() - 17 / 19) < 0.01
    assert np.all(pop.mmf_exposed[pop.mmf_failed])
    share = np.bincount(pop.group, minlength=len(GROUPS)) / len(pop)
    np.testing.assert_allclose(share, [10 / 19, 9 / 19, 0, 0, 0], atol=0.01)
    plt = pop.baseline_platelets
    print(f"baseline platelets median {np.median(plt):.1f}, max {plt.max():.1f}")
    assert np.all(plt > 0) and np.all(plt <= 30.0)
    assert 13.5 <= np.median(plt) <= 18.0
    assert np.all(pop.weight_kg > 0)
    np.testing.assert_allclose(pop.bsa_m2, bsa_costeff(pop.weight_kg))


def test_weight_scatter_around_formula(pop):
    ratio = np.log(pop.weight_kg / weight_for_age(pop.age_years))
    assert abs(np.median(ratio)) < 0.01
    assert abs(ratio.std() - np.sqrt(np.log1p(0.167**2))) < 0.01


def test_untruncated_platelets_keep_lognormal_cv():
    spec = PopulationSpec(platelet_ceiling=float("inf"))
    p = sample_population(spec, 50_000, np.random.default_rng(3)).baseline_platelets
    assert abs(np.std(np.log(p)) - np.sqrt(np.log1p(0.35**2))) < 0.01


def test_bride_preset_groups():
    pop = sample_population(bride_population(), 20_000, np.random.default_rng(5))
    share = np.bincount(pop.group, minlength=len(GROUPS)) / len(pop)
    np.testing.assert_allclose(share, [0, 0, 0.4, 0.4, 0.2], atol=0.015)
    assert 10.5 <= np.median(pop.age_years) <= 11.5


def test_take_len_frame_and_seed(pop):
    sub = pop.take(np.arange(5))
    assert len(sub) == 5
    df = sub.to_frame()
    assert isinstance(df, pd.DataFrame) and len(df) == 5
    assert set(df["group_name"]) <= set(GROUPS)
    a = sample_population(PopulationSpec(), 100, np.random.default_rng(1))
    b = sample_population(PopulationSpec(), 100, np.random.default_rng(1))
    for name in ("age_years", "weight_kg", "group", "baseline_platelets", "mmf_failed"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(age_median_years=25.0), "age_median_years"),
        (dict(group_weights=[1.0, 0.0]), "group_weights"),
        (dict(group_weights=[-1.0, 1, 1, 1, 1]), "group_weights"),
        (dict(share_mmf_failed=0.9, share_mmf_exposed=0.5), "share_mmf_failed"),
        (dict(share_male=1.5), "share_male"),
        (dict(platelet_cv=-0.1), "platelet_cv"),
        (dict(platelet_median=float("nan")), "platelet_median"),
    ],
)
def test_invalid_spec_names_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        PopulationSpec(**kwargs)


def test_invalid_n_and_rng():
    with pytest.raises(ValueError, match="n:"):
        sample_population(PopulationSpec(), -1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="rng"):
        sample_population(PopulationSpec(), 3, 42)


def test_named_trial_populations():
    from simtrial.models.population import POPULATIONS, named_population

    assert set(POPULATIONS) == {"mmf_naive", "mmf_refractory", "letter", "bride"}
    naive, refractory = named_population("mmf_naive"), named_population("mmf_refractory")
    assert naive.share_mmf_failed == naive.share_mmf_exposed == 0.0
    assert refractory.share_mmf_failed == refractory.share_mmf_exposed == 1.0
    assert naive.group_weights == refractory.group_weights == letter_population().group_weights
    assert named_population("letter").share_mmf_failed == pytest.approx(17 / 19)
    assert named_population("bride").share_mmf_failed == 0.0
    pop = sample_population(refractory, 200, np.random.default_rng(0))
    assert pop.mmf_failed.all()
    with pytest.raises(ValueError, match="population: must be one of"):
        named_population("everyone")


def test_mmf_for_mmf_failed_children_is_refused():
    import simtrial as st
    from simtrial._core.validation import ValidationError
    from simtrial.models.population import check_mmf_eligibility, named_population
    from simtrial.scenarios import Fixed, Parametric

    check_mmf_eligibility(named_population("letter"), ["sirolimus"])  # sirolimus only: fine
    check_mmf_eligibility(named_population("mmf_naive"), ["mmf", "sirolimus"])
    with pytest.raises(ValidationError, match="scenario.population: the design gives MMF.*mmf_naive"):
        check_mmf_eligibility(named_population("mmf_refractory"), ["mmf"], "scenario.population")
    design = st.designs.Sequencing(n_per_arm=10)
    for bad in ("letter", "mmf_refractory", None):  # None: the patient model's (the letter's)
        with pytest.raises(ValidationError, match="scenario.population: the design gives MMF"):
            st.Trial(design, Fixed(population=bad))
    trial = st.Trial(design, Fixed(population="mmf_naive"))
    assert trial._plan(trial.scenario).model.population.share_mmf_failed == 0.0
    st.Trial(design, Parametric(population="letter"))  # no biology: no MMF effect to refuse
    st.Trial(st.designs.SingleArm(), Fixed(population="mmf_refractory"))  # sirolimus rescue trial
