"""SQLite cache of replies, written as each reply arrives, so no request is paid for twice.

WAL mode and a commit per reply: a run killed mid-batch loses at most the requests that were
in flight. The key hashes (endpoint, model, kind, parameters, prompt, repeat) and never the API
key; failed requests are never stored.

The cache is shared by every process of a workspace, so a request is *claimed* before it is
sent: a row in `claims` names its owner (this cache object, its host and pid) and a lease. A
second process that wants the same request waits for the owner's reply instead of paying for
it again. A claim whose owner is gone (its pid no longer lives on this host) or whose lease ran
out is taken over; if the owner had already sent the request, the reply was most likely billed
and lost, and the stored reply counts it (`repaid`) so that a run's cost says what was paid.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from analysis.paths import reply_cache_path

KEY_VERSION = 1
HOST = socket.gethostname()
BUSY_TIMEOUT_S = 10.0  # how long a writer waits for another one
WAL_ATTEMPTS = 20


def request_key(
    endpoint: str, model: str, kind: str, params: dict, prompt: object, repeat: int
) -> str:
    """Content hash of everything that decides a reply; `repeat` tells deliberate repeats apart."""
    payload = {
        "v": KEY_VERSION,
        "endpoint": endpoint,
        "model": model,
        "kind": kind,
        "params": params,
        "prompt": prompt,
        "repeat": repeat,
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Claim:
    """What claiming a request found: its reply (answered meanwhile), or the request is ours
    to send (`lost`: times an earlier owner died after sending it), or another owner holds it."""

    reply: dict | None = None
    ours: bool = False
    lost: int = 0


HELD = Claim()


def process_alive(pid: int) -> bool:
    """Whether a process of this host still runs (a zombie, killed but not reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[0] != "Z"


class ReplyCache:
    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else reply_cache_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.owner = uuid.uuid4().hex  # whose claims are this object's
        self._lock = threading.Lock()
        self._db = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT_S, check_same_thread=False, isolation_level=None
        )
        self._switch_to_wal()
        # NORMAL in WAL mode survives a killed process; only power loss can drop the last commits.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS replies ("
            "key TEXT PRIMARY KEY, model TEXT NOT NULL, created REAL NOT NULL, reply TEXT NOT NULL)"
        )
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS claims (key TEXT PRIMARY KEY, owner TEXT NOT NULL, "
            "host TEXT NOT NULL, pid INTEGER NOT NULL, lease_until REAL NOT NULL, "
            "sent INTEGER NOT NULL DEFAULT 0, lost INTEGER NOT NULL DEFAULT 0)"
        )

    def _switch_to_wal(self) -> None:
        """WAL mode, which a new file gets from the first process to open it. Two processes
        opening a new file at once may be told "locked" without waiting (SQLite avoids a
        deadlock that way): a few more tries then."""
        for attempt in range(WAL_ATTEMPTS):
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or attempt == WAL_ATTEMPTS - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))

    def get(self, key: str) -> dict | None:
        with self._lock:
            row = self._db.execute("SELECT reply FROM replies WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, key: str, model: str, reply: dict) -> None:
        """Store a reply; its claim is done with."""
        text = json.dumps(reply, ensure_ascii=False)
        with self._lock, self._transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO replies (key, model, created, reply) VALUES (?, ?, ?, ?)",
                (key, model, time.time(), text),
            )
            self._db.execute("DELETE FROM claims WHERE key = ?", (key,))

    def claim(self, key: str, lease_s: float) -> Claim:
        """Claim a request for `lease_s` seconds before sending it (see the module docstring).
        Reading first keeps a waiting process from taking the write lock at every look."""
        with self._lock:
            found = self._look(key)
            if found is not None:
                return found
            with self._transaction():
                found = self._look(key)
                if found is not None:
                    return found
                row = self._db.execute(
                    "SELECT owner, sent, lost FROM claims WHERE key = ?", (key,)
                ).fetchone()
                lost = 0 if row is None else row[2] + (row[1] and row[0] != self.owner)
                self._db.execute(
                    "INSERT OR REPLACE INTO claims VALUES (?, ?, ?, ?, ?, 0, ?)",
                    (key, self.owner, HOST, os.getpid(), time.time() + lease_s, lost),
                )
        return Claim(ours=True, lost=lost)

    def mark_sent(self, key: str) -> None:
        """The claimed request is about to leave: from now on, losing its reply costs money."""
        with self._lock:
            self._db.execute(
                "UPDATE claims SET sent = 1 WHERE key = ? AND owner = ?", (key, self.owner)
            )

    def release(self, key: str) -> None:
        """Give a claim up without a reply (the request failed, or was cancelled)."""
        with self._lock:
            self._db.execute("DELETE FROM claims WHERE key = ? AND owner = ?", (key, self.owner))

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM replies").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _look(self, key: str) -> Claim | None:
        """The reply, or HELD while a live owner's lease runs; None when the request is free."""
        row = self._db.execute("SELECT reply FROM replies WHERE key = ?", (key,)).fetchone()
        if row:
            return Claim(reply=json.loads(row[0]))
        held = self._db.execute(
            "SELECT owner, host, pid, lease_until FROM claims WHERE key = ?", (key,)
        ).fetchone()
        if held is None:
            return None
        owner, host, pid, lease_until = held
        if owner == self.owner or lease_until < time.time():
            return None
        if host == HOST and not process_alive(pid):
            return None
        return HELD

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on error: one writer decides at a time."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
