"""Verb-noun figures: the sunburst (Self-Instruct Fig. 2) and top-pair bars (GPT-4-LLM Fig. 1c).

Both are drawn from the aggregate tables of ``analysis.verbs`` and nothing else, so what the
figure shows is exactly what the exported table says. Verbs, nouns and dataset names come from
data: every label goes through ``plain``, so plotly's pseudo-HTML is shown, not applied.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analysis.figures.style import COLUMN_WIDTH_PX, PALETTE, paper_style, plain, series_colours

#: Separator of a noun's node id under its verb ("write/poem"); verbs never contain it twice.
ID_SEPARATOR = "/"


def verb_noun_sunburst(table: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Verbs inside, their nouns outside, from a ``top_verb_nouns`` table.

    A verb's wedge is the sum of the nouns shown for it (``branchvalues="total"``), as in the
    papers' ``px.sunburst(df, path=["verb", "noun"], values="count")``.
    """
    verb_totals = table.groupby("verb", sort=False)["count"].sum()
    ids = list(verb_totals.index) + [
        f"{verb}{ID_SEPARATOR}{noun}"
        for verb, noun in zip(table["verb"], table["noun"], strict=True)
    ]
    labels = [plain(verb) for verb in verb_totals.index] + [plain(n) for n in table["noun"]]
    parents = [""] * len(verb_totals) + list(table["verb"])
    values = [int(v) for v in verb_totals] + [int(c) for c in table["count"]]
    colours = {verb: PALETTE[i % len(PALETTE)] for i, verb in enumerate(verb_totals.index)}
    fig = go.Figure(
        go.Sunburst(
            ids=ids,
            labels=labels,
            parents=parents,
            values=values,
            branchvalues="total",
            marker={
                "colors": [colours[v] for v in verb_totals.index]
                + [colours[v] for v in table["verb"]]
            },
            insidetextorientation="radial",
            hovertemplate="%{label}: %{value}<extra></extra>",
        )
    )
    paper_style(fig, height=COLUMN_WIDTH_PX)
    fig.update_layout(margin={"l": 0, "r": 0, "t": 40 if title else 0, "b": 0})
    if title:
        fig.update_layout(title_text=plain(title))
    return fig


def top_pairs_bars(comparison: pd.DataFrame, colours: Mapping[str, str] | None = None) -> go.Figure:
    """Two panels of horizontal bars, one per dataset, from ``top_pairs_comparison``.

    Each panel ranks its own top pairs, most frequent on top, as in GPT-4-LLM Fig. 1c; the hover
    also gives the pair's count in the other dataset. Bars take their dataset's colour from
    `colours` (default: the table's order).
    """
    names = list(dict.fromkeys(comparison["dataset"]))
    colours = colours or series_colours(names)
    fig = make_subplots(
        rows=1, cols=len(names), subplot_titles=[plain(n) for n in names], horizontal_spacing=0.3
    )
    for column, name in enumerate(names, start=1):
        part = comparison[comparison["dataset"] == name].iloc[::-1]
        fig.add_trace(
            go.Bar(
                x=part["count"].astype(int).tolist(),
                y=[plain(f"{v} {n}") for v, n in zip(part["verb"], part["noun"], strict=True)],
                orientation="h",
                name=plain(name),
                marker_color=colours[name],
                customdata=part["other_count"].astype(int).tolist(),
                hovertemplate="%{y}: %{x} (other dataset: %{customdata})<extra></extra>",
            ),
            row=1,
            col=column,
        )
        fig.update_xaxes(title_text="frequency", row=1, col=column)
    rows = max(comparison.groupby("dataset").size().max(), 1) if len(comparison) else 1
    paper_style(fig, width=2 * COLUMN_WIDTH_PX, height=max(360, 18 * rows + 100))
    fig.update_layout(showlegend=False)
    fig.update_yaxes(tickfont={"size": 10})
    return fig
