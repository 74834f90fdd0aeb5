"""Benchmark of the calibration: cold and warm wall time of the full study, and nutpie against
PyMC's own NUTS on the same model in effective samples per second.

Run ``python benchmarks/bench_calibration.py``; ``main()`` returns the figures as a dict for
``benchmarks/run_all.py``.

* cold: a fresh Python process with an empty PyTensor compile cache
  (``PYTENSOR_FLAGS=base_compiledir=<new temporary directory>``) runs ``experiment=calibrate``'s
  ``run`` with the default config (model build, compile, sampling, prior and predictive draws,
  posterior.nc, report.html); wall time of the whole process, imports included.
* warm: the same again with the now-filled cache.
* samplers: the default model, 2 chains x 1000 draws after 1000 tuning steps, each sampler's
  minimum bulk ESS over every variable divided by its sampling seconds (compile excluded) and by
  its total seconds (compile included).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_CHILD = "--study-child"


def _study_child(run_dir: str) -> None:
    """Run the calibration study once and print its headline figures as JSON."""
    import types

    import numpy as np

    from simtrial.calibration import CalibrationConfig
    from simtrial.studies import calibrate
    from simtrial.studies.context import RunContext

    cfg = types.SimpleNamespace(calibration=CalibrationConfig(), seed=20261123)
    out = calibrate.run(cfg, RunContext(Path(run_dir), np.random.SeedSequence(cfg.seed)))
    print(json.dumps({k: out[k] for k in ("max_rhat", "min_ess_bulk", "min_ess_tail", "divergences",
                                          "diagnostics_ok", "ppc_covered", "ppc_total", "wall_time_s")}))


def _timed_study(compiledir: str) -> dict:
    env = dict(os.environ, PYTENSOR_FLAGS=f"base_compiledir={compiledir}")
    with tempfile.TemporaryDirectory(prefix="simtrial-bench-run-") as run_dir:
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, __file__, _CHILD, run_dir], env=env, capture_output=True,
                              text=True, check=True)
        wall = time.perf_counter() - t0
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    return {"process_wall_s": wall} | figures


def _sampler_speed(draws: int = 1000, tune: int = 1000, seed: int = 1) -> dict:
    import numpy as np

    from simtrial.calibration import CalibrationConfig
    from simtrial.calibration.data import published_data
    from simtrial.calibration.diagnostics import diagnose
    from simtrial.calibration.fit import sample
    from simtrial.calibration.model import build_model
    from simtrial.calibration.priors import get_prior

    out = {}
    for sampler in ("nutpie", "pymc"):
        model = build_model(published_data(), get_prior("default"))
        cfg = CalibrationConfig(sampler=sampler, draws=draws, tune=tune)
        t0 = time.perf_counter()
        tree = sample(model, cfg, seed)
        total = time.perf_counter() - t0
        sampling = float(tree["posterior"].attrs.get("sampling_time", np.nan))
        d = diagnose(tree)
        out[sampler] = {"total_s": total, "sampling_s": sampling, "min_ess_bulk": d.min_ess_bulk,
                        "min_ess_tail": d.min_ess_tail, "max_rhat": d.max_rhat, "divergences": d.divergences,
                        "ess_per_s_sampling": d.min_ess_bulk / sampling, "ess_per_s_total": d.min_ess_bulk / total}
    return out


def main() -> dict:
    """Cold and warm study wall times and the sampler comparison."""
    with tempfile.TemporaryDirectory(prefix="simtrial-bench-pytensor-") as compiledir:
        cold = _timed_study(compiledir)
        warm = _timed_study(compiledir)
    samplers = _sampler_speed()
    result = {
        "benchmark": "calibration",
        "cold_wall_s": cold["process_wall_s"],
        "warm_wall_s": warm["process_wall_s"],
        "cold": cold,
        "warm": warm,
        "samplers": samplers,
        "nutpie_vs_pymc_ess_per_s": samplers["nutpie"]["ess_per_s_sampling"] / samplers["pymc"]["ess_per_s_sampling"],
        "cpu_count": os.cpu_count(),
    }
    print(f"calibration cold (empty PyTensor cache): {result['cold_wall_s']:.1f} s; warm: {result['warm_wall_s']:.1f} s")
    for name, s in samplers.items():
        print(f"{name:7s}: min bulk ESS {s['min_ess_bulk']:.0f} in {s['sampling_s']:.1f} s sampling "
              f"({s['ess_per_s_sampling']:.1f} ESS/s), {s['total_s']:.1f} s with compilation "
              f"({s['ess_per_s_total']:.1f} ESS/s); {s['divergences']} divergences, max r-hat {s['max_rhat']:.3f}")
    print(f"nutpie / PyMC NUTS, ESS per sampling second: {result['nutpie_vs_pymc_ess_per_s']:.1f}x")
    return result


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == _CHILD:
        _study_child(sys.argv[2])
    else:
        print(json.dumps(main(), indent=1, default=float))
