"""IWG 2009 response assessment of platelet series, vectorised over patients."""

from __future__ import annotations

import numpy as np

from simtrial.criteria._runs import episodes
from simtrial.criteria._validate import validate
from simtrial.criteria.result import CR, NR, PR, RESPONSE_LABELS, ResponseResult
from simtrial.criteria.rules import ResponseRules

__all__ = ["assess"]

_DEFAULT_CHUNK = 1 << 16


def assess(
    days: np.ndarray,
    counts: np.ndarray,
    baseline: np.ndarray,
    bleeding: np.ndarray | None = None,
    rules: ResponseRules | None = None,
    *,
    chunk_size: int = _DEFAULT_CHUNK,
) -> ResponseResult:
    """Classify platelet series by the IWG 2009 response criteria.

    Rules (Rodeghiero et al., Blood 2009;113:2386; defaults of :class:`ResponseRules`): a count
    qualifies for CR when it is >= 100 x 10^9/L, for R ("PR") when it is >= 30 x 10^9/L and
    >= 2 x baseline; a CR-level count also qualifies as "in response". A bleeding visit qualifies
    for nothing. A response is confirmed when a qualifying count is followed by another at least
    7 days later with every observed count in between qualifying; its day is the day of the first
    count of that run. Missed visits (NaN) neither confirm nor break a run. A loss is confirmed by
    two non-qualifying counts at least 1 day apart with nothing qualifying in between.

    Parameters
    ----------
    days : array_like, shape (n_visits,) or (n_patients, n_visits)
        Visit days since the start of treatment: finite, >= 0, strictly increasing along visits;
        1-D when all patients share the visit days.
    counts : array_like, shape (n_patients, n_visits)
        Platelet counts in 10^9/L, >= 0; NaN for a missed visit.
    baseline : array_like, shape (n_patients,)
        Count at the start of treatment, finite and > 0.
    bleeding : array_like of bool, shape (n_patients, n_visits), optional
        True where the visit recorded bleeding. Such a visit qualifies for nothing and counts as an
        observed non-qualifying visit even when its count is missing.
    rules : ResponseRules, optional
        Thresholds and windows; default :data:`IWG_2009`.
    chunk_size : int, keyword-only
        Patients processed per block (memory bound); results do not depend on it.

    Returns
    -------
    ResponseResult
        Per-patient best confirmed response, days of response, CR and loss, time in response.

    Raises
    ------
    ValueError
        On mismatched shapes, negative or infinite counts, days not finite / negative / not
        strictly increasing, baseline missing or <= 0, non-boolean bleeding, or bad ``rules`` or
        ``chunk_size``.

    Examples
    --------
    >>> import numpy as np
    >>> from simtrial.criteria import assess
    >>> r = assess([0, 7, 14, 21], [[12, 45, 110, 120]], baseline=[15])
    >>> r.response[0], r.day_response[0], r.day_cr[0]
    (np.str_('CR'), np.float64(7.0), np.float64(14.0))
    """
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) or chunk_size < 1:
        raise ValueError(f"chunk_size: must be a positive integer; got {chunk_size!r}")
    inp = validate(days, counts, baseline, bleeding, rules)
    rules = inp.rules
    n_patients = inp.counts.shape[0]
    out = {
        name: np.full(n_patients, np.nan)
        for name in (
            "day_response",
            "day_cr",
            "day_loss",
            "day_loss_cr",
            "time_in_response",
            "time_in_cr",
            "first_day",
            "last_day",
        )
    }
    n_observed = np.zeros(n_patients, dtype=np.int64)
    shared_days = inp.days[:, None] if inp.days.ndim == 1 else None

    for lo in range(0, n_patients, chunk_size):
        hi = min(lo + chunk_size, n_patients)
        # visit-major blocks: one contiguous row per visit
        c = np.ascontiguousarray(inp.counts[lo:hi].T, dtype=np.float64)
        d = shared_days if shared_days is not None else np.ascontiguousarray(inp.days[lo:hi].T)
        base = inp.baseline[lo:hi]
        observed = ~np.isnan(c)
        no_bleed = True
        if inp.bleeding is not None:
            bleed = np.ascontiguousarray(inp.bleeding[lo:hi].T)
            observed |= bleed
            no_bleed = ~bleed
        q_cr = (c >= rules.cr_threshold) & no_bleed
        q_r = (c >= rules.r_threshold) & (c >= rules.r_fold * base) & no_bleed
        q_any = q_cr | q_r
        e_any = episodes(q_any, observed, d, rules.confirm_days, rules.loss_days)
        e_cr = episodes(q_cr, observed, d, rules.confirm_days, rules.loss_days)
        out["day_response"][lo:hi] = e_any.day_first
        out["day_loss"][lo:hi] = e_any.day_loss
        out["time_in_response"][lo:hi] = e_any.time_in
        out["day_cr"][lo:hi] = e_cr.day_first
        out["day_loss_cr"][lo:hi] = e_cr.day_loss
        out["time_in_cr"][lo:hi] = e_cr.time_in
        out["first_day"][lo:hi] = e_any.first_obs
        out["last_day"][lo:hi] = e_any.last_obs
        n_observed[lo:hi] = e_any.n_observed

    code = np.where(
        ~np.isnan(out["day_cr"]), CR, np.where(~np.isnan(out["day_response"]), PR, NR)
    ).astype(np.int8)
    return ResponseResult(
        response=np.asarray(RESPONSE_LABELS)[code],
        response_code=code,
        n_observed=n_observed,
        rules=rules,
        **out,
    )
