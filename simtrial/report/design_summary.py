"""A design summary in the manner of rpact's ``summary()``: what a protocol's statistical section
states about a design, computed exactly.

A :class:`DesignSummary` holds the hypotheses, the level and sidedness, the decision rule at each
look (futility and efficacy bounds, type I error spent), the exact size and the exact power at
the planning values, PET and expected N under H0 and H1, and the scenario the run simulates with
its true values. It renders as console text (:meth:`DesignSummary.to_text`), Markdown
(``design_summary.md``) and HTML (the first section of a run's ``report.html``).

Builders compute every figure from :mod:`simtrial.designs` for the single-arm exact test
(:func:`single_arm_summary`), Simon's two-stage design (:func:`simon_summary`), a
predictive-probability design (:func:`pp_summary`) and a two-arm rule (:func:`two_arm_summary`).
Power is always at a stated planning value; an assurance (power averaged over a distribution of
the true rate) is never put in a power row: it has its own field, with the distribution named.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = [
    "Look",
    "DesignSummary",
    "single_arm_summary",
    "simon_summary",
    "pp_summary",
    "two_arm_summary",
    "format_figure",
]


def format_figure(value, mcse=None, *, varies: bool = True, digits: int = 4) -> str:
    """A figure for the console: "0.8065 (MCSE 0.0062)", or "not applicable" when it cannot vary.

    ``varies=False`` marks figures fixed by the design (the PET of a design without interim looks,
    E[N] = n without looks): they are printed as such, never as "0.0000 (MCSE 0.0000)".
    """
    if not varies:
        return "fixed by the design" if value is None else f"{value:g} (fixed by the design)"
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "–"
    text = f"{value:.{digits}f}"
    if mcse is not None and np.isfinite(mcse):
        text += f" (MCSE {mcse:.{digits}f})"
    return text


@dataclass(frozen=True)
class Look:
    """One analysis of the design.

    Attributes
    ----------
    label : str
        "interim 1", ..., "final".
    n : int
        Patients evaluated (per arm for two-arm designs when so stated in ``unit``).
    futility : str
        The futility rule at this look in words ("stop if <= 3 responders"), "" if none.
    efficacy : str
        The rejection rule ("reject H0 if >= 12 responders"), "" if none.
    alpha_spent : float or None
        Cumulative exact type I error spent by this look.
    """

    label: str
    n: int
    futility: str = ""
    efficacy: str = ""
    alpha_spent: float | None = None


@dataclass(frozen=True)
class DesignSummary:
    """Everything a protocol states about a design, exact where it can be.

    ``power``, ``pet`` and ``expected_n`` map a label of the true rate ("H0: p = 0.2",
    "H1: p = 0.4") to the exact figure. ``assurance`` (if any) maps a label to
    (value, the distribution it integrates over).
    """

    title: str
    hypotheses: str
    alpha: float
    sided: str
    looks: tuple[Look, ...]
    exact_size: float | None
    size_note: str = ""
    power: dict = field(default_factory=dict)
    pet: dict = field(default_factory=dict)
    expected_n: dict = field(default_factory=dict)
    scenario: str = ""
    true_values: dict = field(default_factory=dict)
    assurance: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    citation: str = ""

    @property
    def size_inflated(self) -> bool:
        """True when the exact size exceeds the nominal alpha (reports show it in red)."""
        return self.exact_size is not None and self.exact_size > self.alpha + 1e-12

    @property
    def has_looks(self) -> bool:
        return len(self.looks) > 1

    # ------------------------------------------------------------ rendering

    def _rows(self) -> list[tuple[str, str]]:
        rows = [("Hypotheses", self.hypotheses), ("Level", f"alpha = {self.alpha:g}, {self.sided}")]
        if self.exact_size is not None:
            flag = "  [EXCEEDS ALPHA]" if self.size_inflated else ""
            note = f" ({self.size_note})" if self.size_note else ""
            rows.append(("Exact type I error", f"{self.exact_size:.4f}{note}{flag}"))
        for label, value in self.power.items():
            rows.append((f"Exact power, {label}", f"{value:.4f}"))
        if self.has_looks:
            for label, value in self.pet.items():
                rows.append((f"PET, {label}", f"{value:.4f}"))
            for label, value in self.expected_n.items():
                rows.append((f"Expected N, {label}", f"{value:.1f}"))
        else:
            n = self.looks[-1].n if self.looks else None
            rows.append(("Early stopping", f"none: no interim look (N = {n} always)"))
        for label, (value, over) in self.assurance.items():
            rows.append((f"Assurance, {label}", f"{value:.4f} (averaged over {over}; not a power)"))
        if self.scenario:
            truth = ", ".join(f"{k} = {v:g}" if isinstance(v, float) else f"{k} = {v}"
                              for k, v in self.true_values.items())
            rows.append(("Scenario simulated", f"{self.scenario}" + (f" (true values: {truth})" if truth else "")))
        return rows

    def _look_rows(self) -> list[list[str]]:
        return [
            [lk.label, str(lk.n), lk.futility or "–", lk.efficacy or "–",
             "–" if lk.alpha_spent is None else f"{lk.alpha_spent:.4f}"]
            for lk in self.looks
        ]

    _LOOK_HEAD = ["Analysis", "Patients", "Futility stop", "Efficacy (reject H0)", "Cumulative alpha spent"]

    def to_text(self) -> str:
        """Console rendering (aligned, rpact-style)."""
        rows = self._rows()
        width = max(len(k) for k, _ in rows)
        out = [f"Design summary: {self.title}", ""]
        out += [f"  {k:<{width}} : {v}" for k, v in rows]
        out += ["", "  Decision rule by analysis:"]
        table = [self._LOOK_HEAD] + self._look_rows()
        widths = [max(len(r[i]) for r in table) for i in range(len(self._LOOK_HEAD))]
        for r in table:
            out.append("    " + "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
        out += [f"  Note: {n}" for n in self.notes]
        if self.citation:
            out += [f"  Reference: {self.citation}"]
        return "\n".join(out)

    def __str__(self) -> str:
        return self.to_text()

    def to_markdown(self) -> str:
        """``design_summary.md``."""
        out = [f"# Design summary: {self.title}", "", "| | |", "|---|---|"]
        for k, v in self._rows():
            v = v.replace("|", "\\|")
            out.append(f"| {k} | {'**' + v + '**' if 'EXCEEDS ALPHA' in v else v} |")
        out += ["", "## Decision rule by analysis", "", "| " + " | ".join(self._LOOK_HEAD) + " |",
                "|" + "---|" * len(self._LOOK_HEAD)]
        out += ["| " + " | ".join(r) + " |" for r in self._look_rows()]
        if self.notes:
            out += [""] + [f"- {n}" for n in self.notes]
        if self.citation:
            out += ["", f"Reference: {self.citation}"]
        return "\n".join(out) + "\n"

    def to_html(self) -> str:
        """An HTML fragment (definition table and look table); an inflated size is shown in red."""
        from simtrial.report.html import escape

        rows = []
        for k, v in self._rows():
            style = ' style="color:#b00020;font-weight:bold"' if "EXCEEDS" in v else ""
            rows.append(f"<tr><th scope=\"row\">{escape(k)}</th><td{style}>{escape(v)}</td></tr>")
        looks = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in self._look_rows())
        head = "".join(f"<th>{escape(h)}</th>" for h in self._LOOK_HEAD)
        notes = "".join(f"<p class=\"note\">{escape(n)}</p>" for n in self.notes)
        cite = f"<p class=\"note\">Reference: {escape(self.citation)}</p>" if self.citation else ""
        return (f"<div class=\"design-summary\"><h3>{escape(self.title)}</h3>"
                f"<table class=\"summary\">{''.join(rows)}</table>"
                f"<table><thead><tr>{head}</tr></thead><tbody>{looks}</tbody></table>{notes}{cite}</div>")

    def write(self, directory) -> Path:
        """Write ``design_summary.md`` into ``directory``; returns its path."""
        path = Path(directory) / "design_summary.md"
        path.write_text(self.to_markdown(), encoding="utf-8")
        return path

    def to_dict(self) -> dict:
        """JSON-ready figures (for ``summary.json``): power and assurance kept apart."""
        return {
            "design": self.title, "hypotheses": self.hypotheses, "alpha": self.alpha, "sided": self.sided,
            "exact_size": self.exact_size, "size_inflated": self.size_inflated,
            "exact_power": dict(self.power),
            "exact_pet": dict(self.pet) if self.has_looks else None,
            "exact_expected_n": dict(self.expected_n),
            "assurance": {k: {"value": v, "averaged_over": o} for k, (v, o) in self.assurance.items()},
            "looks": [lk.__dict__ for lk in self.looks],
            "scenario": self.scenario, "true_values": dict(self.true_values),
        }


# ---------------------------------------------------------------- builders


def _scenario_fields(scenario: str, true_p) -> dict:
    return {"scenario": scenario, "true_values": {} if true_p is None else {"p": float(true_p)}}


def single_arm_summary(n: int, p0: float, p1: float, alpha: float, scenario: str = "", true_p=None) -> DesignSummary:
    """One-stage exact binomial test of H0: p <= p0."""
    from simtrial.designs.binomial import critical_value
    from simtrial.designs.oc import single_arm_oc

    r = int(critical_value(n, p0, alpha))
    curve = single_arm_oc([p0, p1], n, r)
    return DesignSummary(
        title=f"single arm, exact binomial test, n = {n}",
        hypotheses=f"H0: p <= {p0:g} against H1: p > {p0:g}",
        alpha=alpha, sided="one-sided",
        looks=(Look("final", n, "", f"reject H0 if >= {r} responders" if r <= n else "never rejects",
                    float(curve.reject[0])),),
        exact_size=float(curve.reject[0]),
        power={f"H1: p = {p1:g}": float(curve.reject[1])},
        expected_n={f"H0: p = {p0:g}": float(n), f"H1: p = {p1:g}": float(n)},
        citation="A'Hern RP. Stat Med 2001;20:859-866 (exact single-stage design)",
        **_scenario_fields(scenario, true_p),
    )


def simon_summary(r1: int, n1: int, r: int, n: int, p0: float, p1: float, alpha: float, kind: str = "",
                  scenario: str = "", true_p=None) -> DesignSummary:
    """Simon two-stage design (stop after n1 if <= r1 respond; reject if > r of n)."""
    from simtrial.designs.oc import simon_oc

    c = simon_oc([p0, p1], r1, n1, r, n)
    return DesignSummary(
        title=f"Simon two-stage design{' (' + kind + ')' if kind else ''}: r1/n1 = {r1}/{n1}, r/n = {r}/{n}",
        hypotheses=f"H0: p <= {p0:g} against H1: p > {p0:g}",
        alpha=alpha, sided="one-sided",
        looks=(Look("interim 1", n1, f"stop if <= {r1} responders", "", 0.0),
               Look("final", n, "", f"reject H0 if >= {r + 1} responders", float(c.reject[0]))),
        exact_size=float(c.reject[0]),
        power={f"H1: p = {p1:g}": float(c.reject[1])},
        pet={f"H0: p = {p0:g}": float(c.pet[0]), f"H1: p = {p1:g}": float(c.pet[1])},
        expected_n={f"H0: p = {p0:g}": float(c.expected_n[0]), f"H1: p = {p1:g}": float(c.expected_n[1])},
        citation="Simon R. Control Clin Trials 1989;10:1-10",
        **_scenario_fields(scenario, true_p),
    )


def pp_summary(design, alpha: float, p1: float, scenario: str = "", true_p=None) -> DesignSummary:
    """Predictive-probability design (:class:`simtrial.designs.interim.PPDesign`)."""
    from simtrial.designs.oc import pp_oc

    p0 = design.p0
    c = pp_oc([p0, p1], design)
    fut, eff = design.boundaries()
    spent = c.cumulative_reject_by_look[:, 0]
    looks = []
    for k, m in enumerate(design.looks):
        f = np.flatnonzero(fut[k])
        e = np.flatnonzero(eff[k])
        looks.append(Look(
            f"interim {k + 1}", int(m),
            f"stop if <= {f.max()} responders (PP < {design.theta_f:g})" if f.size else "",
            f"reject H0 if >= {e.min()} responders (PP > {design.theta_e:.3g})" if e.size else "",
            float(spent[k]),
        ))
    looks.append(Look("final", design.n, "", f"reject H0 if >= {design.r_final} responders", float(spent[-1])))
    notes = ()
    size = float(c.reject[0])
    if size > alpha + 1e-12:
        notes = (f"the exact type I error {size:.4f} exceeds alpha = {alpha:g}: this design was accepted "
                 "with size_control='allow'",)
    return DesignSummary(
        title=f"single arm with predictive-probability looks, n = {design.n}",
        hypotheses=f"H0: p <= {p0:g} against H1: p > {p0:g}",
        alpha=alpha, sided="one-sided", looks=tuple(looks), exact_size=size,
        size_note="efficacy stops at every look included",
        power={f"H1: p = {p1:g}": float(c.reject[1])},
        pet={f"H0: p = {p0:g}": float(c.pet[0]), f"H1: p = {p1:g}": float(c.pet[1])},
        expected_n={f"H0: p = {p0:g}": float(c.expected_n[0]), f"H1: p = {p1:g}": float(c.expected_n[1])},
        notes=notes, citation="Lee JJ, Liu DD. Clin Trials 2008;5:93-106",
        **_scenario_fields(scenario, true_p),
    )


def two_arm_summary(reject_table, rule: str, p_a: float, p_b: float, alpha: float, scenario: str = "",
                    true_values: dict | None = None) -> DesignSummary:
    """A two-arm rule on ``reject_table[x_a, x_b]`` (Fisher's test or the Bayesian rule)."""
    from simtrial.designs.oc import null_size
    from simtrial.designs.two_arm import rejection_probability

    t = np.asarray(reject_table)
    n_a, n_b = t.shape[0] - 1, t.shape[1] - 1
    ns = null_size(t)
    at_pa = float(rejection_probability(t, p_a, p_a))
    return DesignSummary(
        title=f"two arms, {rule}, {n_a} (A) + {n_b} (B) patients",
        hypotheses="H0: p_B <= p_A against H1: p_B > p_A",
        alpha=alpha, sided="one-sided",
        looks=(Look("final", n_a + n_b, "", rule, ns.size_max),),
        exact_size=ns.size_max,
        size_note=f"maximum over p_A = p_B, at p = {ns.p_max:.3f}; {at_pa:.4f} at p_A = p_B = {p_a:g}",
        power={f"H1: p_A = {p_a:g}, p_B = {p_b:g}": float(rejection_probability(t, p_a, p_b))},
        expected_n={"any p": float(n_a + n_b)},
        scenario=scenario, true_values=dict(true_values or {}),
    )


def group_sequential_summary(trial, scenario: str = "", true_p=None) -> DesignSummary:
    """Group-sequential test of rates (:class:`simtrial.designs.group_sequential.rates.GroupSequentialRates`):
    boundaries on z and on counts per look, exact size (futility ignored when non-binding),
    exact power, PET and expected N at H0 and at the planning rates."""
    d = trial.design
    h0 = trial.null_rates
    h1 = (trial.pi1, trial.pi2)
    binding = d.futility is None or d.binding_futility
    ex0 = trial.exact(*h0, futility=binding)
    ex0_run = trial.exact(*h0)
    ex1 = trial.exact(*h1)
    cb = trial.summary()
    two = trial.groups == 2
    who = "treatment responders" if two else "responders"
    looks = []
    spent = np.cumsum(ex0.reject)
    for k in range(d.k_max):
        row = cb.iloc[k]
        label = "final" if k == d.k_max - 1 else f"interim {k + 1}"
        at = f" with {int(row['x_control'])} control responders" if two else ""
        eff = (f"reject H0 if z >= {d.critical_values[k]:.4f} (>= {row['reject_if_x_at_least']:.0f} {who}{at})"
               if np.isfinite(row["reject_if_x_at_least"]) else f"z >= {d.critical_values[k]:.4f} (no count)")
        fut = ""
        if d.futility is not None and k < d.k_max - 1:
            fut = f"stop if z <= {d.futility[k]:.4f}"
            if np.isfinite(row["futility_if_x_at_most"]):
                fut += f" (<= {row['futility_if_x_at_most']:.0f} {who}{at})"
        looks.append(Look(label, int(row["n"]), fut, eff, float(spent[k])))
    if two:
        hyp = f"H0: p_B = p_A against H1: p_B {'!=' if d.sided == 2 else '>'} p_A"
        l0, l1 = f"H0: p_A = p_B = {h0[1]:g}", f"H1: p_A = {h1[1]:g}, p_B = {h1[0]:g}"
    else:
        hyp = f"H0: p {'=' if d.sided == 2 else '<='} {h0[0]:g} against H1: p {'!=' if d.sided == 2 else '>'} {h0[0]:g}"
        l0, l1 = f"H0: p = {h0[0]:g}", f"H1: p = {h1[0]:g}"
    notes = [f"boundaries from {d.describe()}; nominal cumulative alpha spent "
             + ", ".join(f"{a:.4f}" for a in d.alpha_spent),
             f"normal-approximation power (rpact getPowerRates) {trial.power:.4f}, expected N {trial.expected_n:.1f}"]
    return DesignSummary(
        title=f"group-sequential test of {'two' if two else 'one'} arm{'s' if two else ''}, "
              f"{d.k_max} looks, N = {trial.n_max}",
        hypotheses=hyp, alpha=d.alpha, sided="two-sided" if d.sided == 2 else "one-sided",
        looks=tuple(looks), exact_size=float(ex0.power),
        size_note="non-binding futility ignored" if not binding else "",
        power={l1: float(ex1.power)},
        pet={l0: float(ex0_run.stop.sum()), l1: float(ex1.stop.sum())},
        expected_n={l0: trial.exact_expected_n(*h0), l1: trial.exact_expected_n(*h1)},
        notes=tuple(notes),
        citation="Lan KKG, DeMets DL. Biometrika 1983;70:659-663; Jennison C, Turnbull BW. Group Sequential "
                 "Methods, 2000",
        **_scenario_fields(scenario, true_p),
    )
