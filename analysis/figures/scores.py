"""Judge-score figures: each model's score distribution (GPT-4-LLM's comparison of scores),
relative scores against a reference model (GPT-4-LLM Fig. 4) and win / tie / loss per pair.

Each draws a table of ``analysis.scores`` and nothing else, so the figure shows, and exports,
exactly that table. Model names come from users: they are escaped so plotly shows them
literally.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis.figures.annotations import OUTCOME_COLOURS, text_colour, with_n
from analysis.figures.style import PALETTE, add_reference_line, paper_style, plain, series_colours

#: Room on the right for the bars' labels beyond the longest bar.
LABEL_ROOM = 1.25


def distribution_legend(model: str, counts: pd.DataFrame) -> str:
    """A model's legend entry, "GPT-4 (n = 80, mean = 8.94)", from the counts drawn."""
    n = int(counts["count"].sum())
    mean = float((counts["score"] * counts["count"]).sum() / n)
    return f"{plain(model)} (n = {n:,}, mean = {mean:.2f})"


def score_distribution_figure(
    frequencies: pd.DataFrame, colours: Mapping[str, str] | None = None
) -> go.Figure:
    """Grouped bars from ``score_frequencies``: per score, the share of each model's scores
    (models scored a different number of times stay comparable), the count in the hover, and
    each model's n and mean in the legend."""
    colours = colours or series_colours(frequencies["model"])
    fig = go.Figure()
    for model in colours:
        counts = frequencies[frequencies["model"] == model]
        if counts.empty:
            continue
        fig.add_bar(
            x=counts["score"],
            y=100 * counts["share"],
            name=distribution_legend(model, counts),
            marker_color=colours[model],
            customdata=counts["count"],
            hovertemplate="score %{x}: %{customdata:,} (%{y:.1f}%)<extra>%{fullData.name}</extra>",
        )
    fig.update_layout(
        barmode="group",
        xaxis={"title": "judge score", "dtick": 1},
        yaxis={"title": "share of the model's scores (%)"},
        showlegend=True,
    )
    return paper_style(fig)


def relative_score_figure(relative: pd.DataFrame) -> go.Figure:
    """One bar per model from ``relative_scores``: its score in percent of the reference's,
    written with the totals it comes from (606 / 726.5), or the means where the scores have no
    question ids; a dashed line marks the reference at 100%."""
    reference = plain(relative["reference"].iloc[0]) if len(relative) else ""
    labels = [
        f"{row.relative:.0f}% ({_number(row.total)} / {_number(row.reference_total)})"
        if pd.notna(row.total)
        else f"{row.relative:.0f}% (means {row.mean:.2f} / {row.reference_mean:.2f})"
        for row in relative.itertuples()
    ]
    fig = go.Figure(
        go.Bar(
            x=relative["relative"],
            y=[plain(model) for model in relative["model"]],
            orientation="h",
            marker_color=PALETTE[0],
            text=labels,
            textposition="outside",
            cliponaxis=False,
            customdata=relative["questions"],
            hovertemplate="%{y}: %{x:.1f}% of " + reference + "<extra></extra>",
        )
    )
    longest = float(np.nanmax(relative["relative"].to_numpy(dtype=float), initial=100))
    fig.update_layout(
        xaxis={"title": f"score relative to {reference} (%)", "range": [0, longest * LABEL_ROOM]},
        yaxis={"autorange": "reversed"},
        showlegend=False,
    )
    add_reference_line(fig, 100, f"{reference} = 100%")
    paper_style(fig, height=max(200, 50 * len(relative) + 110))
    return fig.update_layout(margin_t=30)


def _number(value: float) -> str:
    return f"{value:g}"


def win_tie_loss_figure(pairs: pd.DataFrame) -> go.Figure:
    """One bar per pair from ``pair_table``, stacked: wins of the first-named model, ties,
    wins of the second, each part's percentage written on it and n beside the pair."""
    single = len(pairs) == 1
    names = {
        "a_wins": f"{plain(pairs['model_a'].iloc[0])} wins" if single else "first-named wins",
        "ties": "tie",
        "b_wins": f"{plain(pairs['model_b'].iloc[0])} wins" if single else "second-named wins",
    }
    rows = [
        with_n(f"{a} vs {b}", n)
        for a, b, n in zip(pairs["model_a"], pairs["model_b"], pairs["n"], strict=True)
    ]
    fig = go.Figure()
    for column, colour in zip(names, OUTCOME_COLOURS.values(), strict=True):
        share = 100 * pairs[f"{column}_share"]
        fig.add_bar(
            x=share,
            y=rows,
            orientation="h",
            name=names[column],
            marker_color=colour,
            text=[f"{s:.0f}%" if s > 0 else "" for s in share],
            textposition="inside",
            insidetextanchor="middle",
            textangle=0,
            textfont={"color": text_colour(colour)},
            customdata=np.stack([pairs[column], pairs["n"]], axis=-1),
            hovertemplate=f"%{{y}}: {names[column]} %{{customdata[0]}} of %{{customdata[1]}}"
            " (%{x:.1f}%)<extra></extra>",
        )
    fig.update_layout(
        barmode="stack",
        xaxis={"title": "comparisons (%)", "range": [0, 100]},
        yaxis={"autorange": "reversed"},
        legend={"traceorder": "normal"},
    )
    return paper_style(fig, height=max(220, 60 * len(pairs) + 140))
