"""Protocol tables: human labels, great-tables HTML, CSV and Word (docx) for a statistical section.

A :class:`ProtocolTable` is a DataFrame with a title, a subtitle, footnotes and human column
labels (``duration_months.median`` becomes "Median trial duration (months)"). It renders as a
great-tables HTML fragment (Iannone R et al., the Python port of R's gt, which gsDesign2 uses for
its tables), and exports to CSV (labels as headers) and to a Word table with python-docx, so a
protocol's statistical section can take it as it is.

Power and assurance have separate labels and can never share a column: :func:`protocol_table`
refuses a column named like both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["LABELS", "label", "ProtocolTable", "protocol_table"]

#: Human labels of the figures the package writes (column name -> label).
LABELS: dict[str, str] = {
    "n": "Sample size",
    "n_per_arm": "Patients per arm",
    "n_total": "Patients in total",
    "n_max": "Maximum sample size",
    "n1": "Stage 1 patients",
    "r1": "Stage 1: stop if responders <=",
    "r": "Final: reject H0 if responders >",
    "r_final": "Final: reject H0 if responders >=",
    "p": "True response rate",
    "p0": "Null response rate p0",
    "p1": "Planning response rate p1",
    "design": "Design",
    "scenario": "Scenario",
    "size": "Exact type I error",
    "exact_size": "Exact type I error",
    "power": "Exact power",
    "exact_power_p1": "Exact power at p1",
    "reject_rate": "Rejection rate (simulated)",
    "reject_rate_mcse": "MCSE of rejection rate",
    "assurance": "Assurance (simulated, under the posterior)",
    "assurance_mcse": "MCSE of assurance",
    "pet": "Probability of early termination",
    "pet_p0": "PET under H0",
    "pet_p1": "PET under H1",
    "pet_mcse": "MCSE of PET",
    "en_p0": "Expected N under H0",
    "en_p1": "Expected N under H1",
    "expected_n": "Expected sample size",
    "expected_n_mcse": "MCSE of expected sample size",
    "duration_months.median": "Median trial duration (months)",
    "q_low": "Admissible for q from",
    "q_high": "Admissible for q to",
    "meets": "Meets targets",
    "smallest_n": "Smallest n",
    "type_i_error": "Type I error (simulated)",
    "type_i_error_mcse": "MCSE of type I error",
    "naive": "Observed proportion",
    "umvue": "UMVUE",
    "lower": "Exact CI, lower",
    "upper": "Exact CI, upper",
    "bias_naive": "Bias of observed proportion",
    "bias_umvue": "Bias of UMVUE",
    "coverage": "Coverage of exact CI",
}


def label(column: str) -> str:
    """Human label of a column: the table above, else the name with dots and underscores spelled."""
    if column in LABELS:
        return LABELS[column]
    text = str(column).replace(".", ", ").replace("_", " ")
    return text[:1].upper() + text[1:]


@dataclass
class ProtocolTable:
    """A table for a protocol: data, title, subtitle, footnotes, labels and decimals per column."""

    data: pd.DataFrame
    title: str
    subtitle: str = ""
    notes: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    decimals: dict[str, int] = field(default_factory=dict)
    highlight: dict[str, object] = field(default_factory=dict)

    def _label(self, col: str) -> str:
        return self.labels.get(col, label(col))

    def _decimals(self, col: str) -> int | None:
        if col in self.decimals:
            return self.decimals[col]
        s = self.data[col]
        if pd.api.types.is_integer_dtype(s) or pd.api.types.is_bool_dtype(s):
            return None
        if pd.api.types.is_float_dtype(s):
            finite = s[np.isfinite(s)]
            if len(finite) and np.all(finite == np.round(finite)) and np.abs(finite).max() >= 1:
                return 0
            return 1 if col.startswith(("en_", "expected_n", "duration")) else 4
        return None

    def formatted(self) -> pd.DataFrame:
        """The table as strings with human headers (what CSV and docx receive)."""
        out = {}
        for col in self.data.columns:
            d = self._decimals(col)
            s = self.data[col]
            if d is None:
                out[self._label(col)] = s.map(lambda v: "–" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))
            else:
                out[self._label(col)] = s.map(lambda v, d=d: "–" if pd.isna(v) else f"{v:.{d}f}")
        return pd.DataFrame(out)

    def to_gt(self):
        """A great_tables.GT with header, labels, number formats and footnotes."""
        from great_tables import GT, loc, style

        g = GT(self.data.reset_index(drop=True)).tab_header(title=self.title, subtitle=self.subtitle or None)
        g = g.cols_label(**{c: self._label(c) for c in self.data.columns})
        for col in self.data.columns:
            d = self._decimals(col)
            if d is not None:
                g = g.fmt_number(columns=col, decimals=d, use_seps=False)
        g = g.sub_missing(missing_text="–")
        for col, rows in self.highlight.items():
            g = g.tab_style(style=style.text(color="#b00020", weight="bold"), locations=loc.body(columns=col, rows=rows))
        for note in self.notes:
            g = g.tab_source_note(note)
        return g.tab_options(table_width="100%", table_font_size="13px")

    def to_html(self) -> str:
        """HTML fragment (fits the report's width: the table takes 100% and wraps its cells)."""
        return self.to_gt().as_raw_html()

    def to_csv(self, path) -> Path:
        """CSV with human headers; numbers as printed."""
        path = Path(path)
        self.formatted().to_csv(path, index=False)
        return path

    def to_docx(self, path, document=None) -> Path:
        """A Word document holding the table (title, header row, body, notes).

        Parameters
        ----------
        path : path-like
            Where to write the .docx.
        document : docx.Document, optional
            Append to this document instead of a new one (several tables in one file).
        """
        import docx
        from docx.shared import Pt

        doc = document if document is not None else docx.Document()
        doc.add_heading(self.title, level=2)
        if self.subtitle:
            doc.add_paragraph(self.subtitle)
        f = self.formatted()
        table = doc.add_table(rows=1, cols=len(f.columns))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, f.columns):
            cell.text = str(text)
            for run in cell.paragraphs[0].runs:
                run.bold = True
        for _, row in f.iterrows():
            cells = table.add_row().cells
            for cell, value in zip(cells, row):
                cell.text = str(value)
        for r in table.rows:
            for cell in r.cells:
                for para in cell.paragraphs:
                    for run in para.runs:
                        run.font.size = Pt(9)
        for note in self.notes:
            doc.add_paragraph(note).italic = True
        path = Path(path)
        doc.save(path)
        return path


def protocol_table(data: pd.DataFrame, title: str, subtitle: str = "", notes=(), labels=None,
                   decimals=None, highlight=None) -> ProtocolTable:
    """Build a :class:`ProtocolTable`, refusing a column that mixes power and assurance."""
    for col in data.columns:
        name = str(col).lower()
        if "power" in name and "assurance" in name:
            raise ValueError(f"column {col!r}: power and assurance must be separate columns")
    return ProtocolTable(data, title, subtitle, list(notes), dict(labels or {}), dict(decimals or {}),
                         dict(highlight or {}))
