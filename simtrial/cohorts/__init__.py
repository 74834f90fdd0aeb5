"""The published cohorts as data: the Genoa/Catania letter's Table 1A (19 children) and the
disease-group results of Bride et al., Blood 2016 (30 patients).

>>> from simtrial.cohorts import load_letter, load_bride
>>> letter = load_letter()
>>> letter.patients.shape[0]
19
"""

from simtrial.cohorts.loader import (
    BrideCohort,
    CohortDataError,
    LetterCohort,
    load_bride,
    load_letter,
)
from simtrial.cohorts.figures import PublishedFigure, published_figures

__all__ = [
    "BrideCohort",
    "CohortDataError",
    "LetterCohort",
    "PublishedFigure",
    "load_bride",
    "load_letter",
    "published_figures",
]
