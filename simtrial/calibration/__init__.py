"""Bayesian calibration of the sirolimus and MMF effect models to the published cohorts.

>>> from simtrial.calibration import load_posterior
>>> params = load_posterior("packaged")        # PopulationParameters with a draw axis
>>> params.sirolimus.mu.shape                  # doctest: +SKIP
(1000, 5)

``experiment=calibrate`` (:mod:`simtrial.studies.calibrate`) fits the joint model
(:mod:`.model`) and writes ``posterior.nc``, ``summary.json`` and ``report.html``.
"""

from simtrial._core.lazy import lazy_exports

# Imported on first use: the config schema must not import xarray, and PyMC is imported only by
# the modules that fit (model, fit, sbc, ...), never by loading a posterior.
__getattr__, __dir__ = lazy_exports(__name__, {
    "CalibrationConfig": "simtrial.calibration.config",
    "PosteriorError": "simtrial.calibration.posterior_io",
    "load_posterior": "simtrial.calibration.posterior_io",
    "packaged_path": "simtrial.calibration.posterior_io",
})

__all__ = ["CalibrationConfig", "PosteriorError", "load_posterior", "packaged_path"]
