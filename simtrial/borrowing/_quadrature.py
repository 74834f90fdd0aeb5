"""A vectorised adaptive quadrature: every interval's nodes are evaluated in one call.

Each interval is integrated by 10- and 20-point Gauss-Legendre rules; intervals whose two
estimates disagree by more than their share of the tolerance are halved. With integrands
that are numpy functions this is far faster than ``scipy.integrate.quad``'s scalar calls,
at the same accuracy for the smooth, bounded integrands used here (the tests compare it
with ``quad``).
"""

from __future__ import annotations

import numpy as np

_X10, _W10 = np.polynomial.legendre.leggauss(10)
_X20, _W20 = np.polynomial.legendre.leggauss(20)


def adaptive_integrate(f, a: float, b: float, *, abstol: float = 1e-11, reltol: float = 1e-10,
                       initial: int = 32, max_rounds: int = 40) -> float:
    """Integral of the vectorised ``f`` over [a, b]."""
    lo = np.linspace(a, b, initial + 1)[:-1]
    hi = lo + (b - a) / initial
    done = 0.0
    for _ in range(max_rounds):
        mid, half = (lo + hi) / 2, (hi - lo) / 2
        v10 = (f((mid[:, None] + half[:, None] * _X10).ravel()).reshape(-1, 10) @ _W10) * half
        v20 = (f((mid[:, None] + half[:, None] * _X20).ravel()).reshape(-1, 20) @ _W20) * half
        estimate = done + v20.sum()
        ok = np.abs(v20 - v10) <= max(abstol, reltol * abs(estimate)) * (hi - lo) / (b - a)
        ok |= np.abs(v20 - v10) <= 64 * np.finfo(float).eps * np.abs(v20)  # roundoff level
        ok |= half < 1e-9 * (b - a)
        if (~ok).sum() > 4096:  # give up refining; the 20-point values are kept
            ok[:] = True
        done += v20[ok].sum()
        if ok.all():
            return float(done)
        lo, hi, mid = lo[~ok], hi[~ok], mid[~ok]
        lo, hi = np.concatenate([lo, mid]), np.concatenate([mid, hi])
    mid, half = (lo + hi) / 2, (hi - lo) / 2
    return float(done + np.sum((f((mid[:, None] + half[:, None] * _X20).ravel()).reshape(-1, 20) @ _W20) * half))
