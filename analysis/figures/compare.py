"""Model comparison figures: mean ROUGE-L to the reference by reference length (GPT-4-LLM)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from analysis.figures.style import paper_style, plain, series_colours


def rouge_by_bucket_figure(
    table: pd.DataFrame, colours: Mapping[str, str] | None = None
) -> go.Figure:
    """Grouped bars: one group per reference-length bucket, one bar per model (from
    rouge_by_bucket), coloured and ordered by `colours` (default: the table's order)."""
    colours = colours or series_colours(table["model"])
    fig = go.Figure()
    for model in colours:
        group = table[table["model"] == model]
        if group.empty:
            continue
        fig.add_bar(
            x=group["bucket"].astype(str),
            y=group["mean_rougeL"],
            name=plain(model),
            marker_color=colours[model],
            customdata=group["rows"],
            hovertemplate="%{x}: %{y:.3f} (%{customdata} rows)<extra>%{fullData.name}</extra>",
        )
    fig.update_layout(
        barmode="group",
        xaxis_title="reference length (words)",
        yaxis_title="mean ROUGE-L to reference",
        yaxis_range=[0, 1],
    )
    return paper_style(fig)
