"""Work that outlives a rerun: a function in a thread, with its progress, result and a stop.

Streamlit reruns the page on every click, so a trial of a few LLM requests cannot run inside
the script: it runs here, the page polls it, and Cancel sets the stop the function was given.
The thread never touches Streamlit; the page reads `progress`, `result` and `error`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class BackgroundJob:
    """`work(report, stop)` in a daemon thread: `report(done, total)` updates the progress,
    `stop()` is true once cancel() was called; its return value becomes `result`."""

    def __init__(self, work: Callable[[Callable[[int, int], None], Callable[[], bool]], Any]):
        self.progress = (0, 0)
        self.result: Any = None
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(work,), daemon=True)
        self._thread.start()

    def _run(self, work) -> None:
        try:
            self.result = work(self._report, self._stop.is_set)
        except BaseException as error:  # shown by the page, never lost in the thread
            self.error = error

    def _report(self, done: int, total: int) -> None:
        self.progress = (done, total)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    @property
    def cancelled(self) -> bool:
        return self._stop.is_set()

    def cancel(self) -> None:
        self._stop.set()

    def wait(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)
