"""Issue 12 item 6: a built wheel carries the config tree and runs from any directory.

Builds the wheel from a copy of the source tree (no network: the build backend is the
installed setuptools, ``--no-build-isolation``), installs it with ``--no-deps`` into a fresh
virtual environment whose only other entry is the current environment's site-packages (the
dependencies, offline; that directory's ``.pth`` files, such as an editable install of
simtrial, are not run), and runs a study from an unrelated directory.
"""

import json
import os
import shutil
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _copy_source(dest: Path) -> Path:
    ignore = shutil.ignore_patterns(".git", ".venv", "results", "build", "dist", "*.egg-info", "__pycache__",
                                    ".pytest_cache", ".hypothesis")
    shutil.copytree(REPO, dest, symlinks=True, ignore=ignore)
    return dest


@pytest.mark.slow
def test_wheel_runs_from_another_directory(tmp_path):
    src = _copy_source(tmp_path / "src")
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                    "-w", str(dist), str(src)], check=True, capture_output=True, text=True, timeout=600)
    (wheel,) = dist.glob("*.whl")
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    assert "simtrial/conf/config.yaml" in names and "simtrial/conf/experiment/single_arm.yaml" in names
    assert "simtrial/conf/design/simon.yaml" in names

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    target = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                 check=True, capture_output=True, text=True).stdout.strip())
    # the current environment's packages as the dependencies (after the venv's own site-packages)
    deps = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (target / "zz_simtrial_deps.pth").write_text("\n".join(deps) + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "--no-index",
                    str(wheel)], check=True, capture_output=True, text=True, timeout=600)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SIMTRIAL_RESULTS", "VIRTUAL_ENV")}
    where = subprocess.run([str(py), "-c", "import simtrial; print(simtrial.__file__)"], cwd=elsewhere, env=env,
                           check=True, capture_output=True, text=True).stdout.strip()
    assert where.startswith(str(target)), where
    proc = subprocess.run([str(py), "-m", "simtrial", "experiment=single_arm", "simulation.replicates=200"],
                          cwd=elsewhere, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    (summary,) = (elsewhere / "results").rglob("summary.json")
    s = json.loads(summary.read_text())
    assert s["status"] == "ok" and s["replicates"] == 200
