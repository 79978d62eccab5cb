"""A run's counters (the state.json checkpoint) and the summary the CLI and the page show.

Tokens and cost count every reply the run used, whether paid in this session or an earlier
one and replayed from the reply cache: a resumed run reports the same totals as an
uninterrupted one. Usage is committed per finished step, so a replayed step never counts twice.
"""

from __future__ import annotations

import time

from generation.usage import UsageCounter, cost_text


def new_state() -> dict:
    return {
        "status": "running",
        "stage": "bootstrap",
        "template": None,
        "target": 0,
        "rounds_done": 0,
        "idle_rounds": 0,
        "candidates": 0,
        "kept": 0,
        "reasons": {},
        "usage": {},
        "failures": [],
        "served_model": None,
        "step": {"name": "bootstrap", "done": 0, "total": 0},
        "seconds": {},
        "sessions": 0,
        "pid": None,
        "started_at": time.time(),
        "updated_at": time.time(),
        "stop_reason": None,
        "error": None,
    }


def total_usage(state: dict) -> UsageCounter:
    counters = (UsageCounter.from_dict(usage) for usage in state.get("usage", {}).values())
    return sum(counters, UsageCounter())


def rejects(state: dict) -> dict[str, int]:
    """Rejected candidates by reason, most frequent first."""
    counts = {k: v for k, v in state.get("reasons", {}).items() if k != "kept"}
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def stage_progress(state: dict) -> tuple[int, int]:
    """(done, total) of the current stage: kept / target while bootstrapping, else the step's."""
    if state.get("stage", "bootstrap") == "bootstrap":
        return state.get("kept", 0), state.get("target", 0)
    step = state.get("step") or {}
    return step.get("done", 0), step.get("total", 0)


def eta_seconds(state: dict) -> float | None:
    """Time left in the current step at the pace so far (None when there is no pace yet)."""
    done, total = stage_progress(state)
    spent = state.get("seconds", {}).get(state.get("stage", "bootstrap"), 0.0)
    if not done or not spent or total <= done:
        return None if total > done else 0.0
    return spent / done * (total - done)


def summary_line(state: dict) -> str:
    """One line: rejects by reason, tokens, cost (the CLI's progress bar postfix)."""
    usage = total_usage(state)
    reasons = ", ".join(f"{k} {v}" for k, v in rejects(state).items()) or "none"
    return f"rejected: {reasons} | {usage.total_tokens:,} tokens | cost {cost_text(usage)}"
