"""The run lifecycle behind ``python -m simtrial``: validate, run the study, record the outcome.

A run directory always ends in one of two states: ``summary.json`` with ``status: ok`` written
last and atomically after every artefact, or ``status: failed`` with the error. A config that
fails validation leaves no run directory at all.
"""

from __future__ import annotations

import importlib
import logging
import os
import shutil
import signal
import sys
import threading
import time
import traceback
from pathlib import Path

import numpy as np
from omegaconf import DictConfig, OmegaConf

from simtrial import atomic
from simtrial.config.errors import ConfigError
from simtrial.config.validate import validate_config
from simtrial.provenance import now, provenance
from simtrial.studies.context import RunContext

log = logging.getLogger("simtrial")

#: Exit status for invalid input (config, data, posterior) and for a failed study.
EXIT_BAD_INPUT = 2
EXIT_FAILED = 1


def _hydra_info() -> tuple[Path, str, str, bool]:
    """(run directory, experiment name, job name, is multirun) from Hydra's runtime config."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    hc = HydraConfig.get()
    experiment = hc.runtime.choices.get("experiment") or "none"
    return Path(hc.runtime.output_dir), str(experiment), hc.job.name, hc.mode == RunMode.MULTIRUN


def _remove_run_dir(run_dir: Path, results_root: Path) -> None:
    """Remove a run directory that holds no result (only Hydra's bookkeeping), and empty parents."""
    if (run_dir / "summary.json").exists():
        return
    shutil.rmtree(run_dir, ignore_errors=True)
    parent = run_dir.parent
    root = results_root.resolve()
    while parent.resolve() != root and root in parent.resolve().parents:
        try:
            parent.rmdir()
        except OSError:
            break
        parent = parent.parent


def _existing_ok(run_dir: Path) -> dict | None:
    import json

    path = run_dir / "summary.json"
    if not path.exists():
        return None
    try:
        summary = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return summary if summary.get("status") == "ok" else None


class Terminated(Exception):
    """The run received SIGTERM (e.g. a cluster's time limit or scancel)."""


def _raise_terminated(signum, frame):
    raise Terminated(f"terminated by signal {signal.Signals(signum).name}")


def fail(message: str, status: int = EXIT_BAD_INPUT) -> "NoReturn":  # noqa: F821
    """Print one clear message to stderr and exit non-zero."""
    sys.stderr.write(f"simtrial: error: {message}\n")
    sys.stderr.flush()
    raise SystemExit(status)


def run(cfg: DictConfig) -> dict:
    """Validate ``cfg``, run its study in the Hydra run directory and write ``summary.json``."""
    run_dir, experiment, _, multirun = _hydra_info()
    results_root = Path(str(cfg.paths.results))
    try:
        config = validate_config(cfg)
    except ConfigError as exc:
        _remove_run_dir(run_dir, results_root)
        fail(f"invalid config: {exc}")

    if multirun and config.run.resume:
        previous = _existing_ok(run_dir)
        if previous is not None:
            log.info("job %s: already ok, skipped (run.resume=true)", run_dir.name)
            return previous

    try:
        study = importlib.import_module(f"simtrial.studies.{config.study}")
    except ModuleNotFoundError:
        from simtrial.studies import available_studies

        _remove_run_dir(run_dir, results_root)
        fail(f"invalid config: study: unknown study {config.study!r}; available: {available_studies()}")
    check = getattr(study, "check_config", None)  # checks across config groups, before the run starts
    if check is not None:
        try:
            check(config)
        except (ConfigError, ValueError, FileNotFoundError) as exc:
            _remove_run_dir(run_dir, results_root)
            fail(f"invalid config: {exc}")

    summary = {
        "status": "running",
        "experiment": experiment,
        "study": config.study,
        "seed": int(config.seed),
        **provenance(),
        "started": now(),
        "finished": None,
        "overrides": _overrides(),
        "pid": os.getpid(),
    }
    atomic.write_text(run_dir / "config.yaml", OmegaConf.to_yaml(cfg, resolve=True))
    (run_dir / "summary.json").unlink(missing_ok=True)
    atomic.write_json(run_dir / "summary.json", summary)
    log.info("run %s: study %s started (seed %s)", run_dir, config.study, config.seed)
    ctx = RunContext(
        run_dir=run_dir,
        seed=np.random.SeedSequence(int(config.seed)),
        log=log,
        progress_enabled=bool(config.run.progress) and not multirun and sys.stderr.isatty(),
    )
    t0 = time.perf_counter()
    previous_handler = None
    if threading.current_thread() is threading.main_thread():
        previous_handler = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        figures = study.run(config, ctx)
    except (ConfigError, ValueError, FileNotFoundError, OSError) as exc:
        _record_failure(summary, run_dir, t0, error=f"{type(exc).__name__}: {exc}")
        if multirun:
            log.error("job %s failed: %s", run_dir.name, exc)
            return summary
        fail(str(exc), EXIT_BAD_INPUT if isinstance(exc, (ConfigError, ValueError, FileNotFoundError)) else EXIT_FAILED)
    except Terminated as exc:
        _record_failure(summary, run_dir, t0, error=str(exc))
        fail(f"{exc}; {run_dir / 'summary.json'} records the run as failed", 128 + signal.SIGTERM)
    except BaseException as exc:
        _record_failure(summary, run_dir, t0, error=f"{type(exc).__name__}: {exc}",
                        traceback=traceback.format_exc())
        if multirun and isinstance(exc, Exception):
            log.error("job %s failed: %s", run_dir.name, exc)
            return summary
        raise
    finally:
        if previous_handler is not None:
            signal.signal(signal.SIGTERM, previous_handler)
    summary.update(figures or {})
    try:
        _finish(summary, run_dir, "ok", t0)
    except (OSError, ValueError) as exc:
        _record_failure(summary, run_dir, t0, error=f"{type(exc).__name__}: {exc}")
        if multirun:
            return summary
        fail(f"could not write the run's summary: {exc}", EXIT_FAILED)
    log.info("run %s: ok in %.1f s", run_dir, summary["wall_time_s"])
    print(f"simtrial: {experiment} finished: {run_dir / 'summary.json'}")
    return summary


def _overrides() -> list[str]:
    from hydra.core.hydra_config import HydraConfig

    return list(HydraConfig.get().overrides.task)


def _record_failure(summary: dict, run_dir: Path, t0: float, **extra) -> None:
    """Mark the run failed; if even that cannot be written (a full disk), make sure no
    summary.json is left that could be read as ok, and say so in the log."""
    try:
        _finish(summary, run_dir, "failed", t0, **extra)
    except (OSError, ValueError) as exc:
        log.error("could not record the failure in %s: %s", run_dir / "summary.json", exc)
        try:
            (run_dir / "summary.json").unlink(missing_ok=True)
        except OSError:
            pass


def _finish(summary: dict, run_dir: Path, status: str, t0: float, **extra) -> None:
    summary.update(extra)
    summary["status"] = status
    summary["finished"] = now()
    summary["wall_time_s"] = round(time.perf_counter() - t0, 3)
    try:
        atomic.write_json(run_dir / "summary.json", summary)
    except ValueError as exc:  # a NaN among the figures: never write it, record the failure
        keep = {"status", "experiment", "study", "seed", "started", "package_version", "git_sha", "versions"}
        bad = {k: v for k, v in summary.items() if k in keep}
        bad.update(status="failed", finished=now(), error=f"non-finite figure in summary: {exc}")
        atomic.write_json(run_dir / "summary.json", bad)
        if status == "ok":
            raise ValueError(f"a figure is not finite (NaN or infinity): {exc}") from None
