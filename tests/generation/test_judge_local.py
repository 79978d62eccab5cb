"""A short judge run for real, the embedded SmolLM2 model as the judge, a Chinese question
among the three: every row follows the contract, whatever the small model makes of it."""

from __future__ import annotations

import json

import pytest

from generation import local_llm, run_files
from generation.judge import run_folder as rf
from generation.judge.pipeline import judge_answers
from generation.judge.verdicts import parse_pair_verdict
from tests.generation.fixtures import judge_answers as data

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def needs_the_embedded_model():
    reason = local_llm.unavailable_reason()
    if reason:
        pytest.skip(reason)


def test_judge_local_pairwise_on_the_embedded_model(tmp_path):
    first = data.write_answers(
        tmp_path / "first.jsonl",
        "short",
        {"q1": "7", "q3": "The weather is nice today."},
    )
    second = data.write_answers(
        tmp_path / "second.jsonl",
        "long",
        {"q1": "2 is the smallest prime number.", "q3": "今天天气很好。"},
    )
    out = tmp_path / "run"
    state = judge_answers(
        [first, second], out, "pairwise", backend="local", max_tokens=96, concurrency=1
    )
    assert state.status == "done" and state.total == 4 and state.failed == 0
    rows = run_files.read_jsonl(out / rf.JUDGMENTS_FILE)
    assert [(r["question_id"], r["order"]) for r in rows] == [
        ("q1", "original"),
        ("q1", "swapped"),
        ("q3", "original"),
        ("q3", "swapped"),
    ]
    assert rows[2]["question"] == "把这句话翻译成英文。\n\n今天天气很好。"
    for row in rows:
        assert row["raw"] is not None and row["failure"] is None
        assert row["judge_model"] == local_llm.LOCAL_MODEL_NAME and row["scores"] is None
        truncated = row["finish_reason"] == "length"
        verdict = parse_pair_verdict(row["raw"], truncated)
        expected = {"A": row["models"][0], "B": row["models"][1], "tie": "tie", None: None}
        assert row["parsed"] == verdict.parsed and row["winner"] == expected[verdict.winner]
    manifest = json.loads((out / rf.MANIFEST_FILE).read_text())
    assert manifest["backend"] == "local" and manifest["endpoint"] == "embedded llama.cpp"
    assert manifest["counts"]["parsed"] + manifest["counts"]["unparsed"] == 4
    assert manifest["usage"]["completion_tokens"] > 0
