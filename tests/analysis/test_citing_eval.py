"""CITING's win-rate table from hand-made pairwise judgments (ties, flips, unparsed and
incomplete comparisons counted, never turned into a number) and its figure as drawn."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from analysis.citing_eval import (
    KIND_LABELS,
    REVISED,
    STUDENTS,
    Comparison,
    win_rate_table,
)
from analysis.errors import WorkbenchError
from analysis.figures.citing import win_rate_figure
from analysis.figures.export import figure_bytes
from analysis.judge_runs import read_run_folder
from tests.analysis.rendered import requires_chromium

CANDIDATE, BASELINE = "revised", "original"


def verdict(question, order, winner, parsed=True, mode="pairwise"):
    models = [CANDIDATE, BASELINE] if order == "original" else [BASELINE, CANDIDATE]
    return {
        "question_id": question,
        "mode": mode,
        "models": models,
        "order": order,
        "parsed": parsed,
        "scores": None,
        "winner": winner if parsed else None,
        "raw": "text" if parsed else None,
        "failure": None,
    }


def judge_run(folder, rows, answers=(CANDIDATE, BASELINE)):
    folder.mkdir(parents=True)
    (folder / "judgments.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    manifest = {"mode": rows[0]["mode"], "answers": [{"name": name} for name in answers]}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return read_run_folder(folder)


def both(question, first, second, **kwargs):
    return [verdict(question, "original", first, **kwargs), verdict(question, "swapped", second)]


ROWS = [
    *both("won", CANDIDATE, CANDIDATE),
    *both("flipped", CANDIDATE, BASELINE),  # the order decided: a tie, and a flip
    *both("tied", "tie", "tie"),
    *both("lost", BASELINE, BASELINE),
    *both("unread", None, CANDIDATE, parsed=False),  # one order unparsed
    verdict("half", "original", CANDIDATE),  # the swapped order never judged
]


def wilson_by_hand(wins, n, z=1.959963984540054):
    share = wins / n
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_citing_eval_counts_ties_flips_unparsed_and_incomplete(tmp_path):
    run = judge_run(tmp_path / "r1", ROWS)
    table = win_rate_table([Comparison(1, REVISED, run)])
    row = table.iloc[0]
    assert (row["candidate"], row["baseline"]) == (CANDIDATE, BASELINE)
    counts = row[["wins", "ties", "losses", "unparsed", "incomplete", "decided", "flips"]]
    assert counts.tolist() == [1, 2, 1, 1, 1, 4, 1]
    assert row["win_rate"] == 1 / 4 and row["flip_share"] == 1 / 4
    low, high = wilson_by_hand(1, 4)
    assert row["ci_low"] == pytest.approx(low) and row["ci_high"] == pytest.approx(high)


def test_citing_eval_nothing_decided_is_no_number_and_rows_are_ordered(tmp_path):
    unread = [verdict("a", "original", None, False), verdict("a", "swapped", None, False)]
    runs = [
        Comparison(2, STUDENTS, judge_run(tmp_path / "s2", both("a", CANDIDATE, CANDIDATE))),
        Comparison(1, REVISED, judge_run(tmp_path / "r1", unread)),
        Comparison(2, REVISED, judge_run(tmp_path / "r2", both("a", BASELINE, BASELINE))),
    ]
    table = win_rate_table(runs)
    assert table[["comparison", "round"]].values.tolist() == [
        [REVISED, 1],
        [REVISED, 2],
        [STUDENTS, 2],
    ]
    first = table.iloc[0]
    assert first["unparsed"] == 1 and first["decided"] == 0
    assert pd.isna(first["win_rate"]) and pd.isna(first["ci_low"]) and pd.isna(first["flip_share"])
    assert table["win_rate"].tolist()[1:] == [0.0, 1.0]


def test_citing_eval_refuses_a_run_that_is_not_a_pairwise_comparison(tmp_path):
    single = [
        {**verdict("a", "original", None, mode="single"), "models": [CANDIDATE], "scores": [7]}
    ]
    with pytest.raises(WorkbenchError, match="not a comparison"):
        win_rate_table([Comparison(1, REVISED, judge_run(tmp_path / "s", single, (CANDIDATE,)))])


def test_citing_eval_figure_draws_each_kind_with_its_interval_and_the_50_line(tmp_path):
    runs = [
        Comparison(1, REVISED, judge_run(tmp_path / "r1", ROWS)),
        Comparison(2, REVISED, judge_run(tmp_path / "r2", both("a", CANDIDATE, CANDIDATE))),
        Comparison(2, STUDENTS, judge_run(tmp_path / "s2", both("a", BASELINE, "tie"))),
    ]
    table = win_rate_table(runs)
    fig = win_rate_figure(table)
    assert [trace.name for trace in fig.data] == [KIND_LABELS[REVISED], KIND_LABELS[STUDENTS]]
    revised, students = fig.data
    assert list(revised.x) == [1, 2] and list(revised.y) == [25.0, 100.0]
    rows = table[table["comparison"] == REVISED]
    assert list(revised.error_y.array) == pytest.approx(list(100 * rows["ci_high"] - [25, 100]))
    assert list(revised.error_y.arrayminus) == pytest.approx(list([25, 100] - 100 * rows["ci_low"]))
    assert list(students.x) == [2] and list(students.y) == [0.0]
    (line,) = fig.layout.shapes
    assert (line.y0, line.y1) == (50, 50)
    assert list(fig.layout.xaxis.tickvals) == [1, 2]
    assert fig.layout.annotations == ()  # every comparison decided: no note


@requires_chromium
def test_citing_eval_figure_says_which_rounds_had_nothing_decided(tmp_path):
    """A small judge's verdicts may all be unparsed: nothing is drawn for them, and the figure
    says so in its own text (an empty plot alone does not say why)."""
    unread = [verdict("a", "original", None, parsed=False), verdict("a", "swapped", None, False)]
    table = win_rate_table([Comparison(1, REVISED, judge_run(tmp_path / "r1", unread))])
    fig = win_rate_figure(table)
    assert fig.data == ()
    drawn = figure_bytes(fig, "svg").decode()
    assert "not drawn, no verdict decided:" in drawn
    assert f"{KIND_LABELS[REVISED]}, round 1: 1 unparsed, 0 incomplete" in drawn
