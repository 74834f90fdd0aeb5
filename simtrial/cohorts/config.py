"""Which cohort data files a run reads (the packaged ones unless a path is given)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from simtrial.cohorts.loader import BrideCohort, LetterCohort


@dataclass
class CohortsConfig:
    """Cohort data files.

    Attributes
    ----------
    letter : str, optional
        A CSV in the format of the packaged letter Table 1A (``simtrial/cohorts/data/
        letter_table1a.csv``); None for the packaged file.
    bride : str, optional
        A CSV in the format of the packaged Bride 2016 group table; None for the packaged file.
    """

    letter: Optional[str] = None
    bride: Optional[str] = None

    def load(self) -> tuple[LetterCohort, BrideCohort]:
        """Load and validate both cohorts (``CohortDataError`` names file, row and column)."""
        from simtrial.cohorts.loader import load_bride, load_letter

        return load_letter(self.letter), load_bride(self.bride)
