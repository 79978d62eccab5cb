"""A run's counters (the state.json checkpoint) and the summary the CLI and the page show.

Tokens and cost count every reply the run used, whether paid in this session or an earlier
one and replayed from the reply cache: a resumed run reports the same totals as an
uninterrupted one. Usage is committed per finished step, so a replayed step never counts twice.
"""

from __future__ import annotations

import time

from generation.client import Result


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


def empty_usage() -> dict:
    return {
        "requests": 0,
        "failed": 0,
        "cached": 0,
        "truncated": 0,
        "prompt_tokens": 0,
        "completion_tokens": 0,
        "cost": 0.0,
        "unpriced": 0,
    }


def add_usage(usage: dict, result: Result) -> None:
    usage["requests"] += 1
    if not result.ok:
        usage["failed"] += 1
        return
    usage["cached"] += result.cached
    usage["truncated"] += result.truncated
    usage["prompt_tokens"] += result.usage.prompt_tokens
    usage["completion_tokens"] += result.usage.completion_tokens
    if result.cost is None:
        usage["unpriced"] += 1
    else:
        usage["cost"] += result.cost


def total_usage(state: dict) -> dict:
    total = empty_usage()
    for usage in state.get("usage", {}).values():
        for key in total:
            total[key] += usage.get(key, 0)
    total["tokens"] = total["prompt_tokens"] + total["completion_tokens"]
    return total


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


def cost_text(usage: dict) -> str:
    if usage["unpriced"] and not usage["cost"]:
        return "cost unknown (model not priced)"
    note = f" + {usage['unpriced']} unpriced" if usage["unpriced"] else ""
    return f"${usage['cost']:.4f}{note}"


def summary_line(state: dict) -> str:
    """One line: rejects by reason, tokens, cost (the CLI's progress bar postfix)."""
    usage = total_usage(state)
    tokens = usage["tokens"] + (state.get("step") or {}).get("tokens", 0)
    reasons = ", ".join(f"{k} {v}" for k, v in rejects(state).items()) or "none"
    return f"rejected: {reasons} | {tokens:,} tokens | {cost_text(usage)}"
