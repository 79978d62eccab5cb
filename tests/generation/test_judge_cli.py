"""`python -m generation judge | compare-score | export-pairs` against the fake endpoint."""

from __future__ import annotations

import json

import pytest

from generation import run_files
from generation.__main__ import main
from generation.judge import run_folder as rf
from tests.generation.fixtures import judge_answers as data


@pytest.fixture
def sets(tmp_path):
    first = data.write_answers(
        tmp_path / "first.jsonl", "m1", {"q1": "a (quality 9)", "q2": "b (quality 4)", "q3": "c"}
    )
    second = data.write_answers(
        tmp_path / "second.jsonl", "m2", {"q1": "d (quality 3)", "q2": "e (quality 4)", "q3": "f"}
    )
    return [str(first), str(second)]


@pytest.fixture
def endpoint(fake, monkeypatch, api_key):
    fake.responder = data.reply
    monkeypatch.setenv("OPENAI_API_KEY", api_key)
    return ["--backend", "openai", "--base-url", fake.url, "--model", "judge-model"]


def test_judge_cli_pairwise_run(tmp_path, sets, endpoint, capsys):
    out = tmp_path / "run"
    code = main(["judge", *sets, "--mode", "pairwise", "--out", str(out), *endpoint])
    err = capsys.readouterr().err
    assert code == 0
    assert "judging 3 question(s) matched on row id, 6 request(s)" in err
    assert "6 of 6 row(s): 6 parsed, 0 unparsed" in err and "models: m1, m2" in err
    rows = run_files.read_jsonl(out / rf.JUDGMENTS_FILE)
    assert [row["order"] for row in rows] == ["original", "swapped"] * 3
    config = json.loads((out / rf.CONFIG_FILE).read_text())
    assert config["mode"] == "pairwise" and config["answers"] == sets


def test_judge_cli_says_when_rows_are_matched_on_text(tmp_path, endpoint, capsys):
    numbered = data.write_answers(
        tmp_path / "numbered.jsonl", "m1", {"q1": "x", "q3": "y"}, ids=False
    )
    questions = data.write_questions(tmp_path / "questions.jsonl")
    out = tmp_path / "run"
    argv = ["judge", str(numbered), "--mode", "single", "--questions", str(questions)]
    assert main([*argv, "--limit", "1", "--out", str(out), *endpoint]) == 0
    err = capsys.readouterr().err
    assert "matched on instruction and input (the row ids differ)" in err
    assert "1 question(s) some answer set does not answer left out" in err
    (row,) = run_files.read_jsonl(out / rf.JUDGMENTS_FILE)
    assert row["question_id"] == "q1" and row["category"] == "generic"


def test_judge_cli_compare_score_writes_and_counts_the_exports(tmp_path, sets, endpoint, capsys):
    out = tmp_path / "run"
    assert main(["compare-score", *sets, "--out", str(out), *endpoint]) == 0
    err = capsys.readouterr().err
    # q1: 9 vs 3 (a pair); q2: 4 vs 4 (a tie); q3: 5 vs 5 (unmarked: a tie)
    assert "comparison_data_v2.json: 3 question(s), 6 scored response(s)" in err
    assert "reward_pairs.jsonl: 1 pair(s); left out: 2 tie(s), 0 pair(s)" in err
    manifest = json.loads((out / rf.MANIFEST_FILE).read_text())
    assert manifest["pipeline"] == "compare-score" and manifest["mode"] == "single"
    assert manifest["counts"]["exports"]["reward_pairs.jsonl"]["ties_left_out"] == 2
    (pair,) = run_files.read_jsonl(out / rf.PAIRS_FILE)
    assert pair["chosen"][0]["content"] == "a (quality 9)" and pair["margin"] == 6


def test_judge_cli_export_pairs_rewrites_the_exports(tmp_path, sets, endpoint, capsys):
    out = tmp_path / "run"
    assert main(["judge", *sets, "--mode", "single", "--out", str(out), *endpoint]) == 0
    assert not (out / rf.PAIRS_FILE).exists()
    capsys.readouterr()
    assert main(["export-pairs", str(out)]) == 0
    assert "reward_pairs.jsonl: 1 pair(s)" in capsys.readouterr().err
    manifest = json.loads((out / rf.MANIFEST_FILE).read_text())
    assert manifest["counts"]["exports"]["comparison_data_v2.json"]["responses"] == 6


def test_judge_cli_export_pairs_refuses_pairwise_judgments(tmp_path, sets, endpoint, capsys):
    out = tmp_path / "run"
    assert main(["judge", *sets, "--mode", "pairwise", "--out", str(out), *endpoint]) == 0
    capsys.readouterr()
    assert main(["export-pairs", str(out)]) == 2
    assert "judgments are 'pairwise'" in capsys.readouterr().err
    assert main(["export-pairs", str(tmp_path / "nowhere")]) == 2
    assert "not a judge run folder" in capsys.readouterr().err


def test_judge_cli_pairwise_needs_two_answer_sets(tmp_path, sets, endpoint, capsys):
    out = tmp_path / "run"
    assert main(["judge", sets[0], "--mode", "pairwise", "--out", str(out), *endpoint]) == 2
    assert "pairwise mode needs at least 2 answer set(s); 1 given" in capsys.readouterr().err
    assert main(["compare-score", sets[0], "--out", str(out), *endpoint]) == 2
    assert "compare-score needs at least 2" in capsys.readouterr().err


def test_judge_cli_resumed_with_other_settings_is_refused(tmp_path, sets, endpoint, capsys):
    out = tmp_path / "run"
    assert main(["judge", *sets, "--mode", "single", "--out", str(out), *endpoint]) == 0
    argv = ["judge", *sets, "--mode", "single", "--out", str(out), "--max-tokens", "99"]
    assert main([*argv, *endpoint]) == 2
    assert "max_tokens: 2048 -> 99" in capsys.readouterr().err


def test_judge_cli_mode_is_required(tmp_path, sets):
    with pytest.raises(SystemExit):
        main(["judge", *sets, "--out", str(tmp_path / "run")])
