"""Faults of a teacher-answers run, injected through the fake endpoint: every row without an
answer is listed with its cause, a cut answer is flagged and kept, a failed translation is not
answered, a stopped or killed run resumes without asking anything answered again, and a rerun
mends the failed requests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.datasets import load_dataset
from analysis.errors import WorkbenchError
from analysis.paths import REPO_ROOT
from generation import run_files
from generation.answer import launcher
from generation.answer import records as rec
from generation.answer import run_folder as rf
from generation.answer.pipeline import answer_dataset
from generation.answer.steps import EN, TRANSLATION, ZH, Answer, Translation, load_templates
from generation.backend import resolve_backend
from generation.client import LLMClient, SyncLLMClient
from generation.retry import RetryPolicy
from generation.testing.fake_openai import FakeOpenAI
from tests.generation.fixtures import canned_answers as canned

SOURCE = "seed_tasks"
ENGLISH = Answer.from_templates(load_templates(EN))
TRANSLATE = Translation(load_templates(ZH)[TRANSLATION])


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return rec.source_rows(load_dataset(SOURCE).frame, 40)


def english_prompt(row: dict) -> str:
    return ENGLISH.format_input(row["instruction"], row["input"])


@pytest.fixture
def answer(tmp_path, api_key):
    """answer_dataset on a fake endpoint; each call its own client, `cache` its reply cache."""

    def run(fake, out, cache="replies.sqlite", concurrency=4, **settings):
        config = resolve_backend("openai", "fake-teacher", fake.url, api_key)
        retry = RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.02)
        client = LLMClient(
            config, concurrency=concurrency, cache=tmp_path / cache, retry=retry, timeout=5
        )
        with SyncLLMClient(client) as sync:
            return answer_dataset(SOURCE, tmp_path / out, client=sync, **settings)

    return run


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_answer_faults_a_failed_request_is_listed_with_its_cause_and_mended_by_a_rerun(
    answer, rows, tmp_path
):
    with FakeOpenAI(responder=canned.reply) as fake:
        fake.script(english_prompt(rows[2]), "400")
        state = answer(fake, "run", limit=6)
        assert state.status == "done" and state.answered == 5
        assert state.failed == {rec.ANSWER_FAILED: 1}
        out = tmp_path / "run"
        [failure] = _jsonl(out / rf.FAILURES_FILE)
        assert failure["id"] == rows[2]["id"] and failure["row"] == 3
        assert failure["failure"] == rec.ANSWER_FAILED
        assert failure["detail"].startswith("HTTP 400: Invalid request sent with the key ***")
        ids = load_dataset(out).frame["id"].tolist()
        assert rows[2]["id"] not in ids and len(ids) == 5  # listed, not an empty output
        manifest = json.loads((out / rf.MANIFEST_FILE).read_text())
        assert manifest["counts"]["failed_by_cause"] == {rec.ANSWER_FAILED: 1}
        assert launcher.failures_frame(out)["id"].tolist() == [rows[2]["id"]]

        state = answer(fake, "run", limit=6)  # the fault was used up: the rerun mends the row
    assert state.failed == {} and state.answered == 6
    assert fake.received[english_prompt(rows[2])] == 2
    assert (
        max(count for prompt, count in fake.received.items() if prompt != english_prompt(rows[2]))
        == 1
    )
    assert _jsonl(out / rf.FAILURES_FILE) == []
    assert load_dataset(out).frame["id"].tolist() == [row["id"] for row in rows[:6]]


def test_answer_faults_an_answer_cut_by_the_length_limit_is_kept_and_flagged(
    answer, rows, tmp_path
):
    with FakeOpenAI(responder=canned.reply) as fake:
        fake.script(english_prompt(rows[1]), "length")
        state = answer(fake, "run", limit=4)
    assert (state.answered, state.truncated, state.failed) == (3, 1, {})
    frame = load_dataset(tmp_path / "run").frame
    flags = [meta["truncated"] for meta in frame["metadata"]]
    assert flags == [False, True, False, False]
    assert frame["output"][1] == canned.reply(english_prompt(rows[1]))
    record = _jsonl(tmp_path / "run" / rf.RECORDS_FILE)[1]
    assert (record["outcome"], record["finish_reason"]) == (rec.TRUNCATED, "length")
    manifest = json.loads((tmp_path / "run" / rf.MANIFEST_FILE).read_text())
    assert manifest["counts"]["truncated"] == 1 and manifest["counts"]["in_dataset"] == 4


def test_answer_faults_a_failed_translation_is_listed_and_not_answered(answer, rows, tmp_path):
    row = rows[0]
    with FakeOpenAI(responder=canned.reply) as fake:
        fake.script(TRANSLATE.format_input(row["instruction"]), "400")
        state = answer(fake, "run", limit=5, lang=ZH)
        answers = [p for p in fake.received if p.startswith(canned.CHINESE_ANSWER_START)]
    assert state.failed == {rec.TRANSLATION_FAILED: 1} and state.answered == 4
    assert len(answers) == 4  # the row whose translation failed was not answered
    assert not any(f"### 指令:\n{canned.chinese_for(row['instruction'])}" in p for p in answers)
    [failure] = _jsonl(tmp_path / "run" / rf.FAILURES_FILE)
    assert failure["id"] == row["id"] and failure["failure"] == rec.TRANSLATION_FAILED
    assert failure["detail"].startswith("instruction: HTTP 400")
    record = _jsonl(tmp_path / "run" / rf.RECORDS_FILE)[0]
    assert record["translation"]["instruction"]["failure"].startswith("HTTP 400")
    assert record["answer"] is None and record["reply"] is None


def test_answer_faults_a_cut_translation_is_listed_with_its_cause(answer, rows, tmp_path):
    with FakeOpenAI(responder=canned.reply) as fake:
        fake.script(TRANSLATE.format_input(rows[1]["instruction"]), "length")
        state = answer(fake, "run", limit=3, lang=ZH)
    assert state.failed == {rec.TRANSLATION_TRUNCATED: 1}
    [failure] = _jsonl(tmp_path / "run" / rf.FAILURES_FILE)
    assert failure["id"] == rows[1]["id"] and failure["detail"].startswith("instruction: cut")
    assert rows[1]["id"] not in load_dataset(tmp_path / "run").frame["id"].tolist()


@pytest.mark.parametrize(("lang", "stop_at"), [(EN, 5), (ZH, 7), (ZH, 30)])
def test_answer_faults_resume_after_a_stop_asks_nothing_answered_again(
    answer, tmp_path, lang, stop_at
):
    with FakeOpenAI(responder=canned.reply) as fake:
        whole = answer(fake, "whole", cache="whole.sqlite", limit=24, lang=lang, concurrency=1)
        expected = set(fake.paid)
        fake.reset_counts()
        out = tmp_path / "parts"
        arrived = []

        def responder(prompt, body):
            arrived.append(prompt)
            if len(arrived) == stop_at:
                run_files.request_stop(out)
            return canned.reply(prompt)

        fake.responder = responder
        stopped = answer(fake, "parts", limit=24, lang=lang, concurrency=1)
        assert stopped.status == "stopped" and len(arrived) == stop_at
        assert not (out / rf.DATASET_FILE).exists()
        resumed = answer(fake, "parts", limit=24, lang=lang, concurrency=1)
    assert resumed.status == "done" and resumed.sessions == 2
    assert set(fake.paid) == expected and max(fake.paid.values()) == 1
    for name in rf.OUTPUT_FILES:
        assert (out / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), name
    assert resumed.total_usage().total_tokens == whole.total_usage().total_tokens


def test_answer_faults_a_chunk_where_every_request_failed_ends_the_run(answer, tmp_path):
    with FakeOpenAI(refuse=500) as fake:
        with pytest.raises(WorkbenchError, match=r"every request of rows 1-16 failed \(16 of 16\)"):
            answer(fake, "run", limit=40, concurrency=1)
        assert sum(fake.received.values()) == 16 * 2  # two attempts each, no other row tried
    out = tmp_path / "run"
    state = rf.read_state(out)
    assert state.status == "failed" and state.failed == {rec.ANSWER_FAILED: 16}
    assert len(launcher.failures_frame(out)) == 16  # listed, each with its cause
    assert launcher.failures_frame(out)["detail"].str.startswith("HTTP 500").all()


def _cli(url: str, out: Path, home: Path) -> subprocess.Popen:
    command = [
        *(sys.executable, "-m", "generation", "answer", SOURCE, "--out", str(out)),
        *("--backend", "openai", "--base-url", url, "--model", "fake-teacher"),
        *("--lang", "zh", "--limit", "20", "--concurrency", "1"),
    ]
    env = {**os.environ, "WORKBENCH_HOME": str(home), "PYTHONPATH": str(REPO_ROOT)}
    log = (out.parent / f"{out.name}.log").open("ab")
    return subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=log)


@pytest.mark.parametrize("nth", [3, 42])
def test_answer_faults_sigkill_and_rerun_equals_uninterrupted(tmp_path, nth):
    with FakeOpenAI(responder=canned.reply) as fake:
        assert _cli(fake.url, tmp_path / "whole", tmp_path / "home-whole").wait(timeout=120) == 0
        reference = set(fake.paid)

    running: dict[str, subprocess.Popen] = {}
    seen: list[str] = []

    def responder(prompt, body):
        seen.append(prompt)
        if len(seen) == nth:
            os.kill(running["process"].pid, signal.SIGKILL)
            running["process"].wait()
            return None  # never answered: the process died waiting for it
        return canned.reply(prompt)

    out, home = tmp_path / "parts", tmp_path / "home-parts"
    with FakeOpenAI(responder=responder) as fake:
        running["process"] = _cli(fake.url, out, home)
        assert running["process"].wait(timeout=120) == -signal.SIGKILL
        running["process"] = _cli(fake.url, out, home)
        assert running["process"].wait(timeout=120) == 0
        assert set(fake.paid) == reference and max(fake.paid.values()) == 1
        assert fake.received[seen[nth - 1]] == 2  # the unanswered one was asked again
    for name in rf.OUTPUT_FILES:
        assert (out / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), name
    manifest = json.loads((out / rf.MANIFEST_FILE).read_text())
    assert manifest["sessions"] == 2 and manifest["counts"]["answered"] == 20
