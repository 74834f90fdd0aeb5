"""What a scenario tells the trial simulator: where each child's outcome comes from."""

from __future__ import annotations

from simtrial.models.population import POPULATIONS, PopulationSpec

__all__ = ["Scenario", "POPULATIONS", "resolve_population"]


def resolve_population(value) -> PopulationSpec | None:
    """A :class:`PopulationSpec`, a name of :data:`POPULATIONS`, or None (the patient model's)."""
    if value is None or isinstance(value, PopulationSpec):
        return value
    if isinstance(value, str) and value in POPULATIONS:
        return POPULATIONS[value]()
    from simtrial._core.validation import ValidationError

    raise ValidationError("population", f"must be a PopulationSpec, None or one of {list(POPULATIONS)}", value)


class Scenario:
    """Base of the scenarios.

    Attributes
    ----------
    name : str
        Label in summaries (``parametric``, ``null_hypothesis``, ``fixed``, ``posterior``).
    population : PopulationSpec or None
        Children (and disease-group strata) of the trial; None: the patient model's.
    assurance : bool
        The rejection rate averages over parameter uncertainty (an assurance, not a power).
    """

    name = "scenario"
    population: PopulationSpec | None = None
    assurance = False
    #: Also simulate at the posterior median (:meth:`at_median`); posterior scenarios only.
    power_at_median = False
    response_day_min = 7.0

    def rates(self, design) -> tuple | None:
        """True response probability per arm of ``design`` (None: the patient models decide)."""
        return None

    def parameters(self):
        """Population parameters of the patient models (a single set or draws); None in the
        parametric scenarios."""
        return None

    def at_median(self) -> "Scenario":  # pragma: no cover - posterior scenarios override
        raise NotImplementedError

    def describe(self) -> dict:
        """The scenario as reported in ``summary.json``."""
        return {"name": self.name}
