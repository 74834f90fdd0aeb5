"""The published cohorts as data: the Genoa/Catania letter's Table 1A (19 children) and the
disease-group results of Bride et al., Blood 2016 (30 patients).

>>> from simtrial.cohorts import load_letter, load_bride
>>> letter = load_letter()
>>> letter.patients.shape[0]
19
"""

from simtrial._core.lazy import lazy_exports

_EXPORTS = {
    "BrideCohort": "simtrial.cohorts.loader",
    "CohortDataError": "simtrial.cohorts.loader",
    "LetterCohort": "simtrial.cohorts.loader",
    "load_bride": "simtrial.cohorts.loader",
    "load_letter": "simtrial.cohorts.loader",
    "PublishedFigure": "simtrial.cohorts.figures",
    "published_figures": "simtrial.cohorts.figures",
}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

__all__ = [
    "BrideCohort",
    "CohortDataError",
    "LetterCohort",
    "PublishedFigure",
    "load_bride",
    "load_letter",
    "published_figures",
]
