"""SMART variant of the sequencing design: both first drugs randomised, every non-responder switches.

A sequential multiple-assignment randomised trial (Murphy, Stat Med 2005;24:1455; Lavori &
Dawson, J R Stat Soc A 2000;163:29): children are randomised 1:1 to MMF first (arm A) or
sirolimus first (arm B); a child without a confirmed response by ``switch_day`` switches to the
other drug, or, with ``rerandomise``, is randomised again 1:1 between switching and staying on
the first drug. The design's test compares the two first-stage strategies on response at the
landmark (as the sequencing design); with re-randomisation the four embedded regimes (first
drug x switch / stay) are estimated by inverse probability weighting
(:func:`simtrial.sequencing.endpoints.regime_statistics`).
"""

from __future__ import annotations

from dataclasses import dataclass

from simtrial._core.validation import Boolean, ValidationError, check
from simtrial.designs.config import SequencingDesignConfig
from simtrial.designs.randomised import Sequencing

__all__ = ["Smart", "SmartDesignConfig"]


class Smart(Sequencing):
    """SMART: MMF first or sirolimus first, every non-responder by ``switch_day`` switches.

    Parameters
    ----------
    rerandomise : bool
        Non-responders at ``switch_day`` are randomised 1:1 between switching and staying.
    (others)
        As for :class:`~simtrial.designs.Sequencing` (``mmf_after_failure`` is always true).

    Examples
    --------
    >>> d = Smart(n_per_arm=40, rerandomise=True)
    >>> d.regimens
    ('mmf_then_sirolimus', 'sirolimus_then_mmf')
    """

    label = "SMART"

    def __init__(self, n_per_arm: int = 40, *, rerandomise: bool = False, **kwargs):
        if kwargs.pop("mmf_after_failure", True) is not True:
            raise ValidationError("mmf_after_failure", "a SMART switches every non-responder; must be true", False)
        self.rerandomise = check({"rerandomise": rerandomise}, {"rerandomise": Boolean()})["rerandomise"]
        super().__init__(n_per_arm, mmf_after_failure=True, **kwargs)

    @property
    def regimens(self):
        return (str(self.regimen_a), str(self.regimen_b))

    @property
    def parameters(self):
        params = super().parameters
        params.update(rerandomise=self.rerandomise)
        return params

    def _repr_items(self):
        return super()._repr_items() + [("rerandomise", self.rerandomise)]

    def _treatment_note(self) -> str:
        second = (f"non-responders by day {self.switch_day:g} re-randomised 1:1 between switching to the other "
                  "drug and staying" if self.rerandomise
                  else f"every non-responder by day {self.switch_day:g} switches to the other drug")
        return (f"SMART: arm A MMF first, arm B sirolimus first; {second}; response confirmed by day "
                f"{self.landmark_day:g}")


@dataclass
class SmartDesignConfig(SequencingDesignConfig):
    """The ``smart`` design group: :class:`Smart` (fields as the sequencing design, plus
    ``rerandomise``; ``mmf_after_failure`` must stay true)."""

    name: str = "smart"
    mmf_after_failure: bool = True
    rerandomise: bool = False

    _constraints = {**SequencingDesignConfig._constraints, "rerandomise": Boolean()}

    def _check(self) -> None:
        super()._check()
        if self.mmf_after_failure is not True:
            raise ValidationError("mmf_after_failure", "a SMART switches every non-responder; must be true",
                                  self.mmf_after_failure)

    def to_domain(self):
        """The design object (:class:`Smart`)."""
        return Smart(**self._two_arm_domain(), switch_day=self.switch_day, primary_endpoint=self.primary_endpoint,
                     rerandomise=self.rerandomise)
