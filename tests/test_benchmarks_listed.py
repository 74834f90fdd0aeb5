"""``make bench`` (benchmarks/run_all.py) lists every benchmark, and every listed one exists."""

from __future__ import annotations

import ast
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"


def test_run_all_order_matches_the_benchmark_files():
    from benchmarks.run_all import ORDER

    found = {p.stem.removeprefix("bench_") for p in BENCH.glob("bench_*.py")}
    assert len(ORDER) == len(set(ORDER))
    assert set(ORDER) == found, (sorted(set(ORDER) - found), sorted(found - set(ORDER)))


def test_every_benchmark_has_main_without_required_arguments():
    for path in sorted(BENCH.glob("bench_*.py")):
        tree = ast.parse(path.read_text())
        mains = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "main"]
        assert len(mains) == 1, path.name
        args = mains[0].args
        assert len(args.defaults) == len(args.posonlyargs) + len(args.args), path.name  # run_all calls main()
