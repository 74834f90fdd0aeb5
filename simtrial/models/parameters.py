"""The population parameters shared by the calibration and the simulator.

A calibration posterior is a set of draws of :class:`EffectParameters`; the simulator takes one
draw per trial replicate (the *posterior* scenario) or a fixed value (the *fixed* scenario).

Model of the drug effect (argued in ``docs/architecture.md`` and ``docs/models-platelets.md``)
-----------------------------------------------------------------------------------------------
Platelets follow turnover, ``P = kin / (k_sen + k_imm)``, with senescent loss ``k_sen`` and
immune destruction ``k_imm``; platelet survival in ITP is 1.6-3.6 days (Louwes et al., Am J Med
1999), fast against the weeks-long onset of sirolimus and MMF, so the count is taken at
quasi-steady state. A drug lowers the immune destruction rate by a factor ``exp(-D)``:
``P(D) = P0 e^D / (1 + (P0 / P_max)(e^D - 1))`` (:func:`count_from_log_fold`), so the count
starts at ``P0``, rises by the factor ``e^D`` while far below ``P_max = kin / k_sen``, and
saturates at ``P_max`` (the count with immune destruction fully suppressed). For patient ``i`` the
steady-state effect at the reference exposure is ``E_i = 1 - exp(-D_i)`` with ``logit E_i``
normal (``D_i = softplus(eta_i)``), and the effect builds through a first-order onset with rate
``ke0_i``: ``dD/dt = ke0_i (D_i g(C(t)) - D)``, ``g(C_ref) = 1``. At constant reference exposure
``D(t) = D_i (1 - exp(-ke0_i t))`` and the day a mean path reaches a count ``T`` is
``t = -log(1 - D_T / D_i) / ke0_i`` when ``D_i > D_T``, never otherwise, where ``D_T`` is the
log-fold rise at which the count reaches ``T`` (:func:`threshold_log_fold`,
:func:`days_to_threshold`). The response classes follow: CR needs ``D_i > D_100``, R needs
``D_i > D_max(30, 2 P0)`` (IWG 2009, Rodeghiero et al., Blood 2009;113:2386).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

#: Disease groups, in this order wherever an array is indexed by group.
#: primary_itp and ars_itp: the Genoa/Catania letter (Am J Hematol); alps, multi_lineage and
#: single_lineage: Bride et al., Blood 2016;127:17-28.
GROUPS: tuple[str, ...] = ("primary_itp", "ars_itp", "alps", "multi_lineage", "single_lineage")

#: The drugs with an effect model.
DRUGS: tuple[str, ...] = ("sirolimus", "mmf")


def group_index(names) -> np.ndarray:
    """Map disease-group names to indices into :data:`GROUPS`.

    Raises
    ------
    ValueError
        If a name is not one of :data:`GROUPS`.
    """
    lookup = {g: k for k, g in enumerate(GROUPS)}
    names = np.asarray(names, dtype=object)
    bad = sorted({str(n) for n in names.ravel() if n not in lookup})
    if bad:
        raise ValueError(f"group: unknown disease group(s) {bad}; allowed: {list(GROUPS)}")
    return np.vectorize(lookup.__getitem__, otypes=[np.intp])(names)


@dataclass(frozen=True)
class EffectParameters:
    """Population parameters of one drug's effect on the platelet count.

    All fields are numpy arrays; a leading ``draw`` axis (posterior draws) is allowed, in which
    case every field carries it.

    Parameters
    ----------
    mu : array, shape (..., n_groups)
        Location of ``logit E_i`` (steady-state effect at the reference exposure) per disease
        group, in :data:`GROUPS` order.
    sigma : array, shape (...)
        Between-patient standard deviation of ``logit E_i``.
    beta_mmf_failed : array, shape (...)
        Shift of ``logit E_i`` in children who failed MMF before (0 for the MMF effect itself).
    log_ke0 : array, shape (..., n_groups)
        Location of ``log ke0_i`` (onset rate, 1/day) per disease group.
    log_ke0_sd : array, shape (...)
        Between-patient standard deviation of ``log ke0_i``.
    """

    mu: np.ndarray
    sigma: np.ndarray
    beta_mmf_failed: np.ndarray
    log_ke0: np.ndarray
    log_ke0_sd: np.ndarray

    def __post_init__(self) -> None:
        for f in fields(self):
            value = np.asarray(getattr(self, f.name), dtype=float)
            if not np.all(np.isfinite(value)):
                raise ValueError(f"{f.name}: must be finite")
            object.__setattr__(self, f.name, value)
        for name in ("mu", "log_ke0"):
            if getattr(self, name).shape[-1:] != (len(GROUPS),):
                raise ValueError(f"{name}: last axis must have one entry per group {list(GROUPS)}")
        for name in ("sigma", "log_ke0_sd"):
            if np.any(getattr(self, name) < 0):
                raise ValueError(f"{name}: must be >= 0")

    @property
    def n_draws(self) -> int | None:
        """Number of posterior draws, or None for a single parameter set."""
        return None if self.sigma.ndim == 0 else int(self.sigma.shape[0])

    def draw(self, k: int) -> "EffectParameters":
        """The k-th posterior draw as a single parameter set."""
        if self.n_draws is None:
            return self
        return EffectParameters(**{f.name: getattr(self, f.name)[k] for f in fields(self)})


@dataclass(frozen=True)
class PopulationParameters:
    """Everything the calibration estimates: one :class:`EffectParameters` per drug, and how
    one child's responsiveness to the two drugs is related.

    Parameters
    ----------
    sirolimus, mmf : EffectParameters
        Each drug's population parameters.
    rho : array, shape (...)
        Correlation of one child's standardised latent effects of MMF and of sirolimus: child
        ``i`` has ``(z_mmf, z_sir)`` standard bivariate normal with correlation ``rho`` and
        ``logit E_drug,i = mu_drug[group] + sigma_drug z_drug``. Prior MMF failure, or MMF
        failure inside a simulated trial, conditions ``z_sir`` through ``z_mmf``. 0 (the
        default) makes the two drugs' effects independent.
    """

    sirolimus: EffectParameters
    mmf: EffectParameters
    rho: np.ndarray = 0.0

    def __post_init__(self) -> None:
        rho = np.asarray(self.rho, dtype=float)
        if not np.all(np.isfinite(rho)) or np.any(np.abs(rho) >= 1):
            raise ValueError("rho: must be finite and in (-1, 1)")
        draws = self.sirolimus.n_draws
        if rho.ndim == 0 and draws is not None:
            rho = np.full(draws, float(rho))
        object.__setattr__(self, "rho", rho)

    @property
    def n_draws(self) -> int | None:
        return self.sirolimus.n_draws

    def draw(self, k: int) -> "PopulationParameters":
        rho = self.rho if self.rho.ndim == 0 else self.rho[k]
        return PopulationParameters(self.sirolimus.draw(k), self.mmf.draw(k), rho)


def softplus(x):
    """``log(1 + exp(x))``, stable for large ``|x|``; maps ``logit E`` to ``D = -log(1 - E)``."""
    x = np.asarray(x, dtype=float)
    return np.logaddexp(0.0, x)


#: Count (10^9/L) when immune destruction is fully suppressed: the upper limit of the normal
#: platelet range, 400 x 10^9/L (normal range 150-400 x 10^9/L). An assumption that keeps
#: simulated counts physiological; it moves the response thresholds only slightly (for P0 = 15,
#: ``D_100`` is 2.15 instead of log(100/15) = 1.90).
P_MAX: float = 400.0


def threshold_log_fold(threshold, p0, p_max: float = P_MAX):
    """Log-fold rise ``D_T`` at which the mean count reaches ``T`` from ``P0``.

    The inverse of :func:`count_from_log_fold`:
    ``D_T = log(T (1 - P0/P_max) / (P0 (1 - T/P_max)))``; ``inf`` for ``T >= P_max`` (never
    reached), ``<= 0`` for ``T <= P0``. With ``p_max=inf`` it is ``log(T / P0)``.
    """
    t = np.asarray(threshold, dtype=float)
    p0 = np.asarray(p0, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.log(t / p0) + np.log1p(-np.minimum(p0 / p_max, 1.0)) - np.log1p(-t / p_max)
    return np.where(t >= p_max, np.inf, np.where(t <= p0, np.minimum(d, 0.0), d))


def count_from_log_fold(p0, d, p_max: float = P_MAX):
    """Mean count ``P0 e^D / (1 + (P0/P_max)(e^D - 1))`` for a log-fold effect ``D`` (>= 0).

    Computed on the log scale, stable for any ``D``; tends to ``P_max`` as ``D`` grows and is
    ``P0 e^D`` for ``p_max=inf``.
    """
    p0 = np.asarray(p0, dtype=float)
    d = np.asarray(d, dtype=float)
    if p_max == np.inf:
        return np.exp(np.log(p0) + d)
    a = np.minimum(p0 / p_max, 1.0)  # a baseline at or above P_max cannot rise
    with np.errstate(divide="ignore"):
        log_den = np.logaddexp(np.log1p(-a), np.log(a) + d)
    return np.exp(np.log(p0) + d - log_den)


def days_to_threshold(d_ss, ke0, p0, threshold):
    """Day on which the mean platelet path first reaches ``threshold`` (inf if never).

    Closed form of ``count_from_log_fold(P0, d_ss (1 - exp(-ke0 t))) = T`` for constant
    reference exposure started at day 0: ``t = -log(1 - D_T / d_ss) / ke0`` when
    ``d_ss > D_T = threshold_log_fold(T, P0)``. A threshold at or below ``P0`` is reached at
    day 0; one at or above :data:`P_MAX` never.

    Parameters
    ----------
    d_ss : array_like
        Steady-state log-fold rise ``D_i`` (>= 0).
    ke0 : array_like
        Onset rate (1/day, > 0).
    p0 : array_like
        Baseline mean count (10^9/L, > 0).
    threshold : array_like
        Count to reach (10^9/L, > 0).
    """
    d_ss, ke0, p0, threshold = np.broadcast_arrays(
        *(np.asarray(a, dtype=float) for a in (d_ss, ke0, p0, threshold))
    )
    need = threshold_log_fold(threshold, p0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(d_ss > 0, need / np.where(d_ss > 0, d_ss, 1.0), np.inf)
        t = -np.log1p(-ratio) / ke0
    t = np.where(need <= 0, 0.0, np.where(ratio < 1, t, np.inf))
    return t
