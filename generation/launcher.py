"""Background workers for the pages, for every pipeline: start, stop, watch, wait, list.

A run is a folder under the workspace's runs/ holding config.json; its worker process
(`python -m <the pipeline's launcher module> RUN_DIR`) reads its settings from there, so a page
never turns settings into command-line flags and a resumed run cannot drift from the started
one. config.json's `pipeline` names the pipeline (a folder without it is Self-Instruct's, which
wrote none), so each page lists its own runs; every pipeline's settings store themselves there
through StoredConfig. Of a run's state.json this module reads only what every pipeline writes:
`status`, and `usage` (the finished steps' usage, by stage).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import asdict, fields, replace
from pathlib import Path
from typing import Any, ClassVar, Self

from analysis.errors import Errors, WorkbenchError
from analysis.paths import REPO_ROOT, child_env, runs_dir
from generation import run_files
from generation.backend import ENV_BASE_URL, safe_url, url_secrets
from generation.run_status import RunStatus
from generation.usage import UsageCounter

CONFIG_FILE = "config.json"
STATE_FILE = "state.json"
PIPELINE_KEY = "pipeline"
#: The pipeline of a config.json that names none (Self-Instruct's runs wrote no name).
UNNAMED_PIPELINE = "self-instruct"

_children: dict[Path, subprocess.Popen] = {}


class StoredConfig:
    """A pipeline's settings (a frozen dataclass mixing this in) as its run folder's config.json
    stores them, and the rule for resuming a folder's run, from three class-level declarations.
    """

    #: The name to_dict writes under PIPELINE_KEY, and that a resumed folder must hold. None:
    #: none written or required (Self-Instruct's runs never wrote one; the judge's `pipeline`
    #: field stores its own, compared like any other setting).
    PIPELINE: ClassVar[str | None] = None
    #: The endpoint fields: stored without their credentials.
    URL_FIELDS: ClassVar[tuple[str, ...]] = ("base_url",)
    #: Settings a resumed run may change without changing what it produces.
    ADJUSTABLE: ClassVar[tuple[str, ...]] = ()

    def to_dict(self) -> dict[str, Any]:
        """The settings as config.json stores them: the endpoints as safe_url writes them, so
        no credential reaches a file."""
        data = asdict(self)
        for name in self.URL_FIELDS:
            if data[name]:
                data[name] = safe_url(data[name])
        return data if self.PIPELINE is None else {PIPELINE_KEY: self.PIPELINE, **data}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """The settings from config.json; keys that are not settings (the pipeline's name,
        settings of older versions) are left out."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def with_credentials(self, **urls: str | None) -> Self:
        """These settings with each endpoint given by field name in place of the stored one it
        equals without its credentials (a worker gets them from its environment)."""
        changes = {
            name: url
            for name, url in urls.items()
            if url and getattr(self, name) and safe_url(url) == getattr(self, name)
        }
        return replace(self, **changes) if changes else self

    def resolved(self) -> Self:
        """The settings the run really uses, which a resume compares (defaults filled in)."""
        return self

    def check_resumable(self, out_dir: Path) -> None:
        """Refuse to continue a folder's run of another pipeline, or with settings outside
        ADJUSTABLE that differ from the stored ones (they would change what it produces)."""
        saved = run_files.read_json(Path(out_dir) / CONFIG_FILE)
        if saved is None:
            return
        if self.PIPELINE and saved.get(PIPELINE_KEY, UNNAMED_PIPELINE) != self.PIPELINE:
            raise WorkbenchError(
                Errors.E029.format(folder=out_dir, changes="another pipeline's run")
            )
        previous = self.from_dict(saved).resolved().to_dict()
        current = self.resolved().to_dict()
        changed = [
            f"{name}: {previous[name]!r} -> {current[name]!r}"
            for name in current
            if name not in self.ADJUSTABLE and previous.get(name) != current[name]
        ]
        if changed:
            raise WorkbenchError(Errors.E029.format(folder=out_dir, changes="; ".join(changed)))


def folder_name(requested: str, made: str) -> str:
    """A new run's folder name: the one asked for, else `made` (from the settings and the
    time); any run of characters other than letters, digits, ".", "_" and "-" becomes one "_"."""
    name = requested.strip() or made
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "run"


def timestamp(now: float | None = None) -> str:
    return time.strftime("%Y%m%d-%H%M%S", time.localtime(now))


def start_worker(module: str, run_dir: str | Path, base_url: str | None) -> subprocess.Popen:
    """Start `python -m module RUN_DIR` in its own session (it outlives page reruns), its
    output going to run.log, once any stop request is removed; config.json must be written.
    An endpoint whose credentials config.json leaves out reaches the worker through its
    environment. A thread waits for the worker, so it is reaped as soon as it ends (no defunct
    process is left, whether or not a page still watches it)."""
    run_dir = Path(run_dir)
    run_files.clear_stop(run_dir)
    env = child_env()
    if base_url and url_secrets(base_url):
        env[ENV_BASE_URL] = base_url
    with (run_dir / run_files.LOG_FILE).open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", module, str(run_dir)],
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


def worker_running(run_dir: str | Path) -> bool:
    """Whether the folder's worker is alive: it holds the run lock, or it was started here and
    has not ended (it may not have taken the lock yet)."""
    for path, process in list(_children.items()):
        if process.poll() is not None:
            del _children[path]
    run_dir = Path(run_dir)
    child = _children.get(run_dir.resolve())
    return run_files.is_running(run_dir) or (child is not None and child.poll() is None)


def shown_status(run_dir: str | Path, saved: RunStatus | None) -> tuple[RunStatus, bool]:
    """(the status a page shows, whether the worker is alive) from the saved status: a worker
    alive before its first save reads STARTING, one asked to stop STOPPING until it has, a
    RUNNING state without a worker (killed, machine restarted) INTERRUPTED."""
    running = worker_running(run_dir)
    shown = saved or RunStatus.NOT_STARTED
    if running and shown is not RunStatus.RUNNING:
        shown = RunStatus.STARTING
    elif running and run_files.stop_requested(Path(run_dir)):
        shown = RunStatus.STOPPING
    elif shown is RunStatus.RUNNING and not running:
        shown = RunStatus.INTERRUPTED
    return shown, running


def wait(run_dir: str | Path, timeout: float, poll: float = 0.2) -> None:
    """Block until the folder's worker is done, or the timeout."""
    deadline = time.monotonic() + timeout
    run_dir = Path(run_dir)
    process = _children.get(run_dir.resolve())
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            break
        if process is None and not run_files.is_running(run_dir):
            break
        time.sleep(poll)


def pipeline_of(run_dir: str | Path) -> str | None:
    """The pipeline a run folder belongs to; None without config.json."""
    config = run_files.read_json(Path(run_dir) / CONFIG_FILE)
    if not isinstance(config, dict):
        return None
    return config.get(PIPELINE_KEY) or UNNAMED_PIPELINE


def list_runs(pipeline: str) -> list[Path]:
    """The pipeline's run folders in the workspace, newest first."""
    folders = [path for path in runs_dir().iterdir() if pipeline_of(path) == pipeline]
    return sorted(folders, key=lambda p: (p / CONFIG_FILE).stat().st_mtime, reverse=True)


def run_usage(run_dir: str | Path) -> UsageCounter:
    """What a run's finished steps used, whatever its pipeline (nothing before its first save)."""
    saved = run_files.read_json(Path(run_dir) / STATE_FILE) or {}
    usage = saved.get("usage") or {}
    return sum((UsageCounter.from_dict(counter) for counter in usage.values()), UsageCounter())


def worker_main(argv: list[str] | None, build, read_state, write_state, new_state) -> int:
    """Every pipeline's background worker: `build(run_dir, base_url)` makes the pipeline from
    the folder's config.json (the endpoint's credentials come from the environment); an error
    before the run starts is saved in state.json for the page, one during it the run saves."""
    run_dir = Path((argv or sys.argv[1:])[0])
    try:
        pipeline = build(run_dir, os.environ.get(ENV_BASE_URL))
    except WorkbenchError as error:  # e.g. no API key: the page shows it from state.json
        state = read_state(run_dir) or new_state()
        state.status, state.error, state.updated_at = RunStatus.FAILED, str(error), time.time()
        write_state(run_dir, state)
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        pipeline.run(clear_stop=False)
    except WorkbenchError as error:  # the run saved it as its error; the log says it too
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0
