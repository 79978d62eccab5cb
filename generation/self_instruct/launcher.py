"""Runs in the background for the Generate page: start, stop, resume, watch, list.

A run is a folder under the workspace's runs/ holding config.json; the worker process reads
it (`python -m generation.self_instruct.launcher RUN_DIR`), so the page never has to turn
settings into command-line flags and a resumed run cannot drift from the started one. The
page only reads state.json and candidates.jsonl, so a Streamlit rerun never touches the work.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.errors import WorkbenchError
from analysis.paths import REPO_ROOT, child_env, runs_dir
from generation import run_files
from generation.backend import ENV_BASE_URL, url_secrets
from generation.self_instruct import run_folder as rf
from generation.self_instruct.pipeline import SelfInstructRun
from generation.self_instruct.run_folder import RunConfig
from generation.self_instruct.state import RunState, RunStatus

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
_children: dict[Path, subprocess.Popen] = {}


def run_name(requested: str, config: RunConfig, now: float | None = None) -> str:
    """A folder name for a new run: the one asked for, else the variant, the model (or the
    backend) and the time; any run of characters other than letters, digits, ".", "_" and
    "-" becomes one "_"."""
    made = f"{config.template}-{config.model or config.backend or 'default'}-"
    made += time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    name = requested.strip() or made
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "run"


def start(config: RunConfig, run_dir: str | Path) -> subprocess.Popen:
    """Write the settings and start the worker in its own session (it outlives page reruns);
    its output goes to run.log. Resuming is starting again on the same folder. A thread waits
    for the worker, so that it is reaped as soon as it ends (no defunct process is left,
    whether or not a page still watches it)."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    rf.check_resumable(run_dir, config)
    run_files.write_json(run_dir / rf.CONFIG_FILE, config.to_dict())
    run_files.clear_stop(run_dir)
    env = child_env()
    if config.base_url and url_secrets(config.base_url):  # never in config.json: see main()
        env[ENV_BASE_URL] = config.base_url
    with (run_dir / run_files.LOG_FILE).open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "generation.self_instruct.launcher", str(run_dir)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=REPO_ROOT,
            env=env,
            start_new_session=True,
        )
    _children[run_dir.resolve()] = process
    threading.Thread(target=process.wait, name=f"reap-{run_dir.name}", daemon=True).start()
    return process


def stop(run_dir: str | Path) -> None:
    """Ask the worker to stop once its requests in flight are answered; it stays resumable."""
    run_files.request_stop(Path(run_dir))


def _forget_ended() -> None:
    for path, process in list(_children.items()):
        if process.poll() is not None:
            del _children[path]


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
    """The run as the page shows it: a worker alive before its first save reads STARTING, one
    asked to stop STOPPING until it has, a RUNNING state without a worker (killed, machine
    restarted) INTERRUPTED."""
    _forget_ended()
    run_dir = Path(run_dir)
    saved = rf.read_state(run_dir)
    child = _children.get(run_dir.resolve())
    running = run_files.is_running(run_dir) or (child is not None and child.poll() is None)
    shown = saved.status if saved else RunStatus.NOT_STARTED
    if running and shown is not RunStatus.RUNNING:
        shown = RunStatus.STARTING
    elif running and run_files.stop_requested(run_dir):
        shown = RunStatus.STOPPING
    elif shown is RunStatus.RUNNING and not running:
        shown = RunStatus.INTERRUPTED
    saved_config = run_files.read_json(run_dir / rf.CONFIG_FILE)
    config = None if saved_config is None else RunConfig.from_dict(saved_config)
    if saved is None:  # nothing counted yet; the target is the settings'
        saved = RunState(status=shown, target=config.target if config else 0)
    return RunSnapshot(run_dir, saved, shown, running, config)


def list_runs() -> list[Path]:
    """Run folders, newest first."""
    folders = [p for p in runs_dir().iterdir() if (p / rf.CONFIG_FILE).exists()]
    return sorted(folders, key=lambda p: (p / rf.CONFIG_FILE).stat().st_mtime, reverse=True)


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
    deadline = time.monotonic() + timeout
    run_dir = Path(run_dir)
    process = _children.get(run_dir.resolve())
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            break
        if process is None and not run_files.is_running(run_dir):
            break
        time.sleep(poll)
    return status(run_dir)


def main(argv: list[str] | None = None) -> int:
    run_dir = Path((argv or sys.argv[1:])[0])
    try:
        config = RunConfig.from_dict(run_files.read_json(run_dir / rf.CONFIG_FILE))
        pipeline = SelfInstructRun(config.with_credentials(os.environ.get(ENV_BASE_URL)), run_dir)
    except WorkbenchError as error:  # e.g. no API key: the page shows it from state.json
        state = rf.read_state(run_dir) or RunState()
        state.status, state.error, state.updated_at = RunStatus.FAILED, str(error), time.time()
        rf.write_state(run_dir, state)
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        pipeline.run(clear_stop=False)
    except WorkbenchError as error:  # the run saved it as its error; the log says it too
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
