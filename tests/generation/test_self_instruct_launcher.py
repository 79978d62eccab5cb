"""What the Generate page asks of the launcher: a new run's folder name, the status a folder's
checkpoint and worker imply, the candidates of any run folder, this version's or older, and a
worker that leaves no defunct process behind."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from analysis.paths import DATA_DIR
from generation import run_files
from generation.self_instruct import launcher
from generation.self_instruct import run_folder as rf
from generation.self_instruct.run_folder import RunConfig
from generation.self_instruct.state import RunState, RunStatus
from generation.testing.fake_openai import FakeOpenAI
from tests.generation.fixtures import canned_self_instruct as canned


@pytest.fixture
def run_dir(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    run_files.write_json(folder / rf.CONFIG_FILE, RunConfig(target=7).to_dict())
    return folder


def test_self_instruct_launcher_status_before_any_state(run_dir):
    snapshot = launcher.status(run_dir)
    assert snapshot.status is RunStatus.NOT_STARTED and not snapshot.running
    assert snapshot.state.target == snapshot.config.target == 7
    with run_files.run_lock(run_dir):  # a worker that has not saved yet
        assert launcher.status(run_dir).status is RunStatus.STARTING


def test_self_instruct_launcher_running_state_without_a_worker_is_interrupted(run_dir):
    rf.write_state(run_dir, RunState(status=RunStatus.RUNNING, kept=3))
    with run_files.run_lock(run_dir):
        assert launcher.status(run_dir).status is RunStatus.RUNNING
    snapshot = launcher.status(run_dir)
    assert snapshot.status is RunStatus.INTERRUPTED and snapshot.status.resumable
    assert snapshot.state.kept == 3 and snapshot.eta_seconds is None


def test_self_instruct_launcher_a_worker_asked_to_stop_is_stopping(run_dir):
    rf.write_state(run_dir, RunState(status=RunStatus.RUNNING))
    with run_files.run_lock(run_dir):
        run_files.request_stop(run_dir)
        snapshot = launcher.status(run_dir)
    assert snapshot.status is RunStatus.STOPPING and snapshot.running
    assert not snapshot.status.resumable  # it still works: nothing to resume yet


def test_self_instruct_launcher_a_finished_worker_is_reaped(tmp_path):
    config = RunConfig(
        target=3, backend="openai", model="fake-model", api="completion", concurrency=1
    )
    with FakeOpenAI(responder=canned.reply) as fake:
        process = launcher.start(replace(config, base_url=fake.url), tmp_path / "run")
        deadline = time.monotonic() + 60
        # Watched as a page that was closed would not: no status(), no wait(), no poll().
        while Path(f"/proc/{process.pid}").exists():
            state = Path(f"/proc/{process.pid}/stat").read_text().rpartition(")")[2].split()[0]
            assert time.monotonic() < deadline, f"the worker is still there, state {state}"
            time.sleep(0.1)
    assert rf.read_state(tmp_path / "run").status is RunStatus.DONE


def test_self_instruct_launcher_candidates_table_leaves_out_empty_text_columns():
    folder = DATA_DIR / "generated" / "self_instruct_smollm2"
    table = launcher.candidates_table(launcher.candidates_frame(folder))
    assert "input" not in table.columns and "output" not in table.columns  # instructions only
    alpaca = launcher.candidates_frame(folder).assign(output="an answer")
    assert "output" in launcher.candidates_table(alpaca).columns


def test_self_instruct_launcher_dataset_only_once_done(run_dir):
    (run_dir / rf.DATASET_FILE).write_text("")
    rf.write_state(run_dir, RunState(status=RunStatus.STOPPED))
    assert not launcher.status(run_dir).has_dataset
    rf.write_state(run_dir, RunState(status=RunStatus.DONE))
    assert launcher.status(run_dir).has_dataset


def test_self_instruct_launcher_reads_the_bundled_older_run_folder():
    folder = DATA_DIR / "generated" / "self_instruct_smollm2"
    frame = launcher.candidates_frame(folder)
    assert len(frame) == 604 and list(frame.columns) == list(launcher.CANDIDATE_COLUMNS)
    assert frame["verdict"].eq("kept").sum() == 460
    assert launcher.status(folder).status is RunStatus.NOT_STARTED  # no state.json shipped


def test_self_instruct_launcher_run_name_asked_for_is_made_safe():
    assert launcher.run_name("  my run/2 ", RunConfig()) == "my_run_2"
    assert launcher.run_name("../..", RunConfig()) == "run"


def test_self_instruct_launcher_run_name_from_the_settings():
    now = time.mktime((2025, 3, 4, 5, 6, 7, 0, 0, -1))
    config = RunConfig(template="alpaca", backend="openai", model="org/model-7b")
    assert launcher.run_name("", config, now) == "alpaca-org_model-7b-20250304-050607"
    assert launcher.run_name(" ", RunConfig(backend="local"), now).startswith(
        "self-instruct-local-"
    )
