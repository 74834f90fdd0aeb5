"""Hydra callback for sweeps: a log line per job, the PyTensor compile directory, and the
aggregate table and report at the end of a multirun.

Configured in ``conf/config.yaml`` under ``hydra.callbacks.simtrial``; see docs/sweeps.md.
Kept light: nothing heavy is imported until a sweep ends.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import time
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

log = logging.getLogger("simtrial.sweep")

#: The sweep's outcome on the submitting side: ``exit`` is the status ``python -m simtrial -m``
#: returns (non-zero when the aggregation failed). Hydra only warns about a callback's exception.
SWEEP_STATUS: dict[str, int] = {}


def set_pytensor_compiledir(directory: str | None) -> None:
    """Point PyTensor's ``base_compiledir`` at ``directory`` through ``PYTENSOR_FLAGS``.

    Other flags already in ``PYTENSOR_FLAGS`` are kept. Must happen before PyTensor is imported
    in the process (PyTensor reads it once); processes started afterwards (joblib workers,
    SLURM jobs, which inherit the submitting environment) see it too. A warning is logged if
    PyTensor was already imported with another directory.
    """
    if not directory:
        return
    directory = os.path.expandvars(os.path.expanduser(str(directory)))
    flags = [f for f in os.environ.get("PYTENSOR_FLAGS", "").split(",") if f and not f.startswith("base_compiledir=")]
    os.environ["PYTENSOR_FLAGS"] = ",".join([*flags, f"base_compiledir={directory}"])
    if "pytensor" in sys.modules:
        current = str(sys.modules["pytensor"].config.base_compiledir)
        if Path(current) != Path(directory):
            log.warning("PyTensor was imported before its compile directory was set; it uses %s, not %s",
                        current, directory)


class SweepCallback(Callback):
    """Logs each job's start, end and status; aggregates the sweep when it ends.

    Parameters
    ----------
    aggregate : bool
        Write ``oc_table.csv`` and ``design_report.html`` into the sweep directory at the end
        of a multirun.
    targets : dict
        Target power, alpha, rule and null scenario for the smallest-n table
        (:class:`simtrial.aggregate.targets.Targets`).
    pytensor_compiledir : str, optional
        PyTensor's ``base_compiledir`` for every job (a local disk on clusters whose home is
        a shared file system); unset keeps PyTensor's default (``~/.pytensor``).
    """

    def __init__(self, aggregate: bool = True, targets: dict | None = None,
                 pytensor_compiledir: str | None = None) -> None:
        self.aggregate = aggregate
        self.targets = dict(targets or {})
        self.pytensor_compiledir = pytensor_compiledir
        self._t0: dict[str, float] = {}

    # --- whole run / sweep (on the submitting machine) --------------------------------------

    def on_run_start(self, config: DictConfig, **kwargs: Any) -> None:
        set_pytensor_compiledir(self.pytensor_compiledir)

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        set_pytensor_compiledir(self.pytensor_compiledir)
        os.environ[SWEEP_PID_VAR] = str(os.getpid())  # inherited by local workers
        launcher = OmegaConf.select(config, "hydra.launcher._target_", default="?").rsplit(".", 1)[-1]
        log.info("sweep started: %s (launcher %s)", _sweep_dir(config), launcher)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = _sweep_dir(config)
        if not self.aggregate:
            return
        aggregate_sweep(sweep_dir, self.targets)

    # --- each job (where the job runs: a joblib worker, a SLURM node) ------------------------

    def on_job_start(self, config: DictConfig, **kwargs: Any) -> None:
        set_pytensor_compiledir(self.pytensor_compiledir)
        launcher = str(OmegaConf.select(config, "hydra.launcher._target_", default="") or "")
        sweep_pid = os.environ.get(SWEEP_PID_VAR)
        if "joblib" in launcher.lower() and sweep_pid and int(sweep_pid) != os.getpid():
            watch_parent(int(sweep_pid))
        job = _job_label(config)
        self._t0[job] = time.perf_counter()
        flags = os.environ.get("PYTENSOR_FLAGS")
        log.info("job %s started on %s (pid %d, python %s%s)", job, socket.gethostname(), os.getpid(),
                 sys.executable, f", PYTENSOR_FLAGS={flags}" if flags else "")

    def on_job_end(self, config: DictConfig, job_return: Any, **kwargs: Any) -> None:
        job = _job_label(config)
        elapsed = time.perf_counter() - self._t0.pop(job, time.perf_counter())
        status = _status(job_return)
        level = logging.INFO if status == "ok" else logging.ERROR
        log.log(level, "job %s ended: %s in %.1f s", job, status, elapsed)


def aggregate_sweep(sweep_dir: Path, targets: dict) -> bool:
    """Aggregate a finished sweep; on failure say so on stderr and make the sweep exit 1."""
    from simtrial.aggregate import aggregate
    from simtrial.aggregate.targets import Targets

    try:
        result = aggregate(sweep_dir, Targets(**targets))
    except Exception as exc:  # the jobs' results stay; aggregation can be re-run by hand
        log.error("aggregation of %s failed: %s: %s (run: python -m simtrial.aggregate %s)",
                  sweep_dir, type(exc).__name__, exc, sweep_dir)
        sys.stderr.write(f"simtrial: error: aggregation of the sweep failed: {exc} "
                         f"(re-run: python -m simtrial.aggregate {sweep_dir})\n")
        SWEEP_STATUS["exit"] = 1
        return False
    ok = len(result.jobs) - len(result.failed)
    log.info("sweep finished: %d of %d jobs ok; table %s; report %s", ok, len(result.jobs),
             result.table_path, result.report_path)
    print(f"simtrial: sweep finished: {ok} of {len(result.jobs)} jobs ok; report: {result.report_path}")
    return True


#: Environment variable naming the process that launched a sweep (its local workers inherit it).
SWEEP_PID_VAR = "SIMTRIAL_SWEEP_PID"
_WATCHING: dict[str, Any] = {}


def watch_parent(parent_pid: int, interval: float = 1.0, grace: float = 10.0,
                 on_orphaned=None) -> None:
    """Stop this worker process when the sweep's process ``parent_pid`` is gone.

    A joblib (loky) worker otherwise finishes its job after the sweep was killed. Every
    ``interval`` seconds a daemon thread checks that this process's parent is still
    ``parent_pid``; if not, it sends this process SIGTERM (the run records ``status: failed``)
    and, should the process still live ``grace`` seconds later, ends it. One watcher per process.
    """
    import threading

    if _WATCHING.get("pid") == os.getpid():
        return
    _WATCHING["pid"] = os.getpid()

    def orphaned() -> None:
        import signal

        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(grace)
        os._exit(128 + signal.SIGTERM)

    action = on_orphaned or orphaned

    def watch() -> None:
        while True:
            if os.getppid() != parent_pid:
                log.error("the sweep's process %d is gone; stopping this job", parent_pid)
                action()
                return
            time.sleep(interval)

    threading.Thread(target=watch, name="simtrial-parent-watch", daemon=True).start()


def _sweep_dir(config: DictConfig) -> Path:
    """The sweep directory. Its path interpolates ``${hydra:...}``, which needs HydraConfig; on
    the submitting side Hydra sets it only inside jobs, so set it from the sweep's config."""
    from hydra.core.hydra_config import HydraConfig

    if not HydraConfig.initialized():
        HydraConfig.instance().set_config(config)
    return Path(str(config.hydra.sweep.dir))


def _job_label(config: DictConfig) -> str:
    num = OmegaConf.select(config, "hydra.job.num", default=None)
    overrides = OmegaConf.select(config, "hydra.overrides.task", default=[]) or []
    shown = " ".join(o for o in overrides if not o.startswith(("run.", "hydra.", "paths.")))
    return f"#{num} ({shown})" if num is not None else "run"


def _status(job_return: Any) -> str:
    """ok / failed (with the reason) from a JobReturn whose value is the run's summary."""
    from hydra.core.utils import JobStatus

    if getattr(job_return, "status", None) == JobStatus.FAILED:
        return f"failed ({type(job_return._return_value).__name__}: {job_return._return_value})"
    value = getattr(job_return, "_return_value", None)
    if isinstance(value, dict):
        state = value.get("status", "?")
        return state if state == "ok" else f"{state} ({value.get('error', '')})"
    return "ok"
