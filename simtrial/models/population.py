"""Virtual children: age, sex, size, disease group, prior MMF and baseline platelet count.

Sources (see ``docs/models-pk.md`` for the full table)
------------------------------------------------------
- Age: the Genoa/Catania letter (Am J Hematol), median 9.8 y (1.8-20); Bride et al., Blood
  2016;127:17-28, median 11 y (1.8-21).
- Sex 9 M / 10 F, prior MMF failure 17/19, group mix 10 primary ITP / 9 ARS-ITP: the letter.
- Weight for age: ``3 x age + 7`` kg (Luscombe & Owens, Arch Dis Child 2007;92:412-415, derived
  for 1-10 y; Luscombe, Owens & Burke, Emerg Med J 2011;28:590-593, valid 1-13 y inclusive).
  The formula approximates growth-reference medians; above 13 y it is extrapolated with a
  configurable slope (not sourced).
- Between-child weight variability: log-SD about 0.167, *derived* from Gunn et al. (SAEM 2010,
  reported in ACEP News, Sept 2010): 45% of Luscombe estimates within 10% of measured weight,
  so 0.10 / Phi^-1(0.725) = 0.167 if the error is lognormal and unbiased.
- BSA from weight only: Costeff, Arch Dis Child 1966;41:681-683, ``(4 W + 7) / (W + 90)`` m^2.
- Baseline platelets: lognormal, median 15 x 10^9/L, CV 35% (Petrov et al., Clin Pharmacol Drug
  Dev 2025: baseline about 18, CV 35%, adult ITP; 15 is the design's working baseline), truncated
  at the inclusion ceiling 30 x 10^9/L (Tarantino et al., Lancet 2016).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

# scipy and pandas are imported where used: the config schemas build a PopulationSpec at import.
from simtrial._core.validation import Interval, Predicate, Sequence, ValidationError, Validated
from simtrial.models.parameters import GROUPS

__all__ = [
    "PopulationSpec",
    "Patients",
    "sample_population",
    "weight_for_age",
    "bsa_costeff",
    "letter_population",
    "bride_population",
    "mmf_naive_population",
    "mmf_refractory_population",
    "POPULATIONS",
    "named_population",
    "check_mmf_eligibility",
]


def _letter_groups() -> list[float]:
    # primary ITP 10, ARS-ITP 9 (the letter, Table 1B); no ALPS / multi- / single-lineage.
    return [10.0, 9.0, 0.0, 0.0, 0.0]


def _ceiling_ok(value) -> bool:
    if value == np.inf:
        return True
    Interval(float, 0.0, 1e4, "right").validate(value)  # raises ValueError outside
    return True


@dataclass(frozen=True)
class PopulationSpec(Validated):
    """Distribution of virtual children.

    Attributes
    ----------
    age_min_years, age_max_years : float
        Age range, 1.8-21 y (Bride 2016: 1.8-21; the letter: 1.8-20).
    age_median_years : float
        Median age, 10 y (between the letter's 9.8 and Bride's 11).
    age_concentration : float
        ``a + b`` of the scaled beta distribution of age; 4.6 gives an interquartile range of
        about 7-13 y (not sourced; the cohorts print only median and range).
    group_weights : list of float
        Relative frequency of each disease group in :data:`GROUPS` order; default the letter's
        10 primary ITP / 9 ARS-ITP.
    share_mmf_exposed : float
        Share who received MMF before sirolimus, 17/19 (the letter).
    share_mmf_failed : float
        Share who failed MMF (a subset of the exposed), 17/19 (the letter).
    share_male : float
        9/19 (the letter: 9 males, 10 females).
    weight_slope_kg_per_year, weight_intercept_kg : float
        Luscombe & Owens 2007 weight for age, ``3 x age + 7``.
    weight_formula_max_age_years : float
        Upper age of the formula's validation, 13 y (Luscombe, Owens & Burke 2011).
    adolescent_slope_kg_per_year : float
        Weight gain per year above that age; 3.0 continues the Luscombe line (not sourced).
    weight_cv : float
        Between-child CV of weight around the formula, 0.167 (*derived* from Gunn et al. 2010).
    platelet_median : float
        Median baseline count of the untruncated lognormal, 15 x 10^9/L (Petrov et al. 2025: about
        18 in adult ITP; 15 is the design's working baseline).
    platelet_cv : float
        CV of the baseline count, 0.35 (Petrov et al. 2025).
    platelet_ceiling : float
        Inclusion ceiling 30 x 10^9/L (Tarantino et al., Lancet 2016); counts are sampled from
        the lognormal truncated above at this value.
    """

    age_min_years: float = 1.8
    age_max_years: float = 21.0
    age_median_years: float = 10.0
    age_concentration: float = 4.6
    group_weights: list[float] = field(default_factory=_letter_groups)
    share_mmf_exposed: float = 17 / 19
    share_mmf_failed: float = 17 / 19
    share_male: float = 9 / 19
    weight_slope_kg_per_year: float = 3.0
    weight_intercept_kg: float = 7.0
    weight_formula_max_age_years: float = 13.0
    adolescent_slope_kg_per_year: float = 3.0
    weight_cv: float = 0.167
    platelet_median: float = 15.0
    platelet_cv: float = 0.35
    platelet_ceiling: float = 30.0

    _constraints = {
        "age_min_years": Interval(float, 0.0, 30.0, "right"),
        "age_max_years": Interval(float, 0.0, 30.0, "right"),
        "age_median_years": Interval(float, 0.0, 30.0, "right"),
        "age_concentration": Interval(float, 0.5, 1000.0, "right"),
        "group_weights": Sequence(Interval(float, 0.0, None), min_len=len(GROUPS), max_len=len(GROUPS)),
        "share_mmf_exposed": Interval(float, 0.0, 1.0),
        "share_mmf_failed": Interval(float, 0.0, 1.0),
        "share_male": Interval(float, 0.0, 1.0),
        "weight_slope_kg_per_year": Interval(float, 0.0, 20.0),
        "weight_intercept_kg": Interval(float, 0.0, 100.0),
        "weight_formula_max_age_years": Interval(float, 0.0, 30.0, "right"),
        "adolescent_slope_kg_per_year": Interval(float, 0.0, 20.0),
        "weight_cv": Interval(float, 0.0, 2.0),
        "platelet_median": Interval(float, 0.0, 1000.0, "right"),
        "platelet_cv": Interval(float, 0.0, 2.0),
        # 10^9/L; infinity: no inclusion ceiling.
        "platelet_ceiling": Predicate(_ceiling_ok, "must be a number in (0, 10000] or inf (no ceiling)"),
    }

    def _check(self) -> None:
        if not self.age_min_years < self.age_median_years < self.age_max_years:
            raise ValidationError("age_median_years", "need 0 < age_min_years < age_median_years < age_max_years",
                                  (self.age_min_years, self.age_median_years, self.age_max_years))
        if sum(self.group_weights) <= 0:
            raise ValidationError("group_weights", f"need a positive sum (one weight per group {list(GROUPS)})",
                                  self.group_weights)
        if self.share_mmf_failed > self.share_mmf_exposed:
            raise ValidationError("share_mmf_failed", f"must be <= share_mmf_exposed ({self.share_mmf_exposed})",
                                  self.share_mmf_failed)
        if self.weight_slope_kg_per_year * self.age_min_years + self.weight_intercept_kg <= 0:
            raise ValidationError("weight_intercept_kg", "the weight at age_min_years must be > 0",
                                  self.weight_intercept_kg)
        # the truncated lognormal must keep some mass below the ceiling
        s = self._platelet_sigma()
        x = math.log(self.platelet_ceiling / self.platelet_median) / s if s > 0 else math.copysign(
            math.inf, self.platelet_ceiling - self.platelet_median + 0.0)
        if 0.5 * math.erfc(-x / math.sqrt(2.0)) < 1e-6:  # the normal CDF, without importing scipy
            raise ValidationError("platelet_ceiling", "leaves almost no mass of the baseline lognormal "
                                  f"(median {self.platelet_median}, CV {self.platelet_cv})", self.platelet_ceiling)

    def _platelet_sigma(self) -> float:
        return float(np.sqrt(np.log1p(self.platelet_cv**2)))

    def _platelet_ceiling_prob(self) -> float:
        s = self._platelet_sigma()
        if s == 0:
            return 1.0 if self.platelet_median <= self.platelet_ceiling else 0.0
        from scipy import stats

        return float(stats.norm.cdf(np.log(self.platelet_ceiling / self.platelet_median) / s))

    def age_beta_shape(self) -> tuple[float, float]:
        """Beta shapes ``(a, b)`` on the unit interval whose median maps to ``age_median_years``."""
        q = (self.age_median_years - self.age_min_years) / (
            self.age_max_years - self.age_min_years
        )
        from scipy import optimize, special

        c = self.age_concentration

        def gap(a: float) -> float:
            return float(special.betaincinv(a, c - a, 0.5)) - q

        a = optimize.brentq(gap, 1e-6, c - 1e-6, xtol=1e-12)
        return a, c - a


def letter_population(**overrides) -> PopulationSpec:
    """The Genoa/Catania letter's cohort (the default spec), with optional overrides."""
    return PopulationSpec(**overrides)


def bride_population(**overrides) -> PopulationSpec:
    """Bride et al., Blood 2016: ALPS 12, multi-lineage 12, single-lineage 6; median age 11 y.

    Prior MMF in Bride's cohort is not reported in the abstract; as in the calibration's
    likelihood (:mod:`simtrial.calibration.model`), every child is taken as MMF-naive.
    """
    base = dict(age_median_years=11.0, group_weights=[0.0, 0.0, 12.0, 12.0, 6.0],
                share_mmf_exposed=0.0, share_mmf_failed=0.0)
    base.update(overrides)
    return PopulationSpec(**base)


def mmf_naive_population(**overrides) -> PopulationSpec:
    """Children eligible for either first drug: the sequencing trial's population.

    The letter's disease-group mix (10 primary ITP / 9 ARS-ITP: the letter asks whether MMF
    then sirolimus is a good sequence for these children), ages and baseline counts, with no
    child exposed to MMF before.
    """
    base = dict(share_mmf_exposed=0.0, share_mmf_failed=0.0)
    base.update(overrides)
    return PopulationSpec(**base)


def mmf_refractory_population(**overrides) -> PopulationSpec:
    """A rescue trial after MMF failure, the letter's setting with every child MMF-failed.

    The letter's disease-group mix, ages and baseline counts; every child received MMF and
    failed it (17/19 in the letter itself: :func:`letter_population`).
    """
    base = dict(share_mmf_exposed=1.0, share_mmf_failed=1.0)
    base.update(overrides)
    return PopulationSpec(**base)


#: Named trial populations: name -> factory (keyword overrides allowed).
POPULATIONS = {
    "mmf_naive": mmf_naive_population,
    "mmf_refractory": mmf_refractory_population,
    "letter": letter_population,
    "bride": bride_population,
}


def named_population(name: str, **overrides) -> PopulationSpec:
    """The trial population called ``name`` (a key of :data:`POPULATIONS`).

    Raises
    ------
    ValueError
        Naming ``population`` and the allowed names when ``name`` is unknown.
    """
    if name not in POPULATIONS:
        raise ValueError(f"population: must be one of {sorted(POPULATIONS)}; got {name!r}")
    return POPULATIONS[name](**overrides)


def check_mmf_eligibility(spec: PopulationSpec, drugs, where: str = "population") -> None:
    """Refuse to give MMF to a population that holds children already marked MMF-failed.

    A child who failed MMF has, by the joint model, an MMF latent below the response threshold
    (:mod:`simtrial.models.joint`): treating it with MMF again would simulate a response that
    cannot happen, and no trial would randomise such a child to MMF.

    Raises
    ------
    simtrial._core.validation.ValidationError
        Naming ``where`` (a ``ValueError``).

    Parameters
    ----------
    spec : PopulationSpec
    drugs : iterable of str
        Every drug some arm of the design can give (first or after a switch).
    where : str
        Field named in the message (for example ``scenario.population``).
    """
    from simtrial._core.validation import ValidationError

    if "mmf" in set(drugs) and spec.share_mmf_failed > 0:
        raise ValidationError(
            where, f"the design gives MMF, but {spec.share_mmf_failed:.0%} of this population already failed "
            "MMF (share_mmf_failed > 0); use the 'mmf_naive' population (or set share_mmf_failed: 0) for a "
            "design with an MMF arm")


def weight_for_age(age_years, spec: PopulationSpec | None = None) -> np.ndarray:
    """Median weight for age (kg): Luscombe & Owens 2007, ``3 x age + 7``.

    Valid 1-13 y (Luscombe, Owens & Burke 2011); above ``spec.weight_formula_max_age_years`` the
    line continues with ``spec.adolescent_slope_kg_per_year`` (an extrapolation).
    """
    spec = spec or PopulationSpec()
    age = np.asarray(age_years, dtype=float)
    if np.any(~np.isfinite(age)) or np.any(age < 0):
        raise ValueError("age_years: must be finite and >= 0")
    a0 = spec.weight_formula_max_age_years
    w0 = spec.weight_slope_kg_per_year * np.minimum(age, a0) + spec.weight_intercept_kg
    return w0 + spec.adolescent_slope_kg_per_year * np.maximum(age - a0, 0.0)


def bsa_costeff(weight_kg) -> np.ndarray:
    """Body-surface area (m^2) from weight alone: ``(4 W + 7) / (W + 90)`` (Costeff 1966)."""
    w = np.asarray(weight_kg, dtype=float)
    if np.any(~np.isfinite(w)) or np.any(w <= 0):
        raise ValueError("weight_kg: must be finite and > 0")
    return (4.0 * w + 7.0) / (w + 90.0)


@dataclass(frozen=True)
class Patients:
    """A set of virtual children; every field is an array of length ``n``.

    Attributes
    ----------
    age_years, weight_kg, bsa_m2, baseline_platelets : float arrays
    sex : int array, 0 female, 1 male
    group : int array, index into :data:`simtrial.models.parameters.GROUPS`
    mmf_exposed, mmf_failed : bool arrays
    """

    age_years: np.ndarray
    sex: np.ndarray
    weight_kg: np.ndarray
    bsa_m2: np.ndarray
    group: np.ndarray
    mmf_exposed: np.ndarray
    mmf_failed: np.ndarray
    baseline_platelets: np.ndarray

    def __post_init__(self) -> None:
        n = None
        for f in fields(self):
            a = np.asarray(getattr(self, f.name))
            if a.ndim != 1:
                raise ValueError(f"{f.name}: must be one-dimensional, got shape {a.shape}")
            if n is None:
                n = a.shape[0]
            elif a.shape[0] != n:
                raise ValueError(f"{f.name}: length {a.shape[0]} differs from age_years ({n})")
            object.__setattr__(self, f.name, a)

    def __len__(self) -> int:
        return int(self.age_years.shape[0])

    def take(self, idx) -> "Patients":
        """The patients at ``idx`` (integer indices or a boolean mask)."""
        return Patients(**{f.name: getattr(self, f.name)[idx] for f in fields(self)})

    def to_frame(self) -> pd.DataFrame:
        """One row per patient; ``group`` also as its name in ``group_name``."""
        import pandas as pd

        df = pd.DataFrame({f.name: getattr(self, f.name) for f in fields(self)})
        df["group_name"] = np.asarray(GROUPS, dtype=object)[self.group]
        return df


def sample_population(spec: PopulationSpec, n: int, rng: np.random.Generator) -> Patients:
    """Draw ``n`` virtual children from ``spec``.

    Parameters
    ----------
    spec : PopulationSpec
    n : int
        Number of children (>= 0).
    rng : numpy.random.Generator

    Returns
    -------
    Patients
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n: must be an integer >= 0, got {n!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng: must be a numpy.random.Generator")
    spec.validate()
    n = int(n)
    a, b = spec.age_beta_shape()
    age = spec.age_min_years + (spec.age_max_years - spec.age_min_years) * rng.beta(a, b, n)
    sex = (rng.random(n) < spec.share_male).astype(np.int8)
    w_sigma = np.sqrt(np.log1p(spec.weight_cv**2))
    # median of the lognormal at the formula: the formula approximates growth-reference medians
    weight = weight_for_age(age, spec) * np.exp(w_sigma * rng.standard_normal(n))
    p = np.asarray(spec.group_weights, dtype=float)
    group = rng.choice(len(GROUPS), size=n, p=p / p.sum()).astype(np.intp)
    exposed = rng.random(n) < spec.share_mmf_exposed
    p_fail = spec.share_mmf_failed / spec.share_mmf_exposed if spec.share_mmf_exposed > 0 else 0.0
    failed = exposed & (rng.random(n) < p_fail)
    # truncated lognormal by inverse CDF: u uniform below the ceiling's probability
    s = spec._platelet_sigma()
    u = rng.random(n) * spec._platelet_ceiling_prob()
    from scipy import stats

    z = stats.norm.ppf(np.clip(u, 1e-300, None)) if s > 0 else np.zeros(n)
    platelets = np.minimum(spec.platelet_median * np.exp(s * z), spec.platelet_ceiling)
    return Patients(
        age_years=age,
        sex=sex,
        weight_kg=weight,
        bsa_m2=bsa_costeff(weight),
        group=group,
        mmf_exposed=exposed,
        mmf_failed=failed,
        baseline_platelets=platelets,
    )
