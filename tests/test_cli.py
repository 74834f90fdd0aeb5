"""The entry point's contract: commands, run directories, summary.json, bad input."""

import json

import pytest
import yaml

from tests.support.cli import ok_runs, run_dirs, run_simtrial

REQUIRED = {"status", "experiment", "seed", "package_version", "git_sha", "started", "finished", "versions"}


def test_quickstart_writes_a_run_directory(tmp_path):
    proc = run_simtrial(["experiment=quickstart", "quickstart.steps=[figures]", "seed=7"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Table 1B Total: OR" in proc.stdout  # the table is printed
    (run_dir,) = run_dirs(tmp_path)
    assert run_dir.parent.name == "quickstart" and run_dir.parent.parent == tmp_path
    summary = json.loads((run_dir / "summary.json").read_text())
    assert REQUIRED <= set(summary)
    assert summary["status"] == "ok" and summary["experiment"] == "quickstart"
    assert summary["figures_differing"] == 0 and summary["figures_checked"] >= 30
    for pkg in ("numpy", "scipy", "simpy", "pymc", "arviz", "hydra-core"):
        assert summary["versions"][pkg] != "not installed"
    config = yaml.safe_load((run_dir / "config.yaml").read_text())
    assert config["seed"] == summary["seed"] == 7  # the override is recorded
    assert (run_dir / "published_figures.csv").exists()


def test_unknown_experiment_lists_studies(tmp_path):
    proc = run_simtrial(["experiment=no_such_study"], tmp_path)
    assert proc.returncode != 0
    assert "experiment: unknown study 'no_such_study'" in proc.stderr
    assert "quickstart" in proc.stderr
    assert not list(tmp_path.iterdir())


def test_bad_key_stops_before_any_work(tmp_path):
    """One real command line; every other bad key and type is checked in-process in
    tests/test_bad_config.py."""
    proc = run_simtrial(["experiment=quickstart", "quickstart.steps=[figures]", "sed=3"], tmp_path)
    assert proc.returncode == 2
    assert "sed: unknown key" in proc.stderr and "did you mean 'seed'?" in proc.stderr
    assert ok_runs(tmp_path) == []


def test_help_lists_groups_and_studies(capsys):
    """In-process through the entry point's own function (no Hydra, no subprocess)."""
    from simtrial.__main__ import cli

    with pytest.raises(SystemExit) as done:
        cli(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "== Config groups" in out and "== Config (defaults)" in out
    assert "experiment: " in out and "quickstart" in out and "design: " in out and "single_arm" in out
    assert "${" not in out.split("== Config (defaults)")[0]  # the template is filled in


def test_config_import_is_light():
    """Issue 12 item 5: the CLI's config schemas import no PyMC, PyTensor, scipy, pandas or
    xarray, and loading a posterior imports no PyMC."""
    import subprocess
    import sys

    heavy = ("pymc", "pytensor", "scipy", "pandas", "xarray", "matplotlib")
    code = ("import sys, simtrial.config.store, simtrial.config.commandline, simtrial.config.help\n"
            f"print([m for m in {heavy!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    code = ("import sys\nfrom simtrial.calibration import load_posterior\nload_posterior('packaged')\n"
            "print([m for m in ('pymc', 'pytensor') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
