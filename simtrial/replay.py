"""Re-run a finished run and check that its figures match.

Usage::

    python -m simtrial.replay RUN_DIR [--keep]

Reads the run's overrides (``.hydra/overrides.yaml``), runs ``python -m simtrial`` again with
them into a temporary directory, and compares every figure in the two ``summary.json`` files,
except the fields that record when, where and how long (:data:`VOLATILE`). Exits 0 when all
figures match, 1 when any differs (each difference is printed), 2 for a run directory that cannot
be replayed. Differences in package versions or git commit are reported as context.

What is trusted: nothing in the run directory but its list of overrides, and each override is
checked before use (:func:`safe_overrides`): only simtrial's own config fields and config-group
choices among the packaged options, no Hydra settings, no ``+``/``~`` edits, no ``_target_`` keys
and no resolvers (``${oc.env:...}``). ``.hydra/config.yaml`` and ``hydra.yaml`` are never read,
so nothing from a run directory is instantiated. The replay's temporary directory is removed
unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import shutil
import tempfile
from pathlib import Path

import yaml

#: Summary fields that legitimately differ between a run and its replay.
VOLATILE = frozenset({"started", "finished", "wall_time_s", "pid", "git_sha", "versions",
                      "package_version", "overrides", "run_dir", "config_hash"})


def _is_volatile(key: str) -> bool:
    return key in VOLATILE or key.endswith("wall_time_s") or key.endswith("_seconds")


def compare(a, b, path: str = "", rel_tol: float = 0.0) -> list[str]:
    """Differences between two summary figures, as ``path: a != b`` lines (empty if equal)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b)):
            if _is_volatile(key):
                continue
            sub = f"{path}.{key}" if path else key
            if key not in a or key not in b:
                out.append(f"{sub}: only in {'replay' if key not in a else 'original'}")
            else:
                out.extend(compare(a[key], b[key], sub, rel_tol))
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: length {len(a)} != {len(b)}"]
        return [d for k, (x, y) in enumerate(zip(a, b)) for d in compare(x, y, f"{path}[{k}]", rel_tol)]
    if isinstance(a, float) or isinstance(b, float):
        try:
            if math.isclose(float(a), float(b), rel_tol=rel_tol, abs_tol=0.0):
                return []
        except (TypeError, ValueError):
            pass
    elif a == b:
        return []
    return [f"{path}: {a!r} != {b!r}"]


class Refused(Exception):
    """An override in a run directory that replay will not run."""


#: Overrides that say where and how a run ran; the replay sets its own.
DROPPED_PREFIXES = ("run.", "paths.")


def _groups() -> dict[str, list[str]]:
    """Config group -> its packaged options (``conf/<group>/*.yaml``)."""
    from simtrial.paths import CONF_DIR

    return {d.name: sorted(p.stem for p in d.glob("*.yaml"))
            for d in sorted(CONF_DIR.iterdir()) if d.is_dir() and d.name != "hydra"}


def safe_overrides(overrides) -> list[str]:
    """The overrides of a run directory that a replay may pass on, checked one by one.

    Raises
    ------
    Refused
        Naming the first override that is not a plain override of simtrial's own config.
    """
    from dataclasses import fields

    from hydra.core.override_parser.overrides_parser import OverridesParser

    from simtrial.config.schema import Config
    from simtrial.preflight import PreflightError, check_override_text

    if not isinstance(overrides, list) or not all(isinstance(o, str) for o in overrides):
        raise Refused("overrides.yaml is not a list of overrides")
    groups = _groups()
    roots = {f.name for f in fields(Config)} | set(groups)
    parser = OverridesParser.create()
    kept = []
    for text in overrides:
        if text.startswith("-"):
            raise Refused(f"{text!r}: a command-line option, not an override")
        try:
            check_override_text(text, "in the run directory")
            (parsed,) = parser.parse_overrides([text])
        except PreflightError as exc:
            raise Refused(str(exc)) from None
        except Exception as exc:
            raise Refused(f"{text!r}: not an override ({str(exc).splitlines()[0]})") from None
        key = parsed.key_or_group
        if parsed.is_hydra_override():
            raise Refused(f"{text!r}: Hydra settings are not replayed")
        if parsed.is_add() or parsed.is_force_add() or parsed.is_delete() or parsed.package is not None:
            raise Refused(f"{text!r}: only plain key=value overrides are replayed")
        if parsed.is_sweep_override():
            raise Refused(f"{text!r}: a sweep, not one run's override")
        if key.startswith(DROPPED_PREFIXES):
            continue
        if key.split(".")[0] not in roots:
            raise Refused(f"{text!r}: {key.split('.')[0]!r} is not a simtrial config field")
        if key in groups:
            value = parsed.get_value_element_as_str()
            if value not in groups[key]:
                raise Refused(f"{text!r}: {key} must be one of {groups[key]}")
        kept.append(text)
    return kept


def _load_summary(run_dir: Path) -> dict:
    path = run_dir / "summary.json"
    if not path.is_file():
        raise SystemExit(_error(f"{run_dir}: no summary.json; not a simtrial run directory"))
    try:
        summary = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise SystemExit(_error(f"{path}: not readable JSON ({exc})")) from None
    if not isinstance(summary, dict):
        raise SystemExit(_error(f"{path}: not a run summary (a JSON {type(summary).__name__}, not an object)"))
    if summary.get("status") != "ok":
        raise SystemExit(_error(f"{run_dir}: status is {summary.get('status')!r}; only a run that "
                                "finished ok can be replayed"))
    return summary


def _error(message: str) -> int:
    sys.stderr.write(f"simtrial.replay: error: {message}\n")
    return 2


def replay(run_dir: Path, keep: bool = False) -> int:
    """Replay ``run_dir``; print the comparison; return the exit status."""
    original = _load_summary(run_dir)
    overrides_file = run_dir / ".hydra" / "overrides.yaml"
    if not overrides_file.exists():
        return _error(f"{run_dir}: no .hydra/overrides.yaml")
    try:
        overrides = safe_overrides(yaml.safe_load(overrides_file.read_text()) or [])
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        return _error(f"{overrides_file}: not readable ({str(exc).splitlines()[0]})")
    except Refused as exc:
        return _error(f"{overrides_file}: refused: {exc}")
    workdir = Path(tempfile.mkdtemp(prefix="simtrial-replay-"))
    try:
        return _replay_into(original, overrides, workdir, keep)
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)


def _replay_into(original: dict, overrides: list[str], workdir: Path, keep: bool) -> int:
    target = workdir / "replay"
    env = {**os.environ, "SIMTRIAL_RESULTS": str(workdir)}
    cmd = [sys.executable, "-m", "simtrial", *overrides, f"hydra.run.dir={target}"]
    print("replaying:", " ".join(cmd[2:]))
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-4000:])
        return _error(f"the replay failed (exit {proc.returncode})")
    again = json.loads((target / "summary.json").read_text())
    for key in ("git_sha", "package_version"):
        if original.get(key) != again.get(key):
            print(f"note: {key} differs: {original.get(key)} (original) vs {again.get(key)} (replay)")
    if original.get("config_hash") != again.get("config_hash"):
        print("note: config_hash differs (the packaged defaults or data paths changed since the run)")
    versions = original.get("versions") if isinstance(original.get("versions"), dict) else {}
    for name, ver in versions.items():
        if (again.get("versions") or {}).get(name) != ver:
            print(f"note: {name} {ver} (original) vs {(again.get('versions') or {}).get(name)} (replay)")
    diffs = compare(original, again)
    if keep:
        print(f"replay kept in {target}")
    if diffs:
        print(f"MISMATCH: {len(diffs)} figure(s) differ:")
        for d in diffs:
            print("  " + d)
        return 1
    n = len([k for k in original if not _is_volatile(k)])
    print(f"OK: all figures match ({n} top-level fields compared)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simtrial.replay", description=__doc__.split("\n\n")[0])
    parser.add_argument("run_dir", type=Path, help="a run directory holding summary.json")
    parser.add_argument("--keep", action="store_true", help="keep the replay's run directory")
    args = parser.parse_args(argv)
    return replay(args.run_dir, keep=args.keep)


if __name__ == "__main__":
    sys.exit(main())
