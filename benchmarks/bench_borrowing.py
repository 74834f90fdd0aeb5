"""Speed of the exact MAP-prior design calculations (issue 17: an OC curve over 100 true rates at
n = 40 in < 1 s).

The prior is RBesT's "getting started" MAP mixture robustified with weight 0.2; the design
succeeds when P(p > 0.2 | data) > 0.95. Timed: building the design (posterior probabilities
of all 41 outcomes, the critical count) plus its exact OC curve at 100 true rates; also the
ELIR ESS of the robust prior and the quadrature MAP of the 8 AS studies.
"""

from __future__ import annotations

import time

import numpy as np

from simtrial.borrowing import BetaMixture, BorrowingDesign, ess


def _best_of(f, repeats: int = 5) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> dict:
    prior = BetaMixture([0.6167463, 0.3832537], [19.1916387, 3.5278745], [57.7779318, 9.3735980]).robustify(0.2)
    theta = np.linspace(0.01, 0.99, 100)

    def oc_curve():
        BorrowingDesign(prior, n=40, p0=0.2, threshold=0.95).oc(theta)

    oc_s = _best_of(oc_curve)
    ess_s = _best_of(lambda: ess(prior), repeats=3)
    from simtrial.calibration.meta_analytic import map_quadrature
    from simtrial.borrowing.historical import HistoricalStudy

    studies = [HistoricalStudy(f"s{i}", n, r) for i, (n, r) in enumerate(
        [(107, 23), (44, 12), (51, 19), (39, 9), (139, 39), (20, 6), (78, 9), (35, 10)])]
    quad_s = _best_of(lambda: map_quadrature(studies), repeats=1)
    figures = {"map_oc_curve_100_rates_n40_s": round(oc_s, 4), "elir_ess_robust_map_s": round(ess_s, 4),
               "map_quadrature_8_studies_s": round(quad_s, 3)}
    print(f"Exact OC curve of a robust-MAP design, 100 true rates, n = 40: {oc_s * 1000:.1f} ms (target < 1 s)")
    print(f"ELIR ESS of the robust MAP prior: {ess_s * 1000:.1f} ms")
    print(f"MAP by quadrature, 8 studies: {quad_s:.2f} s")
    return figures


if __name__ == "__main__":
    main()
