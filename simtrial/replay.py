"""Re-run a finished run and check that its figures match.

Usage::

    python -m simtrial.replay RUN_DIR [--keep]

Reads the run's overrides (``.hydra/overrides.yaml``), runs ``python -m simtrial`` again with
them into a temporary directory, and compares every figure in the two ``summary.json`` files,
except the fields that record when, where and how long (:data:`VOLATILE`). Exits 0 when all
figures match, 1 when any differs (each difference is printed), 2 for a run directory that cannot
be replayed. Differences in package versions or git commit are reported as context.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

#: Summary fields that legitimately differ between a run and its replay.
VOLATILE = frozenset({"started", "finished", "wall_time_s", "pid", "git_sha", "versions",
                      "package_version", "overrides", "run_dir"})


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


def _load_summary(run_dir: Path) -> dict:
    path = run_dir / "summary.json"
    if not path.exists():
        raise SystemExit(_error(f"{run_dir}: no summary.json; not a simtrial run directory"))
    summary = json.loads(path.read_text())
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
    overrides = [o for o in yaml.safe_load(overrides_file.read_text()) or []
                 if not o.startswith(("hydra.", "run.resume"))]
    workdir = Path(tempfile.mkdtemp(prefix="simtrial-replay-"))
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
    for name, ver in (original.get("versions") or {}).items():
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
