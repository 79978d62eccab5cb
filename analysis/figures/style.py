"""The "paper" style: readable at column width, colour-blind-safe, no MathJax in PDFs."""

from __future__ import annotations

import html
from collections.abc import Iterable

import plotly.graph_objects as go

#: Okabe-Ito palette: distinguishable under the common colour-vision deficiencies.
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
)
FONT_FAMILY = "Arial, Helvetica, sans-serif"
#: One-column figure of a two-column paper, in CSS pixels at scale 1.
COLUMN_WIDTH_PX = 480
COLUMN_HEIGHT_PX = 360


def plain(text: object) -> str:
    """Text from data (a dataset name, a verb) as plotly must receive it to show it as written:
    titles, legends, ticks and hovers render a subset of HTML, so `<b>x</b>` would turn bold.
    Builders escape each such label once, here; pages pass the raw text."""
    return html.escape(str(text), quote=False)


def series_colours(names: Iterable[str]) -> dict[str, str]:
    """One colour per dataset or model, by its place in `names` (the order the page or the CLI
    lists them in). Every figure of a view draws from this one mapping, so a colour means the
    same name everywhere; its order is also the legend's. Past 8 names the palette repeats."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(dict.fromkeys(names))}


def paper_style(
    fig: go.Figure, *, width: int = COLUMN_WIDTH_PX, height: int = COLUMN_HEIGHT_PX
) -> go.Figure:
    """Apply the paper style in place and return the figure (chainable)."""
    fig.update_layout(
        template="simple_white",
        font={"family": FONT_FAMILY, "size": 12, "color": "#000000"},
        colorway=list(PALETTE),
        width=width,
        height=height,
        margin={"l": 50, "r": 10, "t": 40, "b": 45},
        # Legend above the plot, horizontal (the plot keeps the full column width), hung from
        # the top of the figure: anchored to the plot's top instead, it kept the height it had
        # at the export's width when the app redrew it wider, and sank onto the bars.
        legend={
            "font": {"size": 10},
            "orientation": "h",
            "yref": "container",
            "yanchor": "top",
            "y": 1,
            "x": 0,
        },
        title={"font": {"size": 13}},
    )
    return fig


def add_reference_line(fig: go.Figure, x: float, label: str) -> go.Figure:
    """A threshold or reference at `x`: a dashed line over the bars, labelled at its top.

    Width and opacity are never left to the template: simple_white draws shapes with a line
    width of 0 and an opacity of 0.3, so only the label would be seen.
    """
    fig.add_vline(
        x=x,
        line={"color": PALETTE[3], "width": 1.5, "dash": "dash"},
        opacity=1,
        layer="above",
        annotation_text=label,
        annotation_position="top right",
    )
    return fig
