"""The spot-check figures show their summary tables: bars, error bars, colours and texts."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.figures.annotations import (
    OUTCOME_COLOURS,
    SCALE_COLOURS,
    pairwise_figure,
    quality_figure,
    rating_figure,
    text_colour,
)
from analysis.figures.verbs import plain

QUALITY_TABLE = pd.DataFrame(
    {
        "question": ["valid_task", "<odd>", "all_fields"],
        "text": [
            "Does the instruction describe a valid task?",
            "Is <b>this</b> fine?",
            "All fields are valid",
        ],
        "yes_percent": ["92% (87–95%)", "n/a", "50% (25–75%)"],
        "share": [0.92, None, 0.5],
        "wilson_low": [0.874, None, 0.25],
        "wilson_high": [0.95, None, 0.75],
        "yes": [184, 0, 6],
        "n": [200, 0, 12],
    }
)


def test_annotations_figures_quality_bars_with_visible_wilson_error_bars():
    fig = quality_figure(QUALITY_TABLE)
    (bars,) = fig.data
    assert list(bars.x[[0, 2]]) == pytest.approx([92, 50])
    assert pd.isna(bars.x[1])
    assert bars.y == (
        "Does the instruction describe<br>a valid task?",
        "Is &lt;b&gt;this&lt;/b&gt; fine?",
        "All fields are valid",
    )
    assert fig.layout.yaxis.autorange == "reversed"  # the table's first row on top
    error = bars.error_x
    assert error.visible and not error.symmetric and error.thickness > 0 and error.width > 0
    assert error.color == "#000000"
    assert list(error.array[[0, 2]]) == pytest.approx([3, 25])  # up to 95% and 75%
    assert list(error.arrayminus[[0, 2]]) == pytest.approx([4.6, 25])  # down to 87.4% and 25%
    labels = fig.layout.annotations
    assert tuple(label.y for label in labels) == bars.y
    assert [label.text for label in labels] == ["92% (n = 200)", "n/a (n = 0)", "50% (n = 12)"]
    assert all(label.yshift > error.width for label in labels)  # above the error bar's caps


RATINGS = pd.DataFrame(
    {
        "model": ["GPT3"] * 4 + ["<i>tuned</i>"] * 4,
        "answer": list("ABCD") * 2,
        "count": [1, 0, 2, 5, 6, 0, 1, 1],
        "share": [1 / 8, 0, 2 / 8, 5 / 8, 6 / 8, 0, 1 / 8, 1 / 8],
    }
)


def test_annotations_figures_rating_stacks_a_to_d_with_counts():
    fig = rating_figure(RATINGS)
    assert fig.layout.barmode == "stack"
    assert [trace.name for trace in fig.data] == ["A", "B", "C", "D"]
    assert [trace.marker.color for trace in fig.data] == list(SCALE_COLOURS[:4])
    models = ("GPT3 (n = 8)", "&lt;i&gt;tuned&lt;/i&gt; (n = 8)")
    for trace in fig.data:
        assert trace.orientation == "h" and trace.y == models
    assert fig.layout.yaxis.autorange == "reversed"  # the first model on top
    assert [trace.text for trace in fig.data] == [("1", "6"), ("", ""), ("2", "1"), ("5", "1")]
    assert [sum(t.x[m] for t in fig.data) for m in (0, 1)] == pytest.approx([100, 100])
    assert fig.data[0].textfont.color == text_colour(SCALE_COLOURS[0])


def test_annotations_figures_rating_colour_follows_the_answer_not_the_data():
    only_worst = RATINGS.assign(count=[0, 0, 0, 8] * 2, share=[0, 0, 0, 1.0] * 2)
    fig = rating_figure(only_worst)
    assert {t.name: t.marker.color for t in fig.data} == dict(
        zip("ABCD", SCALE_COLOURS[:4], strict=True)
    )


PAIRWISE = pd.DataFrame(
    {
        "criterion": ["helpfulness", "honesty"],
        "first": ["GPT-4", "GPT-4"],
        "second": ["<GPT-3>", "<GPT-3>"],
        "first_wins": [2, 0],
        "ties": [1, 2],
        "second_wins": [1, 0],
        "n": [4, 2],
        "first_wins_share": [0.5, 0.0],
        "ties_share": [0.25, 1.0],
        "second_wins_share": [0.25, 0.0],
    }
)


def test_annotations_figures_pairwise_stacks_wins_ties_losses_per_criterion():
    fig = pairwise_figure(PAIRWISE)
    assert fig.layout.barmode == "stack"
    assert [t.name for t in fig.data] == ["GPT-4 wins", "tie", f"{plain('<GPT-3>')} wins"]
    assert [t.marker.color for t in fig.data] == list(OUTCOME_COLOURS.values())
    assert fig.data[0].y == ("helpfulness (n = 4)", "honesty (n = 2)")
    assert [t.text for t in fig.data] == [("50%", ""), ("25%", "100%"), ("25%", "")]
    assert [sum(t.x[c] for t in fig.data) for c in (0, 1)] == pytest.approx([100, 100])
    assert [t.textfont.color for t in fig.data] == ["#FFFFFF", "#000000", "#000000"]


def test_annotations_figures_text_colour_contrasts_with_the_fill():
    assert text_colour("#0072B2") == "#FFFFFF"  # blue: white reads better
    assert text_colour("#E69F00") == "#000000"  # orange: black reads better
    assert text_colour("#BBBBBB") == "#000000"
