"""The judge-score figures show their tables: bars, legend texts with n and mean, axis titles,
the reference line at 100%, and (through Chromium) what the exported figure really draws."""

from __future__ import annotations

import base64

import numpy as np
import pandas as pd
import pytest

from analysis.figures.annotations import OUTCOME_COLOURS
from analysis.figures.export import figure_bytes
from analysis.figures.scores import (
    relative_score_figure,
    score_distribution_figure,
    win_tie_loss_figure,
)
from analysis.judge_runs import read_scores
from analysis.scores import (
    pair_outcomes,
    pair_table,
    relative_scores,
    score_frequencies,
    score_rows,
)
from tests.analysis.judge_fixtures import PAIRWISE, SINGLE
from tests.analysis.rendered import as_drawn, requires_chromium
from tests.analysis.test_figure_labels import drawn_text

NAME = "<b>x</b>"


def numbers(array) -> list[float]:
    """A full figure's array: plotly.js hands numeric arrays back base64-encoded."""
    if isinstance(array, dict):
        data = np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
        return data.tolist()
    return list(array)


def frequencies() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "model": ["gpt4", "gpt4", NAME, NAME, NAME],
            "score": [9.0, 10.0, 2.0, 7.5, 9.0],
            "count": [3, 1, 1, 1, 2],
            "share": [0.75, 0.25, 0.25, 0.25, 0.5],
        }
    )


def test_scores_figures_distribution_bars_and_legend():
    fig = score_distribution_figure(frequencies())
    assert [trace.type for trace in fig.data] == ["bar", "bar"]
    assert [trace.name for trace in fig.data] == [
        "gpt4 (n = 4, mean = 9.25)",  # (3 x 9 + 10) / 4
        "&lt;b&gt;x&lt;/b&gt; (n = 4, mean = 6.88)",  # (2 + 7.5 + 18) / 4
    ]
    assert list(fig.data[1].x) == [2.0, 7.5, 9.0]
    assert list(fig.data[1].y) == pytest.approx([25, 25, 50])
    assert list(fig.data[1].customdata) == [1, 1, 2]
    assert fig.layout.barmode == "group"
    assert fig.layout.xaxis.title.text == "judge score"
    assert fig.layout.yaxis.title.text == "share of the model's scores (%)"


def test_scores_figures_distribution_from_a_run_matches_its_summary():
    rows = score_rows(read_scores(SINGLE))
    names = [trace.name for trace in score_distribution_figure(score_frequencies(rows)).data]
    assert names == ["alpaca (n = 3, mean = 7.00)", "vicuna (n = 3, mean = 9.33)"]


def test_scores_figures_relative_bars_with_the_reference_line():
    relative = relative_scores(score_rows(read_scores(SINGLE)), "vicuna")
    fig = relative_score_figure(relative)
    (bars,) = fig.data
    assert bars.orientation == "h" and bars.y == ("alpaca",)
    assert list(bars.x) == pytest.approx([100 * 14 / 18])
    assert bars.text == ("78% (14 / 18)",)
    (line,) = fig.layout.shapes
    assert (line.x0, line.x1, line.line.dash) == (100, 100, "dash")
    assert line.line.width > 0 and line.opacity == 1
    assert fig.layout.annotations[0].text == "vicuna = 100%"
    assert fig.layout.xaxis.title.text == "score relative to vicuna (%)"
    assert fig.layout.xaxis.range[1] > 100  # the line is inside the plot


def test_scores_figures_relative_of_means_says_so():
    relative = pd.DataFrame(
        {
            "model": ["small"],
            "reference": ["gpt4"],
            "questions": [None],
            "total": [None],
            "reference_total": [None],
            "mean": [4.5],
            "reference_mean": [9.0],
            "relative": [50.0],
        }
    )
    assert relative_score_figure(relative).data[0].text == ("50% (means 4.50 / 9.00)",)


def test_scores_figures_win_tie_loss_stacks_per_pair():
    pairs = pair_table(pair_outcomes(read_scores(PAIRWISE)))
    fig = win_tie_loss_figure(pairs)
    assert fig.layout.barmode == "stack"
    assert [t.name for t in fig.data] == ["alpaca wins", "tie", "vicuna wins"]
    assert [t.marker.color for t in fig.data] == list(OUTCOME_COLOURS.values())
    assert fig.data[0].y == ("alpaca vs vicuna (n = 3)",)
    assert [t.x[0] for t in fig.data] == pytest.approx([100 / 3, 200 / 3, 0])
    assert [t.text for t in fig.data] == [("33%",), ("67%",), ("",)]
    assert fig.layout.xaxis.title.text == "comparisons (%)"
    two = pd.concat([pairs, pairs.assign(model_a="a", model_b="b")], ignore_index=True)
    assert [t.name for t in win_tie_loss_figure(two).data] == [
        "first-named wins",
        "tie",
        "second-named wins",
    ]


@requires_chromium
def test_scores_figures_as_drawn_carry_the_bars():
    """plotly's full figure (every default resolved) still has visible bars with their
    values, and the exported SVG shows the legend and axis titles, names as written."""
    drawn = as_drawn(score_distribution_figure(frequencies()))
    bars = [trace for trace in drawn.data if trace.type == "bar"]
    assert len(bars) == 2 and all(trace.visible is True for trace in bars)
    assert numbers(bars[0].y) == pytest.approx([75, 25])
    assert numbers(bars[1].x) == [2.0, 7.5, 9.0]
    assert drawn.layout.showlegend is True
    texts, styles = drawn_text(figure_bytes(score_distribution_figure(frequencies()), "svg"))
    assert "gpt4 (n = 4, mean = 9.25)" in texts
    assert f"{NAME} (n = 4, mean = 6.88)" in texts
    assert "judge score" in texts and "share of the model's scores (%)" in texts
    assert not any("bold" in style for style in styles)

    relative = relative_scores(score_rows(read_scores(SINGLE)), "vicuna")
    drawn = as_drawn(relative_score_figure(relative))
    (line,) = drawn.layout.shapes
    assert line.visible and line.line.width > 0 and line.opacity == 1
    texts, _ = drawn_text(figure_bytes(relative_score_figure(relative), "svg"))
    assert "78% (14 / 18)" in texts and "vicuna = 100%" in texts

    pairs = pair_table(pair_outcomes(read_scores(PAIRWISE)))
    texts, _ = drawn_text(figure_bytes(win_tie_loss_figure(pairs), "svg"))
    assert {"alpaca wins", "tie", "vicuna wins", "33%", "67%"} <= set(texts)
