"""A run's status, stage and counters: the state.json checkpoint, typed once.

The worker writes the state; the launcher, the CLI and the Generate page read it. The enums
are `str` enums, so state.json keeps plain words and the folders of older runs still load
(RunStatus is every pipeline's, from generation.run_status).
Tokens and cost count every reply the run used, whether paid in this session or an earlier
one and replayed from the reply cache: a resumed run reports the same totals as an
uninterrupted one. Usage is committed per finished step, so a replayed step never counts twice;
the step in progress has its own counter, shown live and committed when the step is done.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from typing import Any

from generation.run_status import RunStatus
from generation.self_instruct.filters import KEPT, SURPLUS
from generation.usage import UsageCounter, cost_text


class Stage(StrEnum):
    BOOTSTRAP = "bootstrap"
    CLASSIFICATION = "classification"
    INSTANCES = "instances"
    DONE = "done"


@dataclass
class Step:
    """The step in progress (a bootstrap round, or a later stage): its requests answered so
    far, of how many."""

    name: Stage = Stage.BOOTSTRAP
    done: int = 0
    total: int = 0


@dataclass
class RunState:
    status: RunStatus = RunStatus.RUNNING
    stage: Stage = Stage.BOOTSTRAP
    template: str | None = None
    target: int = 0
    rounds_done: int = 0
    idle_rounds: int = 0  # rounds in a row that kept nothing
    candidates: int = 0
    kept: int = 0
    reasons: dict[str, int] = field(default_factory=dict)  # candidates by verdict reason
    usage: dict[str, UsageCounter] = field(default_factory=dict)  # by stage, finished steps
    step_usage: UsageCounter = field(default_factory=UsageCounter)  # the step in progress
    failures: list[dict] = field(default_factory=list)  # {"stage", "at", "cause"}, the first 50
    served_model: str | None = None
    step: Step = field(default_factory=Step)
    seconds: dict[str, float] = field(default_factory=dict)  # by stage
    sessions: int = 0
    pid: int | None = None
    started_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)
    stop_reason: str | None = None
    error: str | None = None
    # Once done: what the dataset holds.
    tasks: int | None = None
    tasks_with_instances: int | None = None
    instances: int | None = None
    dropped_tasks: dict[str, int] | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunState:
        """The state of a state.json, of this version or an older one (missing keys default)."""
        known = {f.name for f in fields(cls)}
        state = cls(**{k: v for k, v in data.items() if k in known})
        state.status = RunStatus(state.status)
        state.stage = Stage(state.stage)
        if isinstance(state.step, dict):
            step = state.step
            state.step = Step(Stage(step["name"]), step.get("done", 0), step.get("total", 0))
        state.usage = {
            stage: UsageCounter.from_dict(usage) if isinstance(usage, dict) else usage
            for stage, usage in state.usage.items()
        }
        if isinstance(state.step_usage, dict):
            state.step_usage = UsageCounter.from_dict(state.step_usage)
        return state

    def total_usage(self) -> UsageCounter:
        """What the finished steps used: the run's totals, as the manifest records them."""
        return sum(self.usage.values(), UsageCounter())

    def live_usage(self) -> UsageCounter:
        """What the run has used so far, the step in progress included: what a watcher sees."""
        return self.total_usage() + self.step_usage

    def rejects(self) -> dict[str, int]:
        """Rejected candidates by reason, most frequent first; not the kept ones, nor the ones
        that passed every filter after the target was reached (`beyond_target`)."""
        counts = {k: v for k, v in self.reasons.items() if k not in (KEPT, SURPLUS)}
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    def beyond_target(self) -> int:
        """Candidates that passed every filter but came after the target was reached."""
        return self.reasons.get(SURPLUS, 0)

    def stage_progress(self) -> tuple[int, int]:
        """(done, total) of the current stage: kept / target while bootstrapping, else the
        step's requests."""
        if self.stage is Stage.BOOTSTRAP:
            return self.kept, self.target
        return self.step.done, self.step.total

    def eta_seconds(self) -> float | None:
        """Time left in the current stage at the pace so far (None when there is no pace yet)."""
        done, total = self.stage_progress()
        spent = self.seconds.get(self.stage, 0.0)
        if not done or not spent or total <= done:
            return None if total > done else 0.0
        return spent / done * (total - done)

    def summary_line(self) -> str:
        """One line: rejects by reason, tokens, cost (the CLI's progress bar postfix)."""
        usage = self.live_usage()
        reasons = ", ".join(f"{k} {v}" for k, v in self.rejects().items()) or "none"
        return f"rejected: {reasons} | {usage.total_tokens:,} tokens | cost {cost_text(usage)}"
