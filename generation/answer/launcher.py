"""Teacher-answers runs in the background for their page: start, stop, resume, watch, list.

The worker (`python -m generation.answer.launcher RUN_DIR`) reads the run folder's config.json;
starting, stopping and watching it are every pipeline's (generation.launcher). The page only
reads state.json and the failures, so a Streamlit rerun never touches the work.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from generation import launcher, run_files
from generation.answer import records as rec
from generation.answer import run_folder as rf
from generation.answer.pipeline import AnswerRun
from generation.answer.run_folder import AnswerConfig
from generation.answer.state import AnswerState
from generation.run_status import RunStatus

WORKER = "generation.answer.launcher"


def run_name(requested: str, config: AnswerConfig, now: float | None = None) -> str:
    """A folder name for a new run: the one asked for, else the source, the language, the
    model (or the backend) and the time (see launcher.folder_name)."""
    made = f"answers-{Path(config.source).name}-{config.lang}-"
    made += f"{config.model or config.backend or 'default'}-{launcher.timestamp(now)}"
    return launcher.folder_name(requested, made)


def start(config: AnswerConfig, run_dir: str | Path) -> subprocess.Popen:
    """Write the settings and start the worker (launcher.start_worker); the endpoint's
    credentials, which config.json leaves out, go through its environment (see main()).
    Resuming is starting again on the same folder."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    config.check_resumable(run_dir)
    run_files.write_json(run_dir / rf.CONFIG_FILE, config.to_dict())
    return launcher.start_worker(WORKER, run_dir, config.base_url)


def stop(run_dir: str | Path) -> None:
    launcher.stop(run_dir)


@dataclass(frozen=True)
class AnswerSnapshot:
    """A run folder as read now: its checkpoint (an empty one before the first save), whether
    its worker is alive, the status that follows from both, and its settings (None without
    config.json)."""

    folder: Path
    state: AnswerState
    status: RunStatus
    running: bool
    config: AnswerConfig | None

    @property
    def eta_seconds(self) -> float | None:
        return self.state.eta_seconds() if self.running else None

    @property
    def has_dataset(self) -> bool:
        """Done with at least one answered row (a run whose every row failed has none)."""
        path = self.folder / rf.DATASET_FILE
        return self.status is RunStatus.DONE and path.exists() and path.stat().st_size > 0


def status(run_dir: str | Path) -> AnswerSnapshot:
    """The run as the page shows it (launcher.shown_status)."""
    run_dir = Path(run_dir)
    saved = rf.read_state(run_dir)
    shown, running = launcher.shown_status(run_dir, saved.status if saved else None)
    stored = run_files.read_json(run_dir / rf.CONFIG_FILE)
    config = None if stored is None else AnswerConfig.from_dict(stored)
    if saved is None:
        saved = AnswerState(status=shown, lang=config.lang if config else "en")
    return AnswerSnapshot(run_dir, saved, shown, running, config)


def list_runs() -> list[Path]:
    """Teacher-answers run folders, newest first."""
    return launcher.list_runs(rf.PIPELINE)


def wait(run_dir: str | Path, timeout: float, poll: float = 0.2) -> AnswerSnapshot:
    """Block until the folder's worker is done (or the timeout); returns its status."""
    launcher.wait(run_dir, timeout, poll)
    return status(run_dir)


def failures_frame(run_dir: str | Path) -> pd.DataFrame:
    """The rows without an answer, each with its cause: failures.jsonl once the run is done,
    else from the records written so far (a row asked again counts by its last record)."""
    run_dir = Path(run_dir)
    if status(run_dir).status is RunStatus.DONE:
        rows = run_files.read_jsonl(run_dir / rf.FAILURES_FILE)
    else:
        latest = {row["position"]: row for row in run_files.read_jsonl(run_dir / rf.RECORDS_FILE)}
        rows = [rec.failure_row(latest[p]) for p in sorted(latest)]
        rows = [row for row in rows if row is not None]
    return pd.DataFrame(rows, columns=list(rec.FAILURE_COLUMNS))


def main(argv: list[str] | None = None) -> int:
    def build(run_dir: Path, base_url: str | None) -> AnswerRun:
        config = AnswerConfig.from_dict(run_files.read_json(run_dir / rf.CONFIG_FILE))
        return AnswerRun(config.with_credentials(base_url=base_url), run_dir)

    return launcher.worker_main(argv, build, rf.read_state, rf.write_state, AnswerState)


if __name__ == "__main__":
    sys.exit(main())
