"""Length distributions (GPT-4-LLM Fig. 1d): one or several datasets or models overlaid.

Drawn from ``analysis.lengths.length_histogram_data`` and nothing else, so the figure shows, and
exports, exactly those counts.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from analysis.figures.style import paper_style, plain, series_colours


def length_figure(
    histogram: pd.DataFrame,
    field: str,
    log_y: bool = False,
    colours: Mapping[str, str] | None = None,
    share: bool = False,
) -> go.Figure:
    """Overlaid step-free bars per series from `length_histogram_data` (exactly those counts,
    or with `share` each series' share of its rows), coloured and ordered by `colours`
    (default: the table's order); the hover gives both."""
    colours = colours or series_colours(histogram["series"])
    fig = go.Figure()
    for series in colours:
        group = histogram[histogram["series"] == series]
        if group.empty:
            continue
        fig.add_bar(
            x=(group["bin_start"] + group["bin_end"]) / 2,
            y=group["share" if share else "count"],
            width=(group["bin_end"] - group["bin_start"]).to_numpy(),
            name=plain(series),
            marker={"color": colours[series], "line": {"width": 0}},
            opacity=0.6,
            customdata=group[["bin_start", "bin_end", "count", "share"]].to_numpy(),
            hovertemplate="%{customdata[0]:.0f}–%{customdata[1]:.0f} words: "
            "%{customdata[2]:.0f} rows (%{customdata[3]:.1%})<extra>%{fullData.name}</extra>",
        )
    fig.update_layout(
        barmode="overlay",
        bargap=0,
        xaxis_title=f"{field} length (words)",
        yaxis={"title": "share of rows", "tickformat": ".0%"} if share else {"title": "rows"},
    )
    if log_y:
        fig.update_yaxes(type="log")
    return paper_style(fig)
