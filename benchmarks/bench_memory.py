"""Peak memory of a 10,000-replicate study against a 1,000-replicate one.

Goal (hardening issue): results are streamed chunk by chunk, so memory does not grow with the
number of replicates beyond the small per-replicate result arrays. Each run is a separate
process; its peak resident set size comes from ``wait4``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ARGS = ["experiment=sequencing", "design.n_per_arm=40", "scenario=fixed"]


def _peak_mb(replicates: int, results: Path) -> tuple[float, float]:
    env = {**os.environ, "SIMTRIAL_RESULTS": str(results)}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "simtrial", *ARGS, f"simulation.replicates={replicates}"],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.read().decode()[-2000:])
    return usage.ru_maxrss / 1024, time.perf_counter() - t0


def main() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        small, t_small = _peak_mb(1_000, Path(tmp) / "a")
        large, t_large = _peak_mb(10_000, Path(tmp) / "b")
    figures = {"peak_rss_1000_replicates_mb": round(small, 1), "peak_rss_10000_replicates_mb": round(large, 1),
               "growth_mb": round(large - small, 1), "wall_1000_s": round(t_small, 1), "wall_10000_s": round(t_large, 1)}
    print(f"sequencing, 40/arm, fixed scenario: peak RSS {small:.0f} MB at 1,000 replicates, "
          f"{large:.0f} MB at 10,000 ({large - small:+.0f} MB)")
    return figures


if __name__ == "__main__":
    main()
