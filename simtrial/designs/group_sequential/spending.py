"""Spending functions and boundary families, named as in rpact.

Lan & DeMets (1983) alpha spending: the cumulative type I error spent by information fraction
``t``. Beta spending (futility) uses the same families for the type II error. With ``sided = 2``
the O'Brien-Fleming-type function spends on each side what the one-sided function spends at
``alpha / 2`` (rpact's ``getSpendingValueCpp``); the others spend ``alpha`` in total.

=========  ==========================================================  =====================
name       cumulative spending ``a(t)``                                 reference
=========  ==========================================================  =====================
asOF       ``2 sided (1 - Phi(z_{1 - alpha/(2 sided)} / sqrt(t)))``     Lan & DeMets 1983
asP        ``alpha log(1 + (e - 1) t)``                                 Lan & DeMets 1983
asHSD      ``alpha (1 - exp(-gamma t)) / (1 - exp(-gamma))``, gamma!=0  Hwang, Shih & DeCani 1990
asKD       ``alpha t^gamma``                                            Kim & DeMets 1987
=========  ==========================================================  =====================

Wang & Tsiatis (1987) boundaries are ``c t^(Delta - 1/2)`` with one constant ``c`` for all looks
(``WT``; ``OF`` is Delta = 0, O'Brien & Fleming 1979; ``P`` is Delta = 0.5, Pocock 1977).
"""

from __future__ import annotations

from enum import Enum

import numpy as np

__all__ = ["TypeOfDesign", "BetaSpending", "spending"]


class TypeOfDesign(str, Enum):
    """Efficacy boundary family (rpact's ``typeOfDesign``)."""

    AS_OF = "asOF"
    AS_P = "asP"
    AS_HSD = "asHSD"
    AS_KD = "asKD"
    WT = "WT"
    OF = "OF"
    P = "P"

    @property
    def is_spending(self) -> bool:
        return self.value.startswith("as")

    @property
    def uses_gamma(self) -> bool:
        return self in (TypeOfDesign.AS_HSD, TypeOfDesign.AS_KD)

    @property
    def delta_wt(self) -> float | None:
        """Wang-Tsiatis Delta of the fixed families (None: not fixed by the name)."""
        return {TypeOfDesign.OF: 0.0, TypeOfDesign.P: 0.5}.get(self)


class BetaSpending(str, Enum):
    """Futility (beta-spending) family (rpact's ``typeBetaSpending``)."""

    NONE = "none"
    BS_OF = "bsOF"
    BS_P = "bsP"
    BS_HSD = "bsHSD"
    BS_KD = "bsKD"

    @property
    def uses_gamma(self) -> bool:
        return self in (BetaSpending.BS_HSD, BetaSpending.BS_KD)


def spending(kind: str, level: float, t, sided: int = 1, gamma: float | None = None) -> np.ndarray:
    """Cumulative error spent by information fraction ``t``.

    Parameters
    ----------
    kind : str
        ``asOF``, ``asP``, ``asHSD``, ``asKD`` or their beta-spending twins ``bsOF``, ``bsP``,
        ``bsHSD``, ``bsKD``.
    level : float
        Total error to spend (alpha, or beta for futility).
    t : array_like
        Information fractions in (0, 1].
    sided : {1, 2}
        Sidedness; only changes the O'Brien-Fleming-type alpha spending (see module docstring).
    gamma : float, optional
        Parameter of asHSD/bsHSD and asKD/bsKD.

    Examples
    --------
    >>> round(float(spending("asOF", 0.025, 0.5)), 7)  # rpact: alphaSpent[1] = 0.001525323
    0.0015253
    """
    t = np.asarray(t, float)
    family = kind[2:]
    if family == "OF":
        s = 2 * sided if kind == "asOF" else 2
        from scipy.special import ndtr, ndtri  # here: the config schema imports this module

        return s * ndtr(-ndtri(1.0 - level / s) / np.sqrt(t))
    if family == "P":
        return level * np.log1p((np.e - 1.0) * t)
    if family == "HSD":
        if gamma == 0:
            return level * t
        return level * (-np.expm1(-gamma * t)) / (-np.expm1(-gamma))
    if family == "KD":
        return level * t**gamma
    raise ValueError(f"unknown spending function {kind!r}")
