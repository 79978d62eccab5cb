"""What the Generate page says about a run: progress inside a step, the time left, the
candidates past the target, and the instructions kept but not in the dataset."""

from __future__ import annotations

import pytest

from generation.self_instruct import filters
from generation.self_instruct.report import (
    beyond_target_text,
    dropped_text,
    eta_text,
    progress_text,
)
from generation.self_instruct.state import RunState, RunStatus, Stage, Step


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, ""),
        (0.0, "under a minute left"),
        (20, "under a minute left"),
        (89, "about 1 min left"),
        (600, "about 10 min left"),
        (7500, "about 2 h 05 min left"),
    ],
)
def test_self_instruct_report_eta_never_says_zero_minutes(seconds, text):
    assert eta_text(seconds) == text


def test_self_instruct_report_progress_counts_the_requests_of_the_round_in_progress():
    state = RunState(kept=0, target=5, rounds_done=0, step=Step(Stage.BOOTSTRAP, 4, 5))
    assert progress_text(state, RunStatus.RUNNING, 30) == (
        "running · bootstrap: 0 / 5 instructions kept · round 1: 4 / 5 requests answered"
        " · under a minute left"
    )
    later = RunState(stage=Stage.INSTANCES, step=Step(Stage.INSTANCES, 7, 40))
    assert progress_text(later, RunStatus.STOPPED, None) == (
        "stopped · instances: 7 / 40 requests answered"
    )


def test_self_instruct_report_progress_says_stopping():
    state = RunState(kept=2, target=5, rounds_done=1, step=Step(Stage.BOOTSTRAP, 1, 5))
    assert progress_text(state, RunStatus.STOPPING, None).startswith(
        "stopping: waiting for the requests in flight · bootstrap: 2 / 5 instructions kept"
    )


def test_self_instruct_report_candidates_past_the_target_are_not_rejects():
    state = RunState(reasons={filters.KEPT: 5, filters.SURPLUS: 15, filters.TOO_SIMILAR: 2})
    assert state.rejects() == {filters.TOO_SIMILAR: 2}
    assert beyond_target_text(state).startswith("15 more candidate(s) passed every filter")
    assert beyond_target_text(RunState(reasons={filters.KEPT: 5})) is None


def test_self_instruct_report_says_why_a_kept_instruction_is_not_in_the_dataset():
    cut = {"input": "", "output": "Sure", "reason": filters.CUT_BY_LENGTH}
    tasks = [{"dropped": None, "instances": []}] * 4 + [
        {"dropped": filters.NONE_VALID, "instances": [cut]}
    ]
    state = RunState(status=RunStatus.DONE, kept=5)
    assert dropped_text(state, tasks) == (
        "The dataset holds 4 of the 5 kept instructions; 1 dropped: 1 no instance passed the "
        "filters (their instances: 1 cut by the length limit)."
    )
    assert dropped_text(state, tasks[:4]) is None
    assert dropped_text(RunState(status=RunStatus.RUNNING), tasks) is None
