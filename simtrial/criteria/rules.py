"""Response-rule parameters: the IWG 2009 defaults and two published-style variants.

The defaults are the ITP International Working Group criteria, Rodeghiero F, Stasi R, Gernsheimer
T, et al. *Standardization of terminology, definitions and outcome criteria in immune
thrombocytopenic purpura of adults and children: report from an international working group.*
Blood 2009;113:2386-2393:

- CR: platelet count >= 100 x 10^9/L and no bleeding;
- R (reported as "PR" in the Genoa/Catania letter): count >= 30 x 10^9/L and at least a 2-fold
  rise from baseline, and no bleeding;
- CR or R confirmed on at least 2 occasions at least 7 days apart; loss of response on at least
  2 occasions at least 1 day apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from simtrial._core.validation import Interval, Predicate, ValidationError, check_fields

__all__ = ["ResponseRules", "IWG_2009", "ALPS_NORMAL_COUNTS", "TWO_MONTHS_SUSTAINED"]


@dataclass(frozen=True)
class ResponseRules:
    """Thresholds and confirmation windows of a platelet response criterion.

    Parameters
    ----------
    cr_threshold : float
        A count (10^9/L) at or above this qualifies for complete response (CR). IWG 2009: 100.
    r_threshold : float
        A count at or above this, and at or above ``r_fold`` x baseline, qualifies for response
        (R, "PR"). IWG 2009: 30. Must not exceed ``cr_threshold``.
    r_fold : float
        Minimum fold rise over the baseline count for R. IWG 2009: 2. Must be >= 1.
    confirm_days : float
        A response is confirmed when a qualifying count is followed by another qualifying count at
        least this many days later, every observed count in between also qualifying. IWG 2009: 7.
        0 means a single qualifying count confirms.
    loss_days : float
        A loss of response is confirmed by two non-qualifying counts at least this many days apart
        with nothing qualifying in between. IWG 2009: 1. 0 means a single count confirms.
    name : str
        Label carried into results and tables.

    Raises
    ------
    ValueError
        If a number is not finite, a threshold is not positive, ``r_threshold > cr_threshold``,
        ``r_fold < 1`` or a window is negative.
    """

    cr_threshold: float = 100.0
    r_threshold: float = 30.0
    r_fold: float = 2.0
    confirm_days: float = 7.0
    loss_days: float = 1.0
    name: str = "IWG 2009"

    def __post_init__(self) -> None:
        try:
            check_fields(self, _CONSTRAINTS, store=False)
            if self.r_threshold > self.cr_threshold:
                raise ValidationError("r_threshold", f"must be <= cr_threshold ({self.cr_threshold!r})",
                                      self.r_threshold)
        except ValidationError as exc:
            raise exc.under("rules") from None


#: Counts in 10^9/L up to ten times the normal upper limit; windows up to a year.
_CONSTRAINTS = {
    "cr_threshold": Interval(float, 0.0, 4500.0, "right"),
    "r_threshold": Interval(float, 0.0, 4500.0, "right"),
    "r_fold": Interval(float, 1.0, 1000.0),
    "confirm_days": Interval(float, 0.0, 365.0),
    "loss_days": Interval(float, 0.0, 365.0),
    "name": Predicate(lambda v: isinstance(v, str) and bool(v), "must be a non-empty string"),
}


#: ITP International Working Group, Rodeghiero et al., Blood 2009;113:2386-2393.
IWG_2009 = ResponseRules()

#: "Normal counts" complete response, as used for ALPS and multi-lineage autoimmune cytopenias
#: (Bride et al., Blood 2016;127:17 report CR as complete resolution of the cytopenia): CR needs a
#: count in the normal range, taken here as >= 150 x 10^9/L (the usual lower limit of normal);
#: R and the windows are IWG 2009's.
ALPS_NORMAL_COUNTS = ResponseRules(cr_threshold=150.0, name="ALPS normal counts (CR >= 150)")

#: IWG 2009 thresholds with a response sustained for 2 consecutive months before it counts: the
#: confirming count must come at least 56 days (8 weeks, the shortest 2-month span) after the
#: first, every count in between qualifying.
TWO_MONTHS_SUSTAINED = ResponseRules(confirm_days=56.0, name="IWG 2009, sustained 2 months")
