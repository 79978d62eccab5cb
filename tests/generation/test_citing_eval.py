"""CITING's evaluation on the fake endpoint: a two-round run, then each round's student on two
test instructions and the pairwise judge (both orders, CITING's judge template) on students
and on revisions vs originals; win_rates.csv; a rerun asks nothing again; a judge endpoint
that fails stops the evaluation (resumable) and says why."""

from __future__ import annotations

import json
import re
import sys

import pandas as pd
import pytest

from analysis.citing_eval import REVISED, STUDENTS
from analysis.datasets import load_dataset
from analysis.errors import WorkbenchError
from generation.__main__ import main
from generation.backend import resolve_backend
from generation.citing import run_folder as rf
from generation.citing.evaluate import evaluate, read_state
from generation.citing.pipeline import citing_run
from generation.citing.steps import JUDGE, load_templates
from generation.client import LLMClient, SyncLLMClient
from generation.retry import RetryPolicy
from generation.run_status import RunStatus
from generation.testing.fake_openai import FakeOpenAI

SOURCE = "seed_tasks"
_ANSWER = re.compile(r"\[The Start of Assistant ([AB])'s Answer\]\n(.*?)\n\[The End", re.S)


def respond(prompt: str, body: dict) -> str:
    """Teacher, student and judge in one: the judge prefers a revision ("Better than ...")
    and otherwise always says A (a position bias: both orders disagree, a flip)."""
    if "Group them into" in prompt:
        numbers = re.findall(r"^(\d+)\. ", prompt.split("Instructions:")[1], re.M)
        category = {"name": "all", "description": "every task", "criteria": ["Is correct."]}
        return json.dumps({"categories": [{**category, "members": [int(n) for n in numbers]}]})
    if "### Student's answer:" in prompt:
        answer = prompt.split("### Student's answer:\n")[1].split("\n\n")[0]
        return f"### Revised answer:\nBetter than {answer}\n\n### Rationale:\nClearer."
    answers = dict(_ANSWER.findall(prompt))
    if answers:
        better = [letter for letter, text in answers.items() if text.startswith("Better than")]
        return f"Compared on the three aspects. [[{better[0] if better else 'A'}]]"
    return f"answer {body.get('seed', '')} to {prompt[-30:]}"


@pytest.fixture
def fake():
    with FakeOpenAI(responder=respond) as server:
        yield server


@pytest.fixture
def client(fake, tmp_path, api_key):
    def make(url=None) -> SyncLLMClient:
        config = resolve_backend("openai", "fake-model", url or fake.url, api_key)
        retry = RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.02)
        return SyncLLMClient(
            LLMClient(config, concurrency=1, cache=tmp_path / "replies.sqlite", retry=retry)
        )

    return make


@pytest.fixture
def run_dir(client, tmp_path):
    out = tmp_path / "run"
    with client() as sync:
        state = citing_run(SOURCE, out, teacher=sync, student=sync, rounds=2, limit=3)
    assert state.status is RunStatus.DONE
    return out


def test_citing_eval_judges_students_and_revisions_both_orders(run_dir, client, fake):
    with client() as sync:
        table = evaluate(run_dir, test_limit=2, student=sync, judge=sync, max_tokens=64)
    folder = rf.eval_dir(run_dir)
    split = json.loads((run_dir / rf.SPLIT_FILE).read_text())
    for number in (1, 2):
        answers = load_dataset(str(rf.answers_file(run_dir, number))).frame
        assert answers["id"].tolist() == split["test"][:2]
        assert (answers["output"].str.len() > 0).all()
    students = rf.students_dir(run_dir, 2)
    rows = [json.loads(line) for line in (students / "judgments.jsonl").read_text().splitlines()]
    assert [row["order"] for row in rows] == ["original", "swapped"] * 2
    assert {row["question_id"] for row in rows} == set(split["test"][:2])
    assert (folder / rf.WIN_RATES_FILE).exists()
    saved = pd.read_csv(folder / rf.WIN_RATES_FILE)
    assert saved[["round", "comparison"]].values.tolist() == [
        [1, REVISED],
        [2, REVISED],
        [2, STUDENTS],
    ]
    revised = table[table["comparison"] == REVISED]
    assert (revised["wins"] == 3).all() and (revised["win_rate"] == 1.0).all()
    assert (revised["flips"] == 0).all()
    student_row = table[table["comparison"] == STUDENTS].iloc[0]
    assert (student_row["ties"], student_row["flips"], student_row["win_rate"]) == (2, 2, 0.0)
    assert read_state(folder).status is RunStatus.DONE
    judged = [b for b in fake.bodies if "[The Start of Assistant A's Answer]" in str(b)]
    assert judged  # (identical prompts of two comparisons are one request: the reply cache)
    assert {b["messages"][0]["content"] for b in judged} == {load_templates()[JUDGE].text}

    asked = len(fake.bodies)
    with client() as sync:
        again = evaluate(run_dir, test_limit=2, student=sync, judge=sync, max_tokens=64)
    assert len(fake.bodies) == asked  # answers reused, judge runs resumed as done
    pd.testing.assert_frame_equal(again, table)

    used = folder / rf.JUDGE_TEMPLATES_DIR / "judge_pair_v2_system.txt"
    used.write_text("an older judge prompt")  # as if the template was edited since
    with client() as sync, pytest.raises(WorkbenchError, match="the judge template"):
        evaluate(run_dir, test_limit=2, student=sync, judge=sync, max_tokens=64)


def test_citing_eval_a_failing_judge_stops_it_resumable(run_dir, client):
    with (
        FakeOpenAI(refuse=500) as down,
        client() as student,
        client(down.url) as judge,
        pytest.raises(WorkbenchError, match="every request of judge requests"),
    ):
        evaluate(run_dir, test_limit=2, student=student, judge=judge, max_tokens=64)
    folder = rf.eval_dir(run_dir)
    state = read_state(folder)
    assert state.status is RunStatus.FAILED and "every request" in state.error
    assert rf.answers_file(run_dir, 2).exists() and not (folder / rf.WIN_RATES_FILE).exists()
    with client() as sync:
        table = evaluate(run_dir, test_limit=2, student=sync, judge=sync, max_tokens=64)
    assert len(table) == 3 and read_state(folder).status is RunStatus.DONE


def test_citing_eval_a_student_request_failing_stops_it_before_judging(run_dir, client):
    split = json.loads((run_dir / rf.SPLIT_FILE).read_text())
    second = load_dataset(SOURCE).frame.set_index("id").loc[split["test"][1], "instruction"]

    def dies_on_the_second(prompt: str, body: dict):
        return None if second in prompt else respond(prompt, body)  # None: connection closed

    with (
        FakeOpenAI(responder=dies_on_the_second) as flaky,
        client(flaky.url) as student,
        client() as judge,
        pytest.raises(WorkbenchError, match="1 of 2 requests of round 1's student") as error,
    ):
        evaluate(run_dir, test_limit=2, student=student, judge=judge, max_tokens=64)
    assert "Nothing was judged" in str(error.value)
    folder = rf.eval_dir(run_dir)
    assert not rf.answers_file(run_dir, 1).exists() and not rf.students_dir(run_dir, 2).exists()
    assert read_state(folder).status is RunStatus.FAILED
    with client() as sync:  # nothing judged yet: the judge's reply limit may still change
        assert len(evaluate(run_dir, test_limit=2, student=sync, judge=sync, max_tokens=32)) == 3
    with client() as sync, pytest.raises(WorkbenchError, match="max_tokens: 32 -> 64"):
        evaluate(run_dir, test_limit=2, student=sync, judge=sync, max_tokens=64)


def test_citing_eval_needs_a_finished_round(tmp_path):
    with pytest.raises(WorkbenchError, match="no finished CITING round"):
        evaluate(tmp_path, test_limit=2)


def test_citing_eval_limit_on_the_citing_command_judges_with_the_teacher(fake, tmp_path, capsys):
    out = tmp_path / "cli"
    endpoints = []
    for role in ("teacher", "student"):
        endpoints += [f"--{role}-backend", "openai", f"--{role}-model", f"fake-{role}"]
        endpoints += [f"--{role}-base-url", fake.url]
    command = ["citing", "--train", SOURCE, "--out", str(out), "--rounds", "2", "--limit", "2"]
    assert main([*command, *endpoints, "--eval-limit", "1"]) == 0
    assert "win rates:" in capsys.readouterr().err
    judged = json.loads((rf.students_dir(out, 2) / "manifest.json").read_text())
    assert judged["judge_model"] == "fake-teacher" and judged["mode"] == "pairwise"
    assert len(pd.read_csv(rf.eval_dir(out) / rf.WIN_RATES_FILE)) == 3


def test_citing_eval_serves_a_fine_tuned_student_again_when_its_server_is_gone(
    client, fake, tmp_path
):
    """The run stops its student servers when it ends: the evaluation runs the fine-tuning
    command again for a student whose server (the pid its file names) is gone, and asks it at
    the endpoint it is served at now, as the file says."""
    calls, where = tmp_path / "calls", tmp_path / "url.txt"
    script = tmp_path / "finetune.py"
    script.write_text(
        "import json, os\n"
        f"open({str(calls)!r}, 'a').write(os.environ['CITING_ROUND'] + '\\n')\n"
        f"url = open({str(where)!r}).read()\n"
        "json.dump({'model': 'tuned', 'base_url': url, 'pid': os.getpid(), 'concurrency': 1},"
        " open(os.environ['CITING_NEXT_STUDENT'], 'w'))\n"
    )  # its pid names a process that has ended: the server is gone
    out = tmp_path / "run"
    with FakeOpenAI(responder=respond) as first:  # the student's server during the run
        where.write_text(first.url)
        with client() as sync:
            state = citing_run(
                SOURCE, out, teacher=sync, student=sync, rounds=2, limit=3,
                finetune_command=f"{sys.executable} {script}",
            )  # fmt: skip
    assert state.students["2"] == "tuned"
    before = calls.read_text().splitlines()
    where.write_text(fake.url)  # served again, elsewhere

    def asked_tuned() -> int:
        return sum(body.get("model") == "tuned" for body in fake.bodies)

    with client() as sync:
        evaluate(out, test_limit=2, student=sync, judge=sync, max_tokens=64)
    assert calls.read_text().splitlines() == [*before, "1"]
    assert asked_tuned() == 2  # round 2's student answered the two test instructions there
