"""Exact operating characteristics over the true response rate, vectorised.

Every single-arm design here (one-stage exact test, Simon two-stage, predictive-probability
designs with interim looks) is a *multistage rule on the cumulative number of responders*:
after ``m_k`` patients the trial stops for futility if ``x`` lies in a futility set, for
efficacy (H0 rejected) if it lies in an efficacy set, and otherwise goes on; at the final
analysis (``n`` patients) H0 is rejected if ``x`` lies in the final rejection set.

The probability of any path depends on the true rate ``p`` only through ``p^x (1 - p)^(m - x)``,
so the engine first counts, once and without ``p``, the number of response sequences that reach
each ``(m_k, x)`` still running (convolutions with binomial coefficients), and then evaluates
all probabilities for a whole grid of ``p`` by one matrix product. Rejection probability, PET
(futility and efficacy), expected N and the rejection probability spent at each look come out
exactly, for every ``p`` of the grid at once.

Two-arm rules are tables ``reject[x_a, x_b]`` (Fisher's exact test, the Bayesian rule
P(p_B > p_A | data) > threshold); their size is a function of the common rate ``p_A = p_B``,
and :func:`null_size` gives the curve over [0, 1] and its maximum (the size of the test in the
strict sense, Lehmann's sup over the null space).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize
from scipy.special import comb, xlog1py, xlogy

from ._validation import check_int, check_probability
from .two_arm import rejection_probability as two_arm_rejection_probability

__all__ = [
    "ExactOC",
    "NullSize",
    "multistage_oc",
    "single_arm_oc",
    "single_arm_table",
    "simon_oc",
    "pp_oc",
    "null_size",
    "p_grid",
]

#: Largest sample size the path-count engine accepts (binomial coefficients stay finite).
N_MAX = 1000


def p_grid(step: float = 0.005) -> np.ndarray:
    """A fine grid of true response rates 0, step, ..., 1 (endpoints included)."""
    step = float(step)
    if not 0 < step <= 0.5:
        raise ValueError(f"step must be in (0, 0.5], got {step!r}")
    k = int(round(1 / step))
    return np.linspace(0.0, 1.0, k + 1)


def _check_grid(p) -> np.ndarray:
    a = np.atleast_1d(np.asarray(p, dtype=float))
    if a.ndim != 1 or not np.all(np.isfinite(a)) or np.any((a < 0) | (a > 1)):
        raise ValueError(f"p must be a 1-d array of probabilities in [0, 1], got {p!r}")
    return a


def _weights(p: np.ndarray, m: int) -> np.ndarray:
    """W[i, x] = p_i^x (1 - p_i)^(m - x), with 0^0 = 1; shape (len(p), m + 1)."""
    x = np.arange(m + 1)[None, :]
    pc = p[:, None]
    return np.exp(xlogy(x, pc) + xlog1py(m - x, -pc))


@dataclass(frozen=True)
class ExactOC:
    """Exact operating characteristics of a multistage single-arm rule, one entry per ``p``.

    Attributes
    ----------
    p : numpy.ndarray
        True response rates, shape (P,).
    reject : numpy.ndarray
        P(H0 rejected) at any look or at the final analysis: the exact size at p0, the exact
        power at a planning value.
    pet : numpy.ndarray
        Probability of stopping at an interim look (futility or efficacy).
    pet_futility, pet_efficacy : numpy.ndarray
        The two parts of ``pet``.
    expected_n : numpy.ndarray
        Expected number of patients treated.
    looks : numpy.ndarray
        Patients evaluated at each interim look, shape (K,); empty without looks.
    n : int
        Maximum sample size.
    stop_futility_by_look, stop_efficacy_by_look : numpy.ndarray
        Probability of stopping at each interim look, shape (K, P).
    reject_final : numpy.ndarray
        P(H0 rejected at the final analysis).
    """

    p: np.ndarray
    reject: np.ndarray
    pet: np.ndarray
    pet_futility: np.ndarray
    pet_efficacy: np.ndarray
    expected_n: np.ndarray
    looks: np.ndarray
    n: int
    stop_futility_by_look: np.ndarray
    stop_efficacy_by_look: np.ndarray
    reject_final: np.ndarray

    @property
    def cumulative_reject_by_look(self) -> np.ndarray:
        """P(H0 rejected by look k), k = 1..K and the final analysis; shape (K + 1, P).

        At p0 the rows are the type I error spent up to each look; the last row is the size.
        """
        eff = np.cumsum(self.stop_efficacy_by_look, axis=0)
        return np.vstack([eff, eff[-1:] + self.reject_final if len(eff) else self.reject_final[None, :]])

    @property
    def has_looks(self) -> bool:
        """True when the design can stop before ``n`` (PET and E[N] can vary with p)."""
        return len(self.looks) > 0

    def at(self, p: float) -> dict:
        """The characteristics at one rate of the grid (nearest grid point must equal ``p``)."""
        i = int(np.argmin(np.abs(self.p - p)))
        if abs(self.p[i] - p) > 1e-12:
            raise ValueError(f"p={p} is not on this curve's grid")
        return {
            "p": float(self.p[i]),
            "reject": float(self.reject[i]),
            "pet": float(self.pet[i]),
            "pet_futility": float(self.pet_futility[i]),
            "pet_efficacy": float(self.pet_efficacy[i]),
            "expected_n": float(self.expected_n[i]),
        }

    def to_frame(self):
        """One row per p: p, reject, pet, pet_futility, pet_efficacy, expected_n."""
        import pandas as pd

        return pd.DataFrame(
            {
                "p": self.p,
                "reject": self.reject,
                "pet": self.pet,
                "pet_futility": self.pet_futility,
                "pet_efficacy": self.pet_efficacy,
                "expected_n": self.expected_n,
            }
        )


def _as_mask(name: str, mask, size: int) -> np.ndarray:
    a = np.asarray(mask)
    if a.dtype != bool or a.shape != (size,):
        raise ValueError(f"{name} must be a boolean array of length {size}, got shape {a.shape}")
    return a


def multistage_oc(p, looks, n: int, futility, efficacy, final_reject) -> ExactOC:
    """Exact OCs of a multistage rule on the cumulative responders, over a grid of ``p``.

    Parameters
    ----------
    p : array_like of float
        True response rates in [0, 1].
    looks : sequence of int
        Patients evaluated at each interim look, strictly increasing in 1..n-1 (may be empty).
    n : int
        Maximum (final) sample size, 1 <= n <= :data:`N_MAX`.
    futility, efficacy : sequence of boolean arrays
        ``futility[k][x]`` (``efficacy[k][x]``) is True where x responders of ``looks[k]`` stop
        the trial for futility (for efficacy, rejecting H0). Futility wins where both are set.
    final_reject : boolean array of length n + 1
        ``final_reject[x]`` is True where x responders of n reject H0 at the final analysis.

    Returns
    -------
    ExactOC
    """
    pv = _check_grid(p)
    n = check_int("n", n, minimum=1)
    if n > N_MAX:
        raise ValueError(f"n must be <= {N_MAX} for exact enumeration, got {n}")
    looks = np.asarray(looks, dtype=np.int64).reshape(-1)
    if looks.size and (looks[0] < 1 or looks[-1] >= n or np.any(np.diff(looks) <= 0)):
        raise ValueError(f"looks must be strictly increasing in 1..{n - 1}, got {looks.tolist()}")
    if len(futility) != looks.size or len(efficacy) != looks.size:
        raise ValueError("futility and efficacy need one mask per look")
    final_reject = _as_mask("final_reject", final_reject, n + 1)
    k_looks = looks.size
    sf = np.zeros((k_looks, pv.size))
    se = np.zeros((k_looks, pv.size))
    counts = np.array([1.0])
    prev = 0
    for k, m in enumerate(np.append(looks, n)):
        counts = np.convolve(counts, comb(m - prev, np.arange(m - prev + 1)))
        prev = int(m)
        if k == k_looks:
            break
        fut = _as_mask(f"futility[{k}]", futility[k], m + 1)
        eff = _as_mask(f"efficacy[{k}]", efficacy[k], m + 1) & ~fut
        w = _weights(pv, int(m))
        sf[k] = w @ np.where(fut, counts, 0.0)
        se[k] = w @ np.where(eff, counts, 0.0)
        counts = np.where(fut | eff, 0.0, counts)
    w = _weights(pv, n)
    rej_final = w @ np.where(final_reject, counts, 0.0)
    running = w @ counts
    en = (sf + se).T @ looks.astype(float) + running * n if k_looks else np.full(pv.size, float(n))
    return ExactOC(
        p=pv,
        reject=np.clip(rej_final + se.sum(axis=0), 0.0, 1.0),
        pet=np.clip((sf + se).sum(axis=0), 0.0, 1.0),
        pet_futility=sf.sum(axis=0),
        pet_efficacy=se.sum(axis=0),
        expected_n=en,
        looks=looks,
        n=n,
        stop_futility_by_look=sf,
        stop_efficacy_by_look=se,
        reject_final=rej_final,
    )


def single_arm_oc(p, n: int, r: int) -> ExactOC:
    """One-stage exact test rejecting H0 when at least ``r`` of ``n`` respond."""
    n = check_int("n", n, minimum=1)
    r = check_int("r", r, minimum=0)
    return multistage_oc(p, [], n, [], [], np.arange(n + 1) >= r)


def simon_oc(p, r1: int, n1: int, r: int, n: int) -> ExactOC:
    """Simon two-stage design: stop after n1 if x1 <= r1; reject H0 if the total exceeds r."""
    n1 = check_int("n1", n1, minimum=1)
    n = check_int("n", n, minimum=n1 + 1)
    r1 = check_int("r1", r1, minimum=0)
    r = check_int("r", r, minimum=r1)
    if r1 >= n1 or r >= n:
        raise ValueError(f"need r1 < n1 and r < n, got r1={r1}, n1={n1}, r={r}, n={n}")
    fut = np.arange(n1 + 1) <= r1
    return multistage_oc(p, [n1], n, [fut], [np.zeros(n1 + 1, bool)], np.arange(n + 1) > r)


def pp_oc(p, design) -> ExactOC:
    """A :class:`simtrial.designs.interim.PPDesign` (predictive-probability looks)."""
    fut, eff = design.boundaries()
    return multistage_oc(p, design.looks, design.n, fut, eff, np.arange(design.n + 1) >= design.r_final)


def single_arm_table(n, p, p0: float, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact rejection probability of the one-stage test for every n and every p.

    Parameters
    ----------
    n : array_like of int
        Sample sizes.
    p : array_like of float
        True response rates.
    p0, alpha : float
        Null rate and one-sided level defining each n's critical value.

    Returns
    -------
    r : numpy.ndarray
        Critical values, shape (N,) (reject when at least r respond; n + 1 if never).
    reject : numpy.ndarray
        Rejection probabilities, shape (N, P).
    """
    from scipy import stats

    from .binomial import critical_value

    nv = np.atleast_1d(np.asarray(n))
    pv = _check_grid(p)
    r = critical_value(nv, p0, alpha)
    return r, stats.binom.sf(r[:, None] - 1, nv[:, None], pv[None, :])


@dataclass(frozen=True)
class NullSize:
    """Size of a two-arm rule over the null space p_A = p_B = p.

    Attributes
    ----------
    p : numpy.ndarray
        Common response rates of the grid.
    size : numpy.ndarray
        P(reject | p_A = p_B = p) on the grid.
    p_max : float
        Common rate at which the size is largest (refined between grid points).
    size_max : float
        The maximum size: the size of the test over the whole null space.
    """

    p: np.ndarray
    size: np.ndarray
    p_max: float
    size_max: float


def null_size(reject_table, p=None) -> NullSize:
    """Exact size of a two-arm rule at every common rate p_A = p_B, and its maximum.

    The size is a polynomial in p; its maximum is located on the grid and refined by bounded
    scalar optimisation between the neighbouring grid points.

    Parameters
    ----------
    reject_table : array_like of bool, shape (n_a + 1, n_b + 1)
        ``reject_table[x_a, x_b]``: the rule (e.g. :func:`simtrial.designs.fisher_rejection_table`).
    p : array_like of float, optional
        Grid of common rates; default 0, 0.001, ..., 1.
    """
    pv = p_grid(0.001) if p is None else _check_grid(p)
    size = two_arm_rejection_probability(reject_table, pv, pv)
    i = int(np.argmax(size))
    lo, hi = pv[max(i - 1, 0)], pv[min(i + 1, pv.size - 1)]
    p_best, s_best = float(pv[i]), float(size[i])
    if hi > lo:
        res = optimize.minimize_scalar(
            lambda t: -float(two_arm_rejection_probability(reject_table, t, t)),
            bounds=(lo, hi),
            method="bounded",
            options={"xatol": 1e-10},
        )
        if -res.fun > s_best:
            p_best, s_best = float(res.x), float(-res.fun)
    return NullSize(p=pv, size=size, p_max=p_best, size_max=s_best)


def check_alpha(name: str, alpha: float) -> float:
    """A one-sided level in (0, 0.5)."""
    alpha = check_probability(name, alpha)
    if alpha >= 0.5:
        raise ValueError(f"{name} must be < 0.5, got {alpha!r}")
    return alpha
