"""The sequencing answer in the run's report: which strategy is favoured, per endpoint.

Built from the figures :func:`simtrial.studies.sequencing.answers` adds to ``summary.json``
(``comparison``, ``rho_sensitivity``, ``embedded_regimes``), so ``report.html``,
``design_summary.md``, the console and ``summary.json`` show the same numbers:

* :func:`endpoint_table`: per endpoint, each strategy's estimate with its MCSE, the difference
  B - A with its MCSE and its 5%, 50%, 95% over trials, P(B better), P(A better) and how often
  the trial's test declares B better, A better or neither;
* :func:`rho_table`: the primary endpoint with ``rho`` as the scenario has it beside ``rho``
  fixed at 0, 0.3, 0.6;
* :func:`regimes_table`: the four embedded regimes of a SMART with re-randomisation;
* :func:`add_section` (HTML) and :func:`to_markdown`.
"""

from __future__ import annotations

import math

__all__ = ["endpoint_table", "rho_table", "regimes_table", "favoured_text", "add_section", "to_markdown"]

SECTION_TITLE = "Which strategy is favoured"


def _is_days(endpoint: str) -> bool:
    from simtrial.sequencing.endpoints import UNITS, Endpoint

    return UNITS[Endpoint(endpoint)] == "days"


def _num(x: float, days: bool = False) -> str:
    if x is None or not math.isfinite(float(x)):
        return "–"
    return f"{x:.1f}" if days else f"{x:.3f}"


def _with_mcse(x: float, se: float, days: bool = False, signed: bool = False) -> str:
    text = _signed(x, days) if signed else _num(x, days)
    if text != "–" and se is not None and math.isfinite(float(se)):
        text += f" (MCSE {se:.{1 if days else 3}f})"
    return text


def _signed(x: float, days: bool = False) -> str:
    if x is None or not math.isfinite(float(x)):
        return "–"
    return f"{x:+.1f}" if days else f"{x:+.3f}"


def _label(endpoint: str, higher_is_better: bool) -> str:
    from simtrial.sequencing.endpoints import LABELS, Endpoint

    return f"{LABELS[Endpoint(endpoint)]} ({'higher' if higher_is_better else 'lower'} is better)"


def favoured_text(answer: dict, names=("A", "B"), assurance: bool = False) -> str:
    """One sentence: the strategy favoured on the primary endpoint and how often."""
    comp = answer["comparison"]
    f = comp["favoured"]
    head = f"A = {names[0]}, B = {names[1]}; primary endpoint: {comp['primary_endpoint']}. "
    if f["strategy"] == "neither":
        return head + f"Favoured: neither (tie in {f['probability']:.3f} of the simulated trials)."
    kind = "predictive probability over trials" if assurance else "probability over trials"
    return head + (f"Favoured: {f['strategy']}, better in {f['probability']:.3f} of the simulated trials "
                   f"(MCSE {f['mcse']:.3f}; {kind}).")


def endpoint_table(answer: dict):
    """Per endpoint (primary first, marked): estimates, B - A and the probabilities.

    Returns
    -------
    pandas.DataFrame
        One row per endpoint; cells are formatted text (estimate with MCSE).
    """
    import pandas as pd

    comp = answer["comparison"]
    primary = comp["primary_endpoint"]
    keys = sorted(comp["endpoints"], key=lambda k: k != primary)
    rows = []
    for key in keys:
        c = comp["endpoints"][key]
        days = _is_days(key)
        rows.append({
            "endpoint": _label(key, c["higher_is_better"]) + (" [primary]" if key == primary else ""),
            "A": _with_mcse(c["estimate_a"], c["estimate_a_mcse"], days),
            "B": _with_mcse(c["estimate_b"], c["estimate_b_mcse"], days),
            "B - A": _with_mcse(c["difference"], c["difference_mcse"], days, signed=True),
            "B - A: 5% / 50% / 95% of trials": " / ".join(_signed(c[f"difference_p{q}"], days)
                                                        for q in ("05", "50", "95")),
            "P(B better)": _with_mcse(c["p_b_better"], c["p_b_better_mcse"]),
            "P(A better)": _with_mcse(c["p_a_better"], c["p_a_better_mcse"]),
            "test declares B / A / neither": (f"{_num(c['p_declares_b'])} / {_num(c['p_declares_a'])} / "
                                              f"{_num(c['p_declares_neither'])}"),
            "test": c["test"],
        })
    return pd.DataFrame(rows)


def rho_table(answer: dict):
    """The primary endpoint at the scenario's ``rho`` and at the fixed values (None without rows)."""
    import pandas as pd

    rows = answer.get("rho_sensitivity")
    if not rows:
        return None
    days = _is_days(answer["comparison"]["primary_endpoint"])
    return pd.DataFrame([{
        "rho": r["rho_value"],
        "A": _with_mcse(r["estimate_a"], r["estimate_a_mcse"], days),
        "B": _with_mcse(r["estimate_b"], r["estimate_b_mcse"], days),
        "B - A": _with_mcse(r["difference"], r["difference_mcse"], days, signed=True),
        "P(B better)": _with_mcse(r["p_b_better"], r["p_b_better_mcse"]),
        "P(A better)": _with_mcse(r["p_a_better"], r["p_a_better_mcse"]),
        "test declares B / A / neither": (f"{_num(r['p_declares_b'])} / {_num(r['p_declares_a'])} / "
                                          f"{_num(r['p_declares_neither'])}"),
    } for r in rows])


def regimes_table(answer: dict):
    """The embedded regimes of a SMART with re-randomisation (None when absent)."""
    import pandas as pd

    from simtrial.sequencing.endpoints import LABELS, Endpoint

    rows = answer.get("embedded_regimes")
    if not rows:
        return None
    out = []
    for r in rows:
        row = {"regime": r["regime"]}
        for e in Endpoint:
            row[LABELS[e]] = _with_mcse(r[e.value], r[f"{e.value}_mcse"], _is_days(e.value))
        out.append(row)
    return pd.DataFrame(out)


_RHO_NOTE = ("Sensitivity to rho, the correlation of one child's MMF and sirolimus responsiveness (the data "
             "say little about it): the primary endpoint with rho as the scenario has it, and fixed at 0, 0.3 "
             "and 0.6, every other parameter and the random numbers unchanged.")
_REGIMES_NOTE = ("Embedded regimes of the SMART with re-randomisation: mean over trials of the "
                 "inverse-probability weighted estimate, with its MCSE.")


def add_section(rep, answer: dict, names=("A", "B"), assurance: bool = False) -> None:
    """Add the "Which strategy is favoured" section to an :class:`~simtrial.report.html.HtmlReport`."""
    rep.section(SECTION_TITLE, id="sequencing")
    rep.paragraph(favoured_text(answer, names, assurance))
    rep.paragraph("Means over the simulated trials with their Monte Carlo standard errors (MCSE). On response "
                  "at the landmark the test is the design's own; on the other endpoints a two-sided Welch "
                  "z-test at the design's alpha (a normal approximation)."
                  + (" Under the posterior every trial draws its own parameters: these are predictive "
                     "probabilities, not power." if assurance else ""))
    rep.table(endpoint_table(answer), caption="Strategy B against strategy A, per endpoint")
    rho = rho_table(answer)
    if rho is not None:
        rep.paragraph(_RHO_NOTE)
        rep.table(rho, caption=f"Sensitivity to rho: {answer['comparison']['primary_endpoint']}")
    reg = regimes_table(answer)
    if reg is not None:
        rep.paragraph(_REGIMES_NOTE)
        rep.table(reg, caption="Embedded regimes")


def _md_table(df) -> list[str]:
    cols = [str(c) for c in df.columns]
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in df.itertuples(index=False, name=None):
        out.append("| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |")
    return out


def to_markdown(answer: dict, names=("A", "B"), assurance: bool = False) -> str:
    """The same section as Markdown, for ``design_summary.md``."""
    out = [f"## {SECTION_TITLE}", "", favoured_text(answer, names, assurance), ""]
    out += _md_table(endpoint_table(answer))
    rho = rho_table(answer)
    if rho is not None:
        out += ["", _RHO_NOTE, ""] + _md_table(rho)
    reg = regimes_table(answer)
    if reg is not None:
        out += ["", _REGIMES_NOTE, ""] + _md_table(reg)
    return "\n".join(out) + "\n"
