"""Checks made before Hydra creates any directory, and the choice of a run's own directory.

``python -m simtrial`` calls :func:`prepare` with its command line before handing it to Hydra.
It composes the config with Hydra's compose API exactly as the run will (every job of a sweep),
validates each with :func:`simtrial.config.validate.validate_config`, and refuses, with one line
per problem and exit status 2:

* an invalid config (every bad grid point of a sweep is named);
* overrides that could run code or leak the environment: resolvers such as ``${oc.env:...}``,
  ``_target_`` keys, extra Hydra callbacks, ``--config-dir``/``--config-path`` and
  ``--experimental-rerun`` (a pickle);
* an empty or root ``paths.results``;
* ``hydra.run.dir`` or ``hydra.sweep.dir`` naming an existing non-empty directory (a sweep
  directory is accepted only with ``run.resume=true``, and only for the same sweep definition).

Then it claims the run (or sweep) directory: when the user gave none, a new directory is
created with ``mkdir`` (atomic: two runs started in the same second get two directories), and
its name is handed to Hydra. The directories created here are recorded so that a run that fails
before producing anything removes only those (:func:`simtrial.app.remove_run_dir`).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Resolvers allowed in an override (``${now:...}`` and ``${hydra:...}`` only make directory names).
SAFE_RESOLVERS = frozenset({"now", "hydra"})
_RESOLVER = re.compile(r"\$\{\s*([A-Za-z_][\w.\-]*)\s*:")
#: Hydra config groups a user may choose among (their options ship with Hydra or its plugins).
HYDRA_GROUPS = frozenset({"hydra/launcher", "hydra/sweeper", "hydra/job_logging", "hydra/hydra_logging"})
#: Our one callback; others would instantiate arbitrary targets.
OWN_CALLBACK = "simtrial"
#: Override prefixes that say how a job runs, not what it computes (not part of a sweep's definition).
RUN_PREFIXES = ("run.", "paths.", "hydra.", "hydra/")
_NAME = re.compile(r"^[A-Za-z0-9_\-]+$")
#: Hydra's command-line flags that only print something and create no directory.
_INFO_FLAGS = ("help", "hydra_help", "version", "cfg", "info", "shell_completion")

#: Directories created by :func:`prepare` in this process (outermost first).
CREATED: list[Path] = []


class PreflightError(Exception):
    """One or more problems found before the run; each line is one problem."""

    def __init__(self, lines: list[str] | str):
        self.lines = [lines] if isinstance(lines, str) else list(lines)
        super().__init__("\n".join(self.lines))


# --- overrides that must never reach Hydra ---------------------------------------------------


def check_override_text(override: str, where: str = "") -> None:
    """Refuse an override that could run code or read the environment.

    Raises
    ------
    PreflightError
        For a resolver other than ``now``/``hydra`` (``${oc.env:X}`` would copy a secret into the
        run's records), a ``_target_``-style key, or a Hydra callback other than simtrial's.
    """
    key, sep, value = override.partition("=")
    bare = key.lstrip("+~")
    origin = f" ({where})" if where else ""
    for name in _RESOLVER.findall(override):
        if name not in SAFE_RESOLVERS:
            raise PreflightError(f"{bare}: resolver ${{{name}:...}} is not allowed in an override{origin}; "
                                 "give the value itself")
    parts = re.split(r"[./@]", bare)
    if any(p.startswith("_") and p.endswith("_") and len(p) > 2 for p in parts):
        raise PreflightError(f"{bare}: keys such as _target_ are not allowed in an override{origin}")
    if bare.startswith("hydra.callbacks") and (len(parts) < 3 or parts[2] != OWN_CALLBACK):
        raise PreflightError(f"{bare}: only hydra.callbacks.{OWN_CALLBACK}.* may be overridden{origin}")
    if bare.startswith("hydra.searchpath"):
        raise PreflightError(f"{bare}: extra config search paths are not allowed{origin} (they could supply "
                             "callbacks); simtrial's configs come from its package")
    if bare.startswith(("hydra.job_logging", "hydra.hydra_logging")) and (
            parts[-1] in ("class", "()", "stream") or "()" in bare):
        raise PreflightError(f"{bare}: logging handler classes and factories cannot be overridden{origin}")
    if bare.startswith("hydra/"):
        if bare not in HYDRA_GROUPS:
            raise PreflightError(f"{bare}: not an allowed Hydra group{origin}; allowed: {', '.join(sorted(HYDRA_GROUPS))}")
        options = [v.strip() for v in value.split(",")]
        if sep and any(not _NAME.match(v) for v in options):
            raise PreflightError(f"{bare}: option must be a plain name{origin}; got {value!r}")


# --- composing -------------------------------------------------------------------------------


@dataclass
class Composed:
    """The jobs of a command line, each composed and validated."""

    multirun: bool
    hydra_overrides: list[str]
    task_overrides: list[str]
    jobs: list[list[str]]
    first: Any  # the first job's config, with its hydra node
    errors: list[str] = field(default_factory=list)
    #: The grid the study's config file declares (``hydra.sweeper.params``) as overrides.
    sweep_params: list[str] = field(default_factory=list)


def sweeper_params(cfg) -> list[str]:
    """``hydra.sweeper.params`` of a composed config as ``key=values`` overrides."""
    from omegaconf import OmegaConf

    params = OmegaConf.select(cfg, "hydra.sweeper.params", default=None)
    if not params:
        return []
    return [f"{k}={v}" for k, v in OmegaConf.to_container(params, resolve=False).items()]


def _parse(overrides: list[str]):
    from hydra.core.override_parser.overrides_parser import OverridesParser

    return OverridesParser.create().parse_overrides(overrides)


def expand_jobs(task_overrides: list[str], multirun: bool) -> list[list[str]]:
    """Each job's overrides, in Hydra's job order (the basic sweeper's cartesian product)."""
    if not multirun:
        return [list(task_overrides)]
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper

    batches = BasicSweeper.split_arguments(_parse(task_overrides), None)
    return [list(job) for batch in batches for job in batch]


def job_problem(cfg) -> str | None:
    """Why a composed job config (without its hydra node) cannot run, or None."""
    import importlib

    from simtrial.config.errors import ConfigError
    from simtrial.config.validate import validate_config

    try:
        config = validate_config(cfg)
    except ConfigError as exc:
        return str(exc)
    problem = run_fields_problem(config)
    if problem:
        return problem
    try:
        study = importlib.import_module(f"simtrial.studies.{config.study}")
    except ModuleNotFoundError:
        study = None
    if study is None or not callable(getattr(study, "run", None)):
        from simtrial.studies import available_studies

        runnable = [s for s in available_studies() if callable(getattr(_module(s), "run", None))]
        return f"study: unknown study {config.study!r}; available: {', '.join(runnable)}"
    # Sizes first: the study's own checks build its domain objects (a Simon design runs its
    # search), which must not start on a size that would not fit.
    from simtrial.resources import check_resources, estimate_config

    problem = check_resources(estimate_config(config))
    if problem:
        return problem
    check = getattr(study, "check_config", None)  # the study's checks across config groups
    if callable(check):
        try:
            check(config)
        except (ConfigError, ValueError, FileNotFoundError) as exc:
            return str(exc)
    return None


def _module(name: str):
    import importlib

    try:
        return importlib.import_module(f"simtrial.studies.{name}")
    except Exception:
        return None


#: numpy's SeedSequence accepts any non-negative integer; a seed is also stored as a netCDF int64.
SEED_MAX = 2**63 - 1


def run_fields_problem(config) -> str | None:
    """Checks of the root run fields (seed, results path) that the run lifecycle relies on."""
    seed = getattr(config, "seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= SEED_MAX:
        return f"seed: must be an integer in [0, 2**63 - 1]; got {seed!r}"
    paths = getattr(config, "paths", None)
    if paths is not None:
        return results_problem(str(paths.results))
    return None


def results_problem(results: str) -> str | None:
    """Why ``paths.results`` is unusable (empty, or the root of a file system), or None."""
    if not results.strip():
        return "paths.results: must not be empty (set paths.results=DIR or SIMTRIAL_RESULTS)"
    path = Path(results).expanduser()
    resolved = path.resolve()
    if resolved == Path(resolved.anchor):
        return f"paths.results: must not be the root directory; got {results!r}"
    return None


def check_results_writable(results: str) -> None:
    """Refuse, naming ``paths.results``, a results directory that cannot be created or written."""
    import tempfile

    path = Path(results).expanduser()
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise PreflightError(f"paths.results: cannot write to the results directory {path} ({exc.strerror}); "
                             "set paths.results=DIR or SIMTRIAL_RESULTS to a writable directory") from None
    from simtrial.atomic import disk_full

    if disk_full(path, margin=MIN_FREE_BYTES):
        raise PreflightError(f"paths.results: no space left on the device holding {path} (errno ENOSPC: "
                             f"less than {MIN_FREE_BYTES // 1024} KiB free); free some space or set paths.results=DIR")


#: Least free space to start a run (Hydra's own records need a few KiB).
MIN_FREE_BYTES = 32 * 1024


def compose_jobs(argv_overrides: list[str], multirun: bool, config_name: str = "config") -> Composed:
    """Compose and validate every job of the command line (the same way the run will).

    Raises
    ------
    PreflightError
        For an override refused by :func:`check_override_text`.
    Exception
        Hydra's own composition errors (unknown keys, wrong types) are re-raised unchanged.
    """
    from hydra import compose, initialize_config_dir
    from omegaconf import open_dict

    from simtrial.config.store import store_schemas
    from simtrial.paths import CONF_DIR

    for o in argv_overrides:
        check_override_text(o)
    store_schemas()
    parsed = _parse(argv_overrides)
    hydra_ov = [o.input_line for o in parsed if o.is_hydra_override()]
    task_ov = [o.input_line for o in parsed if not o.is_hydra_override()]
    out = Composed(multirun, hydra_ov, task_ov, [task_ov], None)
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        if multirun:
            # As Hydra's basic sweeper: the grid is the study's hydra.sweeper.params, then the
            # command line, composed without the swept values (as Hydra composes a sweep).
            plain = [o.input_line for o in parsed if not o.is_hydra_override() and not o.is_sweep_override()]
            master = compose(config_name, overrides=[*hydra_ov, *plain], return_hydra_config=True)
            out.sweep_params = sweeper_params(master)
            out.jobs = expand_jobs([*out.sweep_params, *task_ov], True)
        bases: dict[tuple, Any] = {}
        for num, job in enumerate(out.jobs):
            if num == 0 or not multirun:
                cfg = compose(config_name, overrides=[*hydra_ov, *job], return_hydra_config=True)
            else:
                cfg = _compose_job(compose, config_name, hydra_ov, job, bases)
            if num == 0:
                out.first = cfg
            task = cfg.copy()
            with open_dict(task):
                del task["hydra"]
            problem = job_problem(task)
            if problem:
                shown = " ".join(o for o in job if not o.startswith(RUN_PREFIXES))
                out.errors.append(f"job {num} ({shown}): {problem}" if multirun else problem)
    return out


def _group_keys() -> set[str]:
    from simtrial.paths import CONF_DIR

    return {d.name for d in CONF_DIR.iterdir() if d.is_dir()}


def _compose_job(compose, config_name: str, hydra_ov: list[str], job: list[str], bases: dict):
    """A sweep job's config: the composition for its group choices (cached: a grid repeats them),
    then its value overrides applied exactly as Hydra applies them; a full composition if that
    fails (for Hydra's own error message)."""
    from hydra._internal.config_loader_impl import ConfigLoaderImpl

    groups = _group_keys()
    parsed = _parse(job)
    chosen = tuple(o.input_line for o in parsed if "." not in o.key_or_group
                   and (o.key_or_group in groups or o.key_or_group.startswith("hydra/")))
    values = [o for o in parsed if o.input_line not in chosen]
    if chosen not in bases:
        bases[chosen] = compose(config_name, overrides=[*hydra_ov, *chosen], return_hydra_config=True)
    cfg = bases[chosen].copy()
    try:
        ConfigLoaderImpl._apply_overrides_to_config(values, cfg)
    except Exception:
        return compose(config_name, overrides=[*hydra_ov, *job], return_hydra_config=True)
    return cfg


def hydra_problems(cfg) -> list[str]:
    """Checks of the Hydra settings a user may change: launcher workers, sweep targets."""
    from omegaconf import OmegaConf

    problems = []
    launcher = str(OmegaConf.select(cfg, "hydra.launcher._target_", default="") or "")
    if "joblib" in launcher.lower():
        n_jobs = OmegaConf.select(cfg, "hydra.launcher.n_jobs", default=None)
        if n_jobs is not None and (isinstance(n_jobs, bool) or not isinstance(n_jobs, int)
                                   or not (n_jobs >= 1 or n_jobs == -1)):
            problems.append(f"hydra.launcher.n_jobs: must be a number of workers >= 1, or -1 for one per CPU; "
                            f"got {n_jobs!r}")
    callback = OmegaConf.select(cfg, f"hydra.callbacks.{OWN_CALLBACK}", default=None)
    if callback is not None:
        from simtrial.aggregate.targets import Targets

        targets = OmegaConf.to_container(callback.get("targets") or {}, resolve=True)
        try:
            Targets(**targets)
        except TypeError as exc:
            problems.append(f"hydra.callbacks.{OWN_CALLBACK}.targets: {exc}")
        except ValueError as exc:
            problems.append(f"hydra.callbacks.{OWN_CALLBACK}.{exc}")
    return problems


# --- the run's directory ---------------------------------------------------------------------


def _is_empty_dir(path: Path) -> bool:
    try:
        return not any(path.iterdir())
    except OSError:
        return False


def _mkdir_recording(path: Path, exclusive: bool) -> list[Path]:
    """Create ``path`` (and missing parents); return the directories created, outermost first.

    With ``exclusive``, raise FileExistsError if ``path`` exists (``mkdir`` is atomic)."""
    missing = []
    for parent in [path, *path.parents]:
        if parent.exists():
            break
        missing.append(parent)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.mkdir(exist_ok=not exclusive)
    return [p for p in reversed(missing) if p.is_dir()]


def claim_new_dir(base: Path, attempts: int = 1000) -> tuple[Path, list[Path]]:
    """A directory that did not exist, created by this process: ``base``, else ``base_2``, ...

    Concurrent callers never get the same directory (``mkdir`` fails if another created it).
    """
    for k in range(1, attempts + 1):
        candidate = base if k == 1 else base.with_name(f"{base.name}_{k}")
        try:
            return candidate, _mkdir_recording(candidate, exclusive=True)
        except FileExistsError:
            continue
    raise PreflightError(f"could not create a new directory next to {base} after {attempts} attempts")


def _quote(path: Path) -> str:
    text = str(path)
    if re.fullmatch(r"[\w./:+@\-]+", text):
        return text
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _given(hydra_overrides: list[str], key: str) -> bool:
    return any(o.lstrip("+~").split("=", 1)[0] == key for o in hydra_overrides)


def sweep_definition(task_overrides: list[str]) -> dict[str, tuple[str, ...]]:
    """``key -> values`` of the overrides that define a sweep (not how it runs)."""
    out = {}
    for o in _parse(task_overrides):
        key = o.get_key_element().lstrip("+~")
        if key.startswith(RUN_PREFIXES):
            continue
        if o.is_sweep_override():
            out[key] = tuple(o.sweep_string_iterator())
        else:
            out[key] = (o.get_value_element_as_str(),)
    return out


def _recorded_definition(sweep_dir: Path) -> dict[str, tuple[str, ...]] | None:
    import yaml

    try:
        cfg = yaml.safe_load((sweep_dir / "multirun.yaml").read_text()) or {}
        hydra_cfg = cfg.get("hydra") or {}
        params = (hydra_cfg.get("sweeper") or {}).get("params") or {}
        task = [f"{k}={v}" for k, v in params.items()]
        task += list((hydra_cfg.get("overrides") or {}).get("task") or [])
        return sweep_definition(task)
    except Exception:
        return None


def check_resume(sweep_dir: Path, task_overrides: list[str]) -> None:
    """Refuse resuming ``sweep_dir`` with a sweep definition other than the one it was run with."""
    if not (sweep_dir / "multirun.yaml").is_file():
        raise PreflightError(f"hydra.sweep.dir: {sweep_dir} is not empty and holds no multirun.yaml: "
                             "not a simtrial sweep; choose a new or empty directory")
    before = _recorded_definition(sweep_dir)
    if before is None:
        raise PreflightError(f"run.resume: cannot read the sweep definition in {sweep_dir / 'multirun.yaml'}")
    now = sweep_definition(task_overrides)
    differing = [k for k in sorted(set(before) | set(now)) if before.get(k) != now.get(k)]
    if differing:
        def show(d, k):
            return f"{k}={','.join(d[k])}" if k in d else f"no {k}"
        details = "; ".join(f"{show(before, k)} before, {show(now, k)} now" for k in differing)
        raise PreflightError(f"run.resume: the sweep definition differs from the one in {sweep_dir}: {details} "
                             "(resume with the same overrides, or start a new sweep)")


def claim_directory(composed: Composed, cwd: Path | None = None) -> tuple[list[str], list[Path]]:
    """Check the run or sweep directory; create it when the user gave none.

    Returns the overrides to add for Hydra and the directories created (outermost first).
    """
    from hydra.core.hydra_config import HydraConfig
    from omegaconf import OmegaConf

    cfg = composed.first
    HydraConfig.instance().set_config(cfg)
    key = "hydra.sweep.dir" if composed.multirun else "hydra.run.dir"
    raw = str(OmegaConf.select(cfg, key))
    path = Path(raw).expanduser()
    if not path.is_absolute():
        path = (cwd or Path.cwd()) / path
    try:
        if not _given(composed.hydra_overrides, key):
            claimed, created = claim_new_dir(path)
            return [f"{key}={_quote(claimed)}"], created
        if not path.exists():
            return [], _mkdir_recording(path, exclusive=False)
    except OSError as exc:
        raise PreflightError(f"{key}: cannot create {path} ({exc.strerror})") from None
    if not path.is_dir():
        raise PreflightError(f"{key}: {raw} exists and is not a directory")
    if _is_empty_dir(path):
        return [], []
    resume = bool(OmegaConf.select(cfg, "run.resume", default=False))
    if composed.multirun and resume:
        check_resume(path, [*composed.sweep_params, *composed.task_overrides])
        return [], []
    what = ("a sweep directory; add run.resume=true to resume it" if (path / "multirun.yaml").is_file()
            else "choose a new or empty directory, or leave it unset")
    raise PreflightError(f"{key}: {raw} already exists and is not empty; simtrial writes only into a new "
                         f"or empty directory ({what})")


# --- the command line ------------------------------------------------------------------------


def prepare(argv: list[str]) -> list[str]:
    """Check the command line and claim the run's directory; the argv to hand to Hydra.

    Raises
    ------
    PreflightError
        For every problem found (one line each).
    """
    from hydra._internal.utils import get_args_parser

    try:
        args = get_args_parser().parse_args(argv)
    except SystemExit:
        return argv  # let Hydra print its own usage message
    if args.config_path or args.config_dir:
        raise PreflightError("--config-path/--config-dir are not supported: simtrial's config comes from its "
                             "package; choose a study with experiment=NAME and change fields with key=value")
    if args.experimental_rerun:
        raise PreflightError("--experimental-rerun is not supported (it loads a pickle); use "
                             "python -m simtrial.replay RUN_DIR")
    if any(getattr(args, flag, None) for flag in _INFO_FLAGS):
        for o in args.overrides:
            check_override_text(o)
        return argv
    try:
        composed = compose_jobs(list(args.overrides), bool(args.multirun), args.config_name or "config")
    except PreflightError:
        raise
    except Exception as exc:  # Hydra's composition error (unknown key or option, wrong type): one line
        from simtrial.config.commandline import reword

        raise PreflightError(str(reword(exc, list(args.overrides)))) from None
    problems = list(composed.errors) + hydra_problems(composed.first)
    if problems:
        raise PreflightError(problems)
    check_results_writable(str(composed.first.paths.results))
    extra, created = claim_directory(composed)
    CREATED[:] = created
    return [*argv, *extra]


def main_argv(argv: list[str]) -> list[str]:
    """:func:`prepare`, printing each problem on one line and exiting 2."""
    try:
        return prepare(argv)
    except PreflightError as exc:
        for line in exc.lines:
            sys.stderr.write(f"simtrial: error: {'invalid config: ' if _is_config(line) else ''}{line}\n")
        sys.stderr.flush()
        raise SystemExit(2) from None


def _is_config(line: str) -> bool:
    return not line.startswith(("hydra.", "--", "run.resume", "could not"))
