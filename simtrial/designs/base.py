"""What every design object offers the trial simulator and the user.

A design object (scikit-learn style: the constructor stores validated parameters) holds its
exact decision rules, built once from the exact modules of :mod:`simtrial.designs`, and offers:

* ``interim(j, x, m)`` and ``final(x, m)``: the rules at look ``j`` and at the final analysis,
  vectorised over trials (``x`` responders and ``m`` assessed children, arrays of shape
  (trials, arms)); the simulator's calendars apply them;
* ``exact(...)``: exact operating characteristics as a :class:`pandas.DataFrame`;
* ``print(design)``: a design summary (hypotheses, level, boundaries, exact size and power).
"""

from __future__ import annotations

import numpy as np

from simtrial._core.codes import REGIMENS, Regimen, Verdict
from simtrial._core.validation import Interval, Options, Predicate

__all__ = ["Design", "DEFAULT_SWITCH_DAY", "REGIMEN_CONSTRAINT", "DAY", "PROB_OPEN", "ALPHA"]

#: Day of the switch of two-drug regimens (MMF then sirolimus) for children without a confirmed
#: response, when the design does not say.
DEFAULT_SWITCH_DAY = 84.0

REGIMEN_CONSTRAINT = Options(*REGIMENS)
DAY = Interval(float, 0.0, 10_000.0, closed="right")
PROB_OPEN = Interval(float, 0.0, 1.0, closed="neither")
#: A one-sided test's level; 0.5 or more would reject more often than not under the null.
ALPHA = Interval(float, 0.0, 0.5, closed="neither")


def _is_pp_interim(value) -> bool:
    from simtrial.designs.pp_interim import PPInterim  # scipy: imported at the first check, not at import

    return isinstance(value, PPInterim)


def interim_constraint():
    return Predicate(lambda v: v is None or _is_pp_interim(v), "must be a PPInterim or None")


class Design:
    """Base of the design objects.

    Attributes set by subclasses
    ----------------------------
    n_arms : int
    n_max : int
        Maximum number of children.
    looks : tuple of int
        Numbers of assessed children at the interim looks.
    regimens : tuple of str
        Regimen of each arm (arm A first).
    landmark_day : float
        Day after the start of treatment at which response is assessed.
    switch_day : float
        Day of the switch of two-drug regimens.
    block_size : int
        Permuted-block size of the randomisation (two arms).
    """

    n_arms: int
    n_max: int
    looks: tuple = ()
    regimens: tuple = ()
    landmark_day: float = 168.0
    switch_day: float = DEFAULT_SWITCH_DAY
    block_size: int = 4
    #: A short name for printed summaries.
    label: str = "design"

    # -- rules -------------------------------------------------------------------------------
    def interim(self, j: int, x: np.ndarray, m: np.ndarray) -> np.ndarray:
        """Verdicts (:class:`~simtrial._core.codes.Verdict`) of look ``j`` per row of ``x``, ``m``."""
        return np.full(np.shape(x)[0], int(Verdict.CONTINUE), dtype=np.int64)

    def final(self, x: np.ndarray, m: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        """Whether H0 is rejected at the final analysis, per row of ``x``, ``m``."""
        raise NotImplementedError

    # -- planning values ---------------------------------------------------------------------
    @property
    def switches(self) -> bool:
        """Whether an arm's regimen has a second drug (so ``switch_day`` matters)."""
        return any(r in (Regimen.MMF_THEN_SIROLIMUS, Regimen.SIROLIMUS_THEN_MMF) for r in self.regimens)

    def planning_rates(self) -> tuple:  # pragma: no cover - abstract
        """The planning response rate per arm (a parametric scenario's default)."""
        raise NotImplementedError

    def null_rates(self, p: float | None = None) -> tuple:  # pragma: no cover - abstract
        """Response rates of the null hypothesis per arm (``p`` in every arm if given)."""
        raise NotImplementedError

    def exact_at(self, rates) -> dict | None:
        """Exact ``reject_rate``, ``pet`` and ``expected_n`` at per-arm true rates (None: no
        exact calculation; simulate)."""
        return None

    @property
    def parameters(self) -> dict:  # pragma: no cover - abstract
        """The design's parameters and exact figures, as written in ``summary.json``."""
        raise NotImplementedError

    def design_summary(self, scenario: str = "", true_values: dict | None = None):
        """The design summary (:class:`simtrial.report.design_summary.DesignSummary`): hypotheses,
        level, the rule at each look, exact size, power, PET and expected N; ``scenario`` and
        ``true_values`` name what a run simulates."""
        raise NotImplementedError  # pragma: no cover - abstract

    def _treatment_note(self) -> str:
        arms = ", ".join(f"arm {'AB'[i]}: {r}" for i, r in enumerate(self.regimens)) if self.n_arms > 1 \
            else f"regimen: {self.regimens[0]}"
        note = f"{arms}; response confirmed by day {self.landmark_day:g}"
        return note + (f"; switch on day {self.switch_day:g} without a confirmed response" if self.switches else "")

    def __str__(self) -> str:
        return self.design_summary().to_text()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self._repr_items())})"

    def _repr_items(self):
        return ()

    def _repr_pretty_(self, p, cycle):  # IPython shows the summary
        p.text(str(self))
