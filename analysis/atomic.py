"""Atomic file writes: a reader sees the old file or the new one, never part of either.

The data goes to a temporary file with a unique name (tempfile.mkstemp) in the target's folder,
is flushed to disk (fsync, so a crash cannot leave an empty file under the final name) and is
renamed over the target with os.replace, atomic within one file system. Writers never share a
temporary file, so concurrent writes of one path leave one writer's complete file (the last
rename wins); a failed write removes its temporary file and leaves the target as it was.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


def _umask_file_mode() -> int:
    """The mode open() gives a new file (mkstemp's is 0o600); read once, as os.umask must set
    the mask to read it."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


_FILE_MODE = _umask_file_mode()


@contextmanager
def atomic_open(path: str | Path, mode: str = "w", encoding: str = "utf-8") -> Iterator[IO]:
    """A file to write (mode "w" or "wb") that replaces `path` when the block ends without an
    exception; the folder is created if needed."""
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open writes whole files: mode 'w' or 'wb', not {mode!r}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle_fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with open(handle_fd, mode, encoding=None if mode == "wb" else encoding) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, _FILE_MODE)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Replace `path` with `data` atomically."""
    with atomic_open(path, "wb") as handle:
        handle.write(data)


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8") -> None:
    """Replace `path` with `text` atomically."""
    with atomic_open(path, "w", encoding) as handle:
        handle.write(text)
