"""Every published figure of the two cohorts, recomputed from the data rows.

Used by the quickstart study (which prints and saves the table) and by the tests, which check
that each recomputed figure equals the published one, so a single wrong row fails a test.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from simtrial.cohorts.loader import BrideCohort, LetterCohort, load_bride, load_letter


@dataclass(frozen=True)
class PublishedFigure:
    """One published figure beside its value recomputed from the rows.

    ``published`` and ``recomputed`` are rendered the way the paper prints the figure (so
    percentages are rounded to whole numbers, as in the letter's Table 1B).
    """

    cohort: str
    name: str
    published: str
    recomputed: str
    where: str
    note: str = ""
    #: Where the paper's text and its table disagree: the value the table's rows give.
    table_value: str | None = None

    @property
    def agrees(self) -> bool:
        return self.published == self.recomputed

    @property
    def status(self) -> str:
        """``agrees``, ``differs (documented)`` where the rows give the documented table value of a
        figure on which the text and the table disagree, else ``DIFFERS``."""
        if self.agrees:
            return "agrees"
        if self.table_value is not None and self.recomputed == self.table_value:
            return "differs (documented)"
        return "DIFFERS"


def _pct(k: int, n: int) -> str:
    # The letter rounds half up (e.g. 8/9 = 88.9 -> 89%, 3/19 = 15.8 -> 16%).
    return f"{int(np.floor(100 * k / n + 0.5))}%"


def _count(k: int, n: int) -> str:
    return f"{k}/{n} ({_pct(k, n)})"


def _median_range(values: pd.Series) -> str:
    v = values.dropna().to_numpy()
    med = float(np.median(v))
    med_s = f"{med:g}"
    return f"{med_s} ({v.min():g}-{v.max():g})"


def letter_figures(cohort: LetterCohort) -> list[PublishedFigure]:
    """The letter's Table 1B and text figures, recomputed from Table 1A."""
    p = cohort.patients
    t = cohort.text
    out: list[PublishedFigure] = []

    def add(name, published, recomputed, where, note="", table_value=None):
        out.append(PublishedFigure("letter", name, published, recomputed, where, note, table_value))

    subsets = {
        "Primary ITP": (p[p.group == "primary_itp"], "10"),
        "ARS-ITP": (p[p.group == "ars_itp"], "9"),
        "Total": (p, "19"),
    }
    table_1b = {  # as printed in Table 1B: OR, CR, PR, NR
        "Primary ITP": ("5 (50%)", "5 (50%)", "0 (0%)", "5 (50%)"),
        "ARS-ITP": ("8 (89%)", "5 (56%)", "3 (33%)", "1 (11%)"),
        "Total": ("13 (68%)", "10 (53%)", "3 (16%)", "6 (32%)"),
    }
    for label, (rows, n_printed) in subsets.items():
        n = len(rows)
        add(f"Table 1B {label}: n", n_printed, str(n), "Table 1B")
        counts = {
            "OR": int(rows.response.isin(["CR", "PR"]).sum()),
            "CR": int((rows.response == "CR").sum()),
            "PR": int((rows.response == "PR").sum()),
            "NR": int((rows.response == "NR").sum()),
        }
        for (col, k), printed in zip(counts.items(), table_1b[label]):
            add(f"Table 1B {label}: {col}", printed, f"{k} ({_pct(k, n)})", "Table 1B")

    mmf = p[p.mmf_failed]
    responders = p[p.response.isin(["CR", "PR"])]
    add("patients who had failed MMF", f"{t['n_mmf_failed']}/19 ({t['pct_mmf_failed']}%)",
        _count(len(mmf), len(p)), "text")
    k = int(mmf.response.isin(["CR", "PR"]).sum())
    add("MMF-failed patients who responded", f"{t['n_mmf_failed_responders']}/{t['n_mmf_failed']} "
        f"({t['pct_mmf_failed_responders']}%)", _count(k, len(mmf)), "text")
    k = int(responders.mmf_failed.sum())
    add("responders who had failed MMF", f"{t['pct_responders_who_failed_mmf']}%",
        _pct(k, len(responders)), "text (discussion)")
    for label, key in (("primary ITP", "primary_itp_responders"), ("ARS-ITP", "ars_itp_responders")):
        rows = p[p.group == ("primary_itp" if label == "primary ITP" else "ars_itp")]
        k = int(rows.response.isin(["CR", "PR"]).sum())
        f = t[key]
        add(f"{label} responders", f"{f['n']}/{f['of']} ({f['pct']}%)", _count(k, len(rows)), "text")

    d = t["days_to_pr"]
    add("median days to PR (range)", f"{d['median']:g} ({d['min']:g}-{d['max']:g})",
        _median_range(p.day_pr), "text",
        "Table 1A gives the 8 recorded PR days, 27-135; the text's lower bound 14 is patient 7's "
        "CR day (no PR day recorded). The median, 50, agrees; the data follow the table.",
        table_value="50 (27-135)")
    d = t["days_to_cr"]
    add("median days to CR (range)", f"{d['median']:g} ({d['min']:g}-{d['max']:g})",
        _median_range(p.day_cr), "text")
    add("patients who relapsed", str(t["n_relapsed"]), str(int(p.relapse.sum())), "text")
    relapsed = p[p.relapse]
    add("relapsed patient's group", "ARS-ITP",
        "ARS-ITP" if (relapsed.group == "ars_itp").all() and len(relapsed) else "primary ITP", "text")
    add("patients with toxicity", "0", str(int(p.toxicity.sum())), "text ('no adverse effects')")
    add("first-line patients", "1", str(int(p.first_line.sum())), "Table 1A footnote b")
    return out


def bride_figures(cohort: BrideCohort) -> list[PublishedFigure]:
    """Bride et al. 2016's group figures, recomputed from the group rows."""
    g = cohort.groups.set_index("group")
    out = [
        PublishedFigure("bride2016", "patients", str(cohort.text["n_patients"]), str(int(g.n.sum())), "abstract"),
        PublishedFigure("bride2016", "ALPS complete responses", "12/12",
                        f"{g.loc['alps', 'complete_responses']}/{g.loc['alps', 'n']}", "abstract"),
        PublishedFigure("bride2016", "multi-lineage complete responses", "8/12",
                        f"{g.loc['multi_lineage', 'complete_responses']}/{g.loc['multi_lineage', 'n']}", "abstract"),
        PublishedFigure("bride2016", "single-lineage responders", "2/6",
                        f"{g.loc['single_lineage', 'responders']}/{g.loc['single_lineage', 'n']}", "abstract"),
        PublishedFigure("bride2016", "ALPS time to CR", "within 1-3 months",
                        f"within {g.loc['alps', 'cr_within_days_low'] // 30}-"
                        f"{g.loc['alps', 'cr_within_days_high'] // 30} months", "abstract",
                        "stored as a window of 30-92 days"),
    ]
    return out


def published_figures(letter: LetterCohort | None = None, bride: BrideCohort | None = None) -> pd.DataFrame:
    """All published figures of both cohorts with their recomputed values, as a table."""
    letter = letter or load_letter()
    bride = bride or load_bride()
    rows = [asdict(f) | {"status": f.status} for f in letter_figures(letter) + bride_figures(bride)]
    return pd.DataFrame(rows)
