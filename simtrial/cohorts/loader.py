"""Typed, validated loading of the cohort data files.

Each data file is a CSV whose leading ``#`` lines carry its citation and transcription notes;
a bad row fails with the file, the row (1-based data row, as a spreadsheet shows it after the
header) and the column named.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from simtrial.models.parameters import GROUPS

RESPONSES = ("CR", "PR", "NR")
_DATA = resources.files("simtrial.cohorts") / "data"


class CohortDataError(ValueError):
    """A cohort data file is malformed; the message names the file, row and column."""


@dataclass(frozen=True)
class LetterCohort:
    """The Genoa/Catania letter (Am J Hematol): 19 children with ITP refractory to MMF.

    Attributes
    ----------
    patients : pandas.DataFrame
        One row per patient of Table 1A with columns ``patient``, ``alps_like_signs`` (list of
        str, empty for "No"), ``group`` (``primary_itp`` or ``ars_itp``: ARS-ITP is any ALPS-like
        sign), ``line_of_treatment``, ``first_line``, ``previous_treatments`` (list of str),
        ``mmf_failed`` (MMF among the previous treatments), ``response`` (CR/PR/NR),
        ``day_pr`` and ``day_cr`` (float, NaN where the table prints a dash), ``relapse``,
        ``toxicity``.
    text : dict
        The figures the letter's text gives (sex counts, ages, follow-up, summary figures).
    source : str
        The citation carried by the data file.
    path : str
        Where the rows were read from.
    """

    patients: pd.DataFrame
    text: dict
    source: str
    path: str


@dataclass(frozen=True)
class BrideCohort:
    """Bride et al., Blood 2016;127:17-28: sirolimus in 30 patients, results by disease group.

    Attributes
    ----------
    groups : pandas.DataFrame
        One row per group (``alps``, ``multi_lineage``, ``single_lineage``) with ``n``,
        ``complete_responses`` and ``responders`` (nullable integers: the abstract does not give
        every cell) and the window ``cr_within_days_low``/``_high`` for ALPS ("within 1-3
        months", 30-92 days).
    text : dict
        The figures the abstract gives beyond the group table.
    source, path : str
    """

    groups: pd.DataFrame
    text: dict
    source: str
    path: str


def _read(path: Path | str) -> tuple[list[dict[str, str]], str, str]:
    path = Path(str(path))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CohortDataError(f"{path}: cannot read cohort file ({exc.strerror})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CohortDataError(f"{path}: not a UTF-8 text file (byte {exc.start}: {data[exc.start:exc.start + 1]!r}); "
                              "save the cohort CSV as UTF-8") from None
    if "\x00" in text:
        raise CohortDataError(f"{path}: not a text file (it holds NUL bytes: binary, or UTF-16); "
                              "save the cohort CSV as UTF-8")
    lines = text.splitlines()
    comments = [ln[1:].strip() for ln in lines if ln.startswith("#")]
    body = [ln for ln in lines if not ln.startswith("#") and ln.strip()]
    source = next((c.split(":", 1)[1].strip() for c in comments if c.startswith("source:")), "")
    if not source:
        raise CohortDataError(f"{path}: missing the '# source: ...' citation line")
    if not body:
        raise CohortDataError(f"{path}: no header row")
    try:
        rows = list(csv.DictReader(body))
    except csv.Error as exc:
        raise CohortDataError(f"{path}: not a readable CSV ({exc})") from None
    if not rows:
        raise CohortDataError(f"{path}: no data rows (only the header)")
    for k, row in enumerate(rows, start=1):
        if None in row or any(v is None for v in row.values()):
            raise CohortDataError(f"{path}: row {k}: wrong number of fields")
    return rows, source, str(path)


class _Row:
    """Field parsers that name the file, row and column on failure."""

    def __init__(self, path: str, number: int, row: dict[str, str]):
        self.path, self.number, self.row = path, number, row

    def fail(self, column: str, problem: str) -> CohortDataError:
        value = self.row.get(column, "")
        return CohortDataError(f"{self.path}: row {self.number}, column '{column}': {problem} (got {value!r})")

    def text(self, column: str) -> str:
        return self.row[column].strip()

    def integer(self, column: str, *, minimum: int | None = None, optional: bool = False):
        raw = self.text(column)
        if raw == "" and optional:
            return None
        try:
            value = int(raw)
        except ValueError:
            raise self.fail(column, "expected a whole number") from None
        if minimum is not None and value < minimum:
            raise self.fail(column, f"must be >= {minimum}")
        return value

    def day(self, column: str) -> float:
        raw = self.text(column)
        if raw == "":
            return math.nan
        try:
            value = float(raw)
        except ValueError:
            raise self.fail(column, "expected a number of days or an empty cell") from None
        if not value >= 0:
            raise self.fail(column, "days must be >= 0")
        return value

    def boolean(self, column: str) -> bool:
        raw = self.text(column).lower()
        if raw not in ("true", "false"):
            raise self.fail(column, "expected true or false")
        return raw == "true"

    def choice(self, column: str, allowed) -> str:
        raw = self.text(column)
        if raw not in allowed:
            raise self.fail(column, f"expected one of {list(allowed)}")
        return raw

    def items(self, column: str) -> list[str]:
        raw = self.text(column)
        return [] if raw in ("", "None", "No") else [s.strip() for s in raw.split(";")]


def _require_columns(rows_header: list[str], required: list[str], path: str) -> None:
    missing = [c for c in required if c not in rows_header]
    if missing:
        raise CohortDataError(f"{path}: missing column(s) {missing}; required: {required}")


_LETTER_COLUMNS = [
    "patient", "alps_like_signs", "line_of_treatment", "first_line", "previous_treatments",
    "response", "day_pr", "day_cr", "relapse", "toxicity",
]


def _header(path: str) -> list[str]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.startswith("#") and line.strip():
                return next(csv.reader([line]))
    return []


def _text_figures() -> dict:
    return json.loads((_DATA / "text_figures.json").read_text(encoding="utf-8"))


def load_letter(path: str | Path | None = None) -> LetterCohort:
    """Load the letter's Table 1A (19 children) with validation.

    Parameters
    ----------
    path : str or Path, optional
        A CSV in the packaged file's format; defaults to the packaged Table 1A.

    Raises
    ------
    CohortDataError
        Naming the file, row and column of the first problem: a missing column, a non-numeric
        day, a duplicate patient, an unknown response label, a response inconsistent with its
        days (a CR without a CR day, a PR with a CR day, an NR with any day, PR after CR).
    """
    rows, source, where = _read(path or (_DATA / "letter_table1a.csv"))
    _require_columns(_header(where), _LETTER_COLUMNS, where)
    records, seen = [], {}
    for k, raw in enumerate(rows, start=1):
        r = _Row(where, k, raw)
        patient = r.integer("patient", minimum=1)
        if patient in seen:
            raise r.fail("patient", f"duplicate patient (also row {seen[patient]})")
        seen[patient] = k
        response = r.choice("response", RESPONSES)
        day_pr, day_cr = r.day("day_pr"), r.day("day_cr")
        if response == "CR" and math.isnan(day_cr):
            raise r.fail("day_cr", "a CR needs the day of CR")
        if response != "CR" and not math.isnan(day_cr):
            raise r.fail("day_cr", f"a {response} cannot have a CR day")
        if response == "PR" and math.isnan(day_pr):
            raise r.fail("day_pr", "a PR needs the day of PR")
        if response == "NR" and not math.isnan(day_pr):
            raise r.fail("day_pr", "an NR cannot have a PR day")
        if day_pr > day_cr:
            raise r.fail("day_pr", "PR cannot come after CR")
        signs = r.items("alps_like_signs")
        previous = r.items("previous_treatments")
        records.append(
            dict(
                patient=patient,
                alps_like_signs=signs,
                group="ars_itp" if signs else "primary_itp",
                line_of_treatment=r.integer("line_of_treatment", minimum=1),
                first_line=r.boolean("first_line"),
                previous_treatments=previous,
                mmf_failed="MMF" in previous,
                response=response,
                day_pr=day_pr,
                day_cr=day_cr,
                relapse=r.boolean("relapse"),
                toxicity=r.boolean("toxicity"),
            )
        )
    frame = pd.DataFrame.from_records(records).sort_values("patient", ignore_index=True)
    for group, how in (("primary_itp", "no ALPS-like signs"), ("ars_itp", "ALPS-like signs")):
        if not (frame["group"] == group).any():
            raise CohortDataError(f"{where}: column 'alps_like_signs': no {group} patient (a row with {how}); "
                                  "both groups are needed")
    return LetterCohort(frame, _text_figures()["letter"], source, where)


#: The disease groups of Bride et al. 2016's table; each needs a row.
BRIDE_GROUPS = ("alps", "multi_lineage", "single_lineage")

_BRIDE_COLUMNS = ["group", "n", "complete_responses", "responders", "cr_within_days_low", "cr_within_days_high"]


def load_bride(path: str | Path | None = None) -> BrideCohort:
    """Load Bride et al. 2016's disease-group results with validation.

    Raises
    ------
    CohortDataError
        Naming the file, row and column: an unknown group, counts that are not whole numbers,
        more responders than patients, fewer responders than complete responses.
    """
    rows, source, where = _read(path or (_DATA / "bride2016_groups.csv"))
    _require_columns(_header(where), _BRIDE_COLUMNS, where)
    records, seen = [], set()
    for k, raw in enumerate(rows, start=1):
        r = _Row(where, k, raw)
        group = r.choice("group", GROUPS)
        if group in seen:
            raise r.fail("group", "duplicate group")
        seen.add(group)
        n = r.integer("n", minimum=1)
        cr = r.integer("complete_responses", minimum=0, optional=True)
        resp = r.integer("responders", minimum=0, optional=True)
        for column, value in (("complete_responses", cr), ("responders", resp)):
            if value is not None and value > n:
                raise r.fail(column, f"cannot exceed n = {n}")
        if cr is not None and resp is not None and resp < cr:
            raise r.fail("responders", "cannot be fewer than the complete responses")
        low = r.integer("cr_within_days_low", minimum=0, optional=True)
        high = r.integer("cr_within_days_high", minimum=0, optional=True)
        if (low is None) != (high is None) or (low is not None and low >= high):
            raise r.fail("cr_within_days_high", "give both ends of the window, low < high")
        records.append(dict(group=group, n=n, complete_responses=cr, responders=resp,
                            cr_within_days_low=low, cr_within_days_high=high))
    missing = [g for g in BRIDE_GROUPS if g not in seen]
    if missing:
        raise CohortDataError(f"{where}: column 'group': missing the row(s) for {missing}; "
                              f"the table needs {list(BRIDE_GROUPS)}")
    frame = pd.DataFrame.from_records(records)
    for column in ("complete_responses", "responders", "cr_within_days_low", "cr_within_days_high"):
        frame[column] = frame[column].astype("Int64")
    return BrideCohort(frame, _text_figures()["bride2016"], source, where)
