"""The data the calibration is fitted to, assembled from the cohorts and the MMF figures.

* The Genoa/Catania letter (Am J Hematol), Table 1A: 19 children, per patient the disease group
  (primary ITP or ARS-ITP), prior MMF failure, response class and the recorded days to PR and CR.
* Bride et al., Blood 2016;127:17-28: counts per disease group; ALPS CRs "within 1-3 months".
* Miano et al., Br J Haematol 2016 (MMF in 54 children): percentages only.
  The counts used here are *derived*, not published: the smallest group sizes that reproduce
  every printed percentage and the totals (see :data:`MIANO_2016` and ``docs/calibration.md``).

A :class:`CalibrationData` is also what :mod:`simtrial.calibration.simulate` produces for the
simulation-based calibration check, so the same model fits real and simulated cohorts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simtrial.cohorts import BrideCohort, LetterCohort, load_bride, load_letter
from simtrial.models.parameters import group_index

#: Response classes in code order (IWG 2009; Rodeghiero et al., Blood 2009;113:2386).
CLASSES: tuple[str, ...] = ("NR", "PR", "CR")

#: Miano et al., Br J Haematol 2016: "65% of 54 respond (CR 46%, PR 18%);
#: median time to PR 20 d (7-137), to CR 37 d (7-192); ITP 58% (CR 32%); Evans 81%; ALPS-related
#: syndrome 73% (CR 68%)". Derived counts: ITP n=38 (22 respond = 57.9%, 12 CR = 31.6%) and Evans
#: n=16 (13 respond = 81.3%) add up to the 54 and to the 35 responders (64.8%); the overall CR 46%
#: (25/54) and PR 18% (10/54 = 18.5%, printed truncated) then give Evans 13 CR, 0 PR. ALPS-related syndrome n=22 (16 respond
#: = 72.7%, 15 CR = 68.2%) is the smallest n matching both of its percentages; these children are
#: a subset of the 54 (counted twice, see docs/calibration.md).
MIANO_2016: dict = {
    "source": "Miano et al., Br J Haematol 2016 (MMF in 54 children with autoimmune cytopenias)",
    "groups": [
        # group, n, CR, PR (None: not given), published label
        ("primary_itp", 38, 12, 10, "ITP 58% (CR 32%)"),
        ("multi_lineage", 16, 13, 0, "Evans 81%"),
        ("ars_itp", 22, 15, 1, "ALPS-related syndrome 73% (CR 68%)"),
    ],
    # the children the overall figures and the median times describe
    "overall_groups": ("primary_itp", "multi_lineage"),
    "median_days_to_pr": 20.0,
    "median_days_to_cr": 37.0,
}


#: Day of the first response assessment assumed for Bride et al. 2016 (monthly assessments): an
#: assumption, the abstract gives no schedule.
FIRST_ASSESSMENT_DAY: float = 30.0


@dataclass(frozen=True)
class CalibrationData:
    """All observations, as arrays indexed by :data:`GROUPS` and :data:`CLASSES` codes.

    Attributes
    ----------
    pt_group, pt_mmf_failed, pt_class : int arrays, shape (n_patients,)
        Letter patients: group index, 1 if MMF failed before sirolimus, class code (NR=0).
    pt_day_pr, pt_day_cr : float arrays
        Recorded days to PR / CR (NaN where not recorded or never reached).
    bride_group, bride_n, bride_k : int arrays
        Bride groups: group index, size and count of ``bride_event`` (``"cr"`` or ``"response"``).
    bride_event : tuple of str
    bride_timed : tuple of bool
        Per Bride row: its CRs carry a time window, and its children are latent patients in the
        model (ALPS).
    cr_window_group : int arrays, shape (n_windows,)
        One entry per Bride CR with a known time window (ALPS: 12 entries).
    cr_window_low, cr_window_high : float arrays
        The recorded window ``low < day <= high`` (``low = 0``: bounded above only). ALPS:
        ``0 < day <= 92`` from "within 1-3 months" (see :func:`published_data`).
    mmf_group, mmf_n, mmf_cr, mmf_pr : int arrays
        MMF groups (Miano 2016, derived counts).
    mmf_overall : int array
        Indices into the MMF rows of the children the median times describe.
    mmf_median_pr, mmf_median_cr : float
        Median days to PR among responders and to CR among complete responders.
    """

    pt_group: np.ndarray
    pt_mmf_failed: np.ndarray
    pt_class: np.ndarray
    pt_day_pr: np.ndarray
    pt_day_cr: np.ndarray
    bride_group: np.ndarray
    bride_n: np.ndarray
    bride_k: np.ndarray
    bride_event: tuple[str, ...]
    bride_timed: tuple[bool, ...]
    cr_window_group: np.ndarray
    cr_window_low: np.ndarray
    cr_window_high: np.ndarray
    mmf_group: np.ndarray
    mmf_n: np.ndarray
    mmf_cr: np.ndarray
    mmf_pr: np.ndarray
    mmf_overall: np.ndarray
    mmf_median_pr: float
    mmf_median_cr: float
    sources: dict = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        for name in ("bride_event",):
            bad = sorted(set(getattr(self, name)) - {"cr", "response"})
            if bad:
                raise ValueError(f"{name}: unknown event(s) {bad}; allowed: ['cr', 'response']")
        for row, timed in enumerate(self.bride_timed):
            windows = int(np.sum(self.cr_window_group == self.bride_group[row])) if timed else 0
            if timed and (self.bride_event[row] != "cr" or windows != self.bride_k[row]):
                raise ValueError(f"cr_window_group: row {row} needs one window per CR ({self.bride_k[row]}), "
                                 f"got {windows}")
        if np.any(self.bride_k > self.bride_n) or np.any(self.mmf_cr + self.mmf_pr > self.mmf_n):
            raise ValueError("counts: a count exceeds its group size")
        if not np.all((0 <= self.cr_window_low) & (self.cr_window_low < self.cr_window_high)):
            raise ValueError("cr_window_low/high: need 0 <= low < high")

    @property
    def n_patients(self) -> int:
        return int(self.pt_group.size)

    def timed_mmf_n(self) -> tuple[float, float]:
        """Number of MMF responders and complete responders the median times describe."""
        rows = self.mmf_overall
        return float((self.mmf_cr[rows] + self.mmf_pr[rows]).sum()), float(self.mmf_cr[rows].sum())


def _arr(values, dtype) -> np.ndarray:
    return np.asarray(values, dtype=dtype)


def published_data(letter: LetterCohort | None = None, bride: BrideCohort | None = None) -> CalibrationData:
    """The calibration data from the cohorts (packaged unless given) and :data:`MIANO_2016`."""
    letter = letter or load_letter()
    bride = bride or load_bride()
    p = letter.patients
    cls = {c: k for k, c in enumerate(CLASSES)}

    b = bride.groups
    b_group, b_n, b_k, b_event, b_timed = [], [], [], [], []
    w_group, w_low, w_high = [], [], []
    for row in b.itertuples():
        has_cr = row.complete_responses is not None and not _isna(row.complete_responses)
        event = "cr" if has_cr else "response"
        k = int(row.complete_responses) if has_cr else int(row.responders)
        b_group.append(row.group)
        b_n.append(int(row.n))
        b_k.append(k)
        b_event.append(event)
        b_timed.append(bool(has_cr and not _isna(row.cr_within_days_low)))
        if b_timed[-1]:
            w_group += [row.group] * k
            # "Within 1-3 months" is read as "recorded at one of the trial's assessments from
            # month 1 to month 3": a CR crossed earlier than day 30 is first recorded at the
            # month-1 assessment, so the data bound the crossing day from above only (low = 0).
            first_assessment = float(row.cr_within_days_low)
            w_low += [0.0 if first_assessment <= FIRST_ASSESSMENT_DAY else first_assessment] * k
            w_high += [float(row.cr_within_days_high)] * k

    m = MIANO_2016["groups"]
    overall = [k for k, row in enumerate(m) if row[0] in MIANO_2016["overall_groups"]]
    return CalibrationData(
        pt_group=group_index(p.group.to_numpy()),
        pt_mmf_failed=_arr(p.mmf_failed.to_numpy(), np.int64),
        pt_class=_arr([cls[r] for r in p.response], np.int64),
        pt_day_pr=_arr(p.day_pr.to_numpy(), float),
        pt_day_cr=_arr(p.day_cr.to_numpy(), float),
        bride_group=group_index(b_group),
        bride_n=_arr(b_n, np.int64),
        bride_k=_arr(b_k, np.int64),
        bride_event=tuple(b_event),
        bride_timed=tuple(b_timed),
        cr_window_group=group_index(w_group) if w_group else np.zeros(0, np.intp),
        cr_window_low=_arr(w_low, float),
        cr_window_high=_arr(w_high, float),
        mmf_group=group_index([row[0] for row in m]),
        mmf_n=_arr([row[1] for row in m], np.int64),
        mmf_cr=_arr([row[2] for row in m], np.int64),
        mmf_pr=_arr([row[3] for row in m], np.int64),
        mmf_overall=_arr(overall, np.int64),
        mmf_median_pr=float(MIANO_2016["median_days_to_pr"]),
        mmf_median_cr=float(MIANO_2016["median_days_to_cr"]),
        sources={"letter": letter.source, "bride2016": bride.source, "miano2016": MIANO_2016["source"]},
    )


def _isna(value) -> bool:
    try:
        return value is None or bool(np.isnan(float(value)))
    except (TypeError, ValueError):
        return value is None or str(value) == "<NA>"
