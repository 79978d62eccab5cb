"""Length distributions (GPT-4-LLM Fig. 1d): one or several datasets or models overlaid."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis.figures.style import PALETTE, paper_style

#: GPT-4-LLM plots 0-512 words.
DEFAULT_MAX_LENGTH = 512
DEFAULT_BIN_WIDTH = 8


def length_table(length_frames: dict[str, pd.DataFrame], field: str) -> pd.DataFrame:
    """Long table (series, id, length) from each series' `length_frame` / `length_columns`."""
    parts = [
        pd.DataFrame(
            {
                "series": name,
                "id": lengths["id"].to_numpy(),
                "length": lengths[f"{field}_length"].to_numpy(),
            }
        )
        for name, lengths in length_frames.items()
    ]
    if not parts:
        return pd.DataFrame(columns=["series", "id", "length"])
    return pd.concat(parts, ignore_index=True)


def length_histogram_data(
    lengths: pd.DataFrame, max_length: int = DEFAULT_MAX_LENGTH, bin_width: int = DEFAULT_BIN_WIDTH
) -> pd.DataFrame:
    """Counts per series and bin (lengths above max_length go to the last bin): what the figure draws."""
    edges = np.arange(0, max_length + bin_width, bin_width)
    rows = []
    for series, group in lengths.groupby("series", sort=False):
        clipped = group["length"].clip(upper=max_length)
        counts, _ = np.histogram(clipped, bins=edges)
        rows.append(
            pd.DataFrame(
                {"series": series, "bin_start": edges[:-1], "bin_end": edges[1:], "count": counts}
            )
        )
    return (
        pd.concat(rows, ignore_index=True)
        if rows
        else pd.DataFrame(columns=["series", "bin_start", "bin_end", "count"])
    )


def length_summary(lengths: pd.DataFrame) -> pd.DataFrame:
    """Per-series count, mean, median, 90th percentile and max length."""
    grouped = lengths.groupby("series", sort=False)["length"]
    summary = grouped.agg(rows="count", mean="mean", median="median", max="max")
    summary.insert(3, "p90", grouped.quantile(0.9))
    return summary.reset_index()


def length_figure(histogram: pd.DataFrame, field: str, log_y: bool = False) -> go.Figure:
    """Overlaid step-free bars per series from `length_histogram_data` (exactly those counts)."""
    fig = go.Figure()
    for index, (series, group) in enumerate(histogram.groupby("series", sort=False)):
        fig.add_bar(
            x=(group["bin_start"] + group["bin_end"]) / 2,
            y=group["count"],
            width=(group["bin_end"] - group["bin_start"]).to_numpy(),
            name=str(series),
            marker={"color": PALETTE[index % len(PALETTE)], "line": {"width": 0}},
            opacity=0.6,
        )
    fig.update_layout(
        barmode="overlay", bargap=0, xaxis_title=f"{field} length (words)", yaxis_title="count"
    )
    if log_y:
        fig.update_yaxes(type="log")
    return paper_style(fig)
