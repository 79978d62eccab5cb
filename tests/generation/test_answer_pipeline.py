"""The teacher-answers pipeline against the fake endpoint: a run folder every page reads, the
rows aligned with their source by id, Chinese output treated as Chinese by every analysis, and
a rerun that resumes instead of starting over."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from analysis import compare
from analysis.__main__ import main as analysis_main
from analysis.datasets import load_dataset
from analysis.errors import WorkbenchError
from analysis.lengths import length_frame
from analysis.paths import BUNDLED_PROMPTS_DIR
from analysis.rouge.tokens import AUTO, CJK, tokenize, tokenize_all
from analysis.verbs import verb_noun_column
from analysis.verbs.column import APPROXIMATE_METHODS
from generation import templates
from generation.answer import run_folder as rf
from generation.answer.pipeline import answer_dataset
from generation.answer.steps import EN, ZH, Answer, load_templates
from generation.backend import resolve_backend
from generation.client import LLMClient, SyncLLMClient
from generation.prompt_versions import VersionStore
from generation.retry import RetryPolicy
from generation.testing.fake_openai import FakeOpenAI
from tests.generation.fixtures import canned_answers as canned


@pytest.fixture
def teacher():
    with FakeOpenAI(responder=canned.reply, models=("fake-teacher",)) as server:
        yield server


@pytest.fixture
def answer(teacher, tmp_path, api_key):
    """answer_dataset on a client of the fake teacher; each call its own client, one cache."""

    def run(source, out, **settings):
        config = resolve_backend("openai", "fake-teacher", teacher.url, api_key)
        retry = RetryPolicy(base_delay=0.01, max_delay=0.05)
        client = LLMClient(config, cache=tmp_path / "replies.sqlite", retry=retry, timeout=5)
        with SyncLLMClient(client) as sync:
            return answer_dataset(source, out, client=sync, **settings)

    return run


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_answer_pipeline_english_run_folder_is_a_dataset_aligned_with_its_source(
    teacher, answer, tmp_path
):
    out = tmp_path / "run"
    state = answer("user_oriented_instructions", out, limit=12)
    assert state.status == "done" and (state.answered, state.truncated, state.failed) == (12, 0, {})
    source = load_dataset("user_oriented_instructions").frame.head(12)
    frame = load_dataset(out).frame
    assert frame["id"].tolist() == source["id"].tolist()
    assert frame["instruction"].tolist() == source["instruction"].tolist()
    assert frame["input"].tolist() == source["input"].tolist()
    assert set(frame["model"]) == {"fake-teacher"}
    step = Answer.from_templates(load_templates(EN))
    prompts = map(step.format_input, source["instruction"], source["input"])
    assert frame["output"].tolist() == [canned.reply(prompt) for prompt in prompts]
    # Compare models sets the teacher's answer beside the original one, row for row.
    table = compare.side_by_side({"original": source, "teacher": frame})
    assert len(table) == 12 and table["teacher"].tolist() == frame["output"].tolist()
    assert table["original"].tolist() == source["output"].tolist()
    records = _jsonl(out / rf.RECORDS_FILE)
    assert [r["position"] for r in records] == list(range(12)) and "chunk" not in records[0]
    assert {r["prompt_role"] for r in records} == {"prompt_input", "prompt_no_input"}
    assert (out / rf.FAILURES_FILE).read_text() == ""


def test_answer_pipeline_manifest_says_what_made_the_data(teacher, answer, tmp_path, api_key):
    out = tmp_path / "run"
    answer("seed_tasks", out, limit=5, lang=ZH)
    manifest = json.loads((out / rf.MANIFEST_FILE).read_text())
    source = load_dataset("seed_tasks")
    assert manifest["source"] == {
        "name": "seed_tasks",
        "source": "seed_tasks",
        "fingerprint": source.fingerprint,
        "rows": 175,
        "answered_rows": 5,
    }
    assert manifest["model"] == manifest["served_model"] == "fake-teacher"
    assert manifest["endpoint"] == teacher.url and manifest["api"] == "chat"
    assert manifest["decoding"]["answer"] == {"temperature": 1.0, "top_p": 1.0, "max_tokens": 512}
    assert manifest["decoding"]["translation"]["max_tokens"] == 1024
    for role in ("prompt_input", "prompt_no_input", "translation"):
        template = manifest["templates"][role]
        text = (BUNDLED_PROMPTS_DIR / template["file"]).read_bytes()
        assert template["sha256"] == hashlib.sha256(text).hexdigest()
    assert manifest["counts"] == {
        "rows": 5,
        "answered": 5,
        "truncated": 0,
        "failed": 0,
        "failed_by_cause": {},
        "in_dataset": 5,
    }
    translations = sum(1 + (row != "") for row in source.frame["input"].head(5))
    usage = manifest["usage"]
    assert usage["by_stage"]["translation"]["requests"] == translations
    assert usage["by_stage"]["answer"]["requests"] == 5
    assert manifest["packages"]["python"] and "openai" in manifest["packages"]
    assert json.loads((out / rf.CONFIG_FILE).read_text())["pipeline"] == "answer"
    assert api_key.encode() not in b"".join(p.read_bytes() for p in out.iterdir() if p.is_file())


def test_answer_pipeline_chinese_rows_are_chinese_to_every_analysis(teacher, answer, tmp_path):
    out = tmp_path / "zh"
    state = answer("seed_tasks", out, limit=6, lang=ZH)
    assert state.status == "done" and state.answered == 6
    source = load_dataset("seed_tasks").frame.head(6)
    dataset = load_dataset(out)
    frame = dataset.frame
    assert frame["id"].tolist() == source["id"].tolist() and set(frame["lang"]) == {"zh"}
    assert frame["instruction"].tolist() == [canned.chinese_for(t) for t in source["instruction"]]
    assert [m["original_instruction"] for m in frame["metadata"]] == source["instruction"].tolist()
    assert frame["reference"].isna().all()
    # Lengths count characters, ROUGE-L tokenizes per character, verb-noun pairs are jieba's.
    lengths = length_frame(frame)
    assert lengths["output_length"].tolist() == [len(t.replace(" ", "")) for t in frame["output"]]
    langs = frame["lang"].tolist()
    assert tokenize_all(frame["output"], AUTO, langs) == [tokenize(t, CJK) for t in frame["output"]]
    methods = set(verb_noun_column(dataset, field="output")["method"])
    assert methods <= APPROXIMATE_METHODS
    # ROUGE-L scores them per character by default (English tokens: none, every score 0).
    scores = tmp_path / "scores.csv"
    command = ["similarity", str(out), "--pool", str(out), "--field", "output", "--out"]
    assert analysis_main([*command, str(scores)]) == 0
    assert pd.read_csv(scores)["max_rougeL"].tolist() == [1.0] * 6  # each row is in its pool
    # Compare models aligns them with the English source by id, not by their texts.
    table = compare.side_by_side({"original": source, "teacher-zh": frame})
    assert len(table) == 6 and table["teacher-zh"].tolist() == frame["output"].tolist()
    assert table["instruction"].tolist() == source["instruction"].tolist()
    records = _jsonl(out / rf.RECORDS_FILE)
    first = records[0]["translation"]["instruction"]
    assert first["finish_reason"] == "stop" and first["reply"] == frame["instruction"][0]


def test_answer_pipeline_rerun_of_a_finished_run_asks_nothing(teacher, answer, tmp_path):
    out = tmp_path / "run"
    answer("seed_tasks", out, limit=4)
    written = {name: (out / name).read_bytes() for name in rf.OUTPUT_FILES}
    asked = sum(teacher.received.values())
    state = answer("seed_tasks", out, limit=4)
    assert state.status == "done" and sum(teacher.received.values()) == asked
    assert {name: (out / name).read_bytes() for name in rf.OUTPUT_FILES} == written
    # A larger limit answers only the new rows.
    state = answer("seed_tasks", out, limit=6)
    assert state.done == 6 and sum(teacher.received.values()) == asked + 2
    assert len(load_dataset(out).frame) == 6


def test_answer_pipeline_refuses_other_settings_or_another_source_version(
    teacher, answer, tmp_path
):
    source = tmp_path / "mine.jsonl"
    rows = [{"instruction": f"Say {word}.", "output": word} for word in ("yes", "no", "maybe")]
    source.write_text("".join(json.dumps(row) + "\n" for row in rows))
    out = tmp_path / "run"
    answer(source, out)
    with pytest.raises(WorkbenchError, match=r"other settings \(lang: 'en' -> 'zh'\)"):
        answer(source, out, lang=ZH)
    source.write_text(source.read_text().replace("maybe", "perhaps"))
    with pytest.raises(WorkbenchError, match="holds answers to another version of"):
        answer(source, out)
    state = rf.read_state(out)  # what a page shows
    assert state.status == "failed" and "another version of" in state.error
    assert state.answered == 3  # the finished run's counts stay


@pytest.mark.parametrize("setting", [{"limit": 0}, {"max_tokens": -1}])
def test_answer_pipeline_refuses_a_count_below_one(answer, tmp_path, setting):
    with pytest.raises(WorkbenchError, match="must be a positive whole number"):
        answer("seed_tasks", tmp_path / "run", **setting)


def test_answer_pipeline_uses_a_saved_template_version(teacher, answer, tmp_path):
    text = "Answer briefly.\n\n### Instruction:\n{instruction}\n\n### Response:"
    VersionStore().save("brief", templates.ANSWER_NO_INPUT, text)
    out = tmp_path / "run"
    answer("vicuna_questions", out, limit=3, template_versions=["brief"])
    prompts = [body["messages"][-1]["content"] for body in teacher.bodies]
    assert len(prompts) == 3 and all(p.startswith("Answer briefly.") for p in prompts)
    manifest = json.loads((out / rf.MANIFEST_FILE).read_text())
    assert manifest["templates"]["prompt_no_input"]["source"] == "version brief"
    assert manifest["templates"]["prompt_input"]["source"] == "bundled"
    assert json.loads((out / rf.CONFIG_FILE).read_text())["template_versions"] == ["brief"]
    assert answer("vicuna_questions", out, limit=3, template_versions=("brief",)).done == 3
    VersionStore().save("other", templates.BOOTSTRAP, "{tasks}{next}")
    with pytest.raises(WorkbenchError, match="which teacher answers does not use"):
        answer("vicuna_questions", tmp_path / "other", template_versions=["other"])
