"""What the Generate page says about a run, worded once and tested here: the progress line
(requests answered inside the step in progress, not only finished steps), the time left, the
candidates past the target (passed, not rejected), and why the dataset holds fewer instructions
than were kept."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from generation.run_status import eta_text
from generation.self_instruct.filters import REASON_WORDS
from generation.self_instruct.state import RunState, RunStatus, Stage


def progress_text(state: RunState, status: RunStatus, eta_seconds: float | None) -> str:
    """One line: the status, the stage with its count, the requests of the step in progress
    (while it works), the time left."""
    parts = [
        "stopping: waiting for the requests in flight" if status is RunStatus.STOPPING else status
    ]
    step = state.step
    in_progress = status in (RunStatus.RUNNING, RunStatus.STOPPING) and step.name == state.stage
    if state.stage is Stage.BOOTSTRAP:
        parts.append(f"bootstrap: {state.kept} / {state.target} instructions kept")
        if in_progress and step.total:
            parts.append(
                f"round {state.rounds_done + 1}: {step.done} / {step.total} requests answered"
            )
    elif state.stage is Stage.DONE:
        parts.append("all stages done")
    else:
        parts.append(f"{state.stage}: {step.done} / {step.total} requests answered")
    if eta := eta_text(eta_seconds):
        parts.append(eta)
    return " · ".join(parts)


def beyond_target_text(state: RunState) -> str | None:
    """Why the rejects leave some candidates out, when some are."""
    count = state.beyond_target()
    if not count:
        return None
    return (
        f"{count} more candidate(s) passed every filter but came after the target was reached: "
        "not kept, not counted as rejected."
    )


def dropped_text(state: RunState, tasks: Sequence[dict]) -> str | None:
    """Why a finished run's dataset holds fewer instructions than it kept, from tasks.jsonl:
    each dropped task's reason, with the reasons of its instances."""
    dropped = [task for task in tasks if task.get("dropped")]
    if state.status is not RunStatus.DONE or not dropped:
        return None
    reasons = Counter(task["dropped"] for task in dropped)
    instances = Counter(
        item["reason"] for task in dropped for item in task.get("instances", []) if item["reason"]
    )
    why = "; ".join(f"{count} {REASON_WORDS.get(r, r)}" for r, count in reasons.most_common())
    if instances:
        why += " (their instances: " + ", ".join(
            f"{count} {REASON_WORDS.get(r, r)}" for r, count in instances.most_common()
        )
        why += ")"
    kept = len(tasks)
    return (
        f"The dataset holds {kept - len(dropped)} of the {kept} kept instructions; "
        f"{len(dropped)} dropped: {why}."
    )
