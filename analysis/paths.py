"""Where the workbench keeps its files: one place for every path default.

User datasets, caches, runs, logs and the reply cache live in the git-ignored workspace; the
bundled data, price table and prompt templates ship with the code. A child process (a
background run, the embedded model's server) gets `child_env()`, so it imports this checkout.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
MANIFEST_PATH = DATA_DIR / "manifest.json"
#: GPT-4-LLM's judge scores of three models' answers (the Judge page's bundled example).
GPT4_LLM_SCORES_PATH = DATA_DIR / "gpt4_llm" / "cmp_data_scores.json"
BUNDLED_PROMPTS_DIR = REPO_ROOT / "generation" / "prompts"
BUNDLED_PRICES_PATH = REPO_ROOT / "generation" / "prices.json"
ENV_PRICES = "WORKBENCH_PRICES"


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


def annotations_path() -> Path:
    """The SQLite store of every label people gave (spot-checks): never in a cache folder."""
    return workspace_dir() / "annotations.sqlite"


def prompt_versions_dir() -> Path:
    """Named versions of prompt templates saved from the playground: never in a cache folder."""
    return _folder(workspace_dir() / "prompt_versions")


def runs_dir() -> Path:
    """Run folders started from the Generate page (the CLI writes wherever --out says)."""
    return _folder(workspace_dir() / "runs")


def logs_dir() -> Path:
    return _folder(workspace_dir() / "logs")


def reply_cache_path() -> Path:
    """The SQLite reply cache every client shares unless told otherwise. It stays in the
    workspace (not under WORKBENCH_CACHE): replies are what was paid for there."""
    return _folder(workspace_dir() / "cache") / "llm_replies.sqlite"


def prices_path(path: str | Path | None = None) -> Path:
    """The price table: `path`, else WORKBENCH_PRICES, else the bundled one."""
    return Path(path or os.environ.get(ENV_PRICES) or BUNDLED_PRICES_PATH)


def child_env() -> dict[str, str]:
    """The environment for a child Python process: this checkout first on its import path."""
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]),
    }
