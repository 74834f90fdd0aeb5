"""Start-up and small-run cost of the command line (issue 12, item 5).

Figures (wall time, median of ``REPEATS`` runs in fresh processes, with the machine's 1-minute
load average beside them: on a shared machine the load, not simtrial, dominates):

* ``help_s``: ``python -m simtrial --help`` (goal < 1.5 s);
* ``import_config_s``: importing the CLI's config schemas (``simtrial.config.store``);
* ``heavy_modules_after_config_import``: which of PyMC, PyTensor, scipy, pandas, xarray and
  matplotlib that import pulls in (goal: none);
* ``posterior_load_imports_pymc``: whether loading the packaged posterior imports PyMC (goal: no);
* ``parametric_1000_s``: ``python -m simtrial experiment=single_arm simulation.replicates=1000``
  end to end, run directory and plots included (goal < 3 s).

Run: ``python benchmarks/bench_startup.py`` (or ``make bench``).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPEATS = 3
HEAVY = ("pymc", "pytensor", "scipy", "pandas", "xarray", "matplotlib")


def _env(results: str | None = None) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    if results:
        env["SIMTRIAL_RESULTS"] = results
    return env


def _wall(args: list[str], env: dict, cwd: Path = ROOT) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, cwd=cwd)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {proc.stderr[-1000:]}")
    return wall


def _median(args: list[str], env: dict) -> float:
    return statistics.median(_wall(args, env) for _ in range(REPEATS))


def _modules_after(code: str) -> list[str]:
    probe = f"{code}\nimport sys\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=_env(), cwd=ROOT)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-1000:])
    return [m for m in out.stdout.strip().split(",") if m]


def main() -> dict:
    load = os.getloadavg()[0]
    figures = {"load_average_1min": round(load, 2), "cores": os.cpu_count()}
    figures["help_s"] = round(_median(["-m", "simtrial", "--help"], _env()), 3)
    figures["import_config_s"] = round(_median(["-c", "import simtrial.config.store"], _env()), 3)
    figures["heavy_modules_after_config_import"] = _modules_after("import simtrial.config.store") or "none"
    pymc = "pymc" in _modules_after("from simtrial.calibration import load_posterior\nload_posterior('packaged')")
    figures["posterior_load_imports_pymc"] = pymc
    with tempfile.TemporaryDirectory() as tmp:
        figures["parametric_1000_s"] = round(_median(
            ["-m", "simtrial", "experiment=single_arm", "simulation.replicates=1000"], _env(tmp)), 3)
    for key, value in figures.items():
        print(f"{key:38s} {value}")
    return figures


if __name__ == "__main__":
    main()
