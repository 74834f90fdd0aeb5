"""Run ``python -m simtrial`` as a user would, with results under a temporary directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def run_simtrial(args: list[str], results: Path, timeout: float = 600, env: dict | None = None,
                 cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run simtrial in a subprocess; returns the completed process (text output)."""
    full_env = {**os.environ, "SIMTRIAL_RESULTS": str(results), "HYDRA_FULL_ERROR": "0"}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "simtrial", *args], capture_output=True, text=True,
                          timeout=timeout, env=full_env, cwd=cwd or REPO)


def run_dirs(results: Path) -> list[Path]:
    """Every directory under ``results`` that holds a summary.json."""
    return sorted(p.parent for p in Path(results).rglob("summary.json"))


def summaries(results: Path) -> list[dict]:
    return [json.loads((d / "summary.json").read_text()) for d in run_dirs(results)]


def ok_runs(results: Path) -> list[dict]:
    return [s for s in summaries(results) if s.get("status") == "ok"]


def run_in_process(args: list[str], run_dir: Path) -> dict:
    """Compose and validate ``args`` as the entry point does and run the study in this process
    (no Hydra run directory, no subprocess); returns the study's figures."""
    import importlib

    import numpy as np

    from simtrial.config.commandline import compose_config
    from simtrial.config.validate import validate_config
    from simtrial.studies.context import RunContext

    config = validate_config(compose_config(args))
    study = importlib.import_module(f"simtrial.studies.{config.study}")
    run_dir.mkdir(parents=True, exist_ok=True)
    return study.run(config, RunContext(run_dir=run_dir, seed=np.random.SeedSequence(int(config.seed))))
