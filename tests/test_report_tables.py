"""Protocol tables (simtrial.report.tables): labels, great-tables HTML, CSV and docx."""

from __future__ import annotations

import pandas as pd
import pytest

from simtrial.designs import sample_size as ss
from simtrial.report.tables import label, protocol_table


def _simon_table():
    t = ss.simon_designs(0.2, [0.4], 0.05, 0.8, n_max=55)
    return protocol_table(t[["design", "r1", "n1", "r", "n", "size", "power", "pet_p0", "en_p0"]],
                          "Simon two-stage designs", "p0 = 0.2, p1 = 0.4, one-sided alpha 0.05, power 0.8",
                          notes=["Simon R. Control Clin Trials 1989;10:1-10; Jung SH et al. Stat Med 2004;23:561-569"])


def test_labels_are_human():
    assert label("duration_months.median") == "Median trial duration (months)"
    assert label("some_new.figure") == "Some new, figure"
    assert label("assurance") != label("power")


def test_html_has_labels_and_formats():
    html = _simon_table().to_html()
    assert "Exact type I error" in html and "Expected N under H0" in html
    assert ">en_p0<" not in html and ">pet_p0<" not in html  # raw names only in attributes
    assert "20.6" in html and "0.0496" in html
    assert "Simon R. Control Clin Trials" in html


def test_csv_and_docx_round_trip(tmp_path):
    t = _simon_table()
    csv = pd.read_csv(t.to_csv(tmp_path / "simon.csv"), dtype=str)
    assert list(csv.columns)[:2] == ["Design", "Stage 1: stop if responders <="]
    assert csv.iloc[-1]["Expected N under H0"] == "20.6"
    import docx

    doc = docx.Document(str(t.to_docx(tmp_path / "simon.docx")))
    table = doc.tables[0]
    assert table.rows[0].cells[0].text == "Design"
    assert [c.text for c in table.rows[-1].cells][:5] == ["optimal", "3", "13", "12", "43"]


def test_power_and_assurance_never_share_a_column():
    with pytest.raises(ValueError, match="separate"):
        protocol_table(pd.DataFrame({"power_or_assurance": [0.9]}), "x")
