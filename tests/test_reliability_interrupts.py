"""Issue 13 items 7, 8 and 16: Ctrl-C ends a run in seconds with status failed and no temporary
file; the seed range is checked up front; a full disk is named as such."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from simtrial import atomic, preflight
from simtrial.app import clean_stale_temporaries, describe_error

#: Writes a ~30 MB oc.nc through atomic_path and receives Ctrl-C while netCDF writes it.
WRITER = textwrap.dedent("""
    import os, signal, sys, threading, time
    import numpy as np, xarray as xr
    from simtrial import atomic
    ds = xr.Dataset({"x": (("r", "c"), np.random.default_rng(0).random((4000, 1000)))})
    out = sys.argv[1]
    try:
        with atomic.atomic_path(out) as tmp:
            threading.Timer(0.02, os.kill, (os.getpid(), signal.SIGINT)).start()
            t0 = time.perf_counter()
            ds.to_netcdf(tmp, engine="netcdf4")
            print(f"wrote in {time.perf_counter() - t0:.2f} s", flush=True)
    except KeyboardInterrupt:
        sys.stderr.write("simtrial: error: interrupted\\n")
        sys.exit(130)
""")


def test_ctrl_c_during_a_netcdf_write_ends_in_seconds_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "oc.nc"
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", WRITER, str(target)], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[1])
    assert proc.returncode == 130, proc.stderr[-2000:]
    assert time.monotonic() - t0 < 60
    assert "wrote in" in proc.stdout  # the write was not torn: it finished, then the interrupt took effect
    assert proc.stderr.strip().splitlines()[-1] == "simtrial: error: interrupted"
    assert [p.name for p in tmp_path.iterdir()] == ["oc.nc"]  # complete, and no .oc.nc.*.tmp


def test_signals_are_held_during_a_write_and_delivered_after(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        with atomic.atomic_path(tmp_path / "f.txt") as tmp:
            os.kill(os.getpid(), signal.SIGINT)
            tmp.write_text("complete")
    assert (tmp_path / "f.txt").read_text() == "complete"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # restored


def test_an_error_inside_a_write_removes_the_temporary_file(tmp_path):
    with pytest.raises(RuntimeError):
        with atomic.atomic_path(tmp_path / "f.txt") as tmp:
            tmp.write_text("half")
            raise RuntimeError("NetCDF: HDF error")
    assert list(tmp_path.iterdir()) == []


def test_resume_cleans_temporary_files_of_a_killed_write(tmp_path):
    stale = [tmp_path / ".oc.nc.ab12cd34.tmp", tmp_path / "sub" / ".x.png.zz99yy88.tmp"]
    for p in stale:
        p.parent.mkdir(exist_ok=True)
        p.write_bytes(b"x")
    keep = [tmp_path / ".hidden.tmp", tmp_path / "oc.nc", tmp_path / "user.tmp"]
    for p in keep:
        p.write_bytes(b"x")
    assert sorted(clean_stale_temporaries(tmp_path)) == sorted(stale)
    assert all(p.exists() for p in keep) and not any(p.exists() for p in stale)


@pytest.mark.slow
def test_ctrl_c_during_a_cli_run_records_failed_and_exits_130(tmp_path):
    env = {**os.environ, "SIMTRIAL_RESULTS": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-m", "simtrial", "experiment=patient_models",
                             "patient_models.n_patients=600000"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[1])
    deadline = time.time() + 120
    summary_path = None
    while time.time() < deadline and summary_path is None:
        for found in tmp_path.rglob("summary.json"):
            if json.loads(found.read_text() or "{}").get("status") == "running":
                summary_path = found
        time.sleep(0.1)
    assert summary_path is not None, proc.communicate()
    time.sleep(1.0)
    t0 = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert time.monotonic() - t0 < 30
    assert proc.returncode == 130
    assert err.strip().splitlines() == [f"simtrial: error: interrupted; {summary_path} records the run as failed"]
    summary = json.loads(summary_path.read_text())
    assert summary["status"] == "failed" and "interrupted" in summary["error"]
    assert not [p for p in summary_path.parent.rglob("*.tmp")]


# --- item 8: the seed range -------------------------------------------------------------------


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SIMTRIAL_RESULTS", str(tmp_path / "results"))
    monkeypatch.setattr(preflight, "CREATED", [])
    return tmp_path


@pytest.mark.parametrize("seed", ["-1", str(2**63), str(2**64 + 5)])
def test_a_seed_out_of_range_is_refused_before_any_work(fresh, seed):
    with pytest.raises(preflight.PreflightError, match=r"seed: must be an integer in \[0, 2\*\*63 - 1\]"):
        preflight.prepare(["experiment=single_arm", f"seed={seed}"])
    assert not (fresh / "results").exists()


@pytest.mark.parametrize("seed", [0, 2**63 - 1])
def test_the_seed_range_ends_are_accepted(seed):
    from types import SimpleNamespace

    assert preflight.run_fields_problem(SimpleNamespace(seed=seed)) is None


# --- item 16: a full disk ---------------------------------------------------------------------


def test_a_library_error_on_a_full_disk_is_reported_as_enospc_naming_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(atomic, "disk_full", lambda directory, margin=0: True)
    with pytest.raises(OSError) as err:
        with atomic.atomic_path(tmp_path / "oc.nc") as tmp:
            tmp.write_bytes(b"partial")
            raise RuntimeError("NetCDF: HDF error")
    assert err.value.errno == errno.ENOSPC and err.value.filename == str(tmp_path / "oc.nc")
    assert describe_error(err.value) == f"no space left on the device writing {tmp_path / 'oc.nc'} (No space left on device)"
    assert list(tmp_path.iterdir()) == []


def test_a_results_directory_on_a_full_disk_is_refused_up_front(tmp_path, monkeypatch):
    monkeypatch.setattr(atomic, "disk_full", lambda directory, margin=0: True)
    with pytest.raises(preflight.PreflightError, match="paths.results: no space left on the device holding"):
        preflight.check_results_writable(str(tmp_path))


def test_a_really_full_file_system_is_refused_up_front(tmp_path):
    where = tmp_path / "full"
    where.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(where)], capture_output=True).returncode:
        pytest.skip("needs root and mount(8) to make a small file system")
    try:
        with open(where / "filler", "wb") as fh:
            try:
                fh.write(b"\0" * (1 << 20))
            except OSError:
                pass
        with pytest.raises(preflight.PreflightError, match="no space left|cannot write"):
            preflight.check_results_writable(str(where))
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)
