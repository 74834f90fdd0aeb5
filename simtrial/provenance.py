"""What a run records about where it came from: versions, git commit, time."""

from __future__ import annotations

import datetime as _dt
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from simtrial import __version__

#: Packages whose versions every run records.
RECORDED_PACKAGES = ("numpy", "scipy", "simpy", "pymc", "pytensor", "arviz", "nutpie", "hydra-core", "omegaconf", "xarray")

REPO_ROOT = Path(__file__).resolve().parents[1]


def package_versions() -> dict[str, str]:
    """Installed versions of :data:`RECORDED_PACKAGES` (``"not installed"`` where absent)."""
    out = {}
    for name in RECORDED_PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_sha() -> str | None:
    """The commit of the source tree simtrial runs from (with ``-dirty`` if modified), or None."""
    try:
        sha = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO_ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{sha}-dirty" if dirty else sha


def now() -> str:
    """The current time, ISO 8601 with the UTC offset."""
    return _dt.datetime.now(_dt.timezone.utc).astimezone().isoformat(timespec="seconds")


def provenance() -> dict:
    """Package version, git commit and dependency versions for ``summary.json``."""
    return {"package_version": __version__, "git_sha": git_sha(), "versions": package_versions()}
