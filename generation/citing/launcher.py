"""CITING runs in the background for their page: start, stop, resume, watch, list.

The worker (`python -m generation.citing.launcher RUN_DIR`) reads the run folder's config.json;
starting, stopping and watching it are every pipeline's (generation.launcher). The page reads
state.json, rubrics.jsonl and the rounds' files only.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from generation import launcher, run_files
from generation.citing import records as rec
from generation.citing import run_folder as rf
from generation.citing.pipeline import CitingRun
from generation.citing.run_folder import CitingConfig
from generation.citing.state import CitingState
from generation.run_status import RunStatus

WORKER = "generation.citing.launcher"
#: What the page shows of a round's records, in this order.
RECORD_COLUMNS = (
    "instruction",
    "input",
    "category",
    "assigned_by",
    "student_answer",
    "revision",
    "rationale",
    "outcome",
    "detail",
)


def run_name(requested: str, config: CitingConfig, now: float | None = None) -> str:
    made = f"citing-{Path(config.source).name}-{config.teacher_model or 'default'}-"
    made += launcher.timestamp(now)
    return launcher.folder_name(requested, made)


def start(config: CitingConfig, run_dir: str | Path) -> subprocess.Popen:
    """Write the settings and start the worker; resuming is starting again on the folder.
    The teacher's endpoint credentials (left out of config.json) go through the environment."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    config.check_resumable(run_dir)
    run_files.write_json(run_dir / rf.CONFIG_FILE, config.to_dict())
    return launcher.start_worker(WORKER, run_dir, config.teacher_base_url)


def stop(run_dir: str | Path) -> None:
    launcher.stop(run_dir)


@dataclass(frozen=True)
class CitingSnapshot:
    folder: Path
    state: CitingState
    status: RunStatus
    running: bool
    config: CitingConfig | None


def status(run_dir: str | Path) -> CitingSnapshot:
    run_dir = Path(run_dir)
    saved = rf.read_state(run_dir)
    shown, running = launcher.shown_status(run_dir, saved.status if saved else None)
    stored = run_files.read_json(run_dir / rf.CONFIG_FILE)
    config = None if stored is None else CitingConfig.from_dict(stored)
    return CitingSnapshot(run_dir, saved or CitingState(status=shown), shown, running, config)


def list_runs() -> list[Path]:
    return launcher.list_runs(rf.PIPELINE)


def wait(run_dir: str | Path, timeout: float, poll: float = 0.2) -> CitingSnapshot:
    launcher.wait(run_dir, timeout, poll)
    return status(run_dir)


def rounds_written(run_dir: str | Path) -> list[int]:
    return sorted(
        int(number)
        for folder in Path(run_dir).glob(f"{rf.ROUND_PREFIX}*")
        if (number := folder.name.removeprefix(rf.ROUND_PREFIX)).isdigit()
        and (folder / rf.REVISIONS_FILE).exists()
    )


def round_frame(run_dir: str | Path, number: int) -> pd.DataFrame:
    """A round's records as the page shows them (plain text columns)."""
    records = rec.read_round(Path(run_dir), number)
    return pd.DataFrame(records, columns=list(RECORD_COLUMNS))


def main(argv: list[str] | None = None) -> int:
    def build(run_dir: Path, base_url: str | None) -> CitingRun:
        config = CitingConfig.from_dict(run_files.read_json(run_dir / rf.CONFIG_FILE))
        return CitingRun(
            config.with_credentials(teacher_base_url=base_url, student_base_url=base_url), run_dir
        )

    return launcher.worker_main(argv, build, rf.read_state, rf.write_state, CitingState)


if __name__ == "__main__":
    sys.exit(main())
