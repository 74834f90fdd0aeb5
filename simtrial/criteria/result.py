"""The per-patient result of :func:`simtrial.criteria.assess`."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from simtrial.criteria.rules import ResponseRules

__all__ = ["NR", "PR", "CR", "RESPONSE_LABELS", "ResponseResult"]

#: Integer codes of the best confirmed response, ordered so that a larger code is a better one.
NR, PR, CR = 0, 1, 2
#: Labels indexed by code; "PR" is the IWG 2009 "R" (response), as the Genoa/Catania letter calls it.
RESPONSE_LABELS = ("NR", "PR", "CR")


@dataclass(frozen=True)
class ResponseResult:
    """Confirmed responses per patient (all arrays have shape ``(n_patients,)``, read-only).

    Attributes
    ----------
    response : ndarray of str
        Best confirmed response: "CR", "PR" (IWG "R") or "NR".
    response_code : ndarray of int8
        The same as 0 = NR, 1 = PR, 2 = CR.
    day_response : ndarray of float
        Day of the first count of the first confirmed run of counts that each qualify for CR or R;
        NaN if none. For a patient whose first response is a CR this equals ``day_cr``.
    day_cr : ndarray of float
        Day of the first count of the first confirmed run of CR-level counts; NaN if none.
    day_loss : ndarray of float
        Day of the first count of the first confirmed loss of response (CR or R) after
        ``day_response``: two non-qualifying counts at least ``rules.loss_days`` apart with no
        qualifying count in between; NaN if none.
    day_loss_cr : ndarray of float
        The same for loss of CR (counts below the CR threshold, or bleeding) after ``day_cr``.
    time_in_response : ndarray of float
        Share of observed follow-up spent in response (CR or R), in [0, 1]. Follow-up runs from
        the first to the last observed visit; between two consecutive observed visits the patient
        is in the state of the earlier one. The state becomes "in response" at every count of a
        confirmed response run, "out" at every count of a confirmed loss, and is otherwise carried
        over (a lone dip or a lone qualifying count changes nothing). NaN with fewer than two
        observed visits.
    time_in_cr : ndarray of float
        The same for CR alone.
    first_day, last_day : ndarray of float
        First and last observed visit days (NaN if no visit was observed).
    n_observed : ndarray of int64
        Number of observed visits (a count, or a bleeding report).
    rules : ResponseRules
        The rules applied.
    """

    response: np.ndarray
    response_code: np.ndarray
    day_response: np.ndarray
    day_cr: np.ndarray
    day_loss: np.ndarray
    day_loss_cr: np.ndarray
    time_in_response: np.ndarray
    time_in_cr: np.ndarray
    first_day: np.ndarray
    last_day: np.ndarray
    n_observed: np.ndarray
    rules: ResponseRules

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray):
                value.setflags(write=False)

    @property
    def n_patients(self) -> int:
        """Number of patients."""
        return int(self.response_code.shape[0])

    def responded_by(self, day: float | np.ndarray, level: str = "response") -> np.ndarray:
        """Patients with a confirmed response whose day is at or before a landmark.

        Parameters
        ----------
        day : float or array of shape (n_patients,)
            Landmark day(s) since the start of treatment.
        level : {"response", "CR"}
            "response" uses ``day_response`` (CR or R), "CR" uses ``day_cr``.

        Returns
        -------
        ndarray of bool, shape (n_patients,)

        Notes
        -----
        The response day is the first count of the confirmed run; the confirming count may fall
        after the landmark (at most ``rules.confirm_days`` later, or more with missed visits).
        """
        if level not in ("response", "CR"):
            raise ValueError(f"level: must be 'response' or 'CR'; got {level!r}")
        landmark = np.asarray(day, dtype=np.float64)
        if landmark.ndim > 1 or (landmark.ndim == 1 and landmark.shape != (self.n_patients,)):
            raise ValueError(
                f"day: must be a scalar or have shape ({self.n_patients},); got {landmark.shape}"
            )
        if np.isnan(landmark).any():
            raise ValueError("day: must not be NaN")
        reached = self.day_response if level == "response" else self.day_cr
        return reached <= landmark  # NaN (never) compares False

    def response_duration(self) -> tuple[np.ndarray, np.ndarray]:
        """Duration of response with its censoring indicator.

        Returns
        -------
        duration : ndarray of float
            ``day_loss - day_response`` when the response was lost, otherwise
            ``last_day - day_response`` (censored at the last observed visit); NaN for
            non-responders.
        lost : ndarray of bool
            True where the loss was observed (an event), False where censored or no response.
        """
        lost = ~np.isnan(self.day_loss)
        end = np.where(lost, self.day_loss, self.last_day)
        return end - self.day_response, lost

    def to_frame(self) -> pd.DataFrame:
        """One row per patient (index ``patient``, 0-based position in the input)."""
        columns = {
            f.name: getattr(self, f.name) for f in fields(self) if f.name != "rules"
        }
        frame = pd.DataFrame(columns, index=pd.RangeIndex(self.n_patients, name="patient"))
        frame["rules"] = self.rules.name
        return frame
