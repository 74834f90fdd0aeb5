"""Scenarios that run the patient models: fixed parameters, or posterior draws (assurance)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from simtrial._core.validation import Boolean, Interval, ValidationError, check
from simtrial.models.parameters import EffectParameters, PopulationParameters
from simtrial.scenarios.base import Scenario, resolve_population

__all__ = ["Fixed", "Posterior", "posterior_median"]

_SHIFT = Interval(float, -20.0, 20.0)


def _shift(params: EffectParameters, delta: float) -> EffectParameters:
    return replace(params, mu=params.mu + delta) if delta else params


class Fixed(Scenario):
    """The patient models at one set of population parameters.

    Parameters
    ----------
    parameters : PopulationParameters, optional
        Default: the hand-set defaults (:data:`simtrial.models.defaults.DEFAULT_POPULATION_PARAMETERS`).
    sirolimus_mu_shift, mmf_mu_shift : float
        What-if shifts of the location of logit E (every disease group) of each drug.
    population : PopulationSpec, str or None
        ``letter``, ``bride``, a spec, or None (the patient model's).
    """

    name = "fixed"
    _constraints = {"sirolimus_mu_shift": _SHIFT, "mmf_mu_shift": _SHIFT}

    def __init__(self, parameters: PopulationParameters | None = None, sirolimus_mu_shift: float = 0.0,
                 mmf_mu_shift: float = 0.0, population=None):
        v = check(dict(sirolimus_mu_shift=sirolimus_mu_shift, mmf_mu_shift=mmf_mu_shift), self._constraints)
        if parameters is None:
            from simtrial.models.defaults import DEFAULT_POPULATION_PARAMETERS

            parameters = DEFAULT_POPULATION_PARAMETERS
        if not isinstance(parameters, PopulationParameters) or parameters.n_draws is not None:
            raise ValidationError("parameters", "must be a single set of PopulationParameters (no draw axis)",
                                  type(parameters).__name__)
        self.sirolimus_mu_shift, self.mmf_mu_shift = v["sirolimus_mu_shift"], v["mmf_mu_shift"]
        self._parameters = replace(parameters, sirolimus=_shift(parameters.sirolimus, self.sirolimus_mu_shift),
                                   mmf=_shift(parameters.mmf, self.mmf_mu_shift))
        self.population = resolve_population(population)

    def parameters(self):
        return self._parameters

    def __repr__(self):
        return f"Fixed(sirolimus_mu_shift={self.sirolimus_mu_shift!r}, mmf_mu_shift={self.mmf_mu_shift!r})"


def posterior_median(post: PopulationParameters) -> PopulationParameters:
    """Element-wise posterior median of every population parameter."""
    def med(e: EffectParameters) -> EffectParameters:
        return EffectParameters(**{f: np.median(getattr(e, f), axis=0)
                                   for f in ("mu", "sigma", "beta_mmf_failed", "log_ke0", "log_ke0_sd")})
    return PopulationParameters(med(post.sirolimus), med(post.mmf), rho=float(np.median(post.rho)))


class Posterior(Scenario):
    """Replicate r uses posterior draw r mod n_draws: the rejection rate is an **assurance**.

    Parameters
    ----------
    posterior : PopulationParameters, str or path
        Draws (:func:`simtrial.load_posterior`), ``"packaged"`` or the path of a saved posterior.
    population : PopulationSpec, str or None
        As for :class:`Fixed`.
    power_at_median : bool
        Also report the power at the posterior median parameters (same random numbers).
    allow_failed_diagnostics : bool
        Accept a posterior file whose stored diagnostics failed.
    """

    name = "posterior"
    assurance = True

    def __init__(self, posterior="packaged", population=None, power_at_median: bool = True,
                 allow_failed_diagnostics: bool = False):
        v = check(dict(power_at_median=power_at_median, allow=allow_failed_diagnostics),
                  {"power_at_median": Boolean(), "allow": Boolean()})
        if not isinstance(posterior, PopulationParameters):
            if not isinstance(posterior, (str, bytes)) and not hasattr(posterior, "__fspath__") or not str(posterior):
                raise ValidationError("scenario.posterior", "must be 'packaged', a file path or PopulationParameters",
                                      posterior)
            from simtrial.calibration.posterior_io import load_posterior

            try:
                posterior = load_posterior(posterior, allow_failed_diagnostics=v["allow"])
            except (ValueError, FileNotFoundError) as exc:
                # load_posterior names calibration.posterior; here the path came from the scenario.
                raise type(exc)(str(exc).replace("calibration.posterior", "scenario.posterior", 1)) from None
        if posterior.n_draws is None:
            raise ValidationError("scenario.posterior", "holds no posterior draws")
        self.posterior = posterior
        self.power_at_median = v["power_at_median"]
        self.population = resolve_population(population)

    @property
    def n_draws(self) -> int:
        return int(self.posterior.n_draws)

    def parameters(self):
        return self.posterior

    def at_median(self) -> Fixed:
        """The fixed scenario at the posterior median parameters (same population)."""
        return Fixed(posterior_median(self.posterior), population=self.population)

    def describe(self):
        return {"name": self.name, "n_draws": self.n_draws}

    def __repr__(self):
        return f"Posterior(n_draws={self.n_draws}, power_at_median={self.power_at_median!r})"
