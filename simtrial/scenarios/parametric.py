"""Scenarios without biology: each child responds with the true probability of the arm."""

from __future__ import annotations

import numpy as np

from simtrial._core.validation import Interval, Optional, Sequence, ValidationError, check
from simtrial.scenarios.base import Scenario, resolve_population

__all__ = ["Parametric", "Null"]

_DAY_MIN = Interval(float, 0.0, 10_000.0)


class Parametric(Scenario):
    """Each child on arm ``a`` responds with probability ``p_response[a]``.

    A responder's response day is uniform between ``response_day_min`` and the design's landmark
    day (so the response at the landmark is exactly Bernoulli), lasting to the end of follow-up.

    Parameters
    ----------
    p_response : float, sequence of float or None
        True response probability per arm in the design's arm order (A, B); None: the design's
        planning rates (p1, or p_a and p_b).
    response_day_min : float
        Earliest response day.
    population : PopulationSpec, str or None
        Children whose disease groups are the randomisation strata (``letter``, ``bride`` or a
        spec; None: the patient model's).

    Examples
    --------
    >>> Parametric(0.4).p_response
    (0.4,)
    """

    name = "parametric"
    _constraints = {"p_response": Optional(Sequence(Interval(float, 0.0, 1.0), min_len=1, max_len=2)),
                    "response_day_min": _DAY_MIN}

    def __init__(self, p_response=None, response_day_min: float = 7.0, population=None):
        if p_response is not None and np.ndim(p_response) == 0:
            p_response = [p_response]
        v = check(dict(p_response=p_response, response_day_min=response_day_min), self._constraints)
        self.p_response = v["p_response"]
        self.response_day_min = v["response_day_min"]
        self.population = resolve_population(population)

    def rates(self, design):
        p = self.p_response or tuple(float(v) for v in design.planning_rates())
        if len(p) != design.n_arms:
            raise ValidationError("scenario.p_response", f"needs one probability per arm ({design.n_arms})", list(p))
        return tuple(p)

    def describe(self):
        return {"name": self.name}

    def __repr__(self):
        return f"Parametric(p_response={self.p_response!r}, response_day_min={self.response_day_min!r})"


class Null(Parametric):
    """The null hypothesis, for the type I error: every arm at ``p`` (default the design's p0,
    or p_a for both arms of a two-arm design)."""

    name = "null_hypothesis"

    def __init__(self, p: float | None = None, response_day_min: float = 7.0, population=None):
        self.p = check({"p": p}, {"p": Optional(Interval(float, 0.0, 1.0))})["p"]
        super().__init__(None, response_day_min, population)

    def rates(self, design):
        return tuple(design.null_rates(self.p))

    def __repr__(self):
        return f"Null(p={self.p!r})"
