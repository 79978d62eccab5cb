"""A CITING run's checkpoint and counters: state.json, typed once.

The worker writes it; the CLI and the CITING page read it. A round counts once its files are
written (`rounds_done`); a round cut short is worked again on resume, its requests answered
from the reply cache, so nothing is paid for twice. Usage is kept per stage of finished work.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from typing import Any

from generation.run_status import RunStatus
from generation.usage import UsageCounter, cost_text


class Stage(StrEnum):
    SPLIT = "split"
    CATEGORIES = "categories"
    ASSIGNMENT = "category assignment"
    STUDENT = "student answers"
    REVISION = "teacher revisions"
    FINETUNE = "fine-tuning"
    DONE = "done"


@dataclass
class CitingState:
    status: RunStatus = RunStatus.RUNNING
    stage: Stage = Stage.SPLIT
    round: int = 0  # the round in progress (or the last one)
    rounds: int = 0
    rounds_done: int = 0
    step_done: int = 0  # requests of the stage in progress answered
    step_total: int = 0
    outcomes: dict[str, dict[str, int]] = field(default_factory=dict)  # round -> outcome -> n
    usage: dict[str, UsageCounter] = field(default_factory=dict)  # by stage, finished work
    students: dict[str, str] = field(default_factory=dict)  # round -> student model
    teacher_model: str | None = None
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
    def from_dict(cls, data: dict[str, Any]) -> CitingState:
        known = {f.name for f in fields(cls)}
        state = cls(**{k: v for k, v in data.items() if k in known})
        state.status = RunStatus(state.status)
        state.stage = Stage(state.stage)
        state.usage = {
            stage: UsageCounter.from_dict(usage) if isinstance(usage, dict) else usage
            for stage, usage in state.usage.items()
        }
        return state

    def total_usage(self) -> UsageCounter:
        return sum(self.usage.values(), UsageCounter())

    def summary_line(self) -> str:
        usage = self.total_usage()
        return (
            f"round {self.round} of {self.rounds}: {self.stage} {self.step_done}/{self.step_total}"
            f" | {usage.total_tokens:,} tokens | cost {cost_text(usage)}"
        )
