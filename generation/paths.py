"""Every path the generation side reads or writes, in one place.

Runs, server logs and the reply cache live in the git-ignored workspace (analysis.paths); the
price table and the prompt templates ship inside the package. A child process (a background
run, the embedded model's server) gets `child_env()`, so it imports this checkout's packages.
"""

from __future__ import annotations

import os
from pathlib import Path

from analysis.paths import REPO_ROOT, cache_dir, workspace_dir

PACKAGE_DIR = Path(__file__).resolve().parent
BUNDLED_PROMPTS_DIR = PACKAGE_DIR / "prompts"
BUNDLED_PRICES_PATH = PACKAGE_DIR / "prices.json"
ENV_PRICES = "WORKBENCH_PRICES"


def runs_dir() -> Path:
    """Run folders started from the Generate page (the CLI writes wherever --out says)."""
    return _made(workspace_dir() / "runs")


def logs_dir() -> Path:
    return _made(workspace_dir() / "logs")


def reply_cache_path() -> Path:
    """The SQLite reply cache every client shares unless told otherwise."""
    return cache_dir() / "llm_replies.sqlite"


def prices_path(path: str | Path | None = None) -> Path:
    """The price table: `path`, else WORKBENCH_PRICES, else the bundled one."""
    return Path(path or os.environ.get(ENV_PRICES) or BUNDLED_PRICES_PATH)


def child_env() -> dict[str, str]:
    """The environment for a child Python process: this checkout first on its import path."""
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]),
    }


def _made(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path
