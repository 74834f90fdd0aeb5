"""The root config schema and the small building blocks owned by no other module.

Group schemas owned elsewhere (designs, scenarios, models, calibration) are registered with
Hydra's ConfigStore in :mod:`simtrial.config.store` from the table in :mod:`simtrial.config.groups`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simtrial.cohorts.config import CohortsConfig
from simtrial.studies.patient_models_config import PatientModelsConfig
from simtrial.studies.quickstart_config import QuickstartConfig


@dataclass
class PathsConfig:
    """Where runs write. ``results`` is relative to the directory simtrial is started from,
    unless absolute; the environment variable ``SIMTRIAL_RESULTS`` sets its default."""

    results: str = "results"


@dataclass
class RunConfig:
    """Behaviour of a run."""

    #: Show a progress bar on a terminal (never in multirun jobs or when stderr is not a tty).
    progress: bool = True
    #: In a sweep re-run into an existing sweep directory, skip jobs whose summary says ``ok``.
    resume: bool = False


@dataclass
class Config:
    """Root of every simtrial config.

    Attributes
    ----------
    study : str
        The study module to run (``simtrial.studies.<study>``); set by each experiment file.
    seed : int
        Root of all randomness: one ``numpy.random.SeedSequence(seed)`` spawns every stream.
    """

    study: str = "quickstart"
    seed: int = 20261123
    paths: PathsConfig = field(default_factory=PathsConfig)
    run: RunConfig = field(default_factory=RunConfig)
    #: The cohort data files (packaged unless paths are given).
    cohorts: CohortsConfig = field(default_factory=CohortsConfig)
    # Config groups; each option carries its own schema (see simtrial.config.groups).
    model: Any = None
    calibration: Any = None
    design: Any = None
    scenario: Any = None
    simulation: Any = None
    #: The analysis group (``analysis=borrowing``: options of experiment=borrowing).
    analysis: Any = None
    #: Steps of the quickstart study (experiment=quickstart).
    quickstart: QuickstartConfig = field(default_factory=QuickstartConfig)
    #: Options of the patient-models study (experiment=patient_models).
    patient_models: PatientModelsConfig = field(default_factory=PatientModelsConfig)
