"""python -m generation answer: a run folder from the command line, resumed by the same command;
completion requests stop where the prompt's next section would begin."""

from __future__ import annotations

import json

from analysis.datasets import load_dataset
from generation.__main__ import main
from generation.answer import run_folder as rf
from generation.testing.fake_openai import FakeOpenAI
from tests.generation.fixtures import canned_answers as canned


def _answer(fake: FakeOpenAI, out, *extra: str) -> int:
    return main(
        [
            *("answer", "user_oriented_instructions", "--out", str(out), "--limit", "5"),
            *("--backend", "openai", "--base-url", fake.url, "--model", "fake-teacher"),
            *extra,
        ]
    )


def test_answer_cli_writes_a_dataset_and_a_rerun_resumes(tmp_path, capsys):
    out = tmp_path / "run"
    with FakeOpenAI(responder=canned.reply) as fake:
        assert _answer(fake, out) == 0
        asked = sum(fake.received.values())
        assert _answer(fake, out) == 0
        assert sum(fake.received.values()) == asked == 5
    message = capsys.readouterr().err
    assert "done - 5 of 5 rows: 5 answered, 0 cut by the length limit" in message
    assert f"dataset: 5 answered rows in {out}/dataset.jsonl" in message
    frame = load_dataset(out).frame
    source = load_dataset("user_oriented_instructions").frame.head(5)
    assert frame["id"].tolist() == source["id"].tolist()
    assert set(frame["model"]) == {"fake-teacher"}
    config = json.loads((out / rf.CONFIG_FILE).read_text())
    assert (config["source"], config["lang"], config["limit"]) == (
        "user_oriented_instructions",
        "en",
        5,
    )


def test_answer_cli_chinese_over_the_completion_api(tmp_path, capsys):
    out = tmp_path / "zh"
    with FakeOpenAI(responder=canned.reply) as fake:
        code = _answer(fake, out, "--lang", "zh", "--api", "completion", "--max-tokens", "64")
        bodies = fake.bodies
    assert code == 0
    assert all("prompt" in body for body in bodies)  # the completions endpoint
    translations = [b for b in bodies if b["prompt"].startswith(canned.TRANSLATION_START)]
    answers = [b for b in bodies if b["prompt"].startswith(canned.CHINESE_ANSWER_START)]
    assert len(answers) == 5 and len(translations) == len(bodies) - 5
    assert {tuple(b["stop"]) for b in translations} == {("\n###",)}  # no "###" in these texts
    assert {tuple(b["stop"]) for b in answers} == {("\n### 指令:", "\n### 输入:", "\n### 回答:")}
    assert {b["max_tokens"] for b in answers} == {64} and {b["temperature"] for b in answers} == {
        1.0
    }
    assert set(load_dataset(out).frame["lang"]) == {"zh"}
    assert "5 answered" in capsys.readouterr().err
