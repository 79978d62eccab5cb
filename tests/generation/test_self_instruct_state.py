"""The run's checkpoint, typed: progress and ETA as the CLI bar and the Generate page show them,
and state.json files of older runs loading unchanged."""

from __future__ import annotations

import json

import pytest

from generation.self_instruct.state import RunState, RunStatus, Stage, Step
from generation.usage import UsageCounter

#: A finished run's state.json as the code before RunState wrote it.
OLD_STATE_JSON = {
    "status": "done",
    "stage": "done",
    "template": "self-instruct",
    "target": 3,
    "rounds_done": 1,
    "idle_rounds": 0,
    "candidates": 9,
    "kept": 3,
    "reasons": {"kept": 3, "too_similar": 4, "blacklisted_keyword": 2},
    "usage": {
        "bootstrap": {
            "requests": 5,
            "failed": 0,
            "cached": 0,
            "truncated": 1,
            "prompt_tokens": 900,
            "completion_tokens": 300,
            "cost": 0.0012,
            "unpriced": 0,
        }
    },
    "failures": [{"stage": "instances", "at": "task_00001", "cause": "HTTP 400"}],
    "served_model": "fake-model",
    "step": {"name": "done", "done": 1, "total": 1},
    "seconds": {"bootstrap": 1.5, "classification": 0.2, "instances": 0.4},
    "sessions": 2,
    "pid": 1234,
    "started_at": 1700000000.0,
    "updated_at": 1700000100.0,
    "stop_reason": None,
    "error": None,
    "tasks": 3,
    "tasks_with_instances": 2,
    "instances": 5,
    "dropped_tasks": {"request_failed": 1},
}


def test_self_instruct_state_old_state_json_loads_and_writes_back_unchanged():
    state = RunState.from_dict(json.loads(json.dumps(OLD_STATE_JSON)))
    assert state.status is RunStatus.DONE and state.stage is Stage.DONE
    assert state.step == Step(Stage.DONE, 1, 1)
    assert isinstance(state.usage["bootstrap"], UsageCounter)
    assert state.total_usage().total_tokens == 1200
    # Written back with what was added since: nothing repaid, no step in progress.
    written = {}
    for name, value in json.loads(json.dumps(OLD_STATE_JSON)).items():
        written[name] = value
        if name == "usage":
            value["bootstrap"]["repaid"] = 0
            written["step_usage"] = UsageCounter().to_dict()
    assert json.dumps(state.to_dict()) == json.dumps(written)


def test_self_instruct_state_mid_run_state_without_the_final_counts():
    saved = {k: v for k, v in OLD_STATE_JSON.items() if k not in ("tasks", "instances")}
    state = RunState.from_dict(saved | {"status": "running", "stage": "instances"})
    assert state.status is RunStatus.RUNNING and state.stage is Stage.INSTANCES
    assert state.tasks is None and state.instances is None


def test_self_instruct_state_rejects_leave_out_the_kept():
    state = RunState.from_dict(OLD_STATE_JSON)
    assert state.rejects() == {"too_similar": 4, "blacklisted_keyword": 2}


def test_self_instruct_state_resumable_statuses():
    resumable = {status for status in RunStatus if status.resumable}
    assert resumable == {RunStatus.STOPPED, RunStatus.INTERRUPTED, RunStatus.FAILED}


def test_self_instruct_state_bootstrap_counts_kept_of_target():
    state = RunState(stage=Stage.BOOTSTRAP, kept=30, target=120, seconds={"bootstrap": 60.0})
    assert state.stage_progress() == (30, 120)
    assert state.eta_seconds() == 60.0 / 30 * 90


def test_self_instruct_state_later_stage_counts_its_step():
    state = RunState(
        stage=Stage.INSTANCES,
        kept=120,
        target=120,
        step=Step(Stage.INSTANCES, 10, 40),
        seconds={"bootstrap": 999.0, "instances": 20.0},
    )
    assert state.stage_progress() == (10, 40)
    assert state.eta_seconds() == 20.0 / 10 * 30


def test_self_instruct_state_without_pace_or_when_finished():
    assert RunState(kept=0, target=5).eta_seconds() is None
    assert RunState(kept=5, target=5, seconds={"bootstrap": 3.0}).eta_seconds() == 0.0
    assert RunState().stage_progress() == (0, 0)


def test_self_instruct_state_live_usage_counts_the_step_in_progress():
    state = RunState.from_dict(OLD_STATE_JSON | {"step_usage": {"requests": 2, "cost": 0.5}})
    assert state.total_usage().requests == 5  # the finished steps: what the manifest says
    assert state.live_usage().requests == 7 and state.live_usage().cost == pytest.approx(0.5012)
