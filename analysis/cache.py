"""Derived per-row columns cached as parquet, keyed by dataset fingerprint, parameters, version.

A cached result is valid exactly as long as the data (its fingerprint), the parameters and the
code version that produced it are unchanged; any change gives a new key, so stale entries are
never read (Hugging Face datasets' fingerprint idea).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.paths import cache_dir


def cache_key(namespace: str, fingerprint: str, params: Mapping[str, Any], version: str) -> str:
    payload = json.dumps(
        {"ns": namespace, "fp": fingerprint, "params": params, "v": version},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def cache_path(namespace: str, key: str, root: Path | None = None) -> Path:
    return (root or cache_dir()) / namespace / f"{key}.parquet"


def cached_frame(
    namespace: str,
    fingerprint: str,
    params: Mapping[str, Any],
    version: str,
    compute: Callable[[], pd.DataFrame],
    root: Path | None = None,
) -> pd.DataFrame:
    """Return the cached frame for this key, or compute, store atomically and return it."""
    path = cache_path(namespace, cache_key(namespace, fingerprint, params, version), root)
    if path.exists():
        return pd.read_parquet(path)
    frame = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    frame.to_parquet(tmp, index=False)
    os.replace(tmp, path)
    return frame
