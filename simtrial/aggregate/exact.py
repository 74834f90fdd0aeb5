"""The sweep's sample-size answer by exact calculation (simulation only confirms it).

For every single-arm and Simon design of a sweep, and every planning value it is judged at (the
design's own ``p1`` and the true rate of each parametric scenario above p0), the smallest n is
found by exact calculation (:mod:`simtrial.designs.sample_size`), not read off the swept grid:

* single arm: the smallest n meeting the targets and the smallest n from which every larger n
  does (exact power is saw-toothed in n);
* Simon: the minimax and the optimal design searched for that planning value, with r1/n1, r/n.

Scenarios without a single true rate (the calibrated posterior) give an assurance, which is not a
power, and are listed as such without an exact n.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["planning_values", "exact_smallest_n"]

COLUMNS = ["design", "planning value", "p0", "alpha", "smallest n", "stable n", "rule at smallest n",
           "exact size", "exact power", "EN under H0", "note"]


def _config(directory: Path) -> dict:
    import yaml

    path = Path(directory) / ".hydra" / "config.yaml"
    if not path.is_file():
        return {}
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError:
        return {}


def planning_values(jobs) -> pd.DataFrame:
    """One row per (design, p0, alpha, planning value) among the sweep's jobs.

    Columns: design, p0, alpha, p (planning value or scenario true rate; NaN for a posterior
    scenario), source ("design p1" or the scenario's name).
    """
    rows = []
    for job in jobs:
        cfg = _config(job.directory)
        design = cfg.get("design") or {}
        name = design.get("name")
        if name not in ("single_arm", "simon") or design.get("interim_fractions"):
            continue
        base = {"design": name, "p0": float(design["p0"]), "alpha": float(design["alpha"])}
        rows.append({**base, "p": float(design["p1"]), "source": "design p1"})
        scen = cfg.get("scenario") or {}
        label = job.choices.get("scenario") or scen.get("name", "")
        p_resp = scen.get("p_response")
        if scen.get("name") == "parametric" and p_resp and len(p_resp) == 1:
            rows.append({**base, "p": float(p_resp[0]), "source": label})
        elif scen.get("name") not in ("parametric", "null_hypothesis", None) or scen.get("population") == "posterior":
            rows.append({**base, "p": np.nan, "source": label})
    if not rows:
        return pd.DataFrame(columns=["design", "p0", "alpha", "p", "source"])
    return pd.DataFrame(rows).drop_duplicates().reset_index(drop=True)


def exact_smallest_n(plans: pd.DataFrame, power: float, n_max: int = 200, n_max_simon: int = 100) -> pd.DataFrame:
    """Exact smallest n for each planning value (see the module docstring).

    Single-arm sizes are searched up to ``n_max``, Simon designs up to ``n_max_simon``.
    """
    from simtrial.designs.sample_size import simon_designs, single_arm_sample_size

    out = []
    seen = set()
    for _, pl in plans.iterrows():
        key = (pl.design, pl.p0, pl.alpha, pl.p)
        if key in seen:
            continue
        seen.add(key)
        label = f"p = {pl.p:g} ({pl.source})" if np.isfinite(pl.p) else f"{pl.source}"
        base = {"design": pl.design, "planning value": label, "p0": pl.p0, "alpha": pl.alpha}
        if not np.isfinite(pl.p):
            out.append({**base, "note": "assurance under the posterior (simulated): not a power, no exact n"})
            continue
        if pl.p <= pl.p0:
            continue
        if pl.design == "single_arm":
            res = single_arm_sample_size(pl.p0, pl.p, pl.alpha, power, n_range=(1, n_max))
            row = {**base, "smallest n": res.n_min, "stable n": res.n_stable}
            if res.n_min is not None:
                t = res.table.set_index("n").loc[res.n_min]
                row.update({"rule at smallest n": f"reject if >= {int(t['r'])}/{res.n_min}",
                            "exact size": t["size"], "exact power": t["power"], "EN under H0": float(res.n_min)})
            else:
                row["note"] = f"no n <= {n_max} meets the targets"
            out.append(row)
        else:
            try:
                import warnings

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    table = simon_designs(pl.p0, [pl.p], pl.alpha, power, n_max=n_max_simon)
            except ValueError:
                out.append({**base, "design": "simon", "note": f"no two-stage design with n <= {n_max_simon}"})
                continue
            for kind in ("minimax", "optimal"):
                d = table[table["design"] == kind].iloc[0]
                out.append({**base, "design": f"simon ({kind})", "smallest n": int(d.n),
                            "rule at smallest n": f"stop if <= {int(d.r1)}/{int(d.n1)}; reject if > {int(d.r)}/{int(d.n)}",
                            "exact size": d["size"], "exact power": d["power"], "EN under H0": d["en_p0"],
                            "note": f"{len(table) - 2} admissible design(s) between (Jung et al. 2004)"
                            if kind == "optimal" and len(table) > 2 else ""})
    df = pd.DataFrame(out, columns=COLUMNS)
    return df.astype({"smallest n": "Int64", "stable n": "Int64"})
