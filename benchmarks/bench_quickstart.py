"""`make run`'s study, cold: the full quickstart (figures, calibration with an empty PyTensor
compile cache, a 1,000-trial simulation under the fresh posterior). Budget: 3 minutes on 2 cores."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "SIMTRIAL_RESULTS": str(Path(tmp) / "results"),
               "PYTENSOR_FLAGS": f"base_compiledir={Path(tmp) / 'pytensor'}"}
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "simtrial", "experiment=quickstart"], cwd=REPO, env=env,
                              capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr[-2000:])
        summary = json.loads(next((Path(tmp) / "results").rglob("summary.json")).read_text())
    figures = {"quickstart_cold_s": round(wall, 1), "budget_s": 180, "within_budget": wall < 180,
               "calibration_ok": summary["calibration"]["diagnostics_ok"],
               "assurance": summary["simulation"]["assurance"]}
    print(f"quickstart, cold compile cache: {wall:.0f} s (budget 180 s)")
    return figures


if __name__ == "__main__":
    main()
