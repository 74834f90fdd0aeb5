"""Atomic writes leave either the old file or the complete new one, with normal permissions."""

import os
import stat

import pytest

from simtrial import atomic


def test_written_file_has_umask_mode(tmp_path):
    old = os.umask(0o022)
    try:
        path = atomic.write_text(tmp_path / "a.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_failed_write_keeps_old_file_and_no_temp(tmp_path):
    target = tmp_path / "s.json"
    atomic.write_json(target, {"status": "ok"})
    with pytest.raises(ValueError):
        atomic.write_json(target, {"x": float("nan")})
    assert target.read_text().strip().startswith("{")
    assert '"ok"' in target.read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]


def test_error_inside_block_removes_temp(tmp_path):
    with pytest.raises(RuntimeError):
        with atomic.atomic_path(tmp_path / "f.bin") as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []
