"""Runs in the background for the Generate page: start, stop, resume, watch, list.

The worker (`python -m generation.self_instruct.launcher RUN_DIR`) reads the run folder's
config.json; starting, stopping and watching it are every pipeline's (generation.launcher).
The page only reads state.json and candidates.jsonl, so a Streamlit rerun never touches the
work.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from generation import launcher, run_files
from generation.self_instruct import run_folder as rf
from generation.self_instruct.pipeline import SelfInstructRun
from generation.self_instruct.run_folder import RunConfig
from generation.self_instruct.state import RunState, RunStatus

PIPELINE = launcher.UNNAMED_PIPELINE
CANDIDATE_COLUMNS = (
    "round",
    "instruction",
    "verdict",
    "reason",
    "detail",
    "max_rougeL",
    "nearest",
    "input",
    "output",
)


def run_name(requested: str, config: RunConfig, now: float | None = None) -> str:
    """A folder name for a new run: the one asked for, else the variant, the model (or the
    backend) and the time (see launcher.folder_name)."""
    made = f"{config.template}-{config.model or config.backend or 'default'}-"
    return launcher.folder_name(requested, made + launcher.timestamp(now))


def start(config: RunConfig, run_dir: str | Path) -> subprocess.Popen:
    """Write the settings and start the worker (launcher.start_worker); the endpoint's
    credentials, which config.json leaves out, go through its environment (see main()).
    Resuming is starting again on the same folder."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    config.check_resumable(run_dir)
    run_files.write_json(run_dir / rf.CONFIG_FILE, config.to_dict())
    return launcher.start_worker("generation.self_instruct.launcher", run_dir, config.base_url)


stop = launcher.stop


@dataclass(frozen=True)
class RunSnapshot:
    """A run folder as read now: its checkpoint (an empty one before the first save), whether
    its worker is alive, the status that follows from both, and its settings (None without
    config.json)."""

    folder: Path
    state: RunState
    status: RunStatus
    running: bool
    config: RunConfig | None

    @property
    def eta_seconds(self) -> float | None:
        return self.state.eta_seconds() if self.running else None

    @property
    def has_dataset(self) -> bool:
        return self.status is RunStatus.DONE and (self.folder / rf.DATASET_FILE).exists()


def status(run_dir: str | Path) -> RunSnapshot:
    """The run as the page shows it (launcher.shown_status)."""
    run_dir = Path(run_dir)
    saved = rf.read_state(run_dir)
    shown, running = launcher.shown_status(run_dir, saved.status if saved else None)
    saved_config = run_files.read_json(run_dir / rf.CONFIG_FILE)
    config = None if saved_config is None else RunConfig.from_dict(saved_config)
    if saved is None:  # nothing counted yet; the target is the settings'
        saved = RunState(status=shown, target=config.target if config else 0)
    return RunSnapshot(run_dir, saved, shown, running, config)


def list_runs() -> list[Path]:
    """Self-Instruct's run folders, newest first."""
    return launcher.list_runs(PIPELINE)


def candidates_frame(run_dir: str | Path) -> pd.DataFrame:
    """Every candidate with its verdict, reason, max ROUGE-L and nearest instruction."""
    rows = run_files.read_jsonl(Path(run_dir) / rf.CANDIDATES_FILE)
    frame = pd.DataFrame(rows, columns=list(CANDIDATE_COLUMNS))
    return frame.astype({"max_rougeL": "float64"})


def candidates_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The candidates as the page lists them: input and output only where some candidate has
    one (Alpaca's tasks do; Self-Instruct's candidates are instructions alone)."""
    empty = [name for name in ("input", "output") if not frame[name].fillna("").str.len().any()]
    return frame.drop(columns=empty)


def filter_candidates(
    frame: pd.DataFrame, verdicts: list[str] | None = None, reasons: list[str] | None = None
) -> pd.DataFrame:
    if verdicts:
        frame = frame[frame["verdict"].isin(verdicts)]
    if reasons:
        frame = frame[frame["reason"].isin(reasons)]
    return frame.reset_index(drop=True)


def wait(run_dir: str | Path, timeout: float, poll: float = 0.2) -> RunSnapshot:
    """Block until the folder's worker is done (or the timeout); returns its status."""
    launcher.wait(run_dir, timeout, poll)
    return status(run_dir)


def main(argv: list[str] | None = None) -> int:
    def build(run_dir: Path, base_url: str | None) -> SelfInstructRun:
        config = RunConfig.from_dict(run_files.read_json(run_dir / rf.CONFIG_FILE))
        return SelfInstructRun(config.with_credentials(base_url=base_url), run_dir)

    return launcher.worker_main(argv, build, rf.read_state, rf.write_state, RunState)


if __name__ == "__main__":
    sys.exit(main())
