"""``python -m simtrial.aggregate SWEEP_DIR``: table and report for a sweep, e.g. one that was
interrupted or ran on a cluster without the end-of-sweep callback.

Targets default to those the sweep was run with (its ``multirun.yaml``), else power 0.8 and
alpha 0.05.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from simtrial.aggregate import aggregate
from simtrial.aggregate.targets import Targets


def sweep_targets(sweep_dir: Path) -> dict:
    """The ``targets`` of the sweep's simtrial callback in ``multirun.yaml`` ({} if none)."""
    try:
        cfg = yaml.safe_load((sweep_dir / "multirun.yaml").read_text()) or {}
    except (OSError, yaml.YAMLError):
        return {}
    for cb in ((cfg.get("hydra") or {}).get("callbacks") or {}).values():
        if isinstance(cb, dict) and str(cb.get("_target_", "")).startswith("simtrial.callbacks"):
            return dict(cb.get("targets") or {})
    return {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simtrial.aggregate", description=__doc__.split("\n\n")[0])
    parser.add_argument("sweep_dir", type=Path, help="results/<experiment>/multirun/<timestamp>")
    parser.add_argument("--power", type=float, help="target power (default: the sweep's, else 0.8)")
    parser.add_argument("--alpha", type=float, help="largest type I error (default: the sweep's, else 0.05)")
    parser.add_argument("--rule", choices=["estimate", "conservative"], help="how targets are read")
    parser.add_argument("--null-scenario", help="scenario whose rejection rate is the type I error")
    parser.add_argument("--no-report", action="store_true", help="write oc_table.csv only")
    args = parser.parse_args(argv)
    given = {"power": args.power, "alpha": args.alpha, "rule": args.rule, "null_scenario": args.null_scenario}
    settings = {**sweep_targets(args.sweep_dir), **{k: v for k, v in given.items() if v is not None}}
    try:
        targets = Targets(**settings)
        result = aggregate(args.sweep_dir, targets, report=not args.no_report)
    except (OSError, ValueError, TypeError) as exc:
        sys.stderr.write(f"simtrial.aggregate: error: {exc}\n")
        return 2
    ok = len(result.jobs) - len(result.failed)
    print(f"simtrial.aggregate: {ok} of {len(result.jobs)} jobs ok -> {result.table_path}")
    if result.report_path:
        print(f"simtrial.aggregate: report -> {result.report_path}")
    if result.failed:
        print(f"simtrial.aggregate: failed or unfinished jobs: {' '.join(map(str, result.failed))} "
              "(re-run the sweep with hydra.sweep.dir=<this dir> run.resume=true)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
