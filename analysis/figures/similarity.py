"""Similarity to a pool (Self-Instruct Fig. 3): the histogram of each row's max ROUGE-L.

Counts come from numpy (the last bin holds 1.0, which plotly's half-open bins would drop), so
the figure shows, and exports, the exact counts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis.defaults import DEFAULT_THRESHOLD
from analysis.figures.style import PALETTE, paper_style


def similarity_histogram(
    max_scores: pd.Series | np.ndarray,
    threshold: float | None = DEFAULT_THRESHOLD,
    *,
    bins: int = 20,
    pool_name: str = "seed tasks",
) -> go.Figure:
    """Histogram of max ROUGE-L to the pool over [0, 1], the threshold as a dashed line."""
    scores = pd.Series(max_scores, dtype="float64").dropna().to_numpy()
    counts, edges = np.histogram(scores, bins=bins, range=(0.0, 1.0))
    labels = [f"{low:.2f}–{high:.2f}" for low, high in zip(edges[:-1], edges[1:], strict=True)]
    fig = go.Figure(
        go.Bar(
            x=(edges[:-1] + edges[1:]) / 2,
            y=counts,
            width=np.diff(edges),
            customdata=labels,
            marker={"color": PALETTE[0], "line": {"color": "white", "width": 0.5}},
            hovertemplate="ROUGE-L %{customdata}<br>%{y} rows<extra></extra>",
            name="rows",
        )
    )
    fig.update_layout(
        title=f"ROUGE-L to the most similar of the {pool_name}",
        xaxis={"title": f"max ROUGE-L to the {pool_name}", "range": [0, 1]},
        yaxis={"title": "# rows"},
        bargap=0,
        showlegend=False,
    )
    if threshold is not None:
        above = int((scores > threshold).sum())
        fig.add_vline(
            x=threshold,
            line={"dash": "dash", "color": PALETTE[3]},
            annotation_text=f"{threshold:g} ({above} above)",
            annotation_position="top right",
        )
    return paper_style(fig)


def rows_above(
    similarity: pd.DataFrame,
    threshold: float = DEFAULT_THRESHOLD,
    texts: pd.Series | None = None,
) -> pd.DataFrame:
    """Rows whose max ROUGE-L is strictly above the threshold, most similar first, with their
    nearest pool item; `texts` (aligned with `similarity`) adds each row's own text."""
    columns = [c for c in ("id", "max_rougeL", "nearest_id", "nearest_text") if c in similarity]
    selected = similarity[columns].copy()
    if texts is not None:
        selected.insert(1, "text", pd.Series(texts).reset_index(drop=True).to_numpy())
    selected = selected[similarity["max_rougeL"].to_numpy() > threshold]
    return selected.sort_values("max_rougeL", ascending=False, kind="stable").reset_index(drop=True)
