"""Vectorised run kernels: confirmed runs, episodes and time in state.

All arrays are laid out visit-major, shape ``(n_visits, n)`` (one row per visit, contiguous over
patients), so the loop over visits touches contiguous memory. ``days`` is ``(n_visits, n)`` or
``(n_visits, 1)`` when all patients share their visit days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def confirmed_runs(
    qual: np.ndarray, observed: np.ndarray, days: np.ndarray, window: float
) -> np.ndarray:
    """Mark the visits that belong to a confirmed run of qualifying counts.

    A run is a maximal sequence of observed visits that all qualify; unobserved visits (missed,
    NaN) are skipped and neither extend nor break it. A run is confirmed when its last day minus
    its first day is at least ``window``: equivalently, its first count is followed by a qualifying
    count at least ``window`` days later with every observed count in between qualifying.

    Parameters
    ----------
    qual : ndarray of bool, shape (n_visits, n)
        Qualifying visits; must imply ``observed``.
    observed : ndarray of bool, shape (n_visits, n)
    days : ndarray of float, shape (n_visits, n) or (n_visits, 1)
    window : float
        Minimum span in days.

    Returns
    -------
    ndarray of bool, shape (n_visits, n)
        True at qualifying visits whose run spans at least ``window`` days.
    """
    n_visits, n = qual.shape
    run_start = np.empty((n_visits, n))
    start = np.zeros(n)
    in_run = np.zeros(n, dtype=bool)  # was the last observed visit qualifying?
    for v in range(n_visits):
        start = np.where(in_run, start, days[v])
        in_run = (in_run & ~observed[v]) | qual[v]
        run_start[v] = start
    out = np.empty((n_visits, n), dtype=bool)
    end = np.zeros(n)
    in_run[:] = False
    for v in range(n_visits - 1, -1, -1):
        end = np.where(in_run, end, days[v])
        in_run = (in_run & ~observed[v]) | qual[v]
        out[v] = qual[v] & (end - run_start[v] >= window)
    return out


@dataclass(frozen=True)
class Episodes:
    """Per-patient summary of the in-state / out-of-state episodes at one response level."""

    day_first: np.ndarray
    day_loss: np.ndarray
    time_in: np.ndarray
    first_obs: np.ndarray
    last_obs: np.ndarray
    n_observed: np.ndarray


def episodes(
    qual: np.ndarray,
    observed: np.ndarray,
    days: np.ndarray,
    confirm_days: float,
    loss_days: float,
) -> Episodes:
    """Follow each patient in and out of a response state.

    The state starts "out". At each observed visit it becomes "in" if the visit belongs to a
    confirmed qualifying run, "out" if it belongs to a confirmed run of non-qualifying counts
    (a confirmed loss), and otherwise keeps its previous value (unconfirmed counts change nothing).
    Between consecutive observed visits the state of the earlier one holds.

    Returns
    -------
    Episodes
        ``day_first``: day of the first "in" visit (the start of the first confirmed run), NaN if
        never; ``day_loss``: day of the first "in" to "out" change after that, NaN if none;
        ``time_in``: time "in" between the first and last observed visits divided by that span,
        NaN with fewer than two observed visits; ``first_obs``, ``last_obs``: first and last
        observed days (NaN if none); ``n_observed``: number of observed visits.
    """
    conf_in = confirmed_runs(qual, observed, days, confirm_days)
    conf_out = confirmed_runs(observed & ~qual, observed, days, loss_days)
    n_visits, n = qual.shape
    state = np.zeros(n, dtype=bool)
    day_first = np.full(n, np.nan)
    day_loss = np.full(n, np.nan)
    first_obs = np.full(n, np.nan)
    last_obs = np.full(n, np.nan)
    time_in = np.zeros(n)
    n_observed = np.zeros(n, dtype=np.int64)
    for v in range(n_visits):
        d = days[v]
        obs = observed[v]
        # time since the previous observed visit, spent in that visit's state
        time_in += np.where(obs & state, d - last_obs, 0.0)
        new_state = conf_in[v] | (state & ~conf_out[v])
        day_first = np.where(np.isnan(day_first) & conf_in[v], d, day_first)
        day_loss = np.where(np.isnan(day_loss) & state & ~new_state, d, day_loss)
        state = new_state
        first_obs = np.where(np.isnan(first_obs) & obs, d, first_obs)
        last_obs = np.where(obs, d, last_obs)
        n_observed += obs
    span = last_obs - first_obs
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(span > 0, time_in / np.where(span > 0, span, 1.0), np.nan)
    return Episodes(
        day_first=day_first,
        day_loss=day_loss,
        time_in=share,
        first_obs=first_obs,
        last_obs=last_obs,
        n_observed=n_observed,
    )
