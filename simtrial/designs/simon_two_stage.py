"""The Simon two-stage design object (Simon, Control Clin Trials 1989;10:1-10)."""

from __future__ import annotations

import numpy as np

from simtrial._core.codes import Verdict
from simtrial._core.validation import Interval, Options, ValidationError, check
from simtrial.designs.base import ALPHA, DAY, DEFAULT_SWITCH_DAY, PROB_OPEN, REGIMEN_CONSTRAINT, Design
from simtrial.designs.simon import SimonDesign, design_at_n, simon_search
from simtrial.designs.simon import expected_n as simon_expected_n
from simtrial.designs.simon import pet as simon_pet
from simtrial.designs.simon import rejection_probability as simon_rejection_probability

__all__ = ["Simon"]

_COMMON = {"regimen": REGIMEN_CONSTRAINT, "landmark_day": DAY, "switch_day": DAY}
_SEARCH = {"p0": PROB_OPEN, "p1": PROB_OPEN, "alpha": ALPHA, "power": PROB_OPEN,
           "kind": Options("optimal", "minimax"), "n_max": Interval(int, 2, 2_000)}


class Simon(Design):
    """Simon's two-stage design: stop after stage 1 if X1 <= r1 (of n1); reject H0 if X > r (of n).

    Build it by search (:meth:`search`), at a fixed total sample size (:meth:`at_n`), or from its
    boundaries (the constructor).

    Parameters
    ----------
    r1, n1, r, n : int
        Stage-1 futility boundary and size, final boundary and total size.
    p0, p1 : float
        Uninteresting and target response rates.
    alpha, power : float
        The targets the design was chosen for (reported, not enforced).
    kind : str
        How it was chosen: ``optimal``, ``minimax``, ``fixed_n`` or ``given``.
    regimen, landmark_day, switch_day
        As for :class:`~simtrial.designs.SingleArm`.

    Examples
    --------
    >>> d = Simon.search(p0=0.2, p1=0.4, alpha=0.05, power=0.8)
    >>> (d.r1, d.n1, d.r, d.n)
    (3, 13, 12, 43)
    """

    label = "Simon two-stage"
    n_arms = 1
    _constraints = {"r1": Interval(int, 0, 10_000), "n1": Interval(int, 1, 10_000), "r": Interval(int, 0, 10_000),
                    "n": Interval(int, 2, 10_000), "p0": PROB_OPEN, "p1": PROB_OPEN, "alpha": ALPHA,
                    "power": PROB_OPEN, "kind": Options("optimal", "minimax", "fixed_n", "given"), **_COMMON}

    def __init__(self, r1: int, n1: int, r: int, n: int, p0: float, p1: float, alpha: float = 0.05,
                 power: float = 0.8, *, kind: str = "given", regimen: str = "sirolimus",
                 landmark_day: float = 168.0, switch_day: float = DEFAULT_SWITCH_DAY,
                 _design: SimonDesign | None = None):
        v = check(dict(r1=r1, n1=n1, r=r, n=n, p0=p0, p1=p1, alpha=alpha, power=power, kind=kind, regimen=regimen,
                       landmark_day=landmark_day, switch_day=switch_day), self._constraints)
        if not (v["r1"] < v["n1"] < v["n"] and v["r1"] <= v["r"] <= v["n"]):
            raise ValidationError("r1", f"needs r1 < n1 < n and r1 <= r <= n; got r1={v['r1']}, n1={v['n1']}, "
                                  f"r={v['r']}, n={v['n']}")
        if _design is None:
            p0, p1, a, b, c, d = v["p0"], v["p1"], v["r1"], v["n1"], v["r"], v["n"]
            _design = SimonDesign(a, b, c, d, p0, p1, float(simon_pet(p0, a, b)), float(simon_expected_n(p0, a, b, d)),
                                  float(simon_rejection_probability(p0, a, b, c, d)),
                                  float(simon_rejection_probability(p1, a, b, c, d)))
        self.d = _design
        self.r1, self.n1, self.r, self.n = _design.r1, _design.n1, _design.r, _design.n
        self.p0, self.p1, self.alpha, self.power, self.kind = v["p0"], v["p1"], v["alpha"], v["power"], v["kind"]
        self.regimen, self.landmark_day, self.switch_day = str(v["regimen"]), v["landmark_day"], v["switch_day"]
        self.regimens = (self.regimen,)
        self.n_max = self.n
        self.looks = (self.n1,)

    @classmethod
    def search(cls, p0: float, p1: float, alpha: float = 0.05, power: float = 0.8, kind: str = "optimal",
               n_max: int = 100, **kwargs) -> "Simon":
        """The optimal (minimum EN under p0) or minimax (minimum n) design by exact search
        (:func:`simtrial.designs.simon.simon_search`)."""
        v = check(dict(p0=p0, p1=p1, alpha=alpha, power=power, kind=kind, n_max=n_max), _SEARCH)
        if v["p1"] <= v["p0"]:
            raise ValidationError("p1", f"must exceed p0 ({v['p0']})", v["p1"])
        found = simon_search(v["p0"], v["p1"], v["alpha"], v["power"], n_max=v["n_max"])
        d = found.optimal if v["kind"] == "optimal" else found.minimax
        return cls(d.r1, d.n1, d.r, d.n, v["p0"], v["p1"], v["alpha"], v["power"], kind=v["kind"], _design=d,
                   **kwargs)

    @classmethod
    def at_n(cls, n: int, p0: float, p1: float, alpha: float = 0.05, power: float = 0.8, **kwargs) -> "Simon":
        """The design of total size ``n`` with size <= alpha and the smallest EN(p0) among those
        reaching ``power`` (the most powerful with n1 <= n/2 where none does;
        :func:`simtrial.designs.simon.design_at_n`)."""
        v = check(dict(n=n, p0=p0, p1=p1, alpha=alpha, power=power),
                  {"n": Interval(int, 2, 10_000), **{k: _SEARCH[k] for k in ("p0", "p1", "alpha", "power")}})
        if v["p1"] <= v["p0"]:
            raise ValidationError("p1", f"must exceed p0 ({v['p0']})", v["p1"])
        d = design_at_n(v["p0"], v["p1"], v["alpha"], v["n"], v["power"])
        return cls(d.r1, d.n1, d.r, d.n, v["p0"], v["p1"], v["alpha"], v["power"], kind="fixed_n", _design=d,
                   **kwargs)

    # -- rules -------------------------------------------------------------------------------
    def interim(self, j, x, m):
        return np.where(np.asarray(x)[:, 0] <= self.r1, Verdict.FUTILITY, Verdict.CONTINUE).astype(np.int64)

    def final(self, x, m):
        return np.asarray(x)[:, 0] > self.r

    def planning_rates(self):
        return (self.p1,)

    def null_rates(self, p=None):
        return (self.p0 if p is None else p,)

    # -- exact -------------------------------------------------------------------------------
    def exact_at(self, rates):
        p = rates[0]
        return {"reject_rate": float(self.d.rejection_probability(p)), "pet": float(self.d.pet(p)),
                "expected_n": float(self.d.expected_n(p))}

    def exact(self, p=None):
        """Exact P(reject H0), PET and expected N at response rate(s) ``p`` (default p0, p1).

        Returns
        -------
        pandas.DataFrame
            Columns ``p``, ``reject``, ``pet``, ``expected_n``; one row per ``p``.
        """
        import pandas as pd

        ps = np.array([self.p0, self.p1] if p is None else np.atleast_1d(p), dtype=float)
        return pd.DataFrame({"p": ps, "reject": self.d.rejection_probability(ps), "pet": self.d.pet(ps),
                             "expected_n": self.d.expected_n(ps)})

    @property
    def parameters(self):
        d = self.d
        return {"kind": self.kind, "p0": self.p0, "p1": self.p1, "alpha": self.alpha, "power": self.power,
                "r1": d.r1, "n1": d.n1, "r": d.r, "n": d.n, "exact_pet_p0": d.pet_p0,
                "exact_expected_n_p0": d.en_p0, "exact_size": d.alpha_actual, "exact_power_p1": d.power_actual}

    def _repr_items(self):
        return [("r1", self.r1), ("n1", self.n1), ("r", self.r), ("n", self.n), ("p0", self.p0), ("p1", self.p1),
                ("alpha", self.alpha), ("power", self.power), ("kind", self.kind)]

    def design_summary(self, scenario: str = "", true_values: dict | None = None):
        from dataclasses import replace

        from simtrial.report.design_summary import simon_summary

        out = simon_summary(self.r1, self.n1, self.r, self.n, self.p0, self.p1, self.alpha, self.kind, scenario,
                            (true_values or {}).get("p"))
        return replace(out, notes=(*out.notes, self._treatment_note()))
