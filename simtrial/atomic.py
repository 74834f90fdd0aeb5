"""Atomic file writes: a reader never sees a half-written file.

Each writer writes to a temporary file in the destination's directory, flushes it to disk and
renames it over the destination (``os.replace`` is atomic on POSIX file systems).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import signal
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any, Iterator


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_TEMPORARY = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")


def is_temporary(path: str | os.PathLike) -> bool:
    """Whether ``path`` is named like a temporary file of :func:`atomic_path` (``.NAME.XXXXXXXX.tmp``)."""
    return bool(_TEMPORARY.match(Path(path).name))


#: Signals held back while a file is written: an interrupt inside a library's writer (netCDF's
#: HDF5 layer holds xarray's lock) can deadlock or leave a half-written temporary file.
DEFERRED_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def deferred_signals() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block ends, then deliver them (main thread only).

    The block finishes (a write takes seconds at most) and its cleanup runs; the signal then
    takes effect as usual (KeyboardInterrupt for Ctrl-C). Elsewhere than in the main thread
    signals cannot be handled, and this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def hold(signum, frame):
        if not received:
            sys.stderr.write(f"simtrial: {signal.Signals(signum).name} received; finishing the file being "
                             "written, then stopping\n")
        received.append(signum)

    previous = {sig: signal.signal(sig, hold) for sig in DEFERRED_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if received:
            signal.raise_signal(received[0])


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path; on success it is renamed to ``path``, on error removed.

    Use it with writers that take a file name (``fig.savefig``, ``DataTree.to_netcdf``).
    Ctrl-C and SIGTERM are held while the file is written (:func:`deferred_signals`), so an
    interrupt never leaves a temporary file or a lock behind. A full disk is reported as an
    ``OSError`` with ``errno.ENOSPC`` naming ``path``, whatever the writer raised.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with deferred_signals():
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        tmp_path = Path(tmp)
        try:
            yield tmp_path
            with open(tmp_path, "rb+") as fh:
                os.fsync(fh.fileno())
            # mkstemp creates 0600 files; give the result the mode a plain open() would.
            os.chmod(tmp_path, 0o666 & ~_umask())
            os.replace(tmp_path, path)
        except BaseException as exc:
            tmp_path.unlink(missing_ok=True)
            if isinstance(exc, Exception) and not isinstance(exc, OSError) and disk_full(path.parent):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path)) from exc
            if isinstance(exc, OSError) and exc.errno == errno.ENOSPC and not exc.filename:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path)) from exc
            raise


def disk_full(directory: str | os.PathLike, margin: int = 64 * 1024) -> bool:
    """Whether the file system holding ``directory`` has (almost) no space left.

    Libraries such as netCDF/HDF5 report a full disk as a generic error ("NetCDF: HDF error");
    this tells the two apart after the fact."""
    try:
        st = os.statvfs(directory)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < margin


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def _json_default(obj: Any):
    import numpy as np

    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def write_json(path: str | os.PathLike, obj: Any) -> Path:
    """Write ``obj`` as indented JSON atomically; numpy scalars and arrays are converted.

    Non-finite floats are refused (JSON has no NaN): a report must never carry a silent NaN.
    """
    text = json.dumps(obj, indent=2, default=_json_default, allow_nan=False)
    return write_text(path, text + "\n")
