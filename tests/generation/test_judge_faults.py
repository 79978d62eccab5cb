"""The judge run against the fake endpoint: failures recorded per row, unparsed verdicts
counted and never scored, reruns that send nothing twice, both orders of every pair."""

from __future__ import annotations

import json

import pytest

from analysis.errors import WorkbenchError
from generation import run_files
from generation.client import SyncLLMClient
from generation.judge import run_folder as rf
from generation.judge.pipeline import judge_answers
from generation.judge.steps import PAIRWISE, SINGLE, TWO_SCORE, question_text, step_for
from generation.run_status import RunStatus
from tests.generation.fixtures import judge_answers as data

CONTRACT_KEYS = {
    "question_id",
    "category",
    "question",
    "mode",
    "models",
    "order",
    "reference",
    "raw",
    "finish_reason",
    "failure",
    "parsed",
    "scores",
    "winner",
    "judge_model",
    "template_sha256",
}


@pytest.fixture
def answer_sets(tmp_path):
    good = data.write_answers(
        tmp_path / "good.jsonl",
        "good-model",
        {"q1": "7 (quality 8)", "q2": "144 (quality 9)", "q3": "The weather is nice. (quality 7)"},
    )
    poor = data.write_answers(
        tmp_path / "poor.jsonl",
        "poor-model",
        {
            "q1": "10 (quality 2)",
            "q2": f"I am not sure {data.NO_VERDICT}",
            "q3": "Nice (quality 3)",
        },
    )
    return [str(good), str(poor)]


@pytest.fixture
def client(fake, make_client):
    fake.responder = data.reply
    with SyncLLMClient(make_client(model="judge-model", concurrency=2)) as sync:
        yield sync


def _rows(out) -> list[dict]:
    return run_files.read_jsonl(out / rf.JUDGMENTS_FILE)


def _single_prompt(question: dict, answer: str) -> str:
    text = question_text(question["instruction"], question["input"])
    return step_for(SINGLE).format_input(text, answer).messages[1]["content"]


def test_judge_faults_single_rows_follow_the_contract(tmp_path, answer_sets, client, fake):
    out = tmp_path / "run"
    state = judge_answers(answer_sets, out, SINGLE, client=client)
    rows = _rows(out)
    assert state.status is RunStatus.DONE and state.total == len(rows) == 6
    assert all(set(row) == CONTRACT_KEYS for row in rows)
    assert [(r["question_id"], r["models"]) for r in rows[:2]] == [
        ("q1", ["good-model"]),
        ("q1", ["poor-model"]),
    ]
    assert [r["scores"] for r in rows] == [[8], [2], [9], None, [7], [3]]
    assert all(row["judge_model"] == "judge-model" for row in rows)
    assert rows[2]["reference"] is False  # math, but no reference anywhere
    manifest = json.loads((out / rf.MANIFEST_FILE).read_text())
    assert manifest["pipeline"] == "judge" and manifest["mode"] == SINGLE
    assert [a["name"] for a in manifest["answers"]] == ["good-model", "poor-model"]
    assert manifest["counts"]["parsed"] == 5 and manifest["counts"]["unparsed"] == 1
    assert manifest["decoding"] == {"temperature": 0.0, "max_tokens": 2048}
    assert manifest["aligned_on"] == "id" and manifest["questions"]["count"] == 3


def test_judge_faults_unparsed_verdict_is_counted_and_never_scored(tmp_path, answer_sets, client):
    out = tmp_path / "run"
    state = judge_answers(answer_sets, out, SINGLE, client=client)
    (unparsed,) = [row for row in _rows(out) if not row["parsed"]]
    assert unparsed["raw"] == "The answer is hard to judge." and unparsed["failure"] is None
    assert unparsed["scores"] is None and unparsed["winner"] is None
    assert state.unparsed == 1 and state.failed == 0


def test_judge_faults_failed_request_is_recorded_with_its_cause(
    tmp_path, answer_sets, client, fake
):
    failing = _single_prompt(data.QUESTIONS[0], "10 (quality 2)")
    fake.script(failing, "400")
    out = tmp_path / "run"
    state = judge_answers(answer_sets, out, SINGLE, client=client)
    failed = [row for row in _rows(out) if row["failure"] is not None]
    assert len(failed) == 1 and failed[0]["models"] == ["poor-model"]
    assert "400" in failed[0]["failure"] and failed[0]["raw"] is None
    assert failed[0]["scores"] is None and not failed[0]["parsed"]
    assert state.status is RunStatus.DONE and state.failed == 1
    # A rerun sends that request again, and nothing else.
    before = sum(fake.received.values())
    state = judge_answers(answer_sets, out, SINGLE, client=client)
    assert sum(fake.received.values()) == before + 1 and fake.received[failing] == 2
    assert state.failed == 0 and _rows(out)[1]["scores"] == [2]


def test_judge_faults_resume_sends_nothing_again(tmp_path, answer_sets, client, fake):
    out = tmp_path / "run"
    judge_answers(answer_sets, out, PAIRWISE, client=client)
    first = (out / rf.JUDGMENTS_FILE).read_bytes()
    sent = sum(fake.received.values())
    state = judge_answers(answer_sets, out, PAIRWISE, client=client)
    assert sum(fake.received.values()) == sent
    assert (out / rf.JUDGMENTS_FILE).read_bytes() == first
    assert state.sessions == 2 and state.status is RunStatus.DONE


def test_judge_faults_stopped_run_resumes_without_paying_twice(
    tmp_path, answer_sets, make_client, fake
):
    out = tmp_path / "run"
    replies = 0

    def stop_after_two(prompt, body):
        nonlocal replies
        replies += 1
        if replies == 2:
            run_files.request_stop(out)
        return data.reply(prompt, body)

    fake.responder = stop_after_two
    with SyncLLMClient(make_client(model="judge-model", concurrency=1)) as client:
        state = judge_answers(answer_sets, out, PAIRWISE, client=client)
        assert state.status is RunStatus.STOPPED and state.committed < state.total
        state = judge_answers(answer_sets, out, PAIRWISE, client=client)
    assert state.status is RunStatus.DONE and len(_rows(out)) == state.total == 6
    assert sum(fake.paid.values()) == 6 and max(fake.paid.values()) == 1


def test_judge_faults_pairwise_has_both_orders_of_each_pair(tmp_path, answer_sets, client):
    out = tmp_path / "run"
    judge_answers(answer_sets, out, PAIRWISE, client=client)
    rows = _rows(out)
    assert [(r["question_id"], r["models"], r["order"]) for r in rows[:2]] == [
        ("q1", ["good-model", "poor-model"], "original"),
        ("q1", ["poor-model", "good-model"], "swapped"),
    ]
    assert [r["winner"] for r in rows] == ["good-model"] * 2 + [None] * 2 + ["good-model"] * 2
    assert all(row["scores"] is None for row in rows)


def test_judge_faults_two_scores_follow_the_models_shown(tmp_path, answer_sets, client):
    out = tmp_path / "run"
    judge_answers(answer_sets, out, TWO_SCORE, client=client)
    rows = _rows(out)
    assert rows[0]["models"] == ["good-model", "poor-model"] and rows[0]["scores"] == [8, 2]
    assert rows[1]["models"] == ["poor-model", "good-model"] and rows[1]["scores"] == [2, 8]
    assert rows[2]["scores"] is None and not rows[2]["parsed"]


def test_judge_faults_reply_cut_by_the_length_limit_is_unparsed(
    tmp_path, answer_sets, client, fake
):
    fake.script(_single_prompt(data.QUESTIONS[0], "7 (quality 8)"), "length")
    out = tmp_path / "run"
    state = judge_answers(answer_sets, out, SINGLE, client=client)
    cut = _rows(out)[0]
    assert cut["finish_reason"] == "length" and cut["raw"] and not cut["parsed"]
    assert cut["scores"] is None and state.truncated == 1


def test_judge_faults_every_request_failing_ends_the_run(tmp_path, answer_sets, make_client, fake):
    fake.responder = lambda prompt, body: None  # the connection closes without an answer
    out = tmp_path / "run"
    with (
        SyncLLMClient(make_client(model="judge-model")) as client,
        pytest.raises(WorkbenchError, match="every request of judge requests 1-6 failed"),
    ):
        judge_answers(answer_sets, out, SINGLE, client=client)
    state = rf.read_state(out)
    assert state.status is RunStatus.FAILED and state.status.resumable and state.committed == 0
    assert not _rows(out)


def test_judge_faults_changed_answers_are_refused(tmp_path, answer_sets, client):
    out = tmp_path / "run"
    judge_answers(answer_sets, out, SINGLE, client=client)
    data.write_answers(tmp_path / "poor.jsonl", "poor-model", {"q1": "3", "q2": "4", "q3": "5"})
    with pytest.raises(WorkbenchError, match="changed since it started"):
        judge_answers(answer_sets, out, SINGLE, client=client)


def test_judge_faults_reference_model_must_be_an_answer_set(tmp_path, answer_sets, client):
    with pytest.raises(WorkbenchError, match="'gpt-4' is not one of the answer sets"):
        judge_answers(
            answer_sets, tmp_path / "run", PAIRWISE, reference_model="gpt-4", client=client
        )


def test_judge_faults_reference_model_guides_math_questions(tmp_path, answer_sets, client):
    questions = data.write_questions(tmp_path / "questions.jsonl")
    out = tmp_path / "run"
    judge_answers(
        answer_sets, out, PAIRWISE, questions=questions, reference_model="good-model", client=client
    )
    rows = _rows(out)
    assert [r["reference"] for r in rows] == [False, False, True, True, False, False]
    assert [r["category"] for r in rows[::2]] == ["generic", "math", "writing"]
    assert json.loads((out / rf.MANIFEST_FILE).read_text())["reference_model"] == "good-model"


def test_judge_faults_api_key_reaches_no_file(tmp_path, answer_sets, client, api_key):
    out = tmp_path / "run"
    judge_answers(answer_sets, out, SINGLE, client=client)
    for path in out.iterdir():
        assert api_key not in path.read_text(errors="replace")
