"""Judge runs in the background for a page: start, stop, resume, watch, list, read.

The worker (`python -m generation.judge.launcher RUN_DIR`) reads the run folder's config.json;
starting, stopping and watching it are every pipeline's (generation.launcher), and so is the
listing: config.json's `pipeline` ("judge" or "compare-score") tells a judge run from another
pipeline's. A page only reads state.json and judgments.jsonl.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from generation import launcher, run_files
from generation.judge import run_folder as rf
from generation.judge.pipeline import JudgeRun
from generation.judge.run_folder import JudgeConfig
from generation.judge.state import JudgeState
from generation.run_status import RunStatus

WORKER = "generation.judge.launcher"


def run_name(requested: str, config: JudgeConfig, now: float | None = None) -> str:
    """A folder name for a new run: the one asked for, else the pipeline, the mode, the judge
    model (or the backend) and the time (see launcher.folder_name)."""
    made = f"{config.pipeline}-{config.mode}-{config.model or config.backend or 'default'}-"
    return launcher.folder_name(requested, made + launcher.timestamp(now))


def start(config: JudgeConfig, run_dir: str | Path) -> subprocess.Popen:
    """Write the settings and start the worker (launcher.start_worker); the endpoint's
    credentials, which config.json leaves out, go through its environment (see main()).
    Resuming is starting again on the same folder."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    config.check_resumable(run_dir)
    run_files.write_json(run_dir / rf.CONFIG_FILE, config.to_dict())
    return launcher.start_worker(WORKER, run_dir, config.base_url)


stop = launcher.stop


@dataclass(frozen=True)
class JudgeSnapshot:
    """A judge run folder as read now: its checkpoint (an empty one before the first save),
    whether its worker is alive, the status that follows, its settings (None without
    config.json)."""

    folder: Path
    state: JudgeState
    status: RunStatus
    running: bool
    config: JudgeConfig | None

    @property
    def eta_seconds(self) -> float | None:
        return self.state.eta_seconds() if self.running else None


def status(run_dir: str | Path) -> JudgeSnapshot:
    """The run as a page shows it (launcher.shown_status)."""
    run_dir = Path(run_dir)
    saved = rf.read_state(run_dir)
    shown, running = launcher.shown_status(run_dir, saved.status if saved else None)
    return JudgeSnapshot(
        run_dir, saved or JudgeState(status=shown), shown, running, rf.read_config(run_dir)
    )


def wait(run_dir: str | Path, timeout: float, poll: float = 0.2) -> JudgeSnapshot:
    """Block until the folder's worker is done (or the timeout); returns its status."""
    launcher.wait(run_dir, timeout, poll)
    return status(run_dir)


def list_runs() -> list[Path]:
    """The workspace's judge and compare-score run folders, newest first."""
    folders = [path for pipeline in rf.PIPELINES for path in launcher.list_runs(pipeline)]
    return sorted(folders, key=lambda p: (p / rf.CONFIG_FILE).stat().st_mtime, reverse=True)


def judgments_frame(run_dir: str | Path) -> pd.DataFrame:
    """The rows written so far, one per judge request."""
    return pd.DataFrame(run_files.read_jsonl(Path(run_dir) / rf.JUDGMENTS_FILE))


def main(argv: list[str] | None = None) -> int:
    def build(run_dir: Path, base_url: str | None) -> JudgeRun:
        config = rf.read_config(run_dir)
        return JudgeRun(config.with_credentials(base_url=base_url), run_dir)

    return launcher.worker_main(argv, build, rf.read_state, rf.write_state, JudgeState)


if __name__ == "__main__":
    sys.exit(main())
