"""``design_report.html``: a design sweep for a statistician who reads no Python."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from simtrial.aggregate.plots import oc_figure, sequencing_figure
from simtrial.aggregate.targets import Targets, size_column, smallest_n
from simtrial.report.html import HtmlReport

#: Columns of the jobs table in the report (when present); the CSV holds every column.
_JOB_FIGURES = ["reject_rate", "reject_rate_mcse", "assurance", "assurance_mcse", "expected_n",
                "expected_n_mcse", "pet", "pet_mcse", "duration_months.median"]
_SHARED_SEQUENCING = ("exposed_both", "both_drugs", "share_both", "exposed_to_both")


#: Headers of the simulated smallest-n table (simulated figures: never "exact").
_SMALLEST_LABELS = {"design": "Design", "scenario": "Scenario", "smallest_n": "Smallest n", "judged_on": "Judged on",
                    "power": "Power (simulated)", "power_mcse": "MCSE of power",
                    "assurance": "Assurance (simulated)", "assurance_mcse": "MCSE of assurance",
                    "type_i_error": "Type I error (simulated)", "type_i_error_mcse": "MCSE of type I error",
                    "note": "Note"}


def _exact_protocol_table(exact: pd.DataFrame, targets: Targets):
    from simtrial.report.tables import protocol_table

    return protocol_table(
        exact, "Smallest n by exact calculation", f"per design and planning value; targets: exact size <= alpha, "
        f"exact power >= {targets.power:g}",
        notes=["Single arm: A'Hern RP, Stat Med 2001;20:859-866. Simon two-stage: Simon R, Control Clin Trials "
               "1989;10:1-10; admissible designs: Jung SH et al., Stat Med 2004;23:561-569."],
        decimals={"p0": 2, "alpha": 3, "exact size": 4, "exact power": 4, "EN under H0": 1})


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def _sequencing_rows(ok: pd.DataFrame) -> pd.DataFrame:
    if "design" in ok and (ok["design"] == "sequencing").any():
        return ok[ok["design"] == "sequencing"]
    switch = [c for c in ok.columns if str(c).split(".")[-1] == "switch_day"]
    return ok[ok[switch[0]].notna()] if switch else ok.iloc[0:0]


def build_report(table: pd.DataFrame, swept: list[str], targets: Targets, title: str,
                 subtitle: str = "", footer: str = "", exact: pd.DataFrame | None = None
                 ) -> tuple[HtmlReport, pd.DataFrame]:
    """Build the design report from the OC table.

    ``exact`` (from :func:`simtrial.aggregate.exact.exact_smallest_n`) is the smallest n by exact
    calculation; when given it comes first and the simulated table is its confirmation.

    Returns
    -------
    (HtmlReport, pandas.DataFrame)
        The report (not yet written) and the smallest-n table it shows.
    """
    rep = HtmlReport(title, subtitle=subtitle or None, footer=footer or None)
    ok = table[table["status"] == "ok"]
    failed = table[table["status"] != "ok"]
    if len(failed):
        rep.warning(f"{len(failed)} of {len(table)} jobs failed or did not finish (listed under "
                    "'Failed jobs'); the figures below use the {0} jobs that finished.".format(len(ok)),
                    label="Failed jobs")
    rep.headline({"jobs": len(table), "ok": len(ok), "failed": len(failed),
                  "target power": targets.power, "target alpha": targets.alpha})
    size = size_column(table, swept)
    others = [c for c in swept if c not in (size, "design", "scenario")]
    seq = _sequencing_rows(ok)
    seq_x = next((c for c in swept if str(c).split(".")[-1] == "switch_day"), None)
    group_by = (["design"] if "design" in table else []) + [c for c in others if c != seq_x or seq.empty]
    smallest = pd.DataFrame()

    if exact is not None and len(exact):
        rep.section("Smallest n by exact calculation", id="exact-n")
        rep.paragraph(
            "Exact binomial calculation over every n (not read off the swept grid). Exact power is "
            "saw-toothed in n: 'smallest n' is the first n meeting size <= alpha and power >= "
            f"{targets.power:g} at the planning value; 'stable n' is the first n from which every larger "
            "n also meets them. Simon designs are searched for each planning value (minimax and optimal; "
            "the admissible designs in between are in docs/designs.md). Cite these figures; the "
            "simulated table below confirms them with Monte Carlo error.")
        rep.html(_exact_protocol_table(exact, targets).to_html())
    rep.section("Smallest n meeting the targets (simulated confirmation)" if exact is not None and len(exact)
                else "Smallest n meeting the targets", id="smallest-n")
    rep.paragraph(targets.describe())
    if size is None:
        rep.note("No sample-size parameter among the swept parameters (looked for n, n_per_arm, n_max).")
    elif ok.empty:
        rep.note("No job finished: nothing to read.")
    else:
        smallest = smallest_n(table, size, group_by, targets)
        rep.table(smallest.rename(columns=lambda c: _SMALLEST_LABELS.get(c, c)), caption=f"Smallest {size} per design and scenario ({targets.rule} rule)",
                  number_format=_fmt)

    if size is not None and not ok.empty:
        rep.section("Operating characteristics against n", id="oc")
        rep.paragraph("Each panel shows one figure against the sample size, one line per scenario; shaded "
                      "bands are ±1.96 Monte Carlo standard errors (duration: 5th-95th centile across "
                      "simulated trials). Stars mark the smallest n meeting the targets.")
        oc_groups = [k for k in group_by + [seq_x] if k and k in ok]
        for key, rows in (ok.groupby(oc_groups, dropna=False, sort=True) if oc_groups else [((), ok)]):
            key = key if isinstance(key, tuple) else (key,)
            label = ", ".join(f"{k}={v}" for k, v in zip(oc_groups, key)) or "all jobs"
            sub = smallest
            for k, v in zip(oc_groups, key):
                if k in sub:
                    sub = sub[sub[k] == v]
            fig = oc_figure(rows, size, label, targets, sub)
            rep.figure(fig, caption=f"Operating characteristics, {label}")
            plt.close(fig)

    if not seq.empty and seq_x is not None:
        rep.section("Sequencing comparison", id="sequencing")
        lines = next((c for c in swept if c != seq_x and str(c).split(".")[-1] in ("n_per_arm", "n")), None)
        shared = [c for c in seq.columns if any(s in str(c) for s in _SHARED_SEQUENCING)
                  and not str(c).startswith("arm") and not str(c).endswith("_mcse")
                  and pd.api.types.is_numeric_dtype(seq[c])]
        rep.paragraph("Arm A (MMF, then sirolimus from the switch day) against arm B (sirolimus first): "
                      "response rates, time to response and the share of children exposed to both "
                      "drugs, by switch day and children per arm; bands are ±1.96 MCSE.")
        fig = sequencing_figure(seq, seq_x, lines, shared)
        rep.figure(fig, caption="Sequencing comparison by switch day and n per arm")
        plt.close(fig)
        cols = [c for c in [lines, seq_x] if c] + [c for c in seq.columns if str(c).startswith("arm")] + shared
        rep.table(seq[list(dict.fromkeys(cols))], caption="Sequencing figures per job", number_format=_fmt)

    rep.section("Jobs", id="jobs")
    cols = [c for c in ["job", "status", "design", "scenario", *swept, *_JOB_FIGURES] if c in table]
    rep.table(table[list(dict.fromkeys(cols))], caption="One row per job (all columns: oc_table.csv)",
              number_format=_fmt)
    if len(failed):
        rep.section("Failed jobs", id="failed")
        cols = [c for c in ["job", "status", "detail", "design", "scenario", *swept] if c in failed]
        rep.table(failed[list(dict.fromkeys(cols))], caption="Jobs that failed or did not finish; "
                  "re-run the sweep into the same directory with run.resume=true to finish them")
    return rep, smallest


def write_report(path: Path, *args, **kwargs) -> pd.DataFrame:
    """Build the report (see :func:`build_report`) and write it to ``path``; returns smallest n."""
    rep, smallest = build_report(*args, **kwargs)
    rep.write(path)
    exact = kwargs.get("exact")
    if exact is not None and len(exact):  # the protocol table, for a statistical section
        from simtrial import atomic

        table = _exact_protocol_table(exact, args[2] if len(args) > 2 else kwargs["targets"])
        with atomic.atomic_path(Path(path).parent / "smallest_n_exact.csv") as tmp:
            table.to_csv(tmp)
        with atomic.atomic_path(Path(path).parent / "smallest_n_exact.docx") as tmp:
            table.to_docx(tmp)
    return smallest
