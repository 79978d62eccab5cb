"""Model comparison figures: mean ROUGE-L to the reference by reference length (GPT-4-LLM)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analysis.figures.style import PALETTE, paper_style


def rouge_by_bucket_figure(table: pd.DataFrame) -> go.Figure:
    """Grouped bars: one group per reference-length bucket, one bar per model (from rouge_by_bucket)."""
    fig = go.Figure()
    for index, (model, group) in enumerate(table.groupby("model", sort=False)):
        fig.add_bar(
            x=group["bucket"].astype(str),
            y=group["mean_rougeL"],
            name=str(model),
            marker_color=PALETTE[index % len(PALETTE)],
            customdata=group["rows"],
            hovertemplate="%{x}: %{y:.3f} (%{customdata} rows)<extra>" + str(model) + "</extra>",
        )
    fig.update_layout(
        barmode="group",
        xaxis_title="reference length (words)",
        yaxis_title="mean ROUGE-L to reference",
        yaxis_range=[0, 1],
    )
    return paper_style(fig)
