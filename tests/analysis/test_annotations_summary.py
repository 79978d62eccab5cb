"""Summaries of spot-check labels: Self-Instruct Table 2, Fig. 6's distribution, GPT-4-LLM Fig. 3."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from analysis.annotations.agreement import agreement
from analysis.annotations.schemes import get_scheme, scheme_from_json
from analysis.annotations.summary import (
    pairwise_summary,
    quality_summary,
    quality_table,
    rating_distribution,
)
from analysis.errors import WorkbenchError

COLUMNS = ["fingerprint", "row_id", "annotator", "scheme", "question", "answer", "note", "time"]
QUALITY = get_scheme("self-instruct-quality")


def labels_frame(rows: list[tuple[str, str, str, str, str]], scheme: str) -> pd.DataFrame:
    """(fingerprint, row_id, annotator, question, answer) rows of one scheme."""
    return pd.DataFrame(
        [
            (fp, row, who, scheme, question, answer, None, 0.0)
            for fp, row, who, question, answer in rows
        ],
        columns=COLUMNS,
    )


def quality_labels(answers: dict[tuple[str, str], str]) -> pd.DataFrame:
    """(annotator, question) -> one letter per item (y, n, or . for not answered)."""
    word = {"y": "yes", "n": "no"}
    rows = [
        ("fp", str(item), annotator, question, word[letter])
        for (annotator, question), letters in answers.items()
        for item, letter in enumerate(letters)
        if letter != "."
    ]
    return labels_frame(rows, QUALITY.name)


# Two annotators, five items; b skipped two questions of item 4.
LABELS = quality_labels(
    {
        ("a", "valid_task"): "yyyyn",
        ("a", "appropriate_input"): "yyynn",
        ("a", "acceptable_output"): "ynyyn",
        ("b", "valid_task"): "yyyyy",
        ("b", "appropriate_input"): "yynn.",
        ("b", "acceptable_output"): "yyyy.",
    }
)


def test_annotations_summary_quality_counts_labels_and_complete_items():
    summary = quality_summary(LABELS, QUALITY)
    assert (summary["items"], summary["annotators"]) == (5, 2)
    # valid_task: 4 + 5 = 9 yes of 10 labels. Wilson 95%, z = 1.959964, z^2 = 3.841459:
    #   centre = (0.9 + z^2/20) / (1 + z^2/10) = 1.092073 / 1.384146 = 0.788987
    #   half   = z / (1 + z^2/10) * sqrt(0.9 * 0.1 / 10 + z^2 / 400) = 1.416010 * 0.136395
    #          = 0.193137, so (0.595850, 0.982124)
    assert summary["questions"]["valid_task"] == pytest.approx(
        {"n": 10, "yes": 9, "share": 0.9, "wilson_low": 0.595850, "wilson_high": 0.982124},
        abs=1e-6,
    )
    assert {q: (s["n"], s["yes"]) for q, s in summary["questions"].items()} == {
        "valid_task": (10, 9),
        "appropriate_input": (9, 5),
        "acceptable_output": (9, 7),
    }
    # All fields: a answered all three on items 0-4, all yes on 0 and 2; b on items 0-3 only,
    # all yes on 0 and 1: 4 of 9 (annotator, item) pairs.
    assert (summary["all_fields"]["n"], summary["all_fields"]["yes"]) == (9, 4)
    assert summary["all_fields"]["share"] == pytest.approx(4 / 9)
    low, high = summary["all_fields"]["wilson_low"], summary["all_fields"]["wilson_high"]
    assert low < 4 / 9 < high
    for question in summary["questions"]:
        assert summary["agreement"][question] == agreement(LABELS, QUALITY, question)


def test_annotations_summary_quality_is_exactly_the_issue_json():
    summary = quality_summary(LABELS, QUALITY)
    decoded = json.loads(json.dumps(summary, allow_nan=False))
    assert decoded == summary
    assert list(summary) == ["items", "annotators", "questions", "all_fields", "agreement"]
    counts = ["n", "yes", "share", "wilson_low", "wilson_high"]
    assert all(list(entry) == counts for entry in summary["questions"].values())
    assert list(summary["all_fields"]) == counts
    statistics = [
        "percent_agreement",
        "cohen_kappa",
        "fleiss_kappa",
        "krippendorff_alpha",
        "gwet_ac1",
    ]
    assert all(list(entry) == statistics for entry in summary["agreement"].values())


def test_annotations_summary_quality_of_one_annotator_and_of_nobody():
    mine = quality_summary(LABELS[LABELS["annotator"] == "b"], QUALITY)
    assert (mine["items"], mine["annotators"]) == (5, 1)
    assert mine["questions"]["valid_task"]["share"] == 1.0
    assert mine["questions"]["valid_task"]["wilson_high"] == pytest.approx(1.0)
    assert all(value is None for entry in mine["agreement"].values() for value in entry.values())
    nothing = quality_summary(LABELS.iloc[:0], QUALITY)
    assert (nothing["items"], nothing["annotators"]) == (0, 0)
    assert nothing["all_fields"] == {
        "n": 0,
        "yes": 0,
        "share": None,
        "wilson_low": None,
        "wilson_high": None,
    }
    assert "null" in json.dumps(nothing, allow_nan=False)


def test_annotations_summary_quality_works_for_any_yes_no_scheme():
    two_questions = scheme_from_json(
        {
            "name": "short",
            "kind": "quality",
            "questions": [
                {
                    "id": question,
                    "text": f"{question}?",
                    "answers": [
                        {"value": "yes", "label": "Yes", "key": f"{key}1"},
                        {"value": "no", "label": "No", "key": f"{key}2"},
                    ],
                }
                for question, key in (("fluent", "f"), ("safe", "s"))
            ],
        },
        "test",
    )
    labels = labels_frame(
        [
            ("fp", "0", "a", "fluent", "yes"),
            ("fp", "0", "a", "safe", "yes"),
            ("fp", "1", "a", "fluent", "yes"),
            ("fp", "1", "a", "safe", "no"),
            ("fp", "2", "a", "fluent", "yes"),
        ],
        "short",
    )
    summary = quality_summary(pd.concat([labels, LABELS]), two_questions)
    assert list(summary["questions"]) == ["fluent", "safe"]
    assert (summary["questions"]["fluent"]["n"], summary["questions"]["safe"]["yes"]) == (3, 1)
    assert (summary["all_fields"]["n"], summary["all_fields"]["yes"]) == (2, 1)


def test_annotations_summary_quality_table_is_table_2():
    table = quality_table(quality_summary(LABELS, QUALITY), QUALITY)
    assert list(table["question"]) == [
        "valid_task",
        "appropriate_input",
        "acceptable_output",
        "all_fields",
    ]
    assert list(table["text"]) == [q.text for q in QUALITY.questions] + ["All fields are valid"]
    assert list(table["n"]) == [10, 9, 9, 9]
    assert table["yes_percent"].iloc[0] == "90% (60\u201398%)"
    empty = quality_table(quality_summary(LABELS.iloc[:0], QUALITY), QUALITY)
    assert list(empty["yes_percent"]) == ["n/a"] * 4


def test_annotations_summary_rating_distribution_every_model_every_answer():
    rating = get_scheme("self-instruct-rating")
    labels = labels_frame(
        [
            ("gpt3", "0", "a", "rating", "A"),
            ("gpt3", "0", "b", "rating", "B"),
            ("gpt3", "1", "a", "rating", "A"),
            ("gpt3", "2", "a", "rating", "D"),
            ("tuned", "0", "a", "rating", "C"),
            ("unnamed", "0", "a", "rating", "A"),
        ],
        rating.name,
    )
    names = {"tuned": "Self-Instruct", "gpt3": "GPT-3", "nothing": "Not rated"}
    table = rating_distribution(labels, rating, names)
    assert list(table.columns) == ["model", "answer", "count", "share"]
    assert list(table["model"]) == [m for m in names.values() for _ in range(4)]
    assert list(table["answer"]) == ["A", "B", "C", "D"] * 3
    assert list(table["count"]) == [0, 0, 1, 0, 2, 1, 0, 1, 0, 0, 0, 0]
    assert list(table["share"][:8]) == [0, 0, 1, 0, 0.5, 0.25, 0, 0.25]
    assert table["share"][8:].isna().all()


def test_annotations_summary_pairwise_wins_ties_losses_per_criterion():
    pairwise = get_scheme("hhh-pairwise")
    labels = labels_frame(
        [
            ("fp1+fp2", "0", "a", "helpfulness", "first"),
            ("fp1+fp2", "1", "a", "helpfulness", "first"),
            ("fp1+fp2", "2", "a", "helpfulness", "tie"),
            ("fp1+fp2", "0", "b", "helpfulness", "second"),
            ("fp1+fp2", "0", "a", "honesty", "tie"),
            ("fp1+fp2", "1", "a", "honesty", "tie"),
        ],
        pairwise.name,
    )
    table = pairwise_summary(labels, pairwise, ("GPT-4", "GPT-3"))
    assert list(table["criterion"]) == ["helpfulness", "honesty", "harmlessness"]
    assert set(table["first"]) == {"GPT-4"} and set(table["second"]) == {"GPT-3"}
    counts = table[["first_wins", "ties", "second_wins", "n"]].values.tolist()
    assert counts == [[2, 1, 1, 4], [0, 2, 0, 2], [0, 0, 0, 0]]
    shares = table[["first_wins_share", "ties_share", "second_wins_share"]]
    assert shares.iloc[0].tolist() == [0.5, 0.25, 0.25]
    assert shares.iloc[1].tolist() == [0, 1, 0]
    assert all(math.isnan(share) for share in shares.iloc[2])


def test_annotations_summary_refuses_a_scheme_of_another_kind():
    with pytest.raises(WorkbenchError, match="quality schemes; 'hhh-pairwise' is a pairwise"):
        quality_summary(LABELS, get_scheme("hhh-pairwise"))
    with pytest.raises(WorkbenchError, match="rating schemes"):
        rating_distribution(LABELS, QUALITY, {"fp": "model"})
