"""Operating characteristics with Monte Carlo standard errors, and the per-replicate ``oc.nc``.

With R replicates: a proportion p has MCSE sqrt(p (1 - p) / R); a mean has sd / sqrt(R); a
quantile q_u has the order-statistic MCSE (q_{u + d} - q_{u - d}) / 2 with
d = sqrt(u (1 - u) / R) (the half-width of a one-standard-error binomial interval on the ranks).
"""

from __future__ import annotations

import json
import math

import numpy as np

from simtrial.trial.calendar import DECISIONS
from simtrial.trial.config import MONTH_DAYS
from simtrial.trial.replicates import ARM_FIELDS, FIELDS

__all__ = ["proportion", "mean", "quantiles", "summarise", "to_dataset", "ARM_NAMES", "finite"]

ARM_NAMES = ("A", "B")


def finite(x):
    """``x`` as a float, or None when NaN/inf (JSON has no NaN)."""
    x = float(x)
    return x if math.isfinite(x) else None


def proportion(flags) -> tuple[float, float]:
    """Share of True and its MCSE."""
    f = np.asarray(flags, dtype=float)
    p = float(f.mean())
    return p, math.sqrt(p * (1 - p) / f.size)


def mean(values) -> tuple[float | None, float | None]:
    """Mean over replicates (NaN ignored) and its MCSE."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return None, None
    sd = float(v.std(ddof=1)) if v.size > 1 else 0.0
    return float(v.mean()), sd / math.sqrt(v.size)


def quantiles(values, probs=(0.05, 0.5, 0.95)) -> dict:
    """Quantiles with order-statistic MCSEs."""
    v = np.sort(np.asarray(values, dtype=float))
    out = {}
    for u in probs:
        d = math.sqrt(u * (1 - u) / v.size)
        lo, hi = np.quantile(v, [max(u - d, 0.0), min(u + d, 1.0)])
        out[u] = (float(np.quantile(v, u)), float(hi - lo) / 2)
    return out


def summarise(res: dict, analysis, regimens, exact: dict | None = None) -> dict:
    """Headline figures for ``summary.json``, each with its MCSE.

    Parameters
    ----------
    res : dict
        Per-replicate results of :func:`simtrial.trial.replicates.simulate`.
    analysis : Analysis
        The design (its parameters are reported).
    regimens : sequence of str
        Regimen per arm.
    exact : dict, optional
        Exact ``reject_rate``, ``pet`` and ``expected_n`` at the true rates: reported beside
        the simulated values with the z-scores of the differences.
    """
    dec = res["decision"].astype(int)
    r = dec.size
    reject, reject_se = proportion(np.isin(dec, (2, 3)))
    pet, pet_se = proportion(np.isin(dec, (0, 3)))
    en, en_se = mean(res["n_enrolled"])
    q = quantiles(res["duration_days"] / MONTH_DAYS)
    out = {
        "replicates": r,
        "reject_rate": reject,
        "reject_rate_mcse": reject_se,
        "pet": pet,
        "pet_mcse": pet_se,
        "pet_futility": proportion(dec == 0)[0],
        "pet_efficacy": proportion(dec == 3)[0],
        "expected_n": en,
        "expected_n_mcse": en_se,
        "expected_assessed": mean(res["n_assessed"])[0],
        "duration_months": {"median": q[0.5][0], "median_mcse": q[0.5][1], "p05": q[0.05][0],
                            "p05_mcse": q[0.05][1], "p95": q[0.95][0], "p95_mcse": q[0.95][1]},
        "decisions": {name: int(np.sum(dec == k)) for k, name in enumerate(DECISIONS)},
        "design": analysis.parameters,
        "arms": {},
    }
    for a, regimen in enumerate(regimens):
        arm = {"regimen": regimen}
        for f, label in (("response_rate", "response_rate"), ("time_to_response_days", "time_to_response_days"),
                         ("share_in_response", "share_first_year_in_response"), ("exposed_both", "share_exposed_both"),
                         ("n", "mean_n")):
            m, se = mean(res[f][:, a])
            arm[label], arm[f"{label}_mcse"] = m, se
        out["arms"][ARM_NAMES[a]] = arm
    if exact:
        out["exact"] = dict(exact)
        z = {}
        for key, se_key in (("reject_rate", "reject_rate_mcse"), ("pet", "pet_mcse"), ("expected_n", "expected_n_mcse")):
            se = out[se_key]
            if key in exact and se and se > 0:
                z[key] = (out[key] - exact[key]) / se
            elif key in exact:
                z[key] = 0.0 if abs(out[key] - exact[key]) < 1e-12 else None
        out["exact_z"] = z
    return out


def to_dataset(res: dict, regimens, attrs: dict | None = None):
    """Per-replicate results as an xarray Dataset with dims (replicate, arm)."""
    import xarray as xr

    k = len(regimens)
    data = {f: ("replicate", np.asarray(res[f])) for f in FIELDS}
    data.update({f: (("replicate", "arm"), np.asarray(res[f])) for f in ARM_FIELDS})
    ds = xr.Dataset(data, coords={"replicate": np.asarray(res["replicate"]), "arm": list(ARM_NAMES[:k]),
                                  "regimen": ("arm", list(regimens))})
    ds["decision"].attrs["codes"] = json.dumps(dict(enumerate(DECISIONS)))
    ds["duration_days"].attrs["units"] = "days from the first site opening"
    ds.attrs.update({k2: json.dumps(v) if not isinstance(v, (str, int, float)) else v
                     for k2, v in (attrs or {}).items()})
    return ds
