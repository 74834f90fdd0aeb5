"""The operating-characteristics table: one row per job, one column per swept parameter and
per figure."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from simtrial.aggregate.jobs import Job, swept_keys

#: Columns every table starts with, before the swept parameters.
LEAD_COLUMNS = ["job", "status", "detail", "design", "scenario"]


def flatten(mapping: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten nested dicts to dotted keys; lists become JSON text.

    >>> flatten({"duration_months": {"median": 14.0, "p05": 9.5}, "n": 20})
    {'duration_months.median': 14.0, 'duration_months.p05': 9.5, 'n': 20}
    """
    out: dict[str, Any] = {}
    for key, value in mapping.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, f"{name}."))
        elif isinstance(value, (list, tuple)):
            out[name] = json.dumps(value)
        else:
            out[name] = value
    return out


def oc_table(jobs: list[Job]) -> pd.DataFrame:
    """One row per job: job number, status (``ok``/``failed``) and why, the design and scenario
    chosen, each swept parameter, then every figure of the job's summary (flattened, MCSE
    columns next to their figure), the seed and the wall time.

    A failed job keeps its swept parameters and has empty figures.
    """
    swept = [k for k in swept_keys(jobs) if k not in ("design", "scenario")]
    rows = []
    for job in jobs:
        row: dict[str, Any] = {
            "job": job.num,
            "status": job.status,
            "detail": job.detail,
            "design": job.choices.get("design"),
            "scenario": job.choices.get("scenario"),
        }
        row.update({k: job.overrides.get(k) for k in swept})
        if job.status == "ok":
            row.update({k: v for k, v in flatten(job.figures).items() if k not in row})
            row["seed"] = job.summary.get("seed")
            row["wall_time_s"] = job.summary.get("wall_time_s")
        rows.append(row)
    table = pd.DataFrame(rows)
    for col in LEAD_COLUMNS + swept:
        if col not in table:
            table[col] = None
    figures = [c for c in table.columns if c not in [*LEAD_COLUMNS, *swept, "seed", "wall_time_s"]]
    ordered = _mcse_next_to_figure(figures)
    tail = [c for c in ("seed", "wall_time_s") if c in table and c not in swept]
    table = table[LEAD_COLUMNS + swept + ordered + tail]
    if table["design"].isna().all() and table["scenario"].isna().all():
        table = table.drop(columns=["design", "scenario"])
    return table


def _mcse_next_to_figure(columns: list[str]) -> list[str]:
    """Order columns so that ``x_mcse`` follows ``x``."""
    ordered: list[str] = []
    for col in columns:
        if col.endswith("_mcse") and col[: -len("_mcse")] in columns:
            continue
        ordered.append(col)
        if f"{col}_mcse" in columns:
            ordered.append(f"{col}_mcse")
    return ordered
