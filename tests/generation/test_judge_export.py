"""GPT-4-LLM's comparison data and TRL reward pairs from a hand-made judgments file: ties and
answers without a score are left out and counted."""

from __future__ import annotations

import json

import pytest

from analysis.errors import WorkbenchError
from generation import run_files
from generation.judge import run_folder as rf
from generation.judge.export import comparison_data, reward_pairs, write_exports


def _row(question_id: str, model: str, score=None, failure=None, mode="single") -> dict:
    parsed = score is not None
    return {
        "question_id": question_id,
        "category": None,
        "question": f"Question {question_id}?",
        "mode": mode,
        "models": [model],
        "order": "original",
        "reference": False,
        "raw": None if failure else "...",
        "finish_reason": None if failure else "stop",
        "failure": failure,
        "parsed": parsed,
        "scores": [score] if parsed else None,
        "winner": None,
        "judge_model": "gpt-4",
        "template_sha256": "sha",
    }


ROWS = [
    _row("1", "gpt-4", 9),
    _row("1", "gpt-3.5", 7),
    _row("1", "opt-iml", 7),
    _row("2", "gpt-4", 8.5),
    _row("2", "gpt-3.5"),  # unparsed
    _row("2", "opt-iml", failure="HTTP 500: oops"),
    _row("3", "gpt-4"),
    _row("3", "gpt-3.5"),
]
ANSWERS = {
    (row["question_id"], row["models"][0]): f"{row['models'][0]} answers {row['question_id']}"
    for row in ROWS
}


def test_judge_export_comparison_data_is_gpt4_llm_layout():
    entries, counts = comparison_data(ROWS, ANSWERS)
    assert entries == [
        {
            "user_input": "Question 1?",
            "responses_and_scores": [
                {"response": "gpt-4 answers 1", "score": 9},
                {"response": "gpt-3.5 answers 1", "score": 7},
                {"response": "opt-iml answers 1", "score": 7},
            ],
        },
        {
            "user_input": "Question 2?",
            "responses_and_scores": [{"response": "gpt-4 answers 2", "score": 8.5}],
        },
    ]
    assert counts == {"questions": 2, "responses": 4, "unscored_left_out": 4}


def test_judge_export_reward_pairs_leave_out_ties_and_unscored():
    pairs, counts = reward_pairs(ROWS, ANSWERS)
    assert pairs == [
        {
            "prompt": [{"role": "user", "content": "Question 1?"}],
            "chosen": [{"role": "assistant", "content": "gpt-4 answers 1"}],
            "rejected": [{"role": "assistant", "content": "gpt-3.5 answers 1"}],
            "margin": 2,
        },
        {
            "prompt": [{"role": "user", "content": "Question 1?"}],
            "chosen": [{"role": "assistant", "content": "gpt-4 answers 1"}],
            "rejected": [{"role": "assistant", "content": "opt-iml answers 1"}],
            "margin": 2,
        },
    ]
    # question 1: gpt-3.5 vs opt-iml tie; question 2: three pairs, each with an unscored
    # side; question 3: one pair, both unscored.
    assert counts == {"pairs": 2, "ties_left_out": 1, "unscored_left_out": 4}


def test_judge_export_the_lower_score_first_is_rejected():
    rows = [_row("1", "a", 3), _row("1", "b", 7.5)]
    answers = {("1", "a"): "A", ("1", "b"): "B"}
    (pair,), _ = reward_pairs(rows, answers)
    assert pair["chosen"][0]["content"] == "B" and pair["rejected"][0]["content"] == "A"
    assert pair["margin"] == 4.5


def test_judge_export_refuses_other_modes():
    with pytest.raises(WorkbenchError, match="'pairwise'"):
        comparison_data([_row("1", "a", mode="pairwise")], {})


def test_judge_export_writes_both_files_from_a_folder(tmp_path):
    run_files.write_jsonl(tmp_path / rf.JUDGMENTS_FILE, ROWS)
    aligned = {}
    for (question_id, model), text in ANSWERS.items():
        aligned.setdefault(question_id, {})[model] = text
    run_files.write_jsonl(
        tmp_path / rf.ALIGNED_FILE,
        [{"question_id": q, "answers": answers} for q, answers in aligned.items()],
    )
    counts = write_exports(tmp_path)
    assert counts[rf.PAIRS_FILE]["pairs"] == 2
    assert (
        json.loads((tmp_path / rf.COMPARISON_FILE).read_text()) == comparison_data(ROWS, ANSWERS)[0]
    )
    lines = (tmp_path / rf.PAIRS_FILE).read_text().splitlines()
    assert [json.loads(line) for line in lines] == reward_pairs(ROWS, ANSWERS)[0]


def test_judge_export_refuses_a_folder_without_judgments(tmp_path):
    with pytest.raises(WorkbenchError, match="not a judge run folder"):
        write_exports(tmp_path)
