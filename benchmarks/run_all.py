"""``make bench``: run every benchmark in this folder and print one table of figures.

Each ``bench_*.py`` module has ``main() -> dict`` returning its figures (and printing its own
detail). A benchmark that fails is shown as failed; the others still run.
"""

from __future__ import annotations

import importlib
import platform
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

#: Run order (cheap first); any other bench_*.py found is appended. Every name has a
#: ``bench_<name>.py`` with ``main() -> dict`` (``tests/test_benchmarks_listed.py``).
ORDER = ["startup", "criteria", "pk", "platelets", "course", "designs", "oc", "group_sequential", "borrowing",
         "simulator", "sequencing", "memory", "calibration", "quickstart", "sweep"]


def _machine() -> str:
    import os

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(next(ln for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal")).split()[1])
        mem = f", {kb / 2**20:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}"


def _format(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dict):
        return ", ".join(f"{k} {_format(v)}" for k, v in value.items())
    return str(value)


def main(names: list[str] | None = None) -> int:
    found = sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    order = [n for n in ORDER if n in found] + [n for n in found if n not in ORDER]
    if names:
        order = [n for n in order if n in names]
    rows: list[tuple[str, str, str]] = []
    failed = 0
    for name in order:
        print(f"\n=== {name} ===", flush=True)
        t0 = time.perf_counter()
        try:
            figures = importlib.import_module(f"benchmarks.bench_{name}").main()
        except Exception as exc:  # a failing benchmark must not hide the others
            traceback.print_exc()
            rows.append((name, "FAILED", f"{type(exc).__name__}: {exc}"))
            failed += 1
            continue
        for key, value in (figures or {}).items():
            rows.append((name, key, _format(value)))
        print(f"({name}: {time.perf_counter() - t0:.1f} s)")
    print(f"\nsimtrial benchmarks on {_machine()}\n")
    w1 = max(len(r[0]) for r in rows) if rows else 10
    w2 = max(len(r[1]) for r in rows) if rows else 10
    print(f"{'benchmark':<{w1}}  {'figure':<{w2}}  value")
    print(f"{'-' * w1}  {'-' * w2}  -----")
    for bench, key, value in rows:
        print(f"{bench:<{w1}}  {key:<{w2}}  {value}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or None))
