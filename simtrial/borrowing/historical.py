"""Historical groups for a MAP prior: the published cohorts' groups by name, and user tables.

Names are ``<cohort>:<group>``: ``letter:primary_itp`` (5 responders of 10, 5 CR),
``letter:ars_itp`` (8 of 9, 5 CR) from the Genoa/Catania letter's Table 1A, and
``bride:alps`` (12 of 12, 12 CR), ``bride:multi_lineage`` (8 CR of 12; responders not given),
``bride:single_lineage`` (2 responders of 6; CR not given) from Bride et al., Blood
2016;127:17-28. The counts are computed from the packaged cohort rows
(:mod:`simtrial.cohorts`), never typed in here.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import pandas as pd

from simtrial._core.validation import Interval, ValidationError, check_value

__all__ = ["Endpoint", "HistoricalStudy", "HISTORICAL_GROUPS", "historical_studies", "read_table"]


class Endpoint(str, enum.Enum):
    RESPONSE = "response"           # CR or PR (IWG 2009 "R")
    COMPLETE_RESPONSE = "complete_response"


#: Groups of the published cohorts that can enter a MAP prior.
HISTORICAL_GROUPS = ("letter:primary_itp", "letter:ars_itp", "bride:alps", "bride:multi_lineage",
                     "bride:single_lineage")


@dataclass(frozen=True)
class HistoricalStudy:
    """One historical group: ``r`` responders of ``n``."""

    name: str
    n: int
    r: int

    def __post_init__(self):
        n = check_value("n", self.n, Interval(int, 1, 1_000_000))
        object.__setattr__(self, "n", n)
        object.__setattr__(self, "r", check_value("r", self.r, Interval(int, 0, n)))
        if not str(self.name):
            raise ValidationError("name", "must be a non-empty string", self.name)


def _letter_group(letter, group: str, endpoint: Endpoint) -> HistoricalStudy:
    rows = letter.patients[letter.patients.group == group]
    hits = rows.response.isin(["CR", "PR"]) if endpoint is Endpoint.RESPONSE else rows.response.eq("CR")
    return HistoricalStudy(f"letter:{group}", int(len(rows)), int(hits.sum()))


def _bride_group(bride, group: str, endpoint: Endpoint) -> HistoricalStudy:
    row = bride.groups.set_index("group").loc[group]
    column = "responders" if endpoint is Endpoint.RESPONSE else "complete_responses"
    value = row[column]
    if pd.isna(value):
        raise ValidationError("historical", f"bride:{group} has no {column.replace('_', ' ')} count in "
                              f"Bride 2016's abstract; choose another endpoint or drop the group", f"bride:{group}")
    return HistoricalStudy(f"bride:{group}", int(row["n"]), int(value))


def historical_studies(names: Sequence[str], endpoint: str | Endpoint = Endpoint.RESPONSE, *,
                       letter=None, bride=None) -> list[HistoricalStudy]:
    """The named published groups as :class:`HistoricalStudy` rows.

    Parameters
    ----------
    names : sequence of str
        From :data:`HISTORICAL_GROUPS`.
    endpoint : {"response", "complete_response"}
    letter, bride : cohorts, optional
        Loaded cohorts (:func:`simtrial.cohorts.load_letter` / ``load_bride``); the packaged
        ones if omitted.
    """
    endpoint = Endpoint(endpoint)
    out = []
    for name in names:
        if name not in HISTORICAL_GROUPS:
            raise ValidationError("historical", f"each entry must be one of {list(HISTORICAL_GROUPS)}", name)
        cohort, group = name.split(":")
        if cohort == "letter":
            if letter is None:
                from simtrial.cohorts import load_letter

                letter = load_letter()
            out.append(_letter_group(letter, group, endpoint))
        else:
            if bride is None:
                from simtrial.cohorts import load_bride

                bride = load_bride()
            out.append(_bride_group(bride, group, endpoint))
    return out


def read_table(path: str | Path) -> list[HistoricalStudy]:
    """A user table of historical studies: a CSV with columns ``study``, ``n``, ``r``
    (lines starting with ``#`` are comments)."""
    path = Path(path)
    try:
        frame = pd.read_csv(path, comment="#")
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ValidationError("table", f"cannot read a CSV ({type(exc).__name__})", str(path)) from None
    missing = [c for c in ("study", "n", "r") if c not in frame.columns]
    if missing:
        raise ValidationError("table", f"{path} lacks the column(s) {missing}; expected study, n, r")
    out = []
    for i, row in frame.iterrows():
        try:
            n, r = float(row["n"]), float(row["r"])
            if not (math.isfinite(n) and math.isfinite(r)):
                raise ValueError
            out.append(HistoricalStudy(str(row["study"]), n, r))
        except (ValueError, TypeError):
            raise ValidationError("table", f"{path} row {i + 1}: n must be a whole number >= 1 and r a "
                                  f"whole number in [0, n]", {"n": row["n"], "r": row["r"]}) from None
    if not out:
        raise ValidationError("table", f"{path} has no rows")
    return out
