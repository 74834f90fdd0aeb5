"""Bayesian two-arm rule: posterior probability that arm B beats arm A.

Independent priors p_A ~ Beta(a_A, b_A), p_B ~ Beta(a_B, b_B); after x_a of n_a and
x_b of n_b responders the posteriors are Beta(alpha_A, beta_A) and Beta(alpha_B, beta_B)
with alpha = a + x, beta = b + n - x. When alpha_B is an integer,

    P(p_B > p_A) = sum_{i=0}^{alpha_B - 1} B(alpha_A + i, beta_A + beta_B)
                   / ((beta_B + i) B(1 + i, beta_B) B(alpha_A, beta_A))

(the complement of the classical sum for P(p_A > p_B); see e.g. Cook JD, "Exact
calculation of beta inequalities", UT MD Anderson Biostatistics Tech Rep 54, 2005).
Otherwise the one-dimensional integral int f_A(t) P(p_B > t) dt is evaluated by adaptive
quadrature. The rule "declare B superior if P(p_B > p_A | data) > threshold" is a lookup
table over all outcomes; its exact operating characteristics follow by enumeration.
"""

from __future__ import annotations

import numpy as np
from scipy import integrate
from scipy.special import betaincc, betaln

from ._validation import check_int, check_positive, check_probability
from .two_arm import rejection_probability

__all__ = ["prob_b_greater", "posterior_prob_table", "bayes_rejection_table", "bayes_power"]


def _closed_form(aa, ba, ab, bb) -> np.ndarray:
    """Sum formula, valid for integer ``ab``; inputs broadcast to a common shape."""
    aa, ba, ab, bb = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (aa, ba, ab, bb)))
    k = int(ab.max())
    i = np.arange(k).reshape((1,) * aa.ndim + (k,))
    e = lambda v: v[..., None]  # noqa: E731
    logt = (
        betaln(e(aa) + i, e(ba) + e(bb))
        - np.log(e(bb) + i)
        - betaln(1 + i, e(bb))
        - betaln(e(aa), e(ba))
    )
    terms = np.where(i < e(ab), np.exp(logt), 0.0)
    return np.clip(terms.sum(axis=-1), 0.0, 1.0)


def _quadrature(aa, ba, ab, bb) -> np.ndarray:
    aa, ba, ab, bb = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (aa, ba, ab, bb)))
    out = np.empty(aa.shape)
    for idx in np.ndindex(aa.shape):
        a1, b1, a2, b2 = aa[idx], ba[idx], ab[idx], bb[idx]
        lognorm = betaln(a1, b1)

        def integrand(t, a1=a1, b1=b1, a2=a2, b2=b2, lognorm=lognorm):
            dens = np.exp((a1 - 1) * np.log(t) + (b1 - 1) * np.log1p(-t) - lognorm)
            return dens * betaincc(a2, b2, t)

        val, _ = integrate.quad(integrand, 0.0, 1.0, epsabs=1e-13, epsrel=1e-11, limit=200)
        out[idx] = val
    return np.clip(out, 0.0, 1.0)


def prob_b_greater(x_a, n_a, x_b, n_b, prior_a=(1.0, 1.0), prior_b=(1.0, 1.0), method: str = "auto") -> np.ndarray:
    """Exact P(p_B > p_A | data), vectorised over the counts.

    Parameters
    ----------
    x_a, n_a, x_b, n_b : array_like of int
        Responders and patients in arms A and B (broadcast together).
    prior_a, prior_b : tuple of float
        Beta (a, b) prior parameters for each arm.
    method : {"auto", "sum", "quad"}
        ``"sum"`` needs an integer a_A or a_B (the sum runs over that arm's posterior
        alpha; P(p_B > p_A) = 1 - P(p_A > p_B) by continuity); ``"auto"`` uses it when
        possible and quadrature otherwise.
    """
    if method not in ("auto", "sum", "quad"):
        raise ValueError(f"method must be 'auto', 'sum' or 'quad', got {method!r}")
    a_a, b_a = (check_positive(f"prior_a[{j}]", v) for j, v in enumerate(prior_a))
    a_b, b_b = (check_positive(f"prior_b[{j}]", v) for j, v in enumerate(prior_b))
    xa, na, xb, nb = np.broadcast_arrays(*(np.asarray(v) for v in (x_a, n_a, x_b, n_b)))
    for name, x, n in (("x_a", xa, na), ("x_b", xb, nb)):
        if x.dtype.kind not in "iu" or n.dtype.kind not in "iu" or np.any(x < 0) or np.any(x > n):
            raise ValueError(f"{name} must be integers between 0 and its arm size")
    args = (a_a + xa, b_a + na - xa, a_b + xb, b_b + nb - xb)
    integer_b = float(a_b).is_integer()
    integer_a = float(a_a).is_integer()
    if method == "sum" and not (integer_a or integer_b):
        raise ValueError(f"method='sum' needs an integer prior_a[0] or prior_b[0], got {a_a}, {a_b}")
    if method == "quad" or not (integer_a or integer_b):
        return _quadrature(*args)
    if integer_b:
        return _closed_form(*args)
    # P(p_B > p_A) = 1 - P(p_A > p_B): the sum over the integer alpha_A
    return 1.0 - _closed_form(args[2], args[3], args[0], args[1])


def posterior_prob_table(n_a: int, n_b: int, prior_a=(1.0, 1.0), prior_b=(1.0, 1.0)) -> np.ndarray:
    """Table ``post[x_a, x_b] = P(p_B > p_A | x_a of n_a, x_b of n_b)``."""
    n_a = check_int("n_a", n_a, minimum=1)
    n_b = check_int("n_b", n_b, minimum=1)
    xa = np.arange(n_a + 1)[:, None]
    xb = np.arange(n_b + 1)[None, :]
    return prob_b_greater(xa, n_a, xb, n_b, prior_a, prior_b)


def bayes_rejection_table(n_a: int, n_b: int, threshold: float, prior_a=(1.0, 1.0), prior_b=(1.0, 1.0)) -> np.ndarray:
    """Boolean table: declare B superior where P(p_B > p_A | data) > threshold."""
    threshold = check_probability("threshold", threshold)
    return posterior_prob_table(n_a, n_b, prior_a, prior_b) > threshold


def bayes_power(p_a, p_b, n_a: int, n_b: int, threshold: float, prior_a=(1.0, 1.0), prior_b=(1.0, 1.0)) -> np.ndarray:
    """Exact probability of declaring B superior at true rates (p_a, p_b), by enumeration."""
    table = bayes_rejection_table(n_a, n_b, threshold, prior_a, prior_b)
    return rejection_probability(table, p_a, p_b)
