"""CITING's rounds ablation: the win rate by round, one line per comparison kind."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analysis.citing_eval import KIND_LABELS, KINDS
from analysis.figures.style import PALETTE, paper_style, plain


def win_rate_figure(table: pd.DataFrame) -> go.Figure:
    """From ``win_rate_table``: x the round, y the candidate's win rate (%) with its Wilson
    interval as error bars, one trace per comparison kind (only the rounds with a decided
    comparison are drawn, the others named in a note), and a dashed line at 50%."""
    fig = go.Figure()
    for colour, kind in zip(PALETTE, KINDS, strict=False):
        rows = table[(table["comparison"] == kind) & table["win_rate"].notna()]
        if rows.empty:
            continue
        rate = 100 * rows["win_rate"].astype(float)
        fig.add_scatter(
            x=rows["round"],
            y=rate,
            mode="lines+markers",
            name=KIND_LABELS[kind],
            marker_color=colour,
            line_color=colour,
            error_y={
                "type": "data",
                "symmetric": False,
                "array": 100 * rows["ci_high"].astype(float) - rate,
                "arrayminus": rate - 100 * rows["ci_low"].astype(float),
            },
            customdata=rows[["wins", "decided"]].to_numpy(),
            hovertemplate="round %{x}: %{y:.0f}% (%{customdata[0]} of %{customdata[1]})"
            "<extra></extra>",
        )
    fig.add_hline(
        y=50, line={"color": PALETTE[3], "width": 1.5, "dash": "dash"}, opacity=1, layer="below"
    )
    if note := undecided_note(table):  # else an empty plot would not say why it is empty
        fig.add_annotation(
            text=note,
            xref="paper",
            yref="paper",
            x=0.01,
            y=0.99,
            xanchor="left",
            yanchor="top",
            align="left",
            showarrow=False,
            font={"size": 10},
        )
    rounds = sorted(table["round"].unique())
    fig.update_layout(
        xaxis={"title": "round", "tickmode": "array", "tickvals": rounds},
        yaxis={"title": "win rate (%), Wilson 95% interval", "range": [0, 100]},
    )
    return paper_style(fig)


def undecided_note(table: pd.DataFrame) -> str:
    """The comparisons without a decided verdict (no win rate to draw), with why: "" if none.
    Text from the table goes through plain(): plotly would read tags in it as HTML."""
    rows = table[table["decided"] == 0]
    lines = [
        f"{KIND_LABELS[row.comparison]}, round {row.round}: {row.unparsed} unparsed, "
        f"{row.incomplete} incomplete"
        for row in rows.itertuples()
    ]
    return "<br>".join(["not drawn, no verdict decided:", *map(plain, lines)]) if lines else ""
