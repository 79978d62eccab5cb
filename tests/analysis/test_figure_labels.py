"""Names from data show as written in the drawn figure: plotly renders a subset of HTML in
titles and legends, so a dataset named `<b>x</b>` must not turn bold (checked in the SVG)."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import pandas as pd
import pytest

from analysis.figures.compare import rouge_by_bucket_figure
from analysis.figures.export import figure_bytes
from analysis.figures.lengths import length_figure
from analysis.figures.similarity import similarity_histogram
from analysis.lengths import length_histogram_data
from tests.analysis.rendered import requires_chromium

NAME = "<b>x</b> & <i>y</i>"

FIGURES = {  # two series each where a legend is wanted: plotly hides a one-item legend
    "lengths legend": lambda: length_figure(
        length_histogram_data(pd.DataFrame({"series": [NAME, "other"], "length": [3, 5]})),
        "output",
    ),
    "ROUGE-L legend": lambda: rouge_by_bucket_figure(
        pd.DataFrame(
            {
                "model": [NAME, "other"],
                "bucket": ["all", "all"],
                "mean_rougeL": [0.5, 0.2],
                "rows": [3, 3],
            }
        )
    ),
    "similarity title and axis": lambda: similarity_histogram(
        pd.DataFrame({"bin_start": [0.0], "bin_end": [1.0], "count": [3]}), pool_name=NAME
    ),
}


def drawn_text(svg: bytes) -> tuple[list[str], list[str]]:
    """Each text element's text as a reader sees it, and the styles of its inner spans."""
    root = ElementTree.fromstring(svg)
    texts = [element for element in root.iter() if element.tag.endswith("}text")]
    styles = [
        span.get("style", "") for text in texts for span in text if span.tag.endswith("tspan")
    ]
    return ["".join(text.itertext()) for text in texts], styles


@requires_chromium
@pytest.mark.parametrize("label", list(FIGURES))
def test_figure_labels_from_data_show_as_written(label):
    texts, styles = drawn_text(figure_bytes(FIGURES[label](), "svg"))
    assert any(NAME in text for text in texts), texts
    assert not any("bold" in style or "italic" in style for style in styles)
