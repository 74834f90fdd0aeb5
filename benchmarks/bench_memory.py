"""Peak memory of a 10,000-replicate study against a 1,000-replicate one.

Goal (hardening issue): results are streamed chunk by chunk, so memory does not grow with the
number of replicates beyond the small per-replicate result arrays. Each run is a separate
process that reports its own peak resident set size (``VmHWM`` of ``/proc/self/status``; the
``ru_maxrss`` a parent sees after fork and exec can carry the parent's own peak).
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


#: Runs simtrial as ``python -m simtrial`` would and writes the process's peak RSS (kB) at exit.
_WRAPPER = """
import atexit, os, runpy, sys
def _report():
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM:'):
            open(os.environ['SIMTRIAL_PEAK_FILE'], 'w').write(line.split()[1])
atexit.register(_report)
sys.argv = ['simtrial'] + sys.argv[1:]
runpy.run_module('simtrial', run_name='__main__', alter_sys=True)
"""


def _peak_mb(replicates: int, results: Path) -> tuple[float, float]:
    peak_file = results.parent / f"peak_{replicates}.txt"
    env = {**os.environ, "SIMTRIAL_RESULTS": str(results), "SIMTRIAL_PEAK_FILE": str(peak_file)}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _WRAPPER, *ARGS, f"simulation.replicates={replicates}"],
                          cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    return int(peak_file.read_text()) / 1024, time.perf_counter() - t0


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
