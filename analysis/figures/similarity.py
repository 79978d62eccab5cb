"""Similarity to a pool (Self-Instruct Fig. 3): the histogram of each row's max ROUGE-L.

Drawn from ``analysis.similarity.similarity_histogram_data`` and nothing else, so the figure
shows, and exports, exactly those counts.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analysis.figures.style import PALETTE, add_reference_line, paper_style, plain


def similarity_histogram(
    histogram: pd.DataFrame,
    *,
    threshold: float | None = None,
    above: int | None = None,
    pool_name: str = "seed tasks",
    colour: str = PALETTE[0],
) -> go.Figure:
    """Bars of the histogram over [0, 1] in the dataset's `colour`; a threshold is drawn as a
    dashed line, labelled with the number of rows above it when `above` is given."""
    labels = [
        f"{low:.2f}–{high:.2f}"
        for low, high in zip(histogram["bin_start"], histogram["bin_end"], strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            x=(histogram["bin_start"] + histogram["bin_end"]) / 2,
            y=histogram["count"],
            width=(histogram["bin_end"] - histogram["bin_start"]).to_numpy(),
            customdata=labels,
            marker={"color": colour, "line": {"color": "white", "width": 0.5}},
            hovertemplate="ROUGE-L %{customdata}<br>%{y} rows<extra></extra>",
            name="rows",
        )
    )
    fig.update_layout(
        title=f"ROUGE-L to the most similar of the {plain(pool_name)}",
        xaxis={"title": f"max ROUGE-L to the {plain(pool_name)}", "range": [0, 1]},
        yaxis={"title": "# rows"},
        bargap=0,
        showlegend=False,
    )
    if threshold is not None:
        label = f"{threshold:g}" + (f" ({above} above)" if above is not None else "")
        add_reference_line(fig, threshold, label)
    return paper_style(fig)
