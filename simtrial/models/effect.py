"""Per-patient drug effects and their time course under piecewise-constant exposure.

The effect model is fixed in :mod:`simtrial.models.parameters` (argued in
``docs/models-platelets.md``): patient ``i`` on drug ``k`` has a steady-state log-fold rise of the
platelet count ``D_ik = softplus(eta_ik)`` at the reference exposure, with
``eta_ik = mu_k[group_i] + beta_mmf_failed_k * mmf_failed_i + sigma_k z_ik``, where one child's
``(z_i,mmf, z_i,sir)`` is a standard bivariate normal pair with correlation ``rho``, conditioned on
prior MMF failure (:mod:`simtrial.models.joint`), and an onset rate
``log ke0_ik ~ Normal(log_ke0_k[group_i], log_ke0_sd_k)``. Under exposure ``C(t)`` the effect obeys
``dD/dt = ke0 (D_ss g(C(t)) - D)``; with ``C`` constant over dose segments the path is a chain of
exponentials, computed here in closed form.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simtrial._core.validation import Interval, Predicate, Validated
from simtrial.models.parameters import (
    GROUPS,
    EffectParameters,
    PopulationParameters,
    group_index,
    softplus,
    threshold_log_fold,
)

__all__ = [
    "ExposureResponse",
    "SIROLIMUS_EXPOSURE_RESPONSE",
    "MMF_EXPOSURE_RESPONSE",
    "PatientEffects",
    "exposure_scaling",
    "sample_patient_effects",
    "sample_population_effects",
    "effect_path",
    "response_probabilities",
    "TARGET_P0",
]

#: Baseline count (10^9/L) at which an MMF-failed child's threshold is set when none is given:
#: the design's working baseline (see :mod:`simtrial.models.population`).
TARGET_P0: float = 15.0


@dataclass(frozen=True)
class ExposureResponse(Validated):
    """Emax exposure-response of one drug, normalised to 1 at the reference exposure.

    ``g(C) = C (EC50 + C_ref) / (C_ref (EC50 + C))``: ``g(0) = 0``, ``g(C_ref) = 1``,
    ``g(inf) = 1 + C_ref / EC50``. The steady-state log-fold rise at exposure ``C`` is
    ``D_ss g(C)``.

    Parameters
    ----------
    c_ref : float
        Reference exposure at which ``D_ss`` is defined (> 0). Sirolimus: trough 10 ng/mL, the
        middle of the 5-15 ng/mL window (Teachey et al., Blood 2008;112:2569; Bride et al.,
        Blood 2016;127:17). MMF: MPA AUC0-12 45 mg.h/L, the middle of the 30-60 mg.h/L target
        (transplant consensus).
    ec50 : float
        Exposure giving half the maximal effect (> 0), same unit as ``c_ref``. Not sourced: a
        stated assumption for sensitivity analyses (sirolimus 2 ng/mL, MMF 15 mg.h/L).
    off_rate_multiplier : float
        Multiplies ``ke0`` while the effect decays (target below the current effect: a dose
        reduction or a stop), > 0. 1 (default) means onset and offset share one rate.
    unit : str
        Unit of the exposure, for labels.
    """

    c_ref: float = 10.0
    ec50: float = 2.0
    off_rate_multiplier: float = 1.0
    unit: str = "ng/mL"

    _constraints = {
        # Exposures in ng/mL (trough) or mg.h/L (AUC): up to 100 times any therapeutic target.
        "c_ref": Interval(float, 0.0, 1e4, "right"),
        "ec50": Interval(float, 0.0, 1e4, "right"),
        "off_rate_multiplier": Interval(float, 0.0, 100.0, "right"),
        "unit": Predicate(lambda v: isinstance(v, str), "must be a string"),
    }

    def scaling(self, exposure) -> np.ndarray:
        """``g(C)``; see :func:`exposure_scaling`."""
        return exposure_scaling(exposure, self)


#: Sirolimus trough (ng/mL); C_ref 10 from the 5-15 ng/mL window (Teachey 2008; Bride 2016);
#: EC50 2 ng/mL assumed.
SIROLIMUS_EXPOSURE_RESPONSE = ExposureResponse(c_ref=10.0, ec50=2.0, unit="ng/mL")

#: MPA AUC0-12 (mg.h/L); C_ref 45 from the 30-60 mg.h/L target; EC50 15 mg.h/L assumed.
MMF_EXPOSURE_RESPONSE = ExposureResponse(c_ref=45.0, ec50=15.0, unit="mg.h/L")


def exposure_scaling(exposure, er: ExposureResponse) -> np.ndarray:
    """Relative steady-state effect ``g(C) = C (EC50 + C_ref) / (C_ref (EC50 + C))``.

    Parameters
    ----------
    exposure : array_like
        Exposure ``C`` (>= 0; trough for sirolimus, MPA AUC for MMF).
    er : ExposureResponse
        Reference exposure and EC50.

    Returns
    -------
    numpy.ndarray
        ``g(C)``, same shape as ``exposure``; 0 at ``C = 0`` and 1 at ``C = C_ref``.
    """
    c = np.asarray(exposure, dtype=float)
    return c * (er.ec50 + er.c_ref) / (er.c_ref * (er.ec50 + c))


@dataclass(frozen=True)
class PatientEffects:
    """One drug's effect parameters for a set of patients.

    Parameters
    ----------
    d_ss : numpy.ndarray, shape (n_patients,)
        Steady-state log-fold rise of the count at the reference exposure (>= 0).
    ke0 : numpy.ndarray, shape (n_patients,)
        Onset rate (1/day, > 0); the onset half-life is ``log(2) / ke0``.
    """

    d_ss: np.ndarray
    ke0: np.ndarray

    def __post_init__(self) -> None:
        d_ss = np.atleast_1d(np.asarray(self.d_ss, dtype=float))
        ke0 = np.atleast_1d(np.asarray(self.ke0, dtype=float))
        if d_ss.ndim != 1 or d_ss.shape != ke0.shape:
            raise ValueError(
                f"effects: d_ss and ke0 must be 1-D of equal length; got {d_ss.shape}, {ke0.shape}"
            )
        if not np.all(np.isfinite(d_ss) & (d_ss >= 0)):
            raise ValueError("effects.d_ss: must be finite and >= 0")
        if not np.all(np.isfinite(ke0) & (ke0 > 0)):
            raise ValueError("effects.ke0: must be finite and > 0")
        object.__setattr__(self, "d_ss", d_ss)
        object.__setattr__(self, "ke0", ke0)

    @property
    def n_patients(self) -> int:
        return int(self.d_ss.shape[0])


def _covariates(group, mmf_failed) -> tuple[np.ndarray, np.ndarray]:
    """Group indices and 0/1 prior-MMF-failure flags as 1-D arrays of one length."""
    g = np.atleast_1d(np.asarray(group))
    if g.dtype.kind in "iu":
        if g.size and (g.min() < 0 or g.max() >= len(GROUPS)):
            raise ValueError(f"group: indices must be in 0..{len(GROUPS) - 1} (GROUPS order)")
        g = g.astype(np.intp)
    else:
        g = np.atleast_1d(group_index(g))
    if g.ndim != 1:
        raise ValueError(f"group: must be 1-D (one entry per patient); got shape {g.shape}")
    m = np.asarray(mmf_failed)
    if m.dtype.kind not in "biuf" or not np.all((m == 0) | (m == 1)):
        raise ValueError("mmf_failed: must be booleans or 0/1, one per patient or a scalar")
    try:
        m = np.broadcast_to(m.astype(float), g.shape)
    except ValueError:
        raise ValueError(
            f"mmf_failed: must be a scalar or have the shape of group {g.shape}; got {m.shape}"
        ) from None
    return g, m


def sample_patient_effects(
    params: EffectParameters,
    group,
    mmf_failed,
    rng: np.random.Generator | None = None,
    z: np.ndarray | None = None,
) -> PatientEffects:
    """Draw one drug's ``D_ss`` and ``ke0`` for each patient.

    ``eta = mu[group] + beta_mmf_failed * mmf_failed + sigma * z[:, 0]``, ``D_ss = softplus(eta)``,
    ``ke0 = exp(log_ke0[group] + log_ke0_sd * z[:, 1])``.

    Parameters
    ----------
    params : EffectParameters
        A single parameter set (no draw axis; use ``params.draw(k)``).
    group : array_like of str or int, shape (n_patients,)
        Disease group names, or indices into :data:`~simtrial.models.parameters.GROUPS`.
    mmf_failed : array_like of bool, shape (n_patients,) or scalar
        Prior MMF failure.
    rng : numpy.random.Generator, optional
        Source of the standard normals; required unless ``z`` is given.
    z : numpy.ndarray, shape (n_patients, 2), optional
        Pre-drawn standard normals (common random numbers across scenarios): column 0 drives
        ``eta``, column 1 drives ``log ke0``.

    Returns
    -------
    PatientEffects
    """
    if not isinstance(params, EffectParameters):
        raise ValueError(f"params: must be an EffectParameters; got {type(params).__name__}")
    if params.n_draws is not None:
        raise ValueError("params: must be a single parameter set; select one with params.draw(k)")
    g, m = _covariates(group, mmf_failed)
    n = g.shape[0]
    if z is None:
        if not isinstance(rng, np.random.Generator):
            raise ValueError("rng: a numpy.random.Generator is required when z is not given")
        z = rng.standard_normal((n, 2))
    else:
        z = np.asarray(z, dtype=float)
        if z.shape != (n, 2) or not np.all(np.isfinite(z)):
            raise ValueError(f"z: must be finite standard normals of shape ({n}, 2); got {z.shape}")
    eta = params.mu[g] + params.beta_mmf_failed * m + params.sigma * z[:, 0]
    log_ke0 = params.log_ke0[g] + params.log_ke0_sd * z[:, 1]
    return PatientEffects(d_ss=softplus(eta), ke0=np.exp(log_ke0))


def sample_population_effects(
    params: PopulationParameters,
    group,
    mmf_failed,
    rng: np.random.Generator | None = None,
    z: np.ndarray | None = None,
    p0=TARGET_P0,
) -> dict[str, PatientEffects]:
    """Draw both drugs' effects for each patient from the joint latent of one child.

    The pair ``(z_mmf, z_sir)`` is standard bivariate normal with correlation ``params.rho``
    (:mod:`simtrial.models.joint`); a child with ``mmf_failed`` has ``z_mmf`` truncated below
    the MMF response threshold at baseline ``p0`` (:func:`~simtrial.models.joint.mmf_failure_cut`)
    and ``z_sir`` conditional on it. Any ``beta_mmf_failed`` of the parameters is applied on top
    (0 in a joint calibration; a posterior fitted without ``rho`` keeps its shift). With
    ``rho = 0`` the sirolimus draws are those of the independent model number for number.

    Parameters
    ----------
    params : PopulationParameters
        A single parameter set.
    group, mmf_failed
        As in :func:`sample_patient_effects`.
    rng : numpy.random.Generator, optional
        Required unless ``z`` is given.
    z : numpy.ndarray, shape (n_patients, 4), optional
        Common random numbers: columns 0-1 sirolimus (``eta``, ``log ke0``), 2-3 MMF; column 0
        is the sirolimus normal independent of MMF and column 2 the untruncated ``z_mmf``.
    p0 : array_like
        Baseline mean count (10^9/L), scalar or one per patient: sets the MMF threshold of the
        children marked MMF-failed. Default 15, the design's working baseline.

    Returns
    -------
    dict
        ``{"sirolimus": PatientEffects, "mmf": PatientEffects}``.
    """
    if not isinstance(params, PopulationParameters):
        raise ValueError(f"params: must be a PopulationParameters; got {type(params).__name__}")
    if params.n_draws is not None:
        raise ValueError("params: must be a single parameter set; select one with params.draw(k)")
    g, m = _covariates(group, mmf_failed)
    n = g.shape[0]
    if z is None:
        if not isinstance(rng, np.random.Generator):
            raise ValueError("rng: a numpy.random.Generator is required when z is not given")
        z = rng.standard_normal((n, 4))
    z = np.asarray(z, dtype=float)
    if z.shape != (n, 4) or not np.all(np.isfinite(z)):
        raise ValueError(f"z: must be finite standard normals of shape ({n}, 4); got {z.shape}")
    p0 = np.broadcast_to(np.asarray(p0, dtype=float), g.shape)
    if not np.all(np.isfinite(p0) & (p0 > 0)):
        raise ValueError("p0: must be finite and > 0")
    from simtrial.models.joint import joint_latents, mmf_failure_cut  # scipy: not at import (config schemas)

    cut = None
    if m.any():
        cut = np.where(m == 1, mmf_failure_cut(params.mmf, g, p0), np.nan)
    z_sir, z_mmf = joint_latents(z[:, 0], z[:, 2], params.rho, cut)
    return {
        "sirolimus": sample_patient_effects(params.sirolimus, g, m, z=np.column_stack([z_sir, z[:, 1]])),
        "mmf": sample_patient_effects(params.mmf, g, m, z=np.column_stack([z_mmf, z[:, 3]])),
    }


def _as_days(days, n: int) -> np.ndarray:
    days = np.asarray(days, dtype=float)
    if days.ndim == 1:
        days = np.broadcast_to(days, (n, days.shape[0]))
    if days.ndim != 2 or days.shape[0] != n:
        raise ValueError(f"days: must have shape (n_days,) or ({n}, n_days); got {days.shape}")
    if not np.all(np.isfinite(days)):
        raise ValueError("days: must be finite")
    return days


def _as_segments(change_days, exposure, n: int) -> tuple[np.ndarray, np.ndarray]:
    change_days = np.asarray(change_days, dtype=float)
    exposure = np.asarray(exposure, dtype=float)
    if change_days.ndim == 1:
        change_days = change_days[None, :]
    if exposure.ndim == 1:
        exposure = exposure[None, :]
    try:
        change_days = np.broadcast_to(change_days, (n, change_days.shape[-1]))
        exposure = np.broadcast_to(exposure, change_days.shape)
    except ValueError:
        raise ValueError(
            f"change_days, exposure: must have shape ({n}, n_segments) (or (n_segments,)); "
            f"got {np.shape(change_days)}, {np.shape(exposure)}"
        ) from None
    if change_days.shape[1] == 0:
        raise ValueError("change_days: needs at least one segment")
    if np.any(np.isnan(change_days)) or np.any(change_days == -np.inf):
        raise ValueError("change_days: must be finite days, padded at the end with +inf")
    if np.any(change_days[:, 1:] < change_days[:, :-1]):
        raise ValueError("change_days: must be non-decreasing along each row (+inf padding last)")
    live = np.isfinite(change_days)
    if not np.all(np.where(live, np.isfinite(exposure) & (exposure >= 0), True)):
        raise ValueError("exposure: must be finite and >= 0 in every segment that starts")
    return change_days, exposure


def effect_path(
    days,
    change_days,
    exposure,
    d_ss,
    ke0,
    er: ExposureResponse = SIROLIMUS_EXPOSURE_RESPONSE,
) -> np.ndarray:
    """Closed-form effect ``D(t)`` under piecewise-constant exposure.

    Segment ``j`` runs from ``change_days[:, j]`` to ``change_days[:, j + 1]`` at exposure
    ``exposure[:, j]``; inside it ``D`` relaxes exponentially toward ``A_j = d_ss g(C_j)`` at rate
    ``ke0`` (times ``er.off_rate_multiplier`` when ``A_j`` is below ``D`` at the segment start):
    ``D(t) = A_j + (D(c_j) - A_j) exp(-k_j (t - c_j))``. Before the first segment ``D = 0``.
    A stopped drug is a segment with exposure 0.

    Parameters
    ----------
    days : array_like, shape (n_days,) or (n_patients, n_days)
        Days at which to evaluate (any order).
    change_days : array_like, shape (n_patients, n_segments)
        Start day of each segment, non-decreasing, padded at the end with ``+inf`` (the
        ``DoseHistory.change_days`` of :mod:`simtrial.models.tdm`).
    exposure : array_like, shape (n_patients, n_segments)
        Exposure in each segment (trough in ng/mL, MPA AUC in mg.h/L); ignored where padded.
    d_ss, ke0 : array_like, shape (n_patients,)
        Steady-state log-fold rise at ``er.c_ref`` and onset rate (1/day).
    er : ExposureResponse
        Exposure-response of the drug.

    Returns
    -------
    numpy.ndarray, shape (n_patients, n_days)
        Log-fold rise of the mean count.
    """
    if not isinstance(er, ExposureResponse):
        raise ValueError(f"er: must be an ExposureResponse; got {type(er).__name__}")
    eff = PatientEffects(d_ss=d_ss, ke0=ke0)
    n = eff.n_patients
    days = _as_days(days, n)
    change_days, exposure = _as_segments(change_days, exposure, n)
    d_ss, ke0 = eff.d_ss, eff.ke0
    n_seg = change_days.shape[1]
    out = np.zeros(days.shape)
    d_start = np.zeros(n)
    for j in range(n_seg):
        c0 = change_days[:, j]
        c1 = change_days[:, j + 1] if j + 1 < n_seg else np.full(n, np.inf)
        live = np.isfinite(c0)
        g = exposure_scaling(np.where(live, exposure[:, j], 0.0), er)
        target = np.where(live, d_ss * g, 0.0)
        rate = np.where(target < d_start, ke0 * er.off_rate_multiplier, ke0)
        inside = (days >= c0[:, None]) & (days < c1[:, None])
        dt = np.where(inside, days - np.where(live, c0, 0.0)[:, None], 0.0)
        value = target[:, None] + (d_start - target)[:, None] * np.exp(-rate[:, None] * dt)
        out = np.where(inside, value, out)
        with np.errstate(invalid="ignore"):
            length = np.where(live, c1 - c0, 0.0)
        d_start = target + (d_start - target) * np.exp(-rate * length)
    return out


def response_probabilities(
    params: EffectParameters,
    group,
    mmf_failed,
    p0,
    cr_threshold: float = 100.0,
    r_threshold: float = 30.0,
    r_fold: float = 2.0,
) -> dict[str, np.ndarray]:
    """Closed-form probabilities that the mean path ever reaches CR / at least R.

    At constant reference exposure the mean count tends to ``count_from_log_fold(P0, D_ss)``, so
    a patient reaches CR when ``D_ss > threshold_log_fold(cr_threshold, P0)`` and R (or better)
    when ``D_ss > threshold_log_fold(max(r_threshold, r_fold P0), P0)`` (IWG 2009, Rodeghiero et
    al., Blood 2009;113:2386). With ``eta`` normal, ``P(D_ss > d) = Phi((mu - softplus^-1(d)) / sigma)``.

    Parameters
    ----------
    params : EffectParameters
        A single parameter set.
    group, mmf_failed
        As in :func:`sample_patient_effects`.
    p0 : array_like
        Baseline mean count (10^9/L, > 0), scalar or one per patient.
    cr_threshold, r_threshold, r_fold : float
        Response thresholds (IWG 2009 defaults).

    Returns
    -------
    dict
        ``{"cr": P(CR), "response": P(CR or R)}``, arrays of shape (n_patients,).
    """
    if params.n_draws is not None:
        raise ValueError("params: must be a single parameter set; select one with params.draw(k)")
    g, m = _covariates(group, mmf_failed)
    p0 = np.broadcast_to(np.asarray(p0, dtype=float), g.shape)
    if not np.all(np.isfinite(p0) & (p0 > 0)):
        raise ValueError("p0: must be finite and > 0")
    loc = params.mu[g] + params.beta_mmf_failed * m

    def prob(need):
        need = np.maximum(need, 0.0)
        # softplus^-1(d) = log(expm1(d)); -inf at d = 0 (always reached)
        with np.errstate(divide="ignore"):
            cut = np.where(need > 30, need, np.log(np.expm1(np.minimum(need, 30))))
        if params.sigma == 0:
            return (loc > cut).astype(float)
        from scipy.special import ndtr  # here: the config schemas import this module

        return ndtr((loc - cut) / params.sigma)

    need_cr = threshold_log_fold(cr_threshold, p0)
    need_r = threshold_log_fold(np.maximum(r_threshold, r_fold * p0), p0)
    return {"cr": prob(need_cr), "response": prob(need_r)}
