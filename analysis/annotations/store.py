"""The label store: SQLite in WAL mode, one row per (dataset fingerprint, row id, annotator,
scheme, question) holding the current answer, note and time; an edit moves the old label into
`history`, so nothing once saved is lost.

Every save is its own committed transaction before the call returns (synchronous=FULL), so an
acknowledged label survives a closed browser, `kill -9` and a restart; `BEGIN IMMEDIATE` and a
busy timeout let two tabs, two annotators or two processes write at once without losing or
doubling a label. A connection is opened per call: Streamlit serves sessions from threads.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import astuple, dataclass, field
from pathlib import Path

import pandas as pd

from analysis.paths import annotations_path

COLUMNS = ("fingerprint", "row_id", "annotator", "scheme", "question", "answer", "note", "time")
_KEY = ("fingerprint", "row_id", "annotator", "scheme", "question")
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS labels (
    fingerprint TEXT NOT NULL, row_id TEXT NOT NULL, annotator TEXT NOT NULL,
    scheme TEXT NOT NULL, question TEXT NOT NULL, answer TEXT NOT NULL, note TEXT,
    time REAL NOT NULL, PRIMARY KEY ({", ".join(_KEY)})
);
CREATE TABLE IF NOT EXISTS history (
    {", ".join(f"{c} {'REAL' if c == 'time' else 'TEXT'}" for c in COLUMNS)},
    replaced_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS labels_by_study ON labels (scheme, annotator);
"""
BUSY_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Label:
    fingerprint: str
    row_id: str
    annotator: str
    scheme: str
    question: str
    answer: str
    note: str | None = None
    time: float = field(default_factory=time.time)


class LabelStore:
    def __init__(self, path: Path | None = None):
        self.path = Path(path or annotations_path())
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db:
            db.execute("PRAGMA journal_mode=WAL")  # persistent: readers never block the writer
            db.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        db.execute("PRAGMA synchronous=FULL")  # a returned save is on disk
        return db

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with closing(
            sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        ) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def save(self, label: Label) -> None:
        """Store one label (replacing, and keeping in history, an earlier one for the same key)."""
        self.save_many([label])

    def save_many(self, labels: Iterable[Label]) -> int:
        """Store labels in one transaction: all of them or, on any error, none."""
        count = 0
        now = time.time()
        with self._transaction() as db:
            for label in labels:
                key = (
                    label.fingerprint,
                    label.row_id,
                    label.annotator,
                    label.scheme,
                    label.question,
                )
                old = db.execute(
                    f"SELECT {', '.join(COLUMNS)} FROM labels WHERE "
                    + " AND ".join(f"{c} = ?" for c in _KEY),
                    key,
                ).fetchone()
                if old is not None and (old[5], old[6]) == (label.answer, label.note):
                    continue  # the same answer again: nothing changes
                if old is not None:
                    db.execute(f"INSERT INTO history VALUES ({', '.join('?' * 9)})", (*old, now))
                db.execute(
                    f"INSERT OR REPLACE INTO labels VALUES ({', '.join('?' * 8)})", astuple(label)
                )
                count += 1
        return count

    def frame(self, **where: str) -> pd.DataFrame:
        """Current labels as a DataFrame (columns COLUMNS), filtered by equal columns."""
        return self._select("labels", where)

    def history(self, **where: str) -> pd.DataFrame:
        return self._select("history", where)

    def _select(self, table: str, where: dict[str, str]) -> pd.DataFrame:
        unknown = set(where) - set(COLUMNS)
        if unknown:
            raise ValueError(f"unknown label columns {sorted(unknown)}")
        clause = " AND ".join(f"{column} = ?" for column in where) or "1"
        with self._transaction() as db:
            cursor = db.execute(
                f"SELECT * FROM {table} WHERE {clause} ORDER BY time", tuple(where.values())
            )
            names = [d[0] for d in cursor.description]
            return pd.DataFrame(cursor.fetchall(), columns=names)

    def answered(self, scheme: str, annotator: str) -> dict[tuple[str, str], dict[str, str]]:
        """(fingerprint, row id) -> {question: answer} of one annotator in one scheme."""
        done: dict[tuple[str, str], dict[str, str]] = {}
        for row in self.frame(scheme=scheme, annotator=annotator).itertuples():
            done.setdefault((row.fingerprint, row.row_id), {})[row.question] = row.answer
        return done

    def notes(self, scheme: str, annotator: str) -> dict[tuple[str, str], str]:
        """(fingerprint, row id) -> the note of one annotator's latest answer to the item."""
        rows = self.frame(scheme=scheme, annotator=annotator).dropna(subset=["note"])
        return {(r.fingerprint, r.row_id): r.note for r in rows.itertuples()}
