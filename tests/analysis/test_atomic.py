"""Atomic writes: whole files only, even with several writers and a reader at once."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

from analysis.atomic import atomic_open, atomic_write_bytes, atomic_write_text
from analysis.paths import REPO_ROOT

#: Each writer's file: one byte repeated, so any mix of two writers' data shows.
PAYLOAD_BYTES = 256 * 1024


def payload(writer: int) -> bytes:
    return bytes([65 + writer]) * PAYLOAD_BYTES


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.endswith(".tmp"))


def test_atomic_write_text_and_bytes_replace_the_file(tmp_path):
    path = tmp_path / "nested" / "out.txt"
    atomic_write_text(path, "première ligne\n")
    assert path.read_text(encoding="utf-8") == "première ligne\n"
    atomic_write_bytes(path, b"\x00\x01")
    assert path.read_bytes() == b"\x00\x01"
    assert leftovers(path.parent) == []


def test_atomic_write_gives_the_mode_open_would(tmp_path):
    plain = tmp_path / "plain"
    plain.write_bytes(b"")
    atomic_write_bytes(tmp_path / "atomic", b"")
    assert (tmp_path / "atomic").stat().st_mode == plain.stat().st_mode


def test_atomic_open_failure_keeps_the_old_file_and_removes_the_temporary(tmp_path):
    path = tmp_path / "out.csv"
    atomic_write_text(path, "old\n")
    with pytest.raises(RuntimeError), atomic_open(path) as handle:
        handle.write("half of the new")
        raise RuntimeError("interrupted")
    assert path.read_text() == "old\n"
    assert leftovers(tmp_path) == []


def test_atomic_open_refuses_append_and_read_modes(tmp_path):
    for mode in ("a", "r", "w+"):
        with pytest.raises(ValueError, match="whole files"), atomic_open(tmp_path / "x", mode):
            pass
    assert list(tmp_path.iterdir()) == []


def read_while(path: Path, running: threading.Event) -> set[bytes]:
    """Every distinct content read from the path until the writers stop; a missing file raises
    FileNotFoundError."""
    seen: set[bytes] = set()
    while running.is_set():
        seen.add(path.read_bytes())
    return seen


@contextmanager
def reading(path: Path) -> Iterator[Future]:
    """A reader thread over the block; its result is every content it read."""
    running = threading.Event()
    running.set()
    with ThreadPoolExecutor(1) as pool:
        reader = pool.submit(read_while, path, running)
        try:
            yield reader
        finally:
            running.clear()


def test_atomic_concurrent_threads_never_tear_or_lose_the_file(tmp_path):
    path = tmp_path / "shared.bin"
    atomic_write_bytes(path, payload(0))

    def write(writer: int) -> None:
        for _ in range(100):
            atomic_write_bytes(path, payload(writer))

    with reading(path) as reader, ThreadPoolExecutor(3) as pool:
        for writer in [pool.submit(write, writer) for writer in (1, 2, 3)]:
            writer.result()  # a writer's exception fails the test here
    seen = reader.result()
    assert seen <= {payload(writer) for writer in range(4)}
    assert path.read_bytes() in {payload(writer) for writer in (1, 2, 3)}
    assert leftovers(tmp_path) == []


WRITER_SCRIPT = """
import sys
from analysis.atomic import atomic_write_bytes
path, writer, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for _ in range(150):
    atomic_write_bytes(path, bytes([65 + writer]) * size)
"""


def test_atomic_concurrent_processes_never_tear_or_lose_the_file(tmp_path):
    path = tmp_path / "shared.bin"
    atomic_write_bytes(path, payload(0))
    environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    with reading(path) as reader:
        writers = [
            subprocess.Popen(
                [sys.executable, "-c", WRITER_SCRIPT, str(path), str(writer), str(PAYLOAD_BYTES)],
                env=environment,
            )
            for writer in (1, 2)
        ]
        codes = [process.wait(timeout=120) for process in writers]
    seen = reader.result()
    assert codes == [0, 0]
    assert seen <= {payload(writer) for writer in range(3)}
    assert path.read_bytes() in {payload(1), payload(2)}
    assert leftovers(tmp_path) == []
