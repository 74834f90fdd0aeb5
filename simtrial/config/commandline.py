"""Check a command line before Hydra runs it: compose every run it asks for and validate it.

Hydra's own composition errors are several lines long and exit 1; an appended key
(``+design.nn=40``) composes without complaint and is then ignored. :func:`check_command_line`
composes the config of each run in-process (Hydra's compose API), turns Hydra's and OmegaConf's
errors into one :class:`~simtrial.config.errors.ConfigError` naming the key, the allowed keys or
options and the closest one ("did you mean"), and runs :func:`~simtrial.config.validate.validate_config`
on the result, all before any run directory exists. A sweep (``-m`` with ``a,b`` values) is
checked point by point and every bad point is named.
"""

from __future__ import annotations

import itertools
import sys
import typing
from dataclasses import fields, is_dataclass

from simtrial.config.errors import ConfigError
from simtrial.config.validate import did_you_mean, unknown_key, validate_config

__all__ = ["check_command_line", "compose_config", "main_check", "expand_flags", "reword"]

#: simtrial's own flags, as Hydra overrides: ``-v`` lets the third-party loggers speak again.
_FLAGS = {"-v": "~hydra.job_logging.loggers", "--verbose": "~hydra.job_logging.loggers"}


def expand_flags(argv: list[str]) -> list[str]:
    """``argv`` with simtrial's own flags (``-v``) replaced by the Hydra overrides they stand for."""
    return [_FLAGS.get(a, a) for a in argv]

#: Hydra flags after which no run starts (help, printing the config, completion).
_NO_RUN_FLAGS = ("--help", "-h", "--hydra-help", "--cfg", "-c", "--info", "-i", "--shell-completion", "-sc",
                 "--version", "--resolve")
#: Hydra flags that take a value.
_VALUED_FLAGS = ("--cfg", "-c", "--package", "-p", "--config-path", "-cp", "--config-name", "-cn",
                 "--config-dir", "-cd", "--info", "-i", "--experimental-rerun")
#: Most grid points a sweep check composes (beyond that each swept value is checked on its own).
_MAX_POINTS = 200

_TYPE_WORDS = {int: "an integer", float: "a number", bool: "true or false", str: "a string"}


def _overrides(argv: list[str]) -> tuple[list[str], bool, bool]:
    """(overrides, multirun, no_run) from the command-line arguments."""
    out, multirun, no_run, skip = [], False, False, False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in ("-m", "--multirun"):
            multirun = True
        elif arg.split("=", 1)[0] in _NO_RUN_FLAGS:
            no_run = True
            skip = arg in _VALUED_FLAGS
        elif arg.startswith("-"):
            skip = arg in _VALUED_FLAGS
        else:
            out.append(arg)
    return out, multirun, no_run


def _expected(schema, key: str) -> str:
    if schema is None or not is_dataclass(schema):
        return "another type"
    try:
        tp = typing.get_type_hints(schema).get(key)
    except Exception:  # noqa: BLE001 - a description only
        return "another type"
    origin = typing.get_origin(tp)
    if origin is typing.Union:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return (_TYPE_WORDS.get(args[0], "another type") + " or null") if args else "null"
    if origin in (list, tuple) or tp in (list, tuple):
        return "a list, e.g. [0.3] or [0.3,0.5]"
    return _TYPE_WORDS.get(tp, "another type")


def reword(exc: Exception, overrides: list[str]) -> ConfigError:
    """One-line ConfigError for an exception Hydra raised composing ``overrides``."""
    return _reword(exc, _values(overrides))


def _values(overrides: list[str]) -> dict[str, str]:
    values = {}
    for ov in overrides:
        key, _, value = ov.partition("=")
        values[key.lstrip("+~")] = value
    return values


def _reword(exc: Exception, override_values: dict[str, str]) -> ConfigError:
    """One-line ConfigError for an exception raised while Hydra composes the config."""
    from hydra.errors import ConfigCompositionException, MissingConfigException, OverrideParseException
    from omegaconf.errors import ConfigAttributeError, ConfigKeyError, OmegaConfBaseException, ValidationError

    if isinstance(exc, OverrideParseException):
        first = str(exc).splitlines()[0]
        return ConfigError("", f"cannot parse an override ({first}); write key=value, lists as [a,b]")
    if isinstance(exc, MissingConfigException):
        missing = exc.missing_cfg_file or ""
        group, _, option = missing.rpartition("/")
        options = sorted({o for o in (exc.options or []) if not o.endswith("_schema")})
        if group and options:
            return ConfigError(group, f"unknown option {option!r}; the options are {', '.join(options)}"
                                      f"{did_you_mean(option, options)}")
        return ConfigError("", str(exc).splitlines()[0])
    bad_choice = _bad_group_choice(override_values)
    if bad_choice is not None:  # e.g. analysis=42: Hydra says "Config group override must be a string"
        return bad_choice
    cause = exc.__cause__ if isinstance(exc, ConfigCompositionException) and exc.__cause__ else exc
    if isinstance(cause, OmegaConfBaseException):
        key = str(getattr(cause, "full_key", "") or "")
        schema = getattr(cause, "object_type", None)
        leaf = key.rsplit(".", 1)[-1]
        if isinstance(cause, (ConfigAttributeError, ConfigKeyError)) and key:
            allowed = [f.name for f in fields(schema)] if schema is not None and is_dataclass(schema) else []
            if allowed:
                return unknown_key(key, allowed)
            return ConfigError(key, "unknown key")
        if isinstance(cause, ValidationError) and key:
            value = override_values.get(key, override_values.get(f"+{key}"))
            got = f"; got {value}" if value is not None else ""
            return ConfigError(key, f"must be {_expected(schema, leaf)}{got}")
        return ConfigError(key, str(cause).splitlines()[0])
    return ConfigError("", str(exc).splitlines()[0])


def _bad_group_choice(override_values: dict[str, str]) -> ConfigError | None:
    """The error for an override choosing an option no config group has (``design=nope``)."""
    from simtrial.paths import CONF_DIR

    for key, value in override_values.items():
        folder = CONF_DIR / key
        if "." in key or "/" in key or not folder.is_dir():
            continue
        options = sorted(f.stem for f in folder.glob("*.yaml"))
        for choice in value.split(","):
            if choice.strip() not in options:
                return ConfigError(key, f"unknown option {choice.strip()!r}; the options are {', '.join(options)}"
                                        f"{did_you_mean(choice.strip(), options)}")
    return None


def _points(overrides: list[str]) -> list[list[str]]:
    """The runs a (possibly swept) list of overrides asks for: one list of overrides each."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parsed = OverridesParser.create().parse_overrides(overrides)
    axes = []
    for o in parsed:
        if o.is_sweep_override():
            if not (o.is_discrete_sweep() or o.is_range_sweep()):
                return [overrides]  # glob or interval sweeps: Hydra's sweeper expands them
            key = o.get_key_element()
            axes.append([f"{key}={v}" for v in o.sweep_string_iterator()])
        else:
            axes.append([o.input_line])
    total = 1
    for a in axes:
        total *= len(a)
    if total <= _MAX_POINTS:
        return [list(p) for p in itertools.product(*axes)]
    # Too many points to compose: each swept value once, the other axes at their first value.
    points = []
    for i, axis in enumerate(axes):
        for v in axis[1:] if len(axis) > 1 else []:
            points.append([v if j == i else a[0] for j, a in enumerate(axes)])
    return [[a[0] for a in axes], *points]


def compose_config(overrides: list[str]):
    """The composed config (without the ``hydra`` node) for ``overrides``, as Hydra would build it.

    Raises
    ------
    ConfigError
        One line for any composition error (unknown key, option or study; wrong type).
    """
    from hydra import compose, initialize_config_dir

    from simtrial.config.store import store_schemas
    from simtrial.paths import CONF_DIR

    store_schemas()
    values = _values(overrides)
    try:
        with initialize_config_dir(str(CONF_DIR), version_base="1.3", job_name="simtrial"):
            return compose("config", overrides=[o for o in overrides if not _is_hydra(o)])
    except ConfigError:
        raise
    except Exception as exc:  # noqa: BLE001 - every composition error becomes one line
        raise _reword(exc, values) from None


def _is_hydra(override: str) -> bool:
    return override.lstrip("+~").startswith(("hydra.", "hydra/"))


def check_command_line(argv: list[str]) -> None:
    """Compose and validate every run ``argv`` asks for.

    Raises
    ------
    ConfigError
        For a single run, its first problem; for a sweep, every bad grid point (one line).
    """
    overrides, multirun, no_run = _overrides(argv)
    if no_run:
        return
    try:
        points = _points(overrides) if multirun else [overrides]
    except Exception as exc:  # noqa: BLE001
        raise _reword(exc, {}) from None
    problems = []
    for point in points:
        try:
            validate_config(compose_config(point))
        except ConfigError as exc:
            if not multirun or len(points) == 1:
                raise
            swept = [p for p in point if p not in overrides]
            problems.append(f"[{' '.join(swept)}] {exc}")
    if problems:
        raise ConfigError("", f"{len(problems)} of {len(points)} sweep points are invalid: " + "; ".join(problems))


def main_check(argv: list[str] | None = None) -> None:
    """:func:`check_command_line` for the entry point: one line on stderr and exit 2 on error."""
    try:
        check_command_line(sys.argv[1:] if argv is None else argv)
    except ConfigError as exc:
        sys.stderr.write(f"simtrial: error: invalid config: {exc}\n")
        sys.stderr.flush()
        raise SystemExit(2) from None
