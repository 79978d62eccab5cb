"""What the CLI and the Teacher answers page say about a run, worded once: the progress line
(rows done, and the requests of the chunk in progress), and what a finished run holds."""

from __future__ import annotations

from generation.answer.records import CAUSE_WORDS
from generation.answer.state import AnswerState, Stage
from generation.run_status import RunStatus, eta_text


def progress_text(state: AnswerState, status: RunStatus, eta_seconds: float | None) -> str:
    """One line: the status, the rows done, the chunk's requests (while it works), time left."""
    parts = [
        "stopping: waiting for the requests in flight" if status is RunStatus.STOPPING else status,
        f"{state.done} / {state.total} rows",
    ]
    step = state.step
    if status.working and step.name is not Stage.DONE and step.total:
        parts.append(
            f"rows {step.first_row}-{step.last_row}: {step.name} "
            f"{step.done} / {step.total} requests answered"
        )
    if eta := eta_text(eta_seconds):
        parts.append(eta)
    return " · ".join(parts)


def outcome_text(state: AnswerState) -> str:
    """'240 answered, 7 cut by the length limit (kept, flagged), 5 without an answer: 3
    translation request failed, 2 empty answer'."""
    text = (
        f"{state.answered} answered, {state.truncated} cut by the length limit (kept, flagged), "
        f"{state.failures} without an answer"
    )
    if state.failed:
        causes = sorted(state.failed.items(), key=lambda item: (-item[1], item[0]))
        text += ": " + ", ".join(f"{n} {CAUSE_WORDS.get(cause, cause)}" for cause, n in causes)
    return text
