"""Where the workbench keeps its files: one place for every path default."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
MANIFEST_PATH = DATA_DIR / "manifest.json"


def _folder(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def workspace_dir() -> Path:
    """Git-ignored folder for user datasets, caches and runs (override: WORKBENCH_HOME)."""
    return _folder(Path(os.environ.get("WORKBENCH_HOME", REPO_ROOT / ".workspace")))


def cache_dir() -> Path:
    """Derived-column and parse caches (override: WORKBENCH_CACHE).

    Every entry is keyed by content fingerprint, parameters and version, so one cache can be
    shared by several workspaces (the page tests do) without one seeing another's data.
    """
    override = os.environ.get("WORKBENCH_CACHE")
    return _folder(Path(override) if override else workspace_dir() / "cache")


def user_datasets_dir() -> Path:
    """Copies of the datasets a user added, and the index that registers them."""
    return _folder(workspace_dir() / "datasets")
