"""The endpoints of a sequencing trial, per child and per arm of each simulated trial.

Every endpoint is a number per child; a trial's estimate for an arm is the mean over the arm's
enrolled children (intention to treat: a child who drops out keeps what was observed before).

``response``
    Confirmed IWG 2009 response (CR or R; Rodeghiero et al., Blood 2009;113:2386) by the
    landmark day, on either drug of the strategy. Higher is better.
``share_in_response``
    Share of the observed first year spent in confirmed response. Higher is better.
``time_to_response``
    Restricted mean time to the first confirmed response over the first year (``tau`` = the
    follow-up, 364 days by default): ``min(T, tau)`` per child, with ``T = tau`` for a child
    never seen responding (a non-responder, or a dropout before responding). Lower is better.
``exposed_both``
    Exposed to both drugs (switched). Lower is better: fewer children carry the second drug's
    burden and risks.
"""

from __future__ import annotations

from enum import Enum

import numpy as np

__all__ = ["Endpoint", "HIGHER_IS_BETTER", "LABELS", "UNITS", "ENDPOINT_FIELDS", "STATISTICS",
           "REGIME_FIELDS", "SECOND_STAGES", "patient_values", "arm_statistics", "regime_statistics"]


class Endpoint(str, Enum):
    """The endpoints a sequencing comparison reports (any can be the primary one)."""

    RESPONSE = "response"
    SHARE_IN_RESPONSE = "share_in_response"
    TIME_TO_RESPONSE = "time_to_response"
    EXPOSED_BOTH = "exposed_both"


#: Direction of benefit of each endpoint.
HIGHER_IS_BETTER: dict[Endpoint, bool] = {
    Endpoint.RESPONSE: True,
    Endpoint.SHARE_IN_RESPONSE: True,
    Endpoint.TIME_TO_RESPONSE: False,
    Endpoint.EXPOSED_BOTH: False,
}

#: Labels for tables.
LABELS: dict[Endpoint, str] = {
    Endpoint.RESPONSE: "response at the landmark",
    Endpoint.SHARE_IN_RESPONSE: "share of the first year in response",
    Endpoint.TIME_TO_RESPONSE: "time to response (restricted mean, days)",
    Endpoint.EXPOSED_BOTH: "exposed to both drugs",
}

#: Units of the per-arm estimates.
UNITS: dict[Endpoint, str] = {
    Endpoint.RESPONSE: "proportion",
    Endpoint.SHARE_IN_RESPONSE: "proportion",
    Endpoint.TIME_TO_RESPONSE: "days",
    Endpoint.EXPOSED_BOTH: "proportion",
}

#: Per-arm statistics kept per replicate: mean, sample variance and count of the children.
STATISTICS: tuple[str, ...] = ("mean", "var", "n")

#: Per-replicate, per-arm fields added to the replicate loop's results.
ENDPOINT_FIELDS: tuple[str, ...] = tuple(f"{e.value}_{s}" for e in Endpoint for s in STATISTICS)


#: Second stages of the embedded regimes of a SMART with re-randomisation.
SECOND_STAGES: tuple[str, ...] = ("switch", "stay")

#: Per-replicate, per-arm (first drug) fields: each endpoint under each embedded regime.
REGIME_FIELDS: tuple[str, ...] = tuple(f"{e.value}_regime_{s}" for e in Endpoint for s in SECOND_STAGES)


def patient_values(out, followup_days: float) -> dict[Endpoint, np.ndarray]:
    """Each child's value of every endpoint.

    Parameters
    ----------
    out : simtrial.trial.outcomes.ChunkOutcomes
        Outcomes of a chunk, arrays of shape (n_replicates, n_patients).
    followup_days : float
        ``tau`` of the restricted mean time to response (the first year).

    Returns
    -------
    dict
        Endpoint -> float array of the shape of ``out.responded`` (NaN: not observable, e.g. the
        share in response with fewer than two observed visits).
    """
    tau = float(followup_days)
    day = np.asarray(out.day_response, dtype=float)
    return {
        Endpoint.RESPONSE: np.asarray(out.responded, dtype=float),
        Endpoint.SHARE_IN_RESPONSE: np.asarray(out.share_in_response, dtype=float),
        Endpoint.TIME_TO_RESPONSE: np.where(np.isnan(day), tau, np.minimum(day, tau)),
        Endpoint.EXPOSED_BOTH: np.asarray(out.exposed_both, dtype=float),
    }


def arm_statistics(values: dict[Endpoint, np.ndarray], arm: np.ndarray, enrolled: np.ndarray,
                   n_arms: int) -> dict[str, np.ndarray]:
    """Per replicate and arm: mean, sample variance and number of enrolled children.

    Each row (replicate) is reduced on its own, so a trial's figures do not depend on the other
    trials of its chunk. Non-finite values are left out.

    Returns
    -------
    dict
        ``"<endpoint>_<statistic>"`` (:data:`ENDPOINT_FIELDS`) -> array (n_replicates, n_arms);
        NaN mean with no child, NaN variance with fewer than two.
    """
    res = {f: np.full((arm.shape[0], n_arms), np.nan) for f in ENDPOINT_FIELDS}
    for e, v in values.items():
        for a in range(n_arms):
            take = (arm == a) & enrolled & np.isfinite(v)
            n = take.sum(axis=1)
            x = np.where(take, v, 0.0)
            s1 = x.sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                m = np.where(n > 0, s1 / n, np.nan)
                ss = np.where(take, (v - m[:, None]) ** 2, 0.0).sum(axis=1)
                var = np.where(n > 1, ss / (n - 1), np.nan)
            res[f"{e.value}_mean"][:, a] = m
            res[f"{e.value}_var"][:, a] = var
            res[f"{e.value}_n"][:, a] = n
    return res


def regime_statistics(values: dict[Endpoint, np.ndarray], second_stage: np.ndarray, arm: np.ndarray,
                      enrolled: np.ndarray, n_arms: int, rerandomised: bool) -> dict[str, np.ndarray]:
    """Per replicate and first drug: each endpoint under the embedded regimes of a SMART.

    Embedded regime (first drug ``a``, ``switch`` or ``stay``): a child who responded by the
    switch day (or dropped out before it) is consistent with both regimes of its arm, weight 1;
    a re-randomised non-responder is consistent with the one it was randomised to and carries
    weight 2, the inverse of its probability 1/2 of that assignment. The estimate is the
    weighted mean (Hajek form) over the arm's enrolled children consistent with the regime
    (Murphy, Stat Med 2005;24:1455; Nahum-Shani et al., Psychol Methods 2012;17:457).
    Without re-randomisation every field is NaN.

    Parameters
    ----------
    second_stage : numpy.ndarray of int
        :data:`simtrial.trial.outcomes.STAGE_NONE`, ``STAGE_SWITCH`` (1) or ``STAGE_STAY`` (2).
    """
    res = {f: np.full((arm.shape[0], n_arms), np.nan) for f in REGIME_FIELDS}
    if not rerandomised:
        return res
    for e, v in values.items():
        for a in range(n_arms):
            base = (arm == a) & enrolled & np.isfinite(v)
            for code, stage in ((1, "switch"), (2, "stay")):
                w = np.where(base & (second_stage == 0), 1.0, 0.0) + np.where(base & (second_stage == code), 2.0, 0.0)
                tw = w.sum(axis=1)
                with np.errstate(invalid="ignore", divide="ignore"):
                    total = (np.where(w > 0, v, 0.0) * w).sum(axis=1)
                    res[f"{e.value}_regime_{stage}"][:, a] = np.where(tw > 0, total / tw, np.nan)
    return res
