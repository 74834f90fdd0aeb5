"""Speed of the exact design searches (Simon two-stage up to n = 80)."""

from __future__ import annotations

import time

from simtrial.designs import simon


def main() -> dict:
    t0 = time.perf_counter()
    simon.simon_search(0.3, 0.5, 0.05, 0.9, n_max=80)
    seconds = time.perf_counter() - t0
    figures = {"simon_search_n80_s": round(seconds, 3)}
    print(f"Simon optimal search (p0 0.3, p1 0.5, alpha 0.05, power 0.9, n <= 80): {seconds:.3f} s")
    return figures


if __name__ == "__main__":
    main()
