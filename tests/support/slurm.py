"""Pytest support for tests that need the one-node SLURM cluster.

Import the fixture into a test module (``from tests.support.slurm import slurm_cluster``) and
request it. It runs ``scripts/slurm-local.sh start`` once per session and leaves the cluster
running afterwards, because other test sessions on the same machine may be using it; stop it
with ``scripts/slurm-local.sh stop``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "scripts" / "slurm-local.sh"

# Debian package that provides each program the cluster needs.
_PROGRAMS = {
    "slurmctld": "slurm-wlm (slurmctld)",
    "slurmd": "slurm-wlm (slurmd)",
    "sbatch": "slurm-wlm (slurm-client)",
    "munged": "munge",
}


@dataclass(frozen=True)
class SlurmCluster:
    """What a test needs to know about the running local cluster.

    Attributes
    ----------
    node : str
        Node name (the host's short name).
    partition : str
        Default partition the script configures.
    python : str
        Python interpreter jobs should use (the one running the tests, i.e. the project's venv).
    """

    node: str
    partition: str
    python: str


def missing_packages() -> list[str]:
    """Return the Debian packages whose programs are not on PATH (or in /usr/sbin)."""
    search = os.environ.get("PATH", "") + os.pathsep + "/usr/sbin" + os.pathsep + "/sbin"
    return sorted({pkg for prog, pkg in _PROGRAMS.items() if shutil.which(prog, path=search) is None})


def _cluster_up() -> bool:
    result = subprocess.run([str(SCRIPT), "status"], capture_output=True, text=True)
    return result.returncode == 0


@pytest.fixture(scope="session")
def slurm_cluster() -> SlurmCluster:
    """Start (or reuse) the one-node SLURM cluster; skip if slurm-wlm or munge is missing."""
    missing = missing_packages()
    if missing:
        pytest.skip(f"needs Debian package(s) {', '.join(missing)} for the local SLURM cluster")
    if os.geteuid() != 0 and not _cluster_up():
        pytest.skip(f"the local SLURM cluster is not running and needs root to start: sudo {SCRIPT} start")
    if os.geteuid() == 0:
        result = subprocess.run([str(SCRIPT), "start"], capture_output=True, text=True, timeout=180)
        if result.returncode != 0:
            pytest.fail(f"{SCRIPT} start failed (exit {result.returncode}):\n{result.stderr}", pytrace=False)
    return SlurmCluster(node=socket.gethostname().split(".")[0], partition="debug", python=sys.executable)
