"""Speed of the group-sequential boundaries (issue 17: 5 looks in < 50 ms) and of the exact OCs."""

from __future__ import annotations

import time

import numpy as np

from simtrial.designs.group_sequential import GroupSequentialDesign
from simtrial.designs.group_sequential.rates import GroupSequentialRates


def _best(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> dict:
    t = np.linspace(0.2, 1.0, 5)
    GroupSequentialDesign(t)  # imports and caches warm
    cases = {
        "gs_5looks_asOF_ms": dict(type_of_design="asOF"),
        "gs_5looks_asHSD_ms": dict(type_of_design="asHSD", gamma_a=-4),
        "gs_5looks_WT_ms": dict(type_of_design="WT", delta_wt=0.25),
        "gs_5looks_asOF_bsP_nonbinding_ms": dict(type_of_design="asOF", type_beta_spending="bsP"),
        "gs_5looks_asOF_bsP_binding_ms": dict(type_of_design="asOF", type_beta_spending="bsP", binding_futility=True),
    }
    figures = {}
    for name, kw in cases.items():
        figures[name] = round(1e3 * _best(lambda: GroupSequentialDesign(t, **kw)), 2)
        print(f"boundaries, 5 looks, {kw}: {figures[name]:.1f} ms")
    d = GroupSequentialDesign(t)
    figures["gs_exact_two_arm_n200_5looks_ms"] = round(
        1e3 * _best(lambda: GroupSequentialRates(d, n_max=200, pi1=0.65, pi2=0.4).exact()), 2)
    print(f"exact binomial OCs, two arms, 100 per arm, 5 looks: {figures['gs_exact_two_arm_n200_5looks_ms']:.1f} ms")
    return figures


if __name__ == "__main__":
    main()
