"""Simulated operating characteristics: :class:`SimulationResult`, MCSEs and ``oc.nc``.

With R replicates: a proportion p has MCSE sqrt(p (1 - p) / R); a mean has sd / sqrt(R); a
quantile q_u has the order-statistic MCSE (q_{u + d} - q_{u - d}) / 2 with
d = sqrt(u (1 - u) / R) (the half-width of a one-standard-error binomial interval on the ranks).
"""

from __future__ import annotations

import json
import math

import numpy as np

from simtrial._core.codes import DECISIONS, Decision
from simtrial.trial.enrolment import MONTH_DAYS
from simtrial.trial.replicates import ARM_FIELDS, FIELDS

__all__ = ["proportion", "mean", "quantiles", "summarise", "to_dataset", "ARM_NAMES", "finite", "SimulationResult",
           "clean"]

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
    analysis : Design
        The design object (its parameters are reported).
    regimens : sequence of str
        Regimen per arm.
    exact : dict, optional
        Exact ``reject_rate``, ``pet`` and ``expected_n`` at the true rates: reported beside
        the simulated values with the z-scores of the differences.
    """
    dec = res["decision"].astype(int)
    r = dec.size
    reject, reject_se = proportion(np.isin(dec, (Decision.REJECTED_FINAL, Decision.EFFICACY_STOP)))
    pet, pet_se = proportion(np.isin(dec, (Decision.FUTILITY_STOP, Decision.EFFICACY_STOP)))
    en, en_se = mean(res["n_enrolled"])
    q = quantiles(res["duration_days"] / MONTH_DAYS)
    out = {
        "replicates": r,
        "reject_rate": reject,
        "reject_rate_mcse": reject_se,
        "pet": pet,
        "pet_mcse": pet_se,
        "pet_futility": proportion(dec == Decision.FUTILITY_STOP)[0],
        "pet_efficacy": proportion(dec == Decision.EFFICACY_STOP)[0],
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


def clean(obj):
    """NaN -> None and numpy scalars -> Python, recursively (``summary.json`` is strict JSON)."""
    if isinstance(obj, dict):
        return {k: clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [clean(v) for v in obj]
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return float(obj) if math.isfinite(obj) else None
    return obj


class SimulationResult:
    """The simulated trials of one design under one scenario.

    Attributes
    ----------
    design : Design
    scenario : Scenario
    replicates : dict of numpy.ndarray
        Per-replicate results: ``replicate`` and :data:`FIELDS` (R,), :data:`ARM_FIELDS` (R, arms).
    rates : tuple of float or None
        True response rates per arm (parametric scenarios).
    exact : dict or None
        Exact ``reject_rate``, ``pet`` and ``expected_n`` at ``rates`` where they exist.
    calendar : str
        The trial calendar that ran (``simpy`` or ``vectorised``).
    seed : int or None
        The root seed's entropy.
    at_median : SimulationResult or None
        Posterior scenario: the same trials at the posterior median parameters.
    """

    def __init__(self, design, scenario, replicates: dict, rates=None, calendar: str = "simpy", seed=None,
                 at_median: "SimulationResult | None" = None):
        self.design, self.scenario, self.replicates = design, scenario, replicates
        self.rates = None if rates is None else tuple(float(v) for v in rates)
        self.exact = design.exact_at(self.rates) if self.rates is not None else None
        self.calendar, self.seed, self.at_median = calendar, seed, at_median

    @property
    def n_replicates(self) -> int:
        return int(np.asarray(self.replicates["decision"]).size)

    def figures(self) -> dict:
        """Headline figures with their MCSEs (the body of ``summary.json``; NaN kept as NaN)."""
        figs = summarise(self.replicates, self.design, self.design.regimens, self.exact)
        figs["scenario"] = self.scenario.describe()
        figs["calendar"] = self.calendar
        if self.rates is not None:
            figs["scenario"]["p_response"] = list(self.rates)
        if self.scenario.assurance:
            figs["assurance"] = figs["reject_rate"]
            figs["assurance_mcse"] = figs["reject_rate_mcse"]
        if self.at_median is not None:
            m = summarise(self.at_median.replicates, self.design, self.design.regimens)
            figs["power_at_posterior_median"] = m["reject_rate"]
            figs["power_at_posterior_median_mcse"] = m["reject_rate_mcse"]
        return figs

    def summary(self):
        """The headline figures as a table.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``figure``; columns ``estimate``, ``mcse``, ``exact`` (NaN where there is
            no exact value) and ``z`` = (estimate - exact) / MCSE.
        """
        import pandas as pd

        f = self.figures()
        exact, z = f.get("exact", {}), f.get("exact_z", {})
        label = "assurance" if self.scenario.assurance else "reject_rate"
        d = f["duration_months"]
        rows = [(label, f["reject_rate"], f["reject_rate_mcse"], exact.get("reject_rate"), z.get("reject_rate")),
                ("pet", f["pet"], f["pet_mcse"], exact.get("pet"), z.get("pet")),
                ("expected_n", f["expected_n"], f["expected_n_mcse"], exact.get("expected_n"), z.get("expected_n")),
                ("duration_months_median", d["median"], d["median_mcse"], None, None)]
        for name, arm in f["arms"].items():
            rows.append((f"response_rate_{name}", arm["response_rate"], arm["response_rate_mcse"], None, None))
        if "power_at_posterior_median" in f:
            rows.append(("power_at_posterior_median", f["power_at_posterior_median"],
                         f["power_at_posterior_median_mcse"], None, None))
        df = pd.DataFrame(rows, columns=["figure", "estimate", "mcse", "exact", "z"]).set_index("figure")
        return df.astype(float)

    def to_xarray(self, attrs: dict | None = None):
        """Per-replicate results as an :class:`xarray.Dataset` (dims replicate, arm), as ``oc.nc``."""
        base = {"design": self.design.parameters, "scenario": self.scenario.name}
        if self.seed is not None:
            base["seed"] = int(self.seed)
        return to_dataset(self.replicates, self.design.regimens, {**base, **(attrs or {})})

    def to_json(self, path=None) -> str:
        """The figures as strict JSON (NaN as null); written to ``path`` if given."""
        text = json.dumps(clean(self.figures()), indent=2)
        if path is not None:
            from simtrial import atomic

            atomic.write_text(path, text + "\n")
        return text

    # -- plots (matplotlib figures) ----------------------------------------------------------
    def scenario_values(self) -> str:
        """The scenario's true values as a figure says them: "p = 0.35", "p_A = 0.3, p_B = 0.7",
        "posterior draws" or "patient models"."""
        if self.rates is not None:
            keys = ["p"] if len(self.rates) == 1 else [f"p_{a}" for a in ARM_NAMES[:len(self.rates)]]
            return ", ".join(f"{k} = {v:g}" for k, v in zip(keys, self.rates))
        return "posterior draws" if self.scenario.assurance else "patient models"

    def title(self, design: str | None = None, scenario: str | None = None) -> str:
        """Figure title: the design and its size, the scenario and its true values.

        Parameters
        ----------
        design, scenario : str, optional
            Names to show (the CLI passes its config choices, e.g. ``single_arm`` and
            ``pessimistic``); default the design's label and the scenario's name.

        Examples
        --------
        >>> import simtrial as st
        >>> d = st.designs.SingleArm(n=35, p0=0.2, p1=0.4)
        >>> st.Trial(d, st.scenarios.Parametric(0.35)).simulate(10, seed=1).title("single_arm", "pessimistic")
        'single_arm n = 35, pessimistic (p = 0.35)'
        """
        d = self.design
        per_arm = getattr(d, "n_per_arm", None)
        size = f"n = {per_arm} per arm" if per_arm is not None else f"n = {d.n_max}"
        return (f"{design or d.label} {size}, {scenario or self.scenario.name} "
                f"({self.scenario_values()})")

    def plot_duration(self, title: str | None = None):
        """Histogram of trial duration in months, median and 90% range marked; titled by
        :meth:`title` unless ``title`` is given."""
        from simtrial.trial import plots

        return plots.duration_figure(self.replicates, title=title or self.title())

    def plot_responders(self, title: str | None = None):
        """Responders at the analysis, per arm (the legend gives each arm's true rate)."""
        from simtrial.trial import plots

        rates = self.rates if self.rates is not None else (None,) * self.design.n_arms
        return plots.responders_figure(self.replicates, self.design.regimens, title=title or self.title(),
                                       rates=rates, scenario=None if self.rates is not None else self.scenario_values())

    def plot_decisions(self, title: str | None = None):
        """Share of trials per decision, with one-MCSE error bars."""
        from simtrial.trial import plots

        return plots.decisions_figure(self.replicates, title=title or self.title())

    def __repr__(self) -> str:
        return (f"SimulationResult({type(self.design).__name__}, {self.scenario.name}, "
                f"{self.n_replicates} replicates, {self.calendar} calendar)")

    def __str__(self) -> str:
        f = self.figures()
        label = "assurance" if self.scenario.assurance else "reject rate"
        lines = [f"{self.design.label} design, {self.scenario.name} scenario, {f['replicates']} replicates "
                 f"({self.calendar} calendar)",
                 f"  {label}: {f['reject_rate']:.4f} (MCSE {f['reject_rate_mcse']:.4f})"]
        if "exact" in f:
            z = f["exact_z"].get("reject_rate")
            lines.append(f"  exact: {f['exact']['reject_rate']:.4f}; z = " + ("n/a" if z is None else f"{z:+.2f}"))
        lines.append(f"  PET {f['pet']:.4f} (MCSE {f['pet_mcse']:.4f}); expected N {f['expected_n']:.2f} "
                     f"(MCSE {f['expected_n_mcse']:.2f})")
        d = f["duration_months"]
        lines.append(f"  duration: median {d['median']:.1f} months (90% range {d['p05']:.1f}-{d['p95']:.1f})")
        for name, arm in f["arms"].items():
            lines.append(f"  arm {name} ({arm['regimen']}): response rate {arm['response_rate']:.3f} "
                         f"(MCSE {arm['response_rate_mcse']:.3f})")
        if "power_at_posterior_median" in f:
            lines.append(f"  power at the posterior median: {f['power_at_posterior_median']:.4f} "
                         f"(MCSE {f['power_at_posterior_median_mcse']:.4f})")
        return "\n".join(lines)
