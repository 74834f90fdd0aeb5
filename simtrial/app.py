"""The run lifecycle behind ``python -m simtrial``: validate, run the study, record the outcome.

A run directory always ends in one of two states: ``summary.json`` with ``status: ok`` written
last and atomically after every artefact, or ``status: failed`` with the error. A config that
fails validation is refused before Hydra creates anything (:mod:`simtrial.preflight`); should a
run still be refused here, only what this run created is removed (:func:`remove_run_dir`).
"""

from __future__ import annotations

import importlib
import logging
import os
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
#: Exit status after Ctrl-C (128 + SIGINT), as a shell reports it.
EXIT_INTERRUPTED = 130


def _hydra_info() -> tuple[Path, str, str, bool]:
    """(run directory, experiment name, job name, is multirun) from Hydra's runtime config."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    hc = HydraConfig.get()
    experiment = hc.runtime.choices.get("experiment") or "none"
    return Path(hc.runtime.output_dir), str(experiment), hc.job.name, hc.mode == RunMode.MULTIRUN


#: What Hydra writes into a run directory before the task starts (``<job name>.log`` aside).
_HYDRA_FILES = ("config.yaml", "hydra.yaml", "overrides.yaml")


def remove_run_dir(run_dir: Path, job_name: str = "__main__", created: list[Path] | None = None) -> None:
    """Undo a run that produced nothing: remove only what Hydra and this process created.

    Hydra's bookkeeping (``.hydra/{config,hydra,overrides}.yaml`` and ``<job>.log``) is removed,
    then each directory in ``created`` (the directories :mod:`simtrial.preflight` created for this
    run, outermost first) is removed if it is now empty. Nothing else is ever deleted: a
    directory that existed before the run, and any file simtrial did not write, stays.
    """
    from simtrial import preflight

    created = preflight.CREATED if created is None else created
    hydra_dir = run_dir / ".hydra"
    for name in _HYDRA_FILES:
        (hydra_dir / name).unlink(missing_ok=True)
    (run_dir / f"{job_name}.log").unlink(missing_ok=True)
    for directory in [hydra_dir, *reversed(created)]:
        try:
            directory.rmdir()  # only if empty
        except OSError:
            pass


def config_hash(cfg: DictConfig) -> str:
    """SHA-256 of what a job computes from: the resolved config without ``run``, ``paths`` and
    ``hydra`` (how and where it runs). Two jobs with the same hash compute the same figures."""
    import hashlib
    import json

    data = OmegaConf.to_container(cfg, resolve=True)
    for key in ("run", "paths", "hydra"):
        data.pop(key, None)
    text = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _task_overrides(overrides: list[str] | None) -> list[str]:
    from simtrial.aggregate.jobs import IGNORED_PREFIXES

    return [o for o in overrides or [] if not str(o).lstrip("+~").startswith(IGNORED_PREFIXES)]


def _existing_ok(run_dir: Path) -> dict | None:
    import json

    path = run_dir / "summary.json"
    if not path.exists():
        return None
    try:
        summary = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return summary if isinstance(summary, dict) and summary.get("status") == "ok" else None


def resumable(previous: dict | None, digest: str, overrides: list[str]) -> tuple[bool, str]:
    """Whether a job's previous result may stand in for this job: ``(ok, why not)``.

    Only a result with status ok, computed from the same overrides and the same config hash,
    is kept; anything else is redone.
    """
    if previous is None:
        return False, "no finished result"
    if _task_overrides(previous.get("overrides")) != _task_overrides(overrides):
        return False, (f"its result was computed with other overrides ({' '.join(_task_overrides(previous.get('overrides')))}"
                       f" instead of {' '.join(_task_overrides(overrides))})")
    if previous.get("config_hash") != digest:
        return False, "its result was computed from another config (config hash differs)"
    return True, ""


def clean_stale_temporaries(run_dir: Path) -> list[Path]:
    """Remove the temporary files an interrupted atomic write left in ``run_dir``."""
    removed = []
    for path in run_dir.rglob(".*.tmp"):
        if path.is_file() and atomic.is_temporary(path):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


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
    from simtrial.preflight import run_fields_problem

    run_dir, experiment, job_name, multirun = _hydra_info()
    overrides = _overrides()
    try:
        config = validate_config(cfg)
        problem = run_fields_problem(config)
        if problem:
            raise ConfigError(*problem.split(": ", 1))
    except ConfigError as exc:
        return _refuse(f"invalid config: {exc}", run_dir, job_name, multirun, experiment, overrides)

    digest = config_hash(cfg)
    if multirun and config.run.resume:
        for stale in clean_stale_temporaries(run_dir):
            log.info("job %s: removed %s left by an interrupted write", run_dir.name, stale.name)
        previous = _existing_ok(run_dir)
        keep, why = resumable(previous, digest, overrides)
        if keep:
            log.info("job %s: already ok, skipped (run.resume=true)", run_dir.name)
            return previous
        if previous is not None:
            log.warning("job %s: redone: %s", run_dir.name, why)

    try:
        study = importlib.import_module(f"simtrial.studies.{config.study}")
    except ModuleNotFoundError:
        study = None
    if study is None or not callable(getattr(study, "run", None)):
        from simtrial.studies import available_studies

        return _refuse(f"invalid config: study: unknown study {config.study!r}; available: {available_studies()}",
                       run_dir, job_name, multirun, experiment, overrides)
    check = getattr(study, "check_config", None)  # checks across config groups (design vs simulation ...)
    if callable(check):
        try:
            check(config)
        except (ConfigError, ValueError, FileNotFoundError) as exc:
            return _refuse(f"invalid config: {exc}", run_dir, job_name, multirun, experiment, overrides)

    summary = {
        "status": "running",
        "experiment": experiment,
        "study": config.study,
        "seed": int(config.seed),
        **provenance(),
        "started": now(),
        "finished": None,
        "overrides": overrides,
        "config_hash": digest,
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
        fail(describe_error(exc), EXIT_BAD_INPUT if isinstance(exc, (ConfigError, ValueError, FileNotFoundError))
             else EXIT_FAILED)
    except Terminated as exc:
        _record_failure(summary, run_dir, t0, error=str(exc))
        fail(f"{exc}; {run_dir / 'summary.json'} records the run as failed", 128 + signal.SIGTERM)
    except KeyboardInterrupt:
        _record_failure(summary, run_dir, t0, error="interrupted (Ctrl-C)")
        fail(f"interrupted; {run_dir / 'summary.json'} records the run as failed", EXIT_INTERRUPTED)
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
        fail(f"could not write the run's summary: {describe_error(exc)}", EXIT_FAILED)
    log.info("run %s: ok in %.1f s", run_dir, summary["wall_time_s"])
    print(f"simtrial: {experiment} finished: {run_dir / 'summary.json'}")
    return summary


def describe_error(exc: BaseException) -> str:
    """One line for an error; a full disk says so and names the file, whatever library raised it."""
    import errno

    text = str(exc)
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        where = exc.filename or ""
        return f"no space left on the device{f' writing {where}' if where else ''} ({exc.strerror or 'ENOSPC'})"
    return text


def _refuse(message: str, run_dir: Path, job_name: str, multirun: bool, experiment: str,
            overrides: list[str]) -> dict:
    """A job that cannot start: in a sweep, record it as failed and go on; else undo and exit 2."""
    if multirun:
        summary = {"status": "failed", "experiment": experiment, "started": now(), "finished": now(),
                   "overrides": overrides, "error": message}
        try:
            atomic.write_json(run_dir / "summary.json", summary)
        except (OSError, ValueError) as exc:
            log.error("could not record the failure in %s: %s", run_dir / "summary.json", exc)
        log.error("job %s failed: %s", run_dir.name, message)
        return summary
    remove_run_dir(run_dir, job_name)
    fail(message)


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
