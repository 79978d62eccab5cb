"""The strict verdict parsers, on real GPT-4 judgments and on malformed replies.

fixtures/fastchat_judgments.jsonl holds real judge replies with the verdict FastChat recorded
for each (see fixtures/FASTCHAT.md): MT-bench single grades (`score`, -1 where FastChat found
none), pairwise verdicts (the position FastChat read, "error" for none) and Vicuna reviews
(their recorded score pair, hand-fixed by FastChat's authors where its parser failed).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generation.judge.verdicts import (
    RATING_EXAMPLE,
    TIE,
    parse_pair_verdict,
    parse_rating,
    parse_two_scores,
)
from generation.templates import JUDGE_SINGLE, load_template

FIXTURE = Path(__file__).parent / "fixtures" / "fastchat_judgments.jsonl"
ROWS = [json.loads(line) for line in FIXTURE.read_text().splitlines()]


def _rows(kind: str) -> list[dict]:
    return [row for row in ROWS if row["kind"] == kind]


def test_judge_verdicts_fixture_has_real_malformed_rows():
    singles, pairs, reviews = _rows("single"), _rows("pairwise"), _rows("two-score")
    assert len(ROWS) >= 40
    assert any(row["recorded"] == -1 for row in singles)
    assert any(row["recorded"] == 8.5 for row in singles)
    assert any(row["recorded"] == "error" for row in pairs)
    assert any(row["recorded"] == "tie" for row in pairs)
    assert any(row["category"] == "math" for row in reviews)


@pytest.mark.parametrize("row", _rows("single"), ids=lambda row: f"q{row['question_id']}")
def test_judge_verdicts_single_agrees_with_fastchat_on_real_judgments(row):
    verdict = parse_rating(row["judgment"])
    if row["recorded"] == -1:
        assert not verdict.parsed and verdict.scores is None
    else:
        assert verdict.scores == (row["recorded"],)


def test_judge_verdicts_half_points_are_kept_as_written():
    half = next(row for row in _rows("single") if row["recorded"] == 8.5)
    (score,) = parse_rating(half["judgment"]).scores
    assert score == 8.5 and isinstance(score, float)
    (whole,) = parse_rating("Fine.\nRating: [[8]]").scores
    assert whole == 8 and isinstance(whole, int)


@pytest.mark.parametrize(
    "row", _rows("pairwise"), ids=lambda row: f"q{row['question_id']}-{row['order']}"
)
def test_judge_verdicts_pairwise_agrees_with_fastchat_on_real_judgments(row):
    verdict = parse_pair_verdict(row["judgment"])
    if row["recorded"] == "error":
        assert not verdict.parsed and verdict.winner is None
    else:
        assert verdict.winner == row["recorded"]


@pytest.mark.parametrize("row", _rows("two-score"), ids=lambda row: f"q{row['question_id']}")
def test_judge_verdicts_two_scores_on_real_vicuna_reviews(row):
    verdict = parse_two_scores(row["judgment"])
    if row["category"] == "math":  # "First, I will solve the problem..." FastChat failed too
        assert not verdict.parsed
    else:
        assert verdict.scores == tuple(row["recorded"])


@pytest.mark.parametrize(
    "text",
    [
        "The answer is good, I would give it an eight.",  # no brackets
        "Rating: [[7]]\n\nOn reflection: Rating: [[8]]",  # two different ratings
        "Rating: [[11]]",
        "Rating: [[0]]",
        "Rating: [[-3]]",
        "",
        "   \n",
        "Rating: [[seven]]",
        "Rating: [[7",
    ],
)
def test_judge_verdicts_single_malformed_is_unparsed(text):
    verdict = parse_rating(text)
    assert not verdict.parsed and verdict.scores is None and verdict.winner is None


def test_judge_verdicts_single_accepts_fastchat_forms():
    assert parse_rating("Good.\nRating: [[8.5]]").scores == (8.5,)
    assert parse_rating("Good. [[10]]").scores == (10,)
    assert parse_rating("Rating: [[6]] ... as said, Rating: [[6]]").scores == (6,)
    assert parse_rating("Rating: [4]").scores == (4,)  # FastChat's backup pattern
    assert parse_rating("Rating: [[3]] and see [1]").scores == (3,)  # double brackets first


def test_judge_verdicts_a_truncated_reply_has_no_verdict():
    assert not parse_rating("Rating: [[7]] so far, but", truncated=True).parsed
    assert not parse_pair_verdict("[[A]] so far", truncated=True).parsed
    assert not parse_two_scores("8 9\nAssistant 1 was", truncated=True).parsed


def test_judge_verdicts_a_repeated_prompt_is_no_rating():
    prompt = load_template(JUDGE_SINGLE).fill(question="Q?", answer="A.")
    assert RATING_EXAMPLE in prompt
    assert not parse_rating(prompt).parsed
    assert parse_rating(prompt + "\n\nRating: [[9]]").scores == (9,)


@pytest.mark.parametrize(
    ("text", "winner"),
    [
        ("A explains more.\n\n[[A]]", "A"),
        ("[[B]]", "B"),
        ("Equally good: [[C]]", TIE),
        ("[[A]] ... final verdict: [[A]]", "A"),
    ],
)
def test_judge_verdicts_pairwise_forms(text, winner):
    assert parse_pair_verdict(text).winner == winner


@pytest.mark.parametrize(
    "text",
    [
        "Assistant A is better.",
        "[[A]] at first, but on reflection [[B]]",  # FastChat read A
        '"[[A]]" if assistant A is better, "[[B]]" if assistant B is better, and "[[C]]"',
        "[A]",
        "",
    ],
)
def test_judge_verdicts_pairwise_malformed_is_unparsed(text):
    assert not parse_pair_verdict(text).parsed


@pytest.mark.parametrize(
    ("text", "scores"),
    [
        ("8 9\nBoth helpful.", (8, 9)),
        ("8,9\n", (8, 9)),
        ("8, 9\n", (8, 9)),  # FastChat's split failed on this one
        ("\n9 8.5\nexplanation", (9, 8.5)),
        ("10 1", (10, 1)),
    ],
)
def test_judge_verdicts_two_score_forms(text, scores):
    assert parse_two_scores(text).scores == scores


@pytest.mark.parametrize(
    "text",
    [
        "Assistant 1: 8, Assistant 2: 9",
        "8\n9",
        "8 9 10",
        "11 5",
        "nan 5",  # FastChat's float() took it
        "-1 5",
        "(8, 9)",
        "",
    ],
)
def test_judge_verdicts_two_score_malformed_is_unparsed(text):
    assert not parse_two_scores(text).parsed
