"""Targets for a design sweep and the smallest sample size meeting them.

How a target is read
--------------------
For each design (and any other swept parameter held fixed), scenario by scenario, the smallest
``n`` is the smallest swept size at which

* the rejection rate under that scenario (power; assurance under the posterior scenario) is at
  least ``power``, and
* the rejection rate under the null scenario at the same design and ``n`` (the type I error) is
  at most ``alpha``.

With ``rule="estimate"`` (the default) the Monte Carlo estimates are compared with the targets.
With ``rule="conservative"`` the bounds of the 95% Monte Carlo interval are: power - 1.96 MCSE
>= ``power`` and type I error + 1.96 MCSE <= ``alpha``, so Monte Carlo noise cannot make a size
look adequate. A size without a null-scenario job at the same ``n`` does not qualify; a sweep
with no null-scenario job at all is judged on power alone, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Names of the size parameter, looked up as the last component of a swept key, then as a figure.
SIZE_NAMES = ("n", "n_per_arm", "n_max", "n_total")
Z95 = 1.96


@dataclass(frozen=True)
class Targets:
    """What a design must achieve.

    Parameters
    ----------
    power : float
        Least acceptable power (assurance under the posterior scenario), in (0, 1).
    alpha : float
        Largest acceptable type I error, in (0, 1).
    rule : str
        ``"estimate"`` or ``"conservative"`` (see the module docstring).
    null_scenario : str
        The scenario whose rejection rate is the type I error.
    """

    power: float = 0.8
    alpha: float = 0.05
    rule: str = "estimate"
    null_scenario: str = "null_hypothesis"

    def __post_init__(self) -> None:
        for name in ("power", "alpha"):
            value = getattr(self, name)
            if not 0 < value < 1:
                raise ValueError(f"targets.{name}: must be in (0, 1); got {value!r}")
        if self.rule not in ("estimate", "conservative"):
            raise ValueError(f"targets.rule: must be 'estimate' or 'conservative'; got {self.rule!r}")

    def describe(self) -> str:
        """One sentence saying how the targets are read."""
        if self.rule == "conservative":
            how = (f"power - 1.96 MCSE >= {self.power:g} and type I error + 1.96 MCSE <= {self.alpha:g} "
                   "(95% Monte Carlo bounds)")
        else:
            how = f"estimated power >= {self.power:g} and estimated type I error <= {self.alpha:g}"
        return (f"Smallest n: the smallest swept size with {how}; power is the rejection rate under the "
                f"scenario (assurance under the posterior), type I error the rejection rate under the "
                f"'{self.null_scenario}' scenario at the same design and n.")


def size_column(table: pd.DataFrame, swept: list[str]) -> str | None:
    """The column holding the sample size: a swept parameter named like ``design.n`` or
    ``design.n_per_arm``, else a figure with one of those names; None if there is none."""
    for names in (swept, list(table.columns)):
        for wanted in SIZE_NAMES:
            for col in names:
                if col in table and str(col).split(".")[-1] == wanted:
                    return col
    return None


def rejection(row: pd.Series) -> tuple[float, float]:
    """(rate, MCSE) of rejecting H0 in one job: ``reject_rate``, else ``assurance``."""
    for name in ("reject_rate", "assurance"):
        if name in row and pd.notna(row[name]):
            mcse = row.get(f"{name}_mcse", np.nan)
            return float(row[name]), float(mcse) if pd.notna(mcse) else np.nan
    return np.nan, np.nan


def smallest_n(table: pd.DataFrame, size: str, group_by: list[str], targets: Targets) -> pd.DataFrame:
    """The smallest size meeting ``targets``, per group and non-null scenario.

    Parameters
    ----------
    table
        The OC table (failed jobs are ignored).
    size
        The sample-size column.
    group_by
        Columns that define one curve besides the scenario (design and other swept parameters).
    targets
        The targets and how to read them.

    Returns
    -------
    pandas.DataFrame
        One row per group and scenario: ``smallest_n`` (None if no size qualifies), ``judged_on``
        ("power" or "assurance"), the power *or* the assurance (a posterior scenario's rejection
        rate: never in the power column) and the type I error at that size with their MCSE, and a
        note.
    """
    ok = table[table["status"] == "ok"].copy()
    if "scenario" not in ok:
        ok["scenario"] = "(one scenario)"
    ok["_rate"], ok["_mcse"] = zip(*ok.apply(rejection, axis=1)) if len(ok) else ((), ())
    keys = [k for k in group_by if k in ok]
    out = []
    for gkey, group in ok.groupby(keys, dropna=False, sort=True) if keys else [((), ok)]:
        gkey = gkey if isinstance(gkey, tuple) else (gkey,)
        null = group[group["scenario"] == targets.null_scenario].set_index(size)
        for scenario, rows in group.groupby("scenario", sort=True):
            if scenario == targets.null_scenario:
                continue
            found, note = None, ""
            if null.empty:
                note = "no null-scenario jobs: judged on power alone"
            for _, r in rows.sort_values(size).iterrows():
                n = r[size]
                power, power_se = r["_rate"], r["_mcse"]
                t1 = t1_se = np.nan
                if not null.empty:
                    if n not in null.index:
                        continue
                    t1, t1_se = null.loc[n, "_rate"], null.loc[n, "_mcse"]
                    if isinstance(t1, pd.Series):  # duplicated sizes: take the first
                        t1, t1_se = t1.iloc[0], t1_se.iloc[0]
                if _meets(power, power_se, t1, t1_se, targets):
                    # an assurance (posterior scenario) never goes in the power column
                    kind = "assurance" if pd.notna(r.get("assurance", np.nan)) else "power"
                    found = dict(smallest_n=n, judged_on=kind, type_i_error=t1, type_i_error_mcse=t1_se,
                                 **{kind: power, f"{kind}_mcse": power_se})
                    break
            if found is None:
                found = dict(smallest_n=None, type_i_error=np.nan, type_i_error_mcse=np.nan)
                note = note or "no swept size meets the targets"
            out.append({**dict(zip(keys, gkey)), "scenario": scenario, **found, "note": note})
    columns = keys + ["scenario", "smallest_n", "judged_on", "power", "power_mcse", "assurance", "assurance_mcse",
                      "type_i_error", "type_i_error_mcse", "note"]
    return pd.DataFrame(out, columns=columns)


def _meets(power: float, power_se: float, t1: float, t1_se: float, targets: Targets) -> bool:
    if np.isnan(power):
        return False
    margin = Z95 if targets.rule == "conservative" else 0.0
    power_se = 0.0 if np.isnan(power_se) else power_se
    t1_se = 0.0 if np.isnan(t1_se) else t1_se
    if power - margin * power_se < targets.power:
        return False
    return np.isnan(t1) or t1 + margin * t1_se <= targets.alpha
