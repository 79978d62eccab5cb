"""Any run's status and time left, worded once for every pipeline (Self-Instruct, teacher
answers, ...) and every watcher (the CLI, the pages, the launcher).

The enum is a `str` enum, so state.json keeps plain words and older run folders still load.
"""

from __future__ import annotations

from enum import StrEnum


class RunStatus(StrEnum):
    """RUNNING, DONE, STOPPED and FAILED are what the worker writes; the launcher tells the
    rest from the folder: no state yet, a worker that has not written yet, a worker asked to
    stop that still waits for its requests in flight, a worker gone without a word (killed,
    machine restarted)."""

    NOT_STARTED = "not started"
    STARTING = "starting"
    RUNNING = "running"
    STOPPING = "stopping"
    DONE = "done"
    STOPPED = "stopped"
    FAILED = "failed"
    INTERRUPTED = "interrupted"

    @property
    def resumable(self) -> bool:
        return self in (RunStatus.STOPPED, RunStatus.INTERRUPTED, RunStatus.FAILED)

    @property
    def working(self) -> bool:
        """A worker is at it (its step's requests are being answered)."""
        return self in (RunStatus.RUNNING, RunStatus.STOPPING)


def eta_text(seconds: float | None) -> str:
    """'about 4 min left', 'under a minute left', 'about 2 h 05 min left'; '' without a pace."""
    if seconds is None:
        return ""
    if seconds < 60:
        return "under a minute left"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"about {minutes} min left"
    return f"about {minutes // 60} h {minutes % 60:02d} min left"
