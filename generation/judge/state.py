"""A judge run's checkpoint (state.json): status, requests done of total, verdict counts, usage.

The worker writes it; the CLI, the launcher and the Judge page read it. `committed` counts the
rows in judgments.jsonl; `done` also counts the replies of the chunk in flight, so a watcher
sees progress between checkpoints (a killed chunk is sent again, from the reply cache). Usage
counts every reply the run used, cached or not, like a Self-Instruct run's (generation.usage),
by stage as every pipeline's state.json has it (generation.launcher.run_usage): one stage,
"judge".
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from generation.run_status import RunStatus
from generation.usage import UsageCounter, cost_text

STAGE = "judge"


@dataclass
class JudgeState:
    status: RunStatus = RunStatus.RUNNING
    total: int = 0  # requests of the whole run
    done: int = 0  # requests answered so far, the chunk in flight included
    committed: int = 0  # rows in judgments.jsonl
    parsed: int = 0
    unparsed: int = 0  # replies without a verdict the strict pattern finds
    failed: int = 0  # requests without a reply (the row says why)
    truncated: int = 0  # replies cut by the length limit (unparsed too)
    questions: int = 0
    aligned_on: str | None = None
    usage: dict[str, UsageCounter] = field(default_factory=dict)  # {STAGE: committed rows'}
    step_usage: UsageCounter = field(default_factory=UsageCounter)  # the chunk in flight
    served_model: str | None = None
    seconds: float = 0.0
    sessions: int = 0
    pid: int | None = None
    started_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JudgeState:
        known = {f.name for f in fields(cls)}
        state = cls(**{k: v for k, v in data.items() if k in known})
        state.status = RunStatus(state.status)
        state.usage = {
            stage: UsageCounter.from_dict(usage) if isinstance(usage, dict) else usage
            for stage, usage in state.usage.items()
        }
        if isinstance(state.step_usage, dict):
            state.step_usage = UsageCounter.from_dict(state.step_usage)
        return state

    def total_usage(self) -> UsageCounter:
        """What the committed rows used: the run's totals, as the manifest records them."""
        return sum(self.usage.values(), UsageCounter())

    def count(self, rows: list[dict]) -> None:
        """The verdict counts of the committed rows."""
        self.committed = len(rows)
        self.failed = sum(row["failure"] is not None for row in rows)
        self.parsed = sum(row["parsed"] for row in rows)
        self.unparsed = self.committed - self.failed - self.parsed
        self.truncated = sum(row["finish_reason"] == "length" for row in rows)

    def live_usage(self) -> UsageCounter:
        return self.total_usage() + self.step_usage

    def eta_seconds(self) -> float | None:
        if not self.done or not self.seconds:
            return None if self.total > self.done else 0.0
        return self.seconds / self.done * max(self.total - self.done, 0)

    def usage_line(self) -> str:
        usage = self.live_usage()
        return f"{usage.total_tokens:,} tokens | cost {cost_text(usage)}"

    def summary_line(self) -> str:
        """Verdicts so far, tokens and cost (the CLI's progress bar postfix)."""
        counts = f"{self.parsed} parsed, {self.unparsed} unparsed, {self.failed} failed"
        return f"{counts} | {self.usage_line()}"
