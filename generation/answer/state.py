"""A teacher-answers run's checkpoint and counters: state.json, typed once.

The worker writes it; the CLI, the launcher and the Teacher answers page read it. Rows are
worked in chunks: a chunk's records are appended to records.jsonl, then the checkpoint counts
them (`chunks`), so records of a chunk the checkpoint does not count (a process killed between
the two) are dropped on resume and their requests replayed from the reply cache. Usage is
committed per chunk, like Self-Instruct's per step: a resumed run reports what an uninterrupted
one does.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from typing import Any

from generation.run_status import RunStatus
from generation.usage import UsageCounter, cost_text


class Stage(StrEnum):
    TRANSLATION = "translation"
    ANSWER = "answer"
    DONE = "done"


@dataclass
class Step:
    """The requests of the chunk in progress: a stage, its requests answered of how many, and
    the rows they are for (first and last, counted from 1)."""

    name: Stage = Stage.ANSWER
    done: int = 0
    total: int = 0
    first_row: int = 0
    last_row: int = 0


@dataclass
class AnswerState:
    status: RunStatus = RunStatus.RUNNING
    stage: Stage = Stage.ANSWER
    lang: str = "en"
    total: int = 0  # rows to answer: the source's, up to the limit
    done: int = 0  # rows with a record: answered, truncated or failed
    answered: int = 0  # complete answers
    truncated: int = 0  # answers cut by the length limit: in the dataset, flagged
    failed: dict[str, int] = field(default_factory=dict)  # rows without an answer, by cause
    chunks: int = 0  # chunks whose records are counted here
    usage: dict[str, UsageCounter] = field(default_factory=dict)  # by stage, finished chunks
    step_usage: UsageCounter = field(default_factory=UsageCounter)  # the chunk in progress
    step: Step = field(default_factory=Step)
    served_model: str | None = None
    source_fingerprint: str | None = None
    seconds: float = 0.0
    sessions: int = 0
    pid: int | None = None
    started_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AnswerState:
        known = {f.name for f in fields(cls)}
        state = cls(**{k: v for k, v in data.items() if k in known})
        state.status = RunStatus(state.status)
        state.stage = Stage(state.stage)
        if isinstance(state.step, dict):
            state.step = Step(**{**state.step, "name": Stage(state.step["name"])})
        state.usage = {
            stage: UsageCounter.from_dict(usage) if isinstance(usage, dict) else usage
            for stage, usage in state.usage.items()
        }
        if isinstance(state.step_usage, dict):
            state.step_usage = UsageCounter.from_dict(state.step_usage)
        return state

    @property
    def failures(self) -> int:
        return sum(self.failed.values())

    def total_usage(self) -> UsageCounter:
        """What the finished chunks used: the run's totals, as the manifest records them."""
        return sum(self.usage.values(), UsageCounter())

    def live_usage(self) -> UsageCounter:
        """What the run has used so far, the chunk in progress included."""
        return self.total_usage() + self.step_usage

    def eta_seconds(self) -> float | None:
        """Time left at the pace so far (None before any row is done)."""
        if not self.done or not self.seconds:
            return None if self.total > self.done else 0.0
        return self.seconds / self.done * max(self.total - self.done, 0)

    def summary_line(self) -> str:
        """One line: answered, truncated, failed; tokens and cost (the CLI's bar postfix)."""
        usage = self.live_usage()
        return (
            f"answered {self.answered}, truncated {self.truncated}, failed {self.failures} | "
            f"{usage.total_tokens:,} tokens | cost {cost_text(usage)}"
        )
