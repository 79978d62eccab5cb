"""The files of any run folder: atomic JSON, durable JSONL, the lock, the stop request, the log.

Every pipeline (Self-Instruct, teacher answers, judge, CITING) keeps its run folder with these,
so "is it running?", "stop it" and "what did it write?" mean the same thing everywhere. A run
holds an exclusive lock on `.lock` while it works: the kernel drops it when the process dies,
even by SIGKILL, so "is it running?" never trusts a stale pid.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from analysis.atomic import atomic_open, atomic_write_text
from analysis.errors import Errors, WorkbenchError

STOP_FILE = "STOP"
LOCK_FILE = ".lock"
LOG_FILE = "run.log"


def failure_text(error: BaseException) -> str:
    """What a run's state and its page say about the error that ended it: the message of the
    project's own errors, the type too for any other."""
    if isinstance(error, WorkbenchError):
        return str(error)
    return f"{type(error).__name__}: {error}"


def write_json(path: Path, data: Any) -> None:
    """Replace a JSON file atomically."""
    atomic_write_text(path, json.dumps(data, indent=1, ensure_ascii=False))


def read_json(path: Path) -> Any | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def write_jsonl(path: Path, rows: Iterable[dict]) -> None:
    with atomic_open(path) as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def append_jsonl(path: Path, rows: Iterable[dict]) -> None:
    """Append rows durably: they are on disk before the checkpoint that counts them."""
    with path.open("a", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def read_jsonl(path: Path) -> list[dict]:
    """Rows of a JSONL file; a torn last line (a process killed mid-write) is ignored."""
    if not path.exists():
        return []
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                break
    return rows


@contextlib.contextmanager
def run_lock(out_dir: Path) -> Iterator[None]:
    """Hold the folder's lock for the run; a second process gets a clear error."""
    handle = (out_dir / LOCK_FILE).open("a")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WorkbenchError(Errors.E030.format(folder=out_dir)) from None
        yield
    finally:
        handle.close()


def is_running(out_dir: Path) -> bool:
    """Whether a process holds the folder's lock right now."""
    path = Path(out_dir) / LOCK_FILE
    if not path.exists():
        return False
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def log_tail(out_dir: Path, lines: int = 15) -> str:
    """The last lines of the worker's output ("" before it wrote any): why a run failed."""
    path = Path(out_dir) / LOG_FILE
    if not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def request_stop(out_dir: Path) -> None:
    """Ask the run in this folder to stop once the requests in flight are answered."""
    (Path(out_dir) / STOP_FILE).touch()


def stop_requested(out_dir: Path) -> bool:
    return (out_dir / STOP_FILE).exists()


def clear_stop(out_dir: Path) -> None:
    (out_dir / STOP_FILE).unlink(missing_ok=True)
