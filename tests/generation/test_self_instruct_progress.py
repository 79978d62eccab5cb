"""Run progress as the CLI bar and the Generate page show it: one (done, total) and the ETA."""

from __future__ import annotations

from generation.self_instruct.progress import eta_seconds, stage_progress


def test_self_instruct_progress_bootstrap_counts_kept_of_target():
    state = {"stage": "bootstrap", "kept": 30, "target": 120, "seconds": {"bootstrap": 60.0}}
    assert stage_progress(state) == (30, 120)
    assert eta_seconds(state) == 60.0 / 30 * 90


def test_self_instruct_progress_later_stage_counts_its_step():
    state = {
        "stage": "instances",
        "kept": 120,
        "target": 120,
        "step": {"name": "instances", "done": 10, "total": 40},
        "seconds": {"bootstrap": 999.0, "instances": 20.0},
    }
    assert stage_progress(state) == (10, 40)
    assert eta_seconds(state) == 20.0 / 10 * 30


def test_self_instruct_progress_without_pace_or_when_finished():
    assert eta_seconds({"stage": "bootstrap", "kept": 0, "target": 5}) is None
    assert (
        eta_seconds({"stage": "bootstrap", "kept": 5, "target": 5, "seconds": {"bootstrap": 3.0}})
        == 0.0
    )
    assert stage_progress({}) == (0, 0)
