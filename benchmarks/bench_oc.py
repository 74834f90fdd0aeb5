"""Speed of the exact OC tables: n = 10..80 by a fine p grid (target: each well under 1 s).

Run: PYTHONPATH=$PWD python benchmarks/bench_oc.py
"""

from __future__ import annotations

import time

import numpy as np

from simtrial.designs import oc
from simtrial.designs.fisher import fisher_rejection_table
from simtrial.designs.bayes_two_arm import bayes_rejection_table
from simtrial.designs.two_arm import rejection_probability
from simtrial.trial.interim import single_arm_pp_design

NS = np.arange(10, 81)
GRID = oc.p_grid(0.005)  # 201 rates


def _time(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def single_arm():
    oc.single_arm_table(NS, GRID, 0.2, 0.05)


def pp_looks():
    for n in NS:
        oc.pp_oc(GRID, single_arm_pp_design(int(n), (0.5,), 0.2, 0.05, 0.05, 0.99))


def simon_designs():
    # one fixed-proportion two-stage design per n (r1/n1 = 20%/40% of n, r = exact critical value)
    for n in NS:
        n1 = int(round(0.4 * n))
        oc.simon_oc(GRID, int(0.2 * n1), n1, int(0.3 * n), int(n))


def fisher_tables():
    for n in NS:
        t = fisher_rejection_table(int(n), int(n), 0.05, "greater")
        rejection_probability(t, 0.2, GRID)


def bayes_tables():
    for n in NS[::10]:
        t = bayes_rejection_table(int(n), int(n), 0.95)
        rejection_probability(t, 0.2, GRID)


def main() -> dict:
    figures = {}
    for name, fn in [("single_arm", single_arm), ("simon", simon_designs), ("pp_one_look", pp_looks),
                     ("fisher", fisher_tables), ("bayes_two_arm_every_10th_n", bayes_tables)]:
        s = _time(fn)
        figures[f"oc_table_{name}_s"] = round(s, 3)
        print(f"exact OC table {name:28s} n = 10..80 x {GRID.size} rates: {s:.3f} s")
    return figures


if __name__ == "__main__":
    main()
