"""SQLite cache of replies, written as each reply arrives, so no request is paid for twice.

WAL mode and a commit per reply: a run killed mid-batch loses at most the requests that were
in flight. The key hashes (endpoint, model, kind, parameters, prompt, repeat) and never the API
key; failed requests are never stored.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from pathlib import Path

from analysis.paths import reply_cache_path

KEY_VERSION = 1


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


class ReplyCache:
    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else reply_cache_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode survives a killed process; only power loss can drop the last commits.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=10000")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS replies ("
            "key TEXT PRIMARY KEY, model TEXT NOT NULL, created REAL NOT NULL, reply TEXT NOT NULL)"
        )

    def get(self, key: str) -> dict | None:
        with self._lock:
            row = self._db.execute("SELECT reply FROM replies WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, key: str, model: str, reply: dict) -> None:
        text = json.dumps(reply, ensure_ascii=False)
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO replies (key, model, created, reply) VALUES (?, ?, ?, ?)",
                (key, model, time.time(), text),
            )

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM replies").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()
