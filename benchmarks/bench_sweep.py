"""Wall time of the sample_size sweep on the joblib launcher with 1 and 2 workers.

Runs ``python -m simtrial -m experiment=sample_size hydra/launcher=joblib
hydra.launcher.n_jobs=K`` for K = 1 and 2 into temporary directories (report included) and
prints the times and the speed-up. ``main()`` returns them as a dict. Needs 2 free cores.

    .venv/bin/python benchmarks/bench_sweep.py [extra overrides...]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_sweep(workers: int, extra: list[str]) -> float:
    """Seconds for one sweep with ``workers`` joblib workers; raises if it fails."""
    with tempfile.TemporaryDirectory(prefix="simtrial-bench-sweep-") as results:
        env = {**os.environ, "SIMTRIAL_RESULTS": results}
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "simtrial", "-m", "experiment=sample_size",
                               "hydra/launcher=joblib", f"hydra.launcher.n_jobs={workers}", *extra],
                              cwd=REPO, env=env, capture_output=True, text=True)
        elapsed = time.perf_counter() - t0
        if proc.returncode != 0 or "jobs ok" not in proc.stdout:
            raise RuntimeError(f"sweep with {workers} worker(s) failed:\n{proc.stderr[-2000:]}")
        if not list(Path(results).glob("sample_size/multirun/*/design_report.html")):
            raise RuntimeError("the sweep wrote no design_report.html")
    return elapsed


def main(extra: list[str] | None = None) -> dict:
    """Time the sweep with 1 and 2 workers; return seconds and the speed-up."""
    extra = list(extra or [])
    one = run_sweep(1, extra)
    two = run_sweep(2, extra)
    result = {"sweep": "experiment=sample_size (24 jobs x 4000 replicates, report)", "workers_1_s": round(one, 1),
              "workers_2_s": round(two, 1), "speedup": round(one / two, 2), "cpus": os.cpu_count()}
    print(f"sample_size sweep, joblib: 1 worker {one:.1f} s, 2 workers {two:.1f} s, "
          f"speed-up {one / two:.2f}x (target >= 1.7x)")
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
