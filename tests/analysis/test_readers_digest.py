"""file_digest is remembered per file state, and a rewrite is never served a stale digest."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from analysis import readers


def test_file_digest_is_remembered_until_the_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "cache"))
    path = tmp_path / "data.jsonl"
    path.write_bytes(b'{"instruction": "a"}\n')
    assert readers.file_digest(path) == hashlib.sha256(path.read_bytes()).hexdigest()
    hashed = []
    real_sha256 = hashlib.sha256

    def counting_sha256(*data: bytes):
        if not data:  # file hashing starts from an empty sha256(); memo keys pass their bytes
            hashed.append(1)
        return real_sha256(*data)

    monkeypatch.setattr(readers.hashlib, "sha256", counting_sha256)
    first = readers.file_digest(path)
    assert hashed == []  # remembered: the file is not read again
    # Same size, modification time set back: the change time still tells the rewrite apart.
    stat = path.stat()
    time.sleep(0.01)
    path.write_bytes(b'{"instruction": "b"}\n')
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size and path.stat().st_mtime_ns == stat.st_mtime_ns
    second = readers.file_digest(path)
    assert second != first and hashed
    assert second == real_sha256(b'{"instruction": "b"}\n').hexdigest()
