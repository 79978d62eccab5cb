"""The whole pipeline against the fake endpoint with canned replies: fast and deterministic."""

from __future__ import annotations

import hashlib
import json
import re
import time
from pathlib import Path

import pytest
from rouge_score import rouge_scorer

from analysis.__main__ import main as analysis_main
from analysis.datasets import load_dataset
from analysis.errors import WorkbenchError
from analysis.paths import BUNDLED_PROMPTS_DIR
from generation import run_files
from generation.backend import resolve_backend
from generation.client import LLMClient, SyncLLMClient
from generation.prompt_versions import VersionStore
from generation.retry import RetryPolicy
from generation.self_instruct import filters
from generation.self_instruct import run_folder as rf
from generation.self_instruct.pipeline import SAVE_EVERY_S, SelfInstructRun
from generation.self_instruct.run_folder import RunConfig
from generation.self_instruct.seeds import load_seed_tasks
from generation.testing.fake_openai import FakeOpenAI
from tests.generation.fixtures import canned_self_instruct as canned

SEEDS = [seed.instruction for seed in load_seed_tasks("seed_tasks")[0]]
#: As the paper lists them in a prompt: one line, no trailing colon.
LISTED_SEEDS = {re.sub(r"\s+", " ", text).strip().rstrip(":") for text in SEEDS}


@pytest.fixture
def canned_fake():
    with FakeOpenAI(responder=canned.reply) as server:
        yield server


@pytest.fixture
def run_pipeline(tmp_path, api_key):
    """Run a config on a fake endpoint; each call may use its own folder and cache."""

    def run(fake, out="run", cache="replies.sqlite", **settings):
        settings.setdefault("api", "completion")
        settings.setdefault("target", 12)
        config = RunConfig(**settings)
        backend = resolve_backend("openai", model="fake-model", base_url=fake.url, api_key=api_key)
        client = LLMClient(
            backend,
            concurrency=config.concurrency,
            cache=tmp_path / cache,
            retry=RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.02),
            timeout=5,
        )
        with SyncLLMClient(client) as sync:
            state = SelfInstructRun(config, tmp_path / out, client=sync).run()
        return state, tmp_path / out

    return run


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def _bootstrap_prompts(fake) -> list[str]:
    prompts = [body.get("prompt") or body["messages"][-1]["content"] for body in fake.bodies]
    return [p for p in prompts if p.startswith("Come up with a series of tasks")]


def test_self_instruct_pipeline_writes_a_loadable_run_folder(canned_fake, run_pipeline, api_key):
    state, out = run_pipeline(canned_fake)
    assert state.status == "done" and state.kept == 12
    for name in (
        "dataset.jsonl",
        "candidates.jsonl",
        "tasks.jsonl",
        "manifest.json",
        "alpaca.json",
        "finetune_prompt_completion.jsonl",
        "finetune_chat.jsonl",
    ):
        assert (out / name).exists(), name
    frame = load_dataset(out).frame
    assert len(frame) == state.instances > 0
    assert set(frame["source"]) == {"self-instruct"} and set(frame["model"]) == {"fake-model"}
    assert frame["task_id"].notna().all() and frame["is_classification"].notna().all()
    assert analysis_main(["stats", str(out)]) == 0
    for path in out.iterdir():  # the key is never written anywhere
        if path.is_file():
            assert api_key not in path.read_text(errors="replace")


def test_self_instruct_pipeline_manifest_says_what_made_the_data(canned_fake, run_pipeline):
    _, out = run_pipeline(canned_fake)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["model"] == "fake-model" and manifest["endpoint"] == canned_fake.url
    bootstrap = manifest["templates"]["bootstrap"]
    bundled = (BUNDLED_PROMPTS_DIR / "self_instruct_bootstrap.txt").read_bytes()
    assert bootstrap["sha256"] == hashlib.sha256(bundled).hexdigest()
    decoding = manifest["parameters"]["decoding"]["bootstrap"]
    assert decoding["temperature"] == 0.7 and decoding["top_p"] == 0.5
    assert decoding["presence_penalty"] == 2 and decoding["max_tokens"] == 1024
    assert decoding["stop"] == ["\n\n", "\n16", "16.", "16 ."]
    total = manifest["usage"]["total"]
    assert total["prompt_tokens"] == canned_fake.prompt_tokens
    assert total["completion_tokens"] == canned_fake.completion_tokens
    assert total["requests"] == len(canned_fake.bodies)
    assert manifest["counts"]["kept_instructions"] == 12
    assert set(manifest["packages"]) >= {"python", "openai", "rapidfuzz"}


def test_self_instruct_pipeline_sends_the_papers_requests(canned_fake, run_pipeline):
    run_pipeline(canned_fake)
    bootstrap = [b for b in canned_fake.bodies if b["prompt"].startswith("Come up with a series")]
    assert all(b["temperature"] == 0.7 and b["presence_penalty"] == 2 for b in bootstrap)
    classification = [b for b in canned_fake.bodies if b["prompt"].endswith("classification?")]
    assert classification and all(b["max_tokens"] == 3 for b in classification)
    assert all(b["stop"] == ["\n", "Task"] for b in classification)
    instances = [b for b in canned_fake.bodies if b.get("stop") == ["Example 6", "Task:"]]
    assert {b["max_tokens"] for b in instances} <= {300, 350}
    assert all(b["presence_penalty"] == 1.5 and b["temperature"] == 0 for b in instances)


def test_self_instruct_pipeline_prompts_mix_six_human_and_two_machine(canned_fake, run_pipeline):
    _, out = run_pipeline(canned_fake, target=20)
    kept = [row for row in _jsonl(out / "candidates.jsonl") if row["verdict"] == "kept"]
    kept_by_round = {}
    for row in kept:
        kept_by_round.setdefault(row["round"], []).append(row["instruction"])
    prompts = _bootstrap_prompts(canned_fake)
    assert len(prompts) % 5 == 0  # five prompts a round
    for number, start in enumerate(range(0, len(prompts), 5), 1):
        machine_before = [t for r in range(1, number) for t in kept_by_round.get(r, [])]
        for prompt in prompts[start : start + 5]:
            listed = re.findall(r"^\d+\. (.*)$", prompt, flags=re.MULTILINE)
            assert len(listed) == 8 and prompt.endswith("\n9.")
            machine = [text for text in listed if text in machine_before]
            assert len(machine) == min(2, len(machine_before))
            assert all(text in LISTED_SEEDS for text in listed if text not in machine)


def test_self_instruct_pipeline_rouge_decisions_match_rouge_score(canned_fake, run_pipeline):
    _, out = run_pipeline(canned_fake, target=15)
    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=False)
    pool = list(SEEDS)
    rows = _jsonl(out / "candidates.jsonl")
    assert {row["reason"] for row in rows} >= {filters.KEPT, filters.TOO_SIMILAR}
    for row in rows:
        scores = [scorer.score(text, row["instruction"])["rougeL"].fmeasure for text in pool]
        best = max(scores)
        assert row["max_rougeL"] == best
        assert row["nearest"] == pool[scores.index(best)]
        if row["reason"] == filters.TOO_SIMILAR:
            assert best > 0.7
        if row["verdict"] == filters.KEPT:
            assert best <= 0.7
            pool.append(row["instruction"])


def test_self_instruct_pipeline_records_every_rejection_reason(canned_fake, run_pipeline):
    _, out = run_pipeline(canned_fake, target=30)
    rows = _jsonl(out / "candidates.jsonl")
    by_reason = {}
    for row in rows:
        by_reason.setdefault(row["reason"], []).append(row)
    assert {filters.BLACKLISTED, filters.TOO_SIMILAR, filters.KEPT} <= set(by_reason)
    assert all(row["detail"] == "map" for row in by_reason[filters.BLACKLISTED])
    assert all(
        row["instruction"].startswith("Write a program")
        for row in by_reason.get(filters.WRITE_A_PROGRAM, [])
    )
    assert all(row["nearest"] for row in by_reason[filters.TOO_SIMILAR])
    state = json.loads((out / "state.json").read_text())
    assert state["reasons"] == {reason: len(items) for reason, items in by_reason.items()}


def test_self_instruct_pipeline_target_is_exact(canned_fake, run_pipeline):
    state, out = run_pipeline(canned_fake, target=7)
    rows = _jsonl(out / "candidates.jsonl")
    assert sum(row["verdict"] == "kept" for row in rows) == 7 == state.kept
    last_kept = max(i for i, row in enumerate(rows) if row["verdict"] == "kept")
    passing = [
        row
        for row in rows[last_kept + 1 :]
        if filters.instruction_rejection(row["instruction"], filters.SELF_INSTRUCT_BLACKLIST)
        is None
        and row["max_rougeL"] <= 0.7
    ]
    assert passing and all(row["reason"] == filters.SURPLUS for row in passing)


def test_self_instruct_pipeline_drops_a_truncated_response_whole(run_pipeline):
    first: list[str] = []

    def responder(prompt, body):
        if prompt.startswith("Come up with a series") and (not first or prompt == first[0]):
            first.append(prompt)
            return canned.reply(prompt), "length"
        return canned.reply(prompt)

    with FakeOpenAI(responder=responder) as fake:
        _, out = run_pipeline(fake, target=5)
    rows = _jsonl(out / "candidates.jsonl")
    cut = [row for row in rows if row["finish_reason"] == "length"]
    assert len({(row["round"], row["request"]) for row in cut}) == 1
    assert len(cut) == len(canned.bootstrap_reply(first[0]).splitlines())  # all of them, judged
    assert all(row["reason"] == filters.TRUNCATED for row in cut)
    assert any(row["verdict"] == filters.KEPT for row in rows)


def test_self_instruct_pipeline_counts_a_failed_request_and_goes_on(canned_fake, run_pipeline):
    run_pipeline(canned_fake, out="probe", cache="probe.sqlite", target=3)
    first_prompt = _bootstrap_prompts(canned_fake)[0]
    canned_fake.script(first_prompt, "400")
    state, _ = run_pipeline(canned_fake, target=3)
    assert state.status == "done"
    assert [f["stage"] for f in state.failures] == ["bootstrap"]
    assert state.usage["bootstrap"].failed == 1


@pytest.mark.parametrize("status", [400, 500])
def test_self_instruct_pipeline_a_round_where_every_request_failed_fails_the_run(
    run_pipeline, tmp_path, status
):
    with FakeOpenAI(refuse=status) as fake:
        with pytest.raises(WorkbenchError, match=r"every request of round 1 failed \(5 of 5\)"):
            run_pipeline(fake, target=3)
        assert sum(fake.received.values()) == 5 * (1 if status == 400 else 2)  # 500: retried
    state = rf.read_state(tmp_path / "run")
    assert state.status == "failed" and state.status.resumable
    assert f"HTTP {status}" in state.error and state.rounds_done == 0


def test_self_instruct_pipeline_a_key_in_a_failure_cause_reaches_no_file(
    canned_fake, run_pipeline, api_key
):
    run_pipeline(canned_fake, out="probe", cache="probe.sqlite", target=3)
    canned_fake.script(_bootstrap_prompts(canned_fake)[0], "400")  # repeats the key
    state, out = run_pipeline(canned_fake, target=3)
    assert state.status == "done"
    assert state.failures[0]["cause"] == "HTTP 400: Invalid request sent with the key ***"
    for name in ("state.json", "manifest.json"):
        assert api_key not in (out / name).read_text()


def test_self_instruct_pipeline_stop_and_resume_equals_uninterrupted(
    canned_fake, run_pipeline, tmp_path
):
    _, whole = run_pipeline(canned_fake, out="whole", cache="whole.sqlite", target=15)
    uninterrupted_prompts = set(canned_fake.received)
    canned_fake.reset_counts()
    arrivals = []

    def responder(prompt, body):
        arrivals.append(prompt)
        if len(arrivals) == 8:  # mid-round 2: ask the run to stop (after the request in flight)
            run_files.request_stop(tmp_path / "parts")
        return canned.reply(prompt)

    with FakeOpenAI(responder=responder) as fake:
        # One request in flight: the stop lands between two replies, none is lost in flight.
        stopped, _ = run_pipeline(fake, out="parts", cache="parts.sqlite", target=15, concurrency=1)
        assert stopped.status == "stopped" and stopped.rounds_done == 1
        resumed, parts = run_pipeline(fake, out="parts", cache="parts.sqlite", target=15)
        assert resumed.status == "done" and resumed.sessions == 2
        assert set(fake.paid) == uninterrupted_prompts
        assert max(fake.paid.values()) == 1  # nothing paid twice
    for name in ("dataset.jsonl", "candidates.jsonl", "tasks.jsonl", "alpaca.json"):
        assert (parts / name).read_text() == (whole / name).read_text(), name
    manifest = json.loads((parts / "manifest.json").read_text())
    reference = json.loads((whole / "manifest.json").read_text())
    assert manifest["usage"]["total"] == reference["usage"]["total"] | {
        "cached": manifest["usage"]["total"]["cached"]
    }


def test_self_instruct_pipeline_resume_lists_each_later_failure_once(
    canned_fake, run_pipeline, tmp_path
):
    run_pipeline(canned_fake, out="probe", cache="probe.sqlite", target=12)
    classification = [b["prompt"] for b in canned_fake.bodies if b["max_tokens"] == 3]
    arrivals = []

    def responder(prompt, body):
        if body["stop"] == ["Example 6", "Task:"] and not arrivals:  # the first instances one
            arrivals.append(prompt)
            run_files.request_stop(tmp_path / "run")
        return canned.reply(prompt)

    with FakeOpenAI(responder=responder) as fake:
        for prompt in classification[:3]:
            fake.script(prompt, "400", "400")  # refused in the first session and on replay
        stopped, _ = run_pipeline(fake, target=12, concurrency=1)
        assert stopped.status == "stopped" and stopped.stage == "instances"
        resumed, out = run_pipeline(fake, target=12)
    assert resumed.status == "done" and resumed.sessions == 2
    assert resumed.usage["classification"].failed == 3
    manifest = json.loads((out / "manifest.json").read_text())
    for failures in (resumed.failures, manifest["failures"]):
        assert [f["stage"] for f in failures] == ["classification"] * 3


def test_self_instruct_pipeline_stop_sends_nothing_after_the_request_in_flight(
    run_pipeline, tmp_path
):
    def responder(prompt, body):
        if len(fake.arrivals) == 6:  # the first request of round 2 (five a round)
            run_files.request_stop(tmp_path / "run")
        return canned.reply(prompt)

    with FakeOpenAI(responder=responder) as fake:
        state, _ = run_pipeline(fake, target=30, concurrency=1)
    assert state.status == "stopped" and state.rounds_done == 1
    assert len(fake.arrivals) == 6  # the one in flight was answered, no other one sent


def test_self_instruct_pipeline_progress_within_a_round(tmp_path):
    seen = []

    def responder(prompt, body):
        if len(fake.arrivals) <= 5:  # round 1, slower than the page's save interval
            time.sleep(SAVE_EVERY_S + 0.1)
        else:
            run_files.request_stop(tmp_path / "run")
        return canned.reply(prompt)

    def watch(state):
        seen.append((state.rounds_done, state.step.done, state.live_usage().total_tokens))

    with FakeOpenAI(responder=responder) as fake:
        backend = resolve_backend("openai", model="fake-model", base_url=fake.url)
        client = LLMClient(backend, concurrency=1, cache=tmp_path / "replies.sqlite")
        config = RunConfig(api="completion", target=30, concurrency=1)
        with SyncLLMClient(client) as sync:
            SelfInstructRun(config, tmp_path / "run", client=sync, on_progress=watch).run()
    first_round = [(done, tokens) for rounds, done, tokens in seen if rounds == 0]
    assert {done for done, _ in first_round} >= {1, 2, 3, 4}  # each reply, not round ends
    assert all(tokens > 0 for done, tokens in first_round if done)  # tokens as they come


def test_self_instruct_pipeline_refuses_to_resume_with_other_settings(canned_fake, run_pipeline):
    run_pipeline(canned_fake, target=3)
    with pytest.raises(WorkbenchError, match="other settings"):
        run_pipeline(canned_fake, target=3, run_seed=7)
    state, _ = run_pipeline(canned_fake, target=5)  # a larger target continues the run
    assert state.kept == 5 and state.sessions == 2


def test_self_instruct_pipeline_alpaca_variant(canned_fake, run_pipeline):
    state, out = run_pipeline(canned_fake, template="alpaca", target=10)
    assert state.status == "done"
    prompts = [b["prompt"] for b in canned_fake.bodies]
    assert all(p.startswith("You are asked to come up with a set of 20") for p in prompts)
    assert all(p.endswith("###\n4. Instruction:") for p in prompts)
    assert all(b["temperature"] == 1.0 and b["max_tokens"] == 3072 for b in canned_fake.bodies)
    frame = load_dataset(out).frame
    assert len(frame) == 10 and set(frame["source"]) == {"alpaca"}
    kept = [r for r in _jsonl(out / "candidates.jsonl") if r["verdict"] == "kept"]
    assert list(frame["instruction"]) == [r["instruction"] for r in kept]
    assert list(frame["output"]) == [r["output"] for r in kept]
    assert set(frame["input"]) == {""}  # "<noinput>" means no input
    alpaca = json.loads((out / "alpaca.json").read_text())
    assert alpaca[0] == {k: frame.iloc[0][k] for k in ("instruction", "input", "output")}


def test_self_instruct_pipeline_chat_api(canned_fake, run_pipeline):
    state, _ = run_pipeline(canned_fake, api="chat", target=4)
    assert state.status == "done"
    assert all("messages" in body and "prompt" not in body for body in canned_fake.bodies)


def test_self_instruct_pipeline_user_templates(canned_fake, run_pipeline, tmp_path):
    folder = tmp_path / "my_prompts"
    folder.mkdir()
    header = "Come up with a series of tasks (be creative):\n{tasks}{next}."
    (folder / "self_instruct_bootstrap.txt").write_text(header)
    _, out = run_pipeline(canned_fake, templates=str(folder), target=3)
    assert all(
        p.startswith("Come up with a series of tasks (be creative):\n1. ")
        for p in _bootstrap_prompts(canned_fake)
    )
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["templates"]["bootstrap"]["source"] == str(
        folder / "self_instruct_bootstrap.txt"
    )
    assert manifest["templates"]["classification"]["source"] == "bundled"
    (folder / "self_instruct_bootstrap.txt").write_text("List tasks:\n{tasks}")
    with pytest.raises(WorkbenchError, match=r"\{next\}"):
        run_pipeline(canned_fake, out="other", templates=str(folder), target=3)


def test_self_instruct_pipeline_template_version(canned_fake, run_pipeline):
    bundled = (BUNDLED_PROMPTS_DIR / "self_instruct_bootstrap.txt").read_text(encoding="utf-8")
    version = VersionStore().save(
        "creative", "self_instruct_bootstrap.txt", bundled.replace("tasks:", "tasks (creative):")
    )
    _, out = run_pipeline(canned_fake, template_versions=("creative",), target=3)
    prompts = _bootstrap_prompts(canned_fake)
    assert prompts and all(
        p.startswith("Come up with a series of tasks (creative):\n1. ") for p in prompts
    )
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["templates"]["bootstrap"] == {
        "file": "self_instruct_bootstrap.txt",
        "sha256": version.sha256,
        "source": "version creative",
    }
    assert manifest["parameters"]["run"]["template_versions"] == ["creative"]
    with pytest.raises(WorkbenchError, match="other settings"):
        run_pipeline(canned_fake, target=3)  # the same folder without the version
    with pytest.raises(WorkbenchError, match="which alpaca does not use"):
        run_pipeline(canned_fake, out="alpaca", template="alpaca", template_versions=("creative",))


def test_self_instruct_pipeline_instance_verdicts_in_tasks_file(canned_fake, run_pipeline):
    _, out = run_pipeline(canned_fake, target=30)
    tasks = _jsonl(out / "tasks.jsonl")
    assert len(tasks) == 30
    clf = [t for t in tasks if t["is_classification"]]
    assert clf and all(t["instances_reply"].startswith("Class label:") for t in clf)
    reasons = {item["reason"] for t in tasks for item in t["instances"]}
    assert filters.INPUT_EQUALS_OUTPUT in reasons
    dataset = _jsonl(out / "dataset.jsonl")
    kept = sum(item["reason"] is None for t in tasks if not t["dropped"] for item in t["instances"])
    assert len(dataset) == kept
