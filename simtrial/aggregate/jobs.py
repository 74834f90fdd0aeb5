"""Read the jobs of a sweep directory: status, swept parameters and headline figures.

A sweep directory (``results/<experiment>/multirun/<timestamp>/``) holds ``multirun.yaml``
(written by Hydra's sweeper before any job starts) and one sub-directory per job, named by the
job number. Each job directory holds ``summary.json`` (written by :func:`simtrial.app.run`) and
Hydra's ``.hydra/overrides.yaml`` and ``.hydra/hydra.yaml``. Any of these may be missing when a
job was killed, is still running or never started; such a job is reported as failed with the
reason, never skipped silently.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

#: Summary keys that describe the run rather than the study's results (provenance, timing).
RUN_KEYS = frozenset({
    "status", "experiment", "study", "seed", "package_version", "git_sha", "versions", "started",
    "finished", "wall_time_s", "overrides", "pid", "error", "traceback", "host", "hostname",
})

#: Summary keys that legitimately differ between two runs of the same job: when, where, how
#: long, and the commit (the checkout may gain commits between a run and its re-run).
VOLATILE_KEYS = frozenset({"started", "finished", "wall_time_s", "pid", "host", "hostname", "traceback",
                           "git_sha"})

#: Overrides that change how a job runs, not what it computes (not parameters of the sweep).
IGNORED_PREFIXES = ("run.", "paths.", "hydra.")


@dataclass
class Job:
    """One job of a sweep.

    Attributes
    ----------
    num : int
        Job number (Hydra's ``hydra.job.num``; the sub-directory's name).
    directory : Path
        The job's run directory (may not exist for a job that never started).
    status : str
        ``"ok"`` or ``"failed"``.
    detail : str
        Why a job is failed (empty when ok).
    overrides : dict
        ``key -> value`` of the job's overrides (values parsed as YAML scalars).
    choices : dict
        Config-group choices of the job (``design``, ``scenario``, ...), from ``.hydra/hydra.yaml``.
    summary : dict
        The job's ``summary.json`` (empty if there is none).
    """

    num: int
    directory: Path
    status: str
    detail: str = ""
    overrides: dict[str, Any] = field(default_factory=dict)
    choices: dict[str, str] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def figures(self) -> dict[str, Any]:
        """The study's figures: the summary without provenance and timing keys."""
        return {k: v for k, v in self.summary.items() if k not in RUN_KEYS}


def parse_override(text: str) -> tuple[str, Any]:
    """Split ``key=value`` (``+key=``, ``++key=`` too) into the key and the value as a YAML scalar.

    >>> parse_override("design.n=24")
    ('design.n', 24)
    >>> parse_override("scenario=null")
    ('scenario', 'null')
    """
    key, _, raw = text.partition("=")
    key = key.lstrip("+~")
    try:
        value = yaml.safe_load(raw) if raw else raw
    except yaml.YAMLError:
        value = raw
    # A group choice named "null" or "true" is a name, not a YAML null or bool.
    if value is None or isinstance(value, bool) or isinstance(value, (dict, list)):
        value = raw
    return key, value


def comparable(summary: dict[str, Any]) -> dict[str, Any]:
    """A summary without what differs between two runs of the same job (timestamps, pids, wall
    times, and overrides that say how it ran, such as ``run.resume``): what must be identical
    whatever the launcher or the number of workers."""
    out = {k: v for k, v in summary.items() if k not in VOLATILE_KEYS}
    if isinstance(out.get("overrides"), list):
        out["overrides"] = [o for o in out["overrides"] if not str(o).lstrip("+~").startswith(IGNORED_PREFIXES)]
    return out


def expected_overrides(sweep_dir: Path) -> list[list[str]] | None:
    """Every job's overrides, in job-number order, as Hydra's basic sweeper expands them from
    ``multirun.yaml`` (the sweeper's ``params`` then the command line); None if unknown."""
    path = sweep_dir / "multirun.yaml"
    if not path.is_file():
        return None
    try:
        from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
        from hydra.core.override_parser.overrides_parser import OverridesParser

        cfg = yaml.safe_load(path.read_text()) or {}
        hydra_cfg = cfg.get("hydra", {})
        if "BasicSweeper" not in str((hydra_cfg.get("sweeper") or {}).get("_target_", "BasicSweeper")):
            return None
        params = (hydra_cfg.get("sweeper") or {}).get("params") or {}
        args = [f"{k}={v}" for k, v in params.items()]
        args += list((hydra_cfg.get("overrides") or {}).get("task") or [])
        parsed = OverridesParser.create().parse_overrides(args)
        batches = BasicSweeper.split_arguments(parsed, None)
        return [list(job) for batch in batches for job in batch]
    except Exception:  # an unreadable or unusual multirun.yaml: fall back to the job directories
        return None


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError):
        return None


def _dig(node: Any, *keys: str) -> dict:
    """``node[k1][k2]...`` when every level is a mapping, else ``{}`` (a damaged file)."""
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}


def read_job(directory: Path, num: int, expected: list[str] | None = None) -> Job:
    """Read one job directory; a missing or unfinished job becomes a failed :class:`Job`."""
    job = Job(num=num, directory=directory, status="failed")
    overrides = expected
    if overrides is None:
        overrides = _read_yaml(directory / ".hydra" / "overrides.yaml")
    choices = _dig(_read_yaml(directory / ".hydra" / "hydra.yaml"), "hydra", "runtime", "choices")
    job.choices = {k: str(v) for k, v in choices.items() if v is not None and not k.startswith("hydra/")}
    summary_path = directory / "summary.json"
    if not directory.is_dir():
        job.detail = "never started (no job directory)"
    elif not summary_path.is_file():
        job.detail = "no summary.json (killed before the study started, or never ran)"
    else:
        try:
            summary = json.loads(summary_path.read_text())
        except (OSError, ValueError) as exc:  # UnicodeDecodeError is a ValueError
            job.detail = f"unreadable summary.json: {type(exc).__name__}: {exc}"
        else:
            if not isinstance(summary, dict):
                job.detail = f"summary.json is not a run summary (a JSON {type(summary).__name__})"
                summary = {}
            job.summary = summary
        if job.summary:
            state = job.summary.get("status")
            if state == "ok":
                job.status = "ok"
            elif state == "running":
                job.detail = "summary.json says running (killed, timed out, or still running)"
            else:
                job.detail = str(job.summary.get("error") or f"status {state!r}")
            recorded = job.summary.get("overrides", overrides)
            if isinstance(recorded, list) and all(isinstance(o, str) for o in recorded):
                overrides = recorded
    if not (isinstance(overrides, list) and all(isinstance(o, str) for o in overrides)):
        overrides = []
    parsed = (parse_override(o) for o in (overrides or []))
    job.overrides = {k: v for k, v in parsed if not k.startswith(IGNORED_PREFIXES)}
    for group in ("design", "scenario"):
        if group in job.overrides and group not in job.choices:
            job.choices[group] = str(job.overrides[group])
    return job


def _job_dirs(sweep_dir: Path) -> dict[int, Path]:
    found = {}
    for child in sweep_dir.iterdir():
        if child.is_dir() and child.name.isdigit():
            found[int(child.name)] = child
    return found


def read_sweep(sweep_dir: str | Path) -> list[Job]:
    """Every job of a sweep, in job-number order, including those that never started.

    Raises
    ------
    FileNotFoundError
        If ``sweep_dir`` is not a directory or holds neither ``multirun.yaml`` nor job directories.
    """
    sweep_dir = Path(sweep_dir)
    if sweep_dir.exists() and not sweep_dir.is_dir():
        raise NotADirectoryError(f"{sweep_dir} is a file, not a sweep directory "
                                 "(give results/<experiment>/multirun/<timestamp>)")
    if not sweep_dir.is_dir():
        raise FileNotFoundError(f"sweep directory {sweep_dir} does not exist")
    dirs = _job_dirs(sweep_dir)
    expected = expected_overrides(sweep_dir) or []
    if not dirs and not expected:
        raise FileNotFoundError(
            f"{sweep_dir} is not a sweep directory: no multirun.yaml and no numbered job directories "
            "(give results/<experiment>/multirun/<timestamp>)")
    nums = sorted(set(dirs) | set(range(len(expected))))
    return [read_job(dirs.get(n, sweep_dir / str(n)), n, expected[n] if n < len(expected) else None)
            for n in nums]


def swept_keys(jobs: list[Job]) -> list[str]:
    """Override keys whose value differs between jobs, in first-seen order (all keys of a
    one-job sweep)."""
    keys: list[str] = []
    for job in jobs:
        keys += [k for k in job.overrides if k not in keys]
    if len(jobs) <= 1:
        return keys
    return [k for k in keys if len({repr(j.overrides.get(k)) for j in jobs}) > 1]
