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
) -> go.Figure:
    """Overlaid step-free bars per series from `length_histogram_data` (exactly those counts),
    coloured and ordered by `colours` (default: the table's order)."""
    colours = colours or series_colours(histogram["series"])
    fig = go.Figure()
    for series in colours:
        group = histogram[histogram["series"] == series]
        if group.empty:
            continue
        fig.add_bar(
            x=(group["bin_start"] + group["bin_end"]) / 2,
            y=group["count"],
            width=(group["bin_end"] - group["bin_start"]).to_numpy(),
            name=plain(series),
            marker={"color": colours[series], "line": {"width": 0}},
            opacity=0.6,
        )
    fig.update_layout(
        barmode="overlay", bargap=0, xaxis_title=f"{field} length (words)", yaxis_title="count"
    )
    if log_y:
        fig.update_yaxes(type="log")
    return paper_style(fig)
