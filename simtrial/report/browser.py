"""Render HTML reports with headless Chromium: PNG screenshots and the rendered DOM.

Used by tests (does the report actually render?) and for report thumbnails. Every call starts
a fresh Chromium with a throw-away profile, no network services and no sandbox (tests run as
root in containers), and kills its whole process group on timeout.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from simtrial.atomic import atomic_path

#: Debian's package installs the browser here; checked first.
DEBIAN_CHROMIUM = "/usr/bin/chromium"
_OTHER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
)


class ChromiumError(RuntimeError):
    """Chromium is missing, failed, or timed out."""


def find_chromium() -> str | None:
    """Return the Chromium executable: ``$SIMTRIAL_CHROMIUM``, Debian's ``/usr/bin/chromium``,
    or the first Chromium/Chrome on ``PATH``; None if there is none."""
    override = os.environ.get("SIMTRIAL_CHROMIUM")
    if override:
        return override if os.access(override, os.X_OK) else None
    if os.access(DEBIAN_CHROMIUM, os.X_OK):
        return DEBIAN_CHROMIUM
    for name in _OTHER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _require_chromium() -> str:
    exe = find_chromium()
    if exe is None:
        raise ChromiumError("Chromium not found: install the Debian package 'chromium' "
                            "(apt-get install chromium, or make system-deps) or set SIMTRIAL_CHROMIUM")
    return exe


def _url(html_path: str | os.PathLike) -> str:
    path = Path(html_path).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"no HTML file at {path}")
    return path.as_uri()


def _run(args: list[str], timeout: float, workdir: str) -> str:
    """Run Chromium in its own session; return stdout; kill the whole group on timeout."""
    exe = _require_chromium()
    cmd = [exe, *_FLAGS, f"--user-data-dir={workdir}/profile", *args]
    env = {**os.environ, "HOME": workdir}  # keeps ~/.config and caches out of the user's home
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, cwd=workdir, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc.pid)
        proc.communicate()
        raise ChromiumError(f"Chromium did not finish within {timeout:g} s: {' '.join(args)}") from None
    finally:
        _kill_group(proc.pid)  # helpers (crashpad, zygote) that outlive the browser
    if proc.returncode != 0:
        tail = "\n".join(err.strip().splitlines()[-15:])
        raise ChromiumError(f"Chromium exited with status {proc.returncode}:\n{tail}")
    return out


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def render(html_path: str | os.PathLike, png_path: str | os.PathLike, width: int = 1280,
           height: int = 1600, timeout: float = 60.0) -> Path:
    """Screenshot an HTML file with headless Chromium.

    Parameters
    ----------
    html_path
        The page to render (a local file).
    png_path
        Where to write the PNG; written atomically, parent directories created.
    width, height
        Browser window size in CSS pixels; the screenshot is the visible window.
    timeout
        Seconds before Chromium is killed.

    Returns
    -------
    Path
        ``png_path``.

    Raises
    ------
    ChromiumError
        If Chromium is missing, fails, times out or writes no screenshot.
    """
    url = _url(html_path)
    with tempfile.TemporaryDirectory(prefix="simtrial-chromium-") as work:
        shot = Path(work) / "screenshot.png"
        _run([f"--screenshot={shot}", f"--window-size={width},{height}", url], timeout, work)
        if not shot.is_file() or shot.stat().st_size == 0:
            raise ChromiumError(f"Chromium wrote no screenshot for {url}")
        with atomic_path(png_path) as tmp:
            shutil.copyfile(shot, tmp)
    return Path(png_path)


def dump_dom(html_path: str | os.PathLike, timeout: float = 60.0) -> str:
    """Return the DOM of an HTML file after Chromium has loaded it (``--dump-dom``).

    Raises
    ------
    ChromiumError
        If Chromium is missing, fails or times out.
    """
    url = _url(html_path)
    with tempfile.TemporaryDirectory(prefix="simtrial-chromium-") as work:
        return _run(["--dump-dom", url], timeout, work)
