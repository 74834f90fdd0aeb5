"""A cohort file with a bad row fails with the file, row and column named."""

from pathlib import Path

import pytest

from simtrial.cohorts import CohortDataError, load_bride, load_letter
from simtrial.cohorts.loader import _DATA

LETTER = Path(str(_DATA / "letter_table1a.csv")).read_text()
BRIDE = Path(str(_DATA / "bride2016_groups.csv")).read_text()


def _write(tmp_path, text, name="cohort.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def _replace_row(text, patient, new):
    lines = text.splitlines()
    out = [new if ln.startswith(f"{patient},") else ln for ln in lines]
    return "\n".join(out) + "\n"


def test_packaged_files_carry_citations():
    assert "Am J Hematol" in load_letter().source
    assert "Blood 2016;127" in load_bride().source


def test_missing_column(tmp_path):
    text = LETTER.replace(",toxicity", "").replace(",false\n", "\n")
    with pytest.raises(CohortDataError, match=r"missing column\(s\) \['toxicity'\]") as err:
        load_letter(_write(tmp_path, text))
    assert "cohort.csv" in str(err.value)


def test_non_numeric_day(tmp_path):
    text = _replace_row(LETTER, 4, "4,No,3,false,MMF,CR,,day108,false,false")
    with pytest.raises(CohortDataError, match=r"cohort.csv: row 4, column 'day_cr': expected a number"):
        load_letter(_write(tmp_path, text))


def test_duplicate_patient(tmp_path):
    text = _replace_row(LETTER, 5, "4,No,4,false,MMF;Eltrombopag,NR,,,false,false")
    with pytest.raises(CohortDataError, match=r"row 5, column 'patient': duplicate patient \(also row 4\)"):
        load_letter(_write(tmp_path, text))


def test_unknown_response_label(tmp_path):
    text = _replace_row(LETTER, 2, "2,No,3,false,MMF,SD,,,false,false")
    with pytest.raises(CohortDataError, match=r"row 2, column 'response': expected one of \['CR', 'PR', 'NR'\]"):
        load_letter(_write(tmp_path, text))


@pytest.mark.parametrize(
    "row, message",
    [
        ("1,No,3,false,MMF,CR,,,false,false", "a CR needs the day of CR"),
        ("1,No,3,false,MMF,NR,,43,false,false", "a NR cannot have a CR day"),
        ("1,No,3,false,MMF,CR,50,43,false,false", "PR cannot come after CR"),
        ("1,No,3,false,MMF,CR,,-4,false,false", "days must be >= 0"),
        ("1,No,3,maybe,MMF,CR,,43,false,false", "expected true or false"),
    ],
)
def test_inconsistent_rows(tmp_path, row, message):
    with pytest.raises(CohortDataError, match=message):
        load_letter(_write(tmp_path, _replace_row(LETTER, 1, row)))


def test_missing_citation(tmp_path):
    text = "\n".join(ln for ln in LETTER.splitlines() if not ln.startswith("# source"))
    with pytest.raises(CohortDataError, match="citation"):
        load_letter(_write(tmp_path, text))


def test_missing_file(tmp_path):
    with pytest.raises(CohortDataError, match="cannot read"):
        load_letter(tmp_path / "nope.csv")


def test_bride_bad_group_and_counts(tmp_path):
    bad = BRIDE.replace("single_lineage,6,,2,,", "single_lineages,6,,2,,")
    with pytest.raises(CohortDataError, match=r"row 3, column 'group'"):
        load_bride(_write(tmp_path, bad))
    bad = BRIDE.replace("multi_lineage,12,8,,,", "multi_lineage,12,13,,,")
    with pytest.raises(CohortDataError, match=r"row 2, column 'complete_responses': cannot exceed n = 12"):
        load_bride(_write(tmp_path, bad))
