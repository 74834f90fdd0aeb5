"""Bayesian calibration of the sirolimus and MMF effect models to the published cohorts.

>>> from simtrial.calibration import load_posterior
>>> params = load_posterior("packaged")        # PopulationParameters with a draw axis
>>> params.sirolimus.mu.shape                  # doctest: +SKIP
(1000, 5)

``experiment=calibrate`` (:mod:`simtrial.studies.calibrate`) fits the joint model
(:mod:`.model`) and writes ``posterior.nc``, ``summary.json`` and ``report.html``.
"""

from simtrial.calibration.config import CalibrationConfig
from simtrial.calibration.posterior_io import PosteriorError, load_posterior, packaged_path

__all__ = ["CalibrationConfig", "PosteriorError", "load_posterior", "packaged_path"]
