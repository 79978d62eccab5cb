"""Spot-check figures: the share of yes per question with its Wilson interval (Self-Instruct
Table 2 drawn), the ratings of each model (Self-Instruct Fig. 6) and wins and ties per criterion
(GPT-4-LLM Fig. 3).

Each draws a table of ``analysis.annotations.summary`` and nothing else, so the figure shows,
and exports, exactly that table. Question texts and model names come from users: they are
escaped so plotly shows them literally.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis.figures.style import PALETTE, paper_style
from analysis.figures.verbs import plain

#: An answer's colour by its place on the scale, best first: A-D are green, sky blue, orange,
#: vermillion (Okabe-Ito, so the order stays readable under colour-vision deficiencies).
SCALE_COLOURS = ("#009E73", "#56B4E9", "#E69F00", "#D55E00", "#CC79A7", "#0072B2", "#F0E442")
#: The first and second dataset of a pair in the first two palette colours, a tie in grey.
OUTCOME_COLOURS = {"first_wins": PALETTE[0], "ties": "#BBBBBB", "second_wins": PALETTE[1]}
#: Light enough that the black figures written over a bar's start stay readable.
QUALITY_COLOUR = "#56B4E9"
LABEL_WIDTH = 30  # characters per line of a question's text beside its bar
#: How far a quality bar's figures sit above its middle, where the error bar runs.
ABOVE_ERROR_BAR_PX = 5
#: Room on the right for the "100" that ends the percentage axis.
RIGHT_MARGIN_PX = 25


def wrapped(text: str) -> str:
    return "<br>".join(plain(line) for line in textwrap.wrap(text, LABEL_WIDTH))


def text_colour(fill: str) -> str:
    """Black or white, whichever contrasts more with `fill` (WCAG relative luminance)."""
    channels = [int(fill[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#000000" if luminance > 0.179 else "#FFFFFF"


def quality_figure(table: pd.DataFrame) -> go.Figure:
    """One bar per row of ``quality_table``: the percentage of yes with its Wilson 95% interval
    as an error bar. The percentage and n are written at the bar's start, above its middle, so
    the wide interval of a small sample never runs through them ("n/a" where nothing is labelled).
    """
    share, low, high = (
        100 * table[c].astype(float) for c in ("share", "wilson_low", "wilson_high")
    )
    questions = [wrapped(text) for text in table["text"]]
    fig = go.Figure(
        go.Bar(
            x=share,
            y=questions,
            orientation="h",
            marker_color=QUALITY_COLOUR,
            error_x={
                "type": "data",
                "symmetric": False,
                "array": (high - share).to_numpy(),
                "arrayminus": (share - low).to_numpy(),
                "color": "#000000",
                "thickness": 1.5,
                "width": 3,
                "visible": True,
            },
            customdata=np.stack([low, high], axis=-1),
            hovertemplate=(
                "%{x:.1f}% yes, 95% interval %{customdata[0]:.1f}-%{customdata[1]:.1f}%"
                "<extra></extra>"
            ),
        )
    )
    for question, percent, n in zip(questions, share, table["n"], strict=True):
        fig.add_annotation(
            x=1,  # 1%: clear of the axis line
            y=question,
            text=f"{percent:.0f}% (n = {n})" if n else "n/a (n = 0)",
            showarrow=False,
            xanchor="left",
            yanchor="bottom",
            yshift=ABOVE_ERROR_BAR_PX,
        )
    fig.update_layout(
        xaxis={"title": "answered yes (%)", "range": [0, 100]},
        yaxis={"autorange": "reversed"},
        showlegend=False,
    )
    paper_style(fig, height=max(240, 70 * len(table) + 80))
    return fig.update_layout(margin={"r": RIGHT_MARGIN_PX, "t": 10})  # no legend or title above


def with_n(label: str, n: int) -> str:
    """A bar's label with the number of judgements behind its percentages."""
    return f"{plain(str(label))} (n = {n})"


def rating_figure(distribution: pd.DataFrame) -> go.Figure:
    """Self-Instruct Fig. 6 from ``rating_distribution``: one bar per model, top down, stacked
    from the best answer on the left to the worst, each part's count written on it and the
    model's number of ratings beside its name."""
    fig = go.Figure()
    totals = distribution.groupby("model", sort=False)["count"].sum()
    answers = distribution.groupby("answer", sort=False)
    for index, (answer, part) in enumerate(answers):
        colour = SCALE_COLOURS[index % len(SCALE_COLOURS)]
        fig.add_bar(
            x=100 * part["share"],
            y=[with_n(model, totals[model]) for model in part["model"]],
            orientation="h",
            name=plain(str(answer)),
            marker_color=colour,
            text=[str(count) if count else "" for count in part["count"]],
            textposition="inside",
            insidetextanchor="middle",
            textangle=0,
            textfont={"color": text_colour(colour)},
            customdata=part["count"],
            hovertemplate=f"%{{y}}: %{{customdata}} rated {plain(str(answer))} (%{{x:.1f}}%)"
            "<extra></extra>",
        )
    return _stacked_percent_bars(fig, "responses (%)", len(totals))


def pairwise_figure(summary: pd.DataFrame) -> go.Figure:
    """GPT-4-LLM Fig. 3 from ``pairwise_summary``: one bar per criterion, stacked wins of the
    first dataset, ties, wins of the second, each part's percentage written on it."""
    first, second = (plain(str(summary[side].iloc[0])) for side in ("first", "second"))
    names = {"first_wins": f"{first} wins", "ties": "tie", "second_wins": f"{second} wins"}
    fig = go.Figure()
    for column, colour in OUTCOME_COLOURS.items():
        share = 100 * summary[f"{column}_share"]
        fig.add_bar(
            x=share,
            y=[with_n(c, n) for c, n in zip(summary["criterion"], summary["n"], strict=True)],
            orientation="h",
            name=names[column],
            marker_color=colour,
            text=[f"{s:.0f}%" if s > 0 else "" for s in share],
            textposition="inside",
            insidetextanchor="middle",
            textangle=0,
            textfont={"color": text_colour(colour)},
            customdata=np.stack([summary[column], summary["n"]], axis=-1),
            hovertemplate=f"%{{y}}: {names[column]} %{{customdata[0]}} of %{{customdata[1]}}"
            " (%{x:.1f}%)<extra></extra>",
        )
    return _stacked_percent_bars(fig, "judgements (%)", len(summary))


def _stacked_percent_bars(fig: go.Figure, axis_title: str, rows: int) -> go.Figure:
    """The layout both stacked figures share: bars of 0-100 %, first row on top, legend in
    the order the parts stack, a height that grows with the rows."""
    fig.update_layout(
        barmode="stack",
        xaxis={"title": axis_title, "range": [0, 100]},
        yaxis={"autorange": "reversed"},
        legend={"traceorder": "normal"},
    )
    paper_style(fig, height=max(240, 60 * rows + 140))
    return fig.update_layout(margin_r=RIGHT_MARGIN_PX)
