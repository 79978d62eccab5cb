"""Derived per-row columns cached as parquet, keyed by dataset fingerprint, parameters, version.

A cached result is valid exactly as long as the data (its fingerprint), the parameters and the
code version that produced it are unchanged; any change gives a new key, so stale entries are
never read (Hugging Face datasets' fingerprint idea).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.atomic import atomic_open
from analysis.paths import cache_dir

_META_KEY = b"workbench"


def cache_key(namespace: str, fingerprint: str, params: Mapping[str, Any], version: str) -> str:
    payload = json.dumps(
        {"ns": namespace, "fp": fingerprint, "params": params, "v": version},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def cache_path(namespace: str, key: str, root: Path | None = None) -> Path:
    return (root or cache_dir()) / namespace / f"{key}.parquet"


def read_frame(
    namespace: str, key: str, root: Path | None = None
) -> tuple[pd.DataFrame, dict] | None:
    """A stored frame and the JSON metadata written with it, or None when there is none."""
    path = cache_path(namespace, key, root)
    if not path.exists():
        return None
    table = pq.read_table(path)
    meta = json.loads((table.schema.metadata or {}).get(_META_KEY, b"{}"))
    return table.to_pandas(), meta


def write_frame(
    namespace: str,
    key: str,
    frame: pd.DataFrame,
    meta: Mapping[str, Any] | None = None,
    root: Path | None = None,
) -> None:
    """Store atomically, so a reader never sees half a file."""
    path = cache_path(namespace, key, root)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    schema_meta = {
        **(table.schema.metadata or {}),
        _META_KEY: json.dumps(dict(meta or {})).encode(),
    }
    with atomic_open(path, "wb") as handle:
        pq.write_table(table.replace_schema_metadata(schema_meta), handle)


def has_frame(namespace: str, fingerprint: str, params: Mapping[str, Any], version: str) -> bool:
    """Whether `cached_frame` with these arguments would read the disk instead of computing."""
    return cache_path(namespace, cache_key(namespace, fingerprint, params, version)).exists()


def cached_frame(
    namespace: str,
    fingerprint: str,
    params: Mapping[str, Any],
    version: str,
    compute: Callable[[], pd.DataFrame],
    root: Path | None = None,
) -> pd.DataFrame:
    """Return the cached frame for this key, or compute, store and return it."""
    key = cache_key(namespace, fingerprint, params, version)
    cached = read_frame(namespace, key, root)
    if cached is not None:
        return cached[0]
    frame = compute()
    write_frame(namespace, key, frame, root=root)
    return frame
