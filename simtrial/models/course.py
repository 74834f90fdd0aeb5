"""A course of sirolimus with trough-guided dosing, from virtual children to platelet counts.

The whole patient pipeline in one vectorised call: population -> sirolimus PK -> TDM dose
history -> patient drug effects -> platelet counts at visit days. Every stage draws from its own
stream spawned from one ``SeedSequence``, so changing one stage's settings leaves the other
stages' random numbers unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simtrial.models.config import PatientModel
from simtrial.models.effect import PatientEffects, sample_population_effects
from simtrial.models.parameters import PopulationParameters
from simtrial.models.platelets import PlateletResult, simulate_platelets
from simtrial.models.population import Patients, sample_population
from simtrial.models.sirolimus_pk import PatientPK, sample_pk
from simtrial.models.tdm import DoseHistory, run_tdm

#: Stage names, in spawn order (do not reorder: it would change every seeded result).
STAGES = ("population", "pk", "tdm", "effects", "platelets")


@dataclass(frozen=True)
class SirolimusCourse:
    """Everything simulated for a set of children on sirolimus."""

    patients: Patients
    pk: PatientPK
    doses: DoseHistory
    effects: dict[str, PatientEffects]
    platelets: PlateletResult


def stage_generators(seed: np.random.SeedSequence) -> dict[str, np.random.Generator]:
    """One generator per stage of :data:`STAGES`, spawned from ``seed``."""
    return {name: np.random.default_rng(s) for name, s in zip(STAGES, seed.spawn(len(STAGES)))}


def simulate_sirolimus_course(
    model: PatientModel,
    params: PopulationParameters,
    n_patients: int,
    visit_days,
    seed: np.random.SeedSequence,
    horizon_days: float | None = None,
    stop_day=None,
) -> SirolimusCourse:
    """Simulate ``n_patients`` children starting sirolimus at day 0 with TDM.

    Parameters
    ----------
    model : PatientModel
        The patient-model parameter sets.
    params : PopulationParameters
        A single parameter set (one posterior draw, or the defaults).
    n_patients : int
        Number of children (> 0).
    visit_days : array_like, shape (n_visits,)
        Platelet-count days.
    seed : numpy.random.SeedSequence
        Root of this course's randomness.
    horizon_days : float, optional
        Last day of dosing simulated; default the last visit.
    stop_day : float or array, optional
        Day sirolimus stops (recurrence follows with the effect's off-rate).
    """
    if not isinstance(n_patients, (int, np.integer)) or n_patients < 1:
        raise ValueError(f"n_patients: must be a positive integer; got {n_patients!r}")
    if params.n_draws is not None:
        raise ValueError("params: must be a single parameter set; select one with params.draw(k)")
    days = np.asarray(visit_days, dtype=float)
    horizon = float(horizon_days if horizon_days is not None else days.max())
    rng = stage_generators(seed)
    patients = sample_population(model.population, int(n_patients), rng["population"])
    pk = sample_pk(patients, model.sirolimus_pk, rng["pk"])
    doses = run_tdm(pk, model.tdm, horizon, rng["tdm"], stop_day=stop_day)
    effects = sample_population_effects(params, patients.group, patients.mmf_failed, rng["effects"],
                                        p0=patients.baseline_platelets)
    platelets = simulate_platelets(
        days, effects, patients.baseline_platelets, sirolimus_segments=doses, rng=rng["platelets"],
        sirolimus_er=model.sirolimus_response, mmf_er=model.mmf_response, noise=model.noise,
    )
    return SirolimusCourse(patients, pk, doses, effects, platelets)
