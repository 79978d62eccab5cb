"""A judge run in a background worker, as a page starts it: done with its rows, or failed with
the reason in its state; judge runs are listed apart from the Generate page's runs."""

from __future__ import annotations

import pytest

from analysis.paths import runs_dir
from generation import launcher as workers
from generation.judge import launcher
from generation.judge import run_folder as rf
from generation.judge.run_folder import JudgeConfig
from generation.run_status import RunStatus
from generation.self_instruct import launcher as self_instruct_launcher
from tests.generation.fixtures import judge_answers as data


@pytest.fixture
def config(tmp_path, fake, monkeypatch, api_key):
    fake.responder = data.reply
    monkeypatch.setenv("OPENAI_API_KEY", api_key)
    sets = [
        str(data.write_answers(tmp_path / f"{name}.jsonl", name, {"q1": "x", "q2": "y"}))
        for name in ("m1", "m2")
    ]
    return JudgeConfig(
        answers=tuple(sets), mode="pairwise", backend="openai", model="judge", base_url=fake.url
    )


def test_judge_launcher_runs_a_worker_to_the_end(config):
    run_dir = runs_dir() / launcher.run_name("", config, now=0)
    assert launcher.status(run_dir).status is RunStatus.NOT_STARTED
    launcher.start(config, run_dir)
    snapshot = launcher.wait(run_dir, timeout=60)
    assert snapshot.status is RunStatus.DONE and not snapshot.running
    assert snapshot.state.committed == snapshot.state.total == 4
    assert snapshot.config == config
    assert len(launcher.judgments_frame(run_dir)) == 4
    assert launcher.list_runs() == [run_dir]
    assert run_dir not in self_instruct_launcher.list_runs()
    assert workers.run_usage(run_dir).requests == 4  # what every pipeline's state.json says


def test_judge_launcher_a_worker_that_cannot_start_says_why(config):
    run_dir = runs_dir() / "bad"
    launcher.start(JudgeConfig(**{**config.to_dict(), "reference_model": "nobody"}), run_dir)
    snapshot = launcher.wait(run_dir, timeout=60)
    assert snapshot.status is RunStatus.FAILED
    assert "'nobody' is not one of the answer sets" in snapshot.state.error
    assert not (run_dir / rf.JUDGMENTS_FILE).exists()


def test_judge_launcher_run_name():
    config = JudgeConfig(answers=("a", "b"), mode="two-score", pipeline="judge", model="gpt 4")
    assert launcher.run_name("", config, now=0).startswith("judge-two-score-gpt_4-19")
    assert launcher.run_name(" my run ", config) == "my_run"
