"""Codes that travel between modules and into result files: one enum per concept.

Integer codes are :class:`enum.IntEnum` (they are stored in arrays and in ``oc.nc``, so a
member compares and indexes as its integer); regimen names are :class:`enum.StrEnum` (they are
keys of the drug table and appear in summaries as their value).
"""

from __future__ import annotations

from enum import IntEnum, StrEnum

__all__ = ["Verdict", "Decision", "DECISIONS", "Outcome", "Regimen", "REGIMENS"]


class Verdict(IntEnum):
    """What an interim look decides."""

    CONTINUE = 0
    FUTILITY = 1
    EFFICACY = 2


class Decision(IntEnum):
    """How a simulated trial ended (the ``decision`` variable of ``oc.nc``).

    H0 is rejected for :attr:`REJECTED_FINAL` and :attr:`EFFICACY_STOP`; the trial stopped early
    for :attr:`FUTILITY_STOP` and :attr:`EFFICACY_STOP`.
    """

    FUTILITY_STOP = 0
    NOT_REJECTED = 1
    REJECTED_FINAL = 2
    EFFICACY_STOP = 3

    @property
    def rejects(self) -> bool:
        return self in (Decision.REJECTED_FINAL, Decision.EFFICACY_STOP)

    @property
    def early(self) -> bool:
        return self in (Decision.FUTILITY_STOP, Decision.EFFICACY_STOP)


#: Decision names by code, as written in ``oc.nc`` and ``summary.json``.
DECISIONS: tuple[str, ...] = tuple(d.name.lower() for d in Decision)


class Outcome(IntEnum):
    """What the exact designs' vectorised ``decide`` functions return per trial (Simon, PP designs:
    :mod:`simtrial.designs.simon`, :mod:`simtrial.designs.interim`); H0 rejected at a look or at
    the end are both :attr:`REJECT_H0`."""

    STOP_FUTILITY = 0
    FAIL_FINAL = 1
    REJECT_H0 = 2


class Regimen(StrEnum):
    """Treatments a trial arm can give (first drug, then the second after a switch)."""

    SIROLIMUS = "sirolimus"
    MMF = "mmf"
    MMF_THEN_SIROLIMUS = "mmf_then_sirolimus"
    SIROLIMUS_THEN_MMF = "sirolimus_then_mmf"


#: Regimen names, in declaration order.
REGIMENS: tuple[str, ...] = tuple(r.value for r in Regimen)
