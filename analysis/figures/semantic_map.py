"""The semantic map (one WebGL point per row) and the coverage bars of datasets mapped together.

Every text from data reaches plotly through `plain` (hover texts, legend names, ticks): plotly
renders a subset of HTML there, and an instruction with `<b>` must show as written. Each point
carries its row's position in the map frame as customdata, which a selection reports back.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis.figures.style import PALETTE, paper_style, plain

#: Hover texts are cut to this many characters and wrapped at HOVER_WIDTH.
HOVER_CHARS = 300
HOVER_WIDTH = 60
#: Categories past this many share one grey trace ("other"), so a legend stays readable.
MAX_CATEGORIES = 24
OTHER = "other"
NOISE_COLOUR = "#BBBBBB"


def hover_text(text: object) -> str:
    """`text` as a hover line shows it: cut, wrapped with <br> (the only markup added), each
    piece escaped so tags in the data show literally."""
    value = str(text)
    if len(value) > HOVER_CHARS:
        value = value[: HOVER_CHARS - 1] + "…"
    lines = textwrap.wrap(value, HOVER_WIDTH) or [""]
    return "<br>".join(plain(line) for line in lines)


def _categories(values: pd.Series) -> pd.Series:
    """The colour groups: the most frequent MAX_CATEGORIES values, the rest as OTHER."""
    values = values.fillna("").astype(str).replace("", "(none)")
    keep = values.value_counts().index[:MAX_CATEGORIES]
    return values.where(values.isin(keep), OTHER)


def map_figure(
    frame: pd.DataFrame,
    texts: pd.Series,
    colour_by: str,
    colour_values: pd.Series | None = None,
) -> go.Figure:
    """A Scattergl point per row of the map `frame` at (x, y), hover: `texts` and the label.

    `colour_values` (default: the frame's `colour_by` column) colour the points: numbers on a
    continuous scale, anything else one trace per value (noise, "no cluster", in grey)."""
    values = frame[colour_by] if colour_values is None else colour_values
    values = values.reset_index(drop=True)
    hovers = [
        f"{hover_text(text)}<br><i>{plain(label)}</i>"
        for text, label in zip(texts, frame["label"], strict=True)
    ]
    positions = np.arange(len(frame))
    fig = go.Figure()
    if pd.api.types.is_numeric_dtype(values) and colour_by != "cluster":
        fig.add_trace(
            go.Scattergl(
                x=frame["x"],
                y=frame["y"],
                mode="markers",
                marker={
                    "size": 5,
                    "color": values,
                    "colorscale": "Viridis",
                    "colorbar": {"title": {"text": plain(colour_by)}},
                },
                text=hovers,
                customdata=positions,
                hovertemplate="%{text}<extra></extra>",
                name=plain(colour_by),
                showlegend=False,
            )
        )
    else:
        groups = _categories(frame["label"] if colour_by == "cluster" else values)
        for number, (name, members) in enumerate(groups.groupby(groups, sort=False).groups.items()):
            rows = np.asarray(members)
            grey = name in ("no cluster", OTHER)
            fig.add_trace(
                go.Scattergl(
                    x=frame["x"].to_numpy()[rows],
                    y=frame["y"].to_numpy()[rows],
                    mode="markers",
                    marker={
                        "size": 5,
                        "color": NOISE_COLOUR if grey else PALETTE[number % len(PALETTE)],
                        "opacity": 0.5 if grey else 0.8,
                    },
                    text=[hovers[i] for i in rows],
                    customdata=positions[rows],
                    hovertemplate="%{text}<extra></extra>",
                    name=plain(name),
                )
            )
    fig.update_layout(  # no title: the legend sits at the top (paper style)
        xaxis={"title": "UMAP 1", "showticklabels": False},
        yaxis={"title": "UMAP 2", "showticklabels": False},
        dragmode="lasso",
    )
    return paper_style(fig, width=720, height=560)


def coverage_bars(table: pd.DataFrame, names: list[str], colours: dict[str, str]) -> go.Figure:
    """Each cluster's share of each dataset's rows, side by side (the coverage table's rows)."""
    fig = go.Figure()
    labels = [plain(label) for label in table["label"]]
    for name in names:
        fig.add_trace(
            go.Bar(
                x=table[f"share {name}"] * 100,
                y=labels,
                orientation="h",
                name=plain(name),
                marker={"color": colours[name]},
                hovertemplate="%{y}<br>%{x:.1f}% of the rows<extra></extra>",
            )
        )
    fig.update_layout(
        xaxis={"title": "% of each dataset's rows in the cluster"},
        yaxis={"autorange": "reversed", "automargin": True},
        barmode="group",
    )
    return paper_style(fig, height=max(360, 24 * len(table) * max(1, len(names)) // 2 + 120))
