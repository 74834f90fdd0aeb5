"""Pytest support for tests that need the one-node SLURM cluster.

Import the fixture into a test module (``from tests.support.slurm import slurm_cluster``) and
request it. A SLURM cluster that already answers (``sinfo`` lists a usable node), whoever runs
it, is used as it is. Only where none answers does the fixture run ``scripts/slurm-local.sh
start`` (once per session, as root) and leave the cluster running afterwards, because other test
sessions on the same machine may be using it; stop it with ``scripts/slurm-local.sh stop``. On a
machine where neither is possible (a login node with a foreign ``slurm.conf`` and no answering
controller, no root, missing packages) the tests are skipped with the reason.
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


#: The slurm.conf Debian's slurm-wlm reads, and the marker line of one written by the script.
SLURM_CONF = Path("/etc/slurm/slurm.conf")
MARK = "# simtrial: written by scripts/slurm-local.sh"
_USABLE = ("idle", "mixed", "allocated", "completing")


def _run(cmd: list[str], timeout: float = 20) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        return None


def existing_cluster(run=_run) -> SlurmCluster | None:
    """The cluster ``sinfo`` already answers for (any owner), or None: its default partition
    (else the first with a usable node) and the first usable node in it."""
    if shutil.which("sinfo") is None:
        return None
    result = run(["sinfo", "-h", "-o", "%P|%T|%N"])
    if result is None or result.returncode != 0:
        return None
    rows = [line.strip().split("|") for line in result.stdout.splitlines() if line.count("|") == 2]
    usable = [(p, n) for p, state, n in rows if state.rstrip("*~#$@^-!%") in _USABLE and n]
    if not usable:
        return None
    partition, nodes = next((r for r in usable if r[0].endswith("*")), usable[0])
    names = run(["scontrol", "show", "hostnames", nodes])
    node = names.stdout.split()[0] if names is not None and names.returncode == 0 and names.stdout.split() else nodes
    return SlurmCluster(node=node, partition=partition.rstrip("*"), python=sys.executable)


def foreign_conf(conf: Path = SLURM_CONF) -> bool:
    """A slurm.conf exists that scripts/slurm-local.sh did not write."""
    try:
        return conf.is_file() and MARK not in conf.read_text().splitlines()
    except OSError:
        return True


def resolve_cluster(existing=existing_cluster, missing=missing_packages, is_root=lambda: os.geteuid() == 0,
                    foreign=foreign_conf, start=None) -> SlurmCluster:
    """Which cluster the SLURM tests use; ``pytest.skip``/``pytest.fail`` with the reason if none."""
    found = existing()
    if found is not None:
        return found
    packages = missing()
    if packages:
        pytest.skip(f"no SLURM cluster answers and the local one needs Debian package(s) {', '.join(packages)}")
    if foreign():
        pytest.skip(f"no SLURM cluster answers (sinfo) and {SLURM_CONF} was not written by simtrial: start that "
                    f"cluster, or let {SCRIPT.name} replace the file (SIMTRIAL_SLURM_FORCE=1 {SCRIPT} start)")
    if not is_root():
        pytest.skip(f"no SLURM cluster answers and the local one needs root to start: sudo {SCRIPT} start")
    result = (start or _start)()
    if result.returncode != 0:
        pytest.fail(f"{SCRIPT} start failed (exit {result.returncode}):\n{result.stderr}", pytrace=False)
    return SlurmCluster(node=socket.gethostname().split(".")[0], partition="debug", python=sys.executable)


def _start() -> subprocess.CompletedProcess:
    return subprocess.run([str(SCRIPT), "start"], capture_output=True, text=True, timeout=180)


@pytest.fixture(scope="session")
def slurm_cluster() -> SlurmCluster:
    """A SLURM cluster that already answers, else the one-node local cluster (started here)."""
    return resolve_cluster()
