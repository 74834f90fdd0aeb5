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

from simtrial.designs.config import SequencingDesignConfig

__all__ = ["SmartDesignConfig"]


@dataclass
class SmartDesignConfig(SequencingDesignConfig):
    """The ``smart`` design: sequencing with both arms switching, optional re-randomisation.

    Attributes
    ----------
    rerandomise : bool
        Non-responders at ``switch_day`` are randomised 1:1 between switching and staying.
    mmf_after_failure : bool
        Always true in a SMART (arm B's non-responders switch to MMF); false is refused.
    (other fields as :class:`~simtrial.designs.config.SequencingDesignConfig`)
    """

    name: str = "smart"
    mmf_after_failure: bool = True
    rerandomise: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.mmf_after_failure is not True:
            raise ValueError("mmf_after_failure: a SMART switches every non-responder; must be true")
        if not isinstance(self.rerandomise, bool):
            raise ValueError(f"rerandomise: must be true or false; got {self.rerandomise!r}")
