"""Where the workbench keeps its files: one place for every path default."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
MANIFEST_PATH = DATA_DIR / "manifest.json"


def workspace_dir() -> Path:
    """Git-ignored folder for user datasets, caches and runs (override: WORKBENCH_HOME)."""
    path = Path(os.environ.get("WORKBENCH_HOME", REPO_ROOT / ".workspace"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_dir() -> Path:
    path = workspace_dir() / "cache"
    path.mkdir(parents=True, exist_ok=True)
    return path
