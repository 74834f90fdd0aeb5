"""Aggregate a sweep: one ``oc_table.csv`` (a row per job) and ``design_report.html``.

Runs at the end of every sweep (the Hydra callback :class:`simtrial.callbacks.SweepCallback`)
and on demand for a sweep that was interrupted or ran without the callback::

    python -m simtrial.aggregate results/sample_size/multirun/2026-11-23_20-00-00

Failed, killed and never-started jobs are rows with ``status=failed`` and the reason in
``detail``; they never stop the aggregation of the others.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from simtrial import atomic
from simtrial.aggregate.jobs import Job, comparable, read_sweep, swept_keys
from simtrial.aggregate.table import oc_table
from simtrial.aggregate.targets import Targets

__all__ = ["Aggregate", "Targets", "aggregate", "comparable", "read_sweep"]

log = logging.getLogger("simtrial.aggregate")

TABLE_NAME = "oc_table.csv"
REPORT_NAME = "design_report.html"


@dataclass
class Aggregate:
    """What :func:`aggregate` produced."""

    jobs: list[Job]
    table: pd.DataFrame
    smallest: pd.DataFrame
    table_path: Path
    report_path: Path | None

    @property
    def failed(self) -> list[int]:
        """Numbers of the jobs that failed or did not finish."""
        return [j.num for j in self.jobs if j.status != "ok"]


def aggregate(sweep_dir: str | Path, targets: Targets | None = None, report: bool = True) -> Aggregate:
    """Write ``oc_table.csv`` and (unless ``report=False``) ``design_report.html`` into ``sweep_dir``.

    Parameters
    ----------
    sweep_dir
        A sweep directory, ``results/<experiment>/multirun/<timestamp>``.
    targets
        Target power and type I error for the smallest-n table (default 0.8 and 0.05).
    report
        Whether to build the HTML report.

    Raises
    ------
    FileNotFoundError
        If ``sweep_dir`` is not a sweep directory.
    """
    from simtrial.aggregate.report import write_report
    from simtrial.provenance import now, provenance

    sweep_dir = Path(sweep_dir)
    targets = targets or Targets()
    jobs = read_sweep(sweep_dir)
    table = oc_table(jobs)
    table_path = atomic.write_text(sweep_dir / TABLE_NAME, table.to_csv(index=False))
    smallest = pd.DataFrame()
    report_path = None
    if report:
        experiments = sorted({str(j.summary.get("experiment")) for j in jobs if j.summary.get("experiment")})
        name = ", ".join(experiments) or sweep_dir.parent.parent.name
        swept = [k for k in swept_keys(jobs) if k in table]
        report_path = sweep_dir / REPORT_NAME
        from simtrial.aggregate.exact import exact_smallest_n, planning_values  # decisions: exact n first

        exact = exact_smallest_n(planning_values(jobs), targets.power)
        smallest = write_report(
            report_path, table, swept, targets, title=f"Design sweep: {name}",
            subtitle=f"{sweep_dir} — {len(jobs)} jobs", footer=f"simtrial {provenance().get('package_version', '')}, "
            f"built {now()}; per-job figures in {TABLE_NAME}", exact=exact)
    result = Aggregate(jobs, table, smallest, table_path, report_path)
    if result.failed:
        log.warning("aggregate %s: %d of %d jobs failed or did not finish: %s", sweep_dir, len(result.failed),
                    len(jobs), result.failed)
    return result
