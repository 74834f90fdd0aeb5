"""Numpy simulation of the fitted cohorts from population parameters (posterior predictive,
prior predictive and the data sets of the simulation-based calibration check).

Patients follow the same closed forms as the model (:func:`simtrial.models.parameters.days_to_threshold`):
``eta_i ~ Normal(mu[g] + beta * mmf_failed_i, sigma)``, ``D_i = softplus(eta_i)``,
``log ke0_i ~ Normal(log_ke0[g], log_ke0_sd)``; the recorded day is the closed-form day times
``exp(sigma_obs * e)``, ``e ~ Normal(0, 1)``.

The letter records a PR day for every PR but for only 5 of its 10 CRs; the simulation records a
CR's PR day with probability :data:`PR_DAY_RECORDED` (missing at random, as the likelihood
assumes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simtrial.calibration.closed_form import CR_COUNT, R_COUNT
from simtrial.calibration.data import FIRST_ASSESSMENT_DAY, CalibrationData
from simtrial.calibration.priors import P0
from simtrial.models.parameters import EffectParameters, PopulationParameters, days_to_threshold, softplus

#: Share of the letter's CRs with a recorded PR day (5 of 10, Table 1A).
PR_DAY_RECORDED: float = 0.5


@dataclass(frozen=True)
class SimPatients:
    """Simulated patients, arrays of shape (n_draws, n_patients).

    ``cls`` is 0/1/2 for NR/PR/CR; ``day_pr`` and ``day_cr`` are recorded days (inf if never).
    """

    cls: np.ndarray
    day_pr: np.ndarray
    day_cr: np.ndarray


def simulate_patients(eff: EffectParameters, sigma_obs, group, mmf_failed, rng: np.random.Generator,
                      p0: float = P0) -> SimPatients:
    """Simulate patients of given groups for every draw of ``eff`` (draw axis required)."""
    group = np.asarray(group, dtype=np.intp)
    x = np.asarray(mmf_failed, dtype=float)
    n_draws = eff.sigma.shape[0]
    shape = (n_draws, group.size)
    loc = eff.mu[:, group] + eff.beta_mmf_failed[:, None] * x[None, :]
    eta = loc + eff.sigma[:, None] * rng.standard_normal(shape)
    d = softplus(eta)
    ke0 = np.exp(eff.log_ke0[:, group] + eff.log_ke0_sd[:, None] * rng.standard_normal(shape))
    so = np.asarray(sigma_obs, float)[:, None]
    t_pr = days_to_threshold(d, ke0, p0, max(R_COUNT, 2 * p0)) * np.exp(so * rng.standard_normal(shape))
    t_cr = days_to_threshold(d, ke0, p0, CR_COUNT) * np.exp(so * rng.standard_normal(shape))
    cls = np.where(np.isfinite(t_cr), 2, np.where(np.isfinite(t_pr), 1, 0))
    return SimPatients(cls, t_pr, t_cr)


@dataclass(frozen=True)
class SimCohorts:
    """Every fitted cohort simulated: the letter's patients, Bride's and Miano's groups (one
    :class:`SimPatients` per group row), and the letter's PR-day recording mask."""

    letter: SimPatients
    letter_pr_recorded: np.ndarray
    bride: list[SimPatients]
    mmf: list[SimPatients]


def simulate_cohorts(params: PopulationParameters, sigma_obs, data: CalibrationData,
                     rng: np.random.Generator, p0: float = P0) -> SimCohorts:
    """Simulate cohorts of the sizes and covariates of ``data`` for every parameter draw.

    Bride's and Miano's children have ``mmf_failed = 0`` (not reported per child); the MMF effect
    has ``beta_mmf_failed = 0`` by construction.
    """
    sir, mmf = params.sirolimus, params.mmf
    letter = simulate_patients(sir, sigma_obs, data.pt_group, data.pt_mmf_failed, rng, p0)
    recorded = (letter.cls == 1) | ((letter.cls == 2) & (rng.random(letter.cls.shape) < PR_DAY_RECORDED))
    bride = [simulate_patients(sir, sigma_obs, np.full(n, g), np.zeros(n), rng, p0)
             for g, n in zip(data.bride_group, data.bride_n)]
    mmf_sims = [simulate_patients(mmf, sigma_obs, np.full(n, g), np.zeros(n), rng, p0)
                for g, n in zip(data.mmf_group, data.mmf_n)]
    return SimCohorts(letter, recorded, bride, mmf_sims)


def simulated_data(sim: SimCohorts, data: CalibrationData, k: int) -> CalibrationData:
    """Draw ``k`` of a simulation as a :class:`CalibrationData` the model can be fitted to.

    Days are kept exactly as simulated (not rounded, a PR day may follow its CR day through
    the recording error) so the data follow the likelihood exactly; Bride's CRs with a known window get the
    monthly assessment that records them as their window (the paper's "within 1-3 months" is
    that kind of report, recorded at monthly assessments: ``(30 (m-1), 30 m]``, or ``(0, 30]`` for the first). Miano's medians are the medians of the simulated recorded days (NaN-free only if
    the group has responders; the caller skips replicates without).
    """
    L = sim.letter
    cls = L.cls[k]
    day_pr = np.where((cls > 0) & sim.letter_pr_recorded[k], L.day_pr[k], np.nan)
    day_cr = np.where(cls == 2, L.day_cr[k], np.nan)
    b_k, w_group, w_low, w_high = [], [], [], []
    for row, (g, event) in enumerate(zip(data.bride_group, data.bride_event)):
        c = sim.bride[row].cls[k]
        b_k.append(int(np.sum(c == 2)) if event == "cr" else int(np.sum(c > 0)))
        if data.bride_timed[row]:
            days = sim.bride[row].day_cr[k][c == 2]
            month = np.maximum(1.0, np.ceil(days / FIRST_ASSESSMENT_DAY))  # recorded at this assessment
            w_group += [g] * days.size
            w_low += list(np.where(month == 1, 0.0, FIRST_ASSESSMENT_DAY * (month - 1)))
            w_high += list(FIRST_ASSESSMENT_DAY * month)
    m_cr = np.array([int(np.sum(s.cls[k] == 2)) for s in sim.mmf])
    m_pr = np.array([int(np.sum(s.cls[k] == 1)) for s in sim.mmf])
    overall = [sim.mmf[r] for r in data.mmf_overall]
    resp_days = np.concatenate([s.day_pr[k][s.cls[k] > 0] for s in overall])
    cr_days = np.concatenate([s.day_cr[k][s.cls[k] == 2] for s in overall])
    return CalibrationData(
        pt_group=data.pt_group, pt_mmf_failed=data.pt_mmf_failed, pt_class=cls.astype(np.int64),
        pt_day_pr=day_pr, pt_day_cr=day_cr,
        bride_group=data.bride_group, bride_n=data.bride_n, bride_k=np.array(b_k, np.int64),
        bride_event=data.bride_event, bride_timed=data.bride_timed, cr_window_group=np.array(w_group, np.intp),
        cr_window_low=np.array(w_low, float), cr_window_high=np.array(w_high, float),
        mmf_group=data.mmf_group, mmf_n=data.mmf_n, mmf_cr=m_cr, mmf_pr=m_pr,
        mmf_overall=data.mmf_overall,
        mmf_median_pr=float(np.median(resp_days)) if resp_days.size else np.nan,
        mmf_median_cr=float(np.median(cr_days)) if cr_days.size else np.nan,
        sources={"simulated": "simtrial.calibration.simulate"},
    )
