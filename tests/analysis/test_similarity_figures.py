"""The similarity histogram draws the table it is given, and the threshold it is told."""

from __future__ import annotations

import pandas as pd

from analysis.figures.similarity import similarity_histogram
from tests.analysis.rendered import as_drawn, requires_chromium


def test_similarity_figure_draws_the_given_counts_and_threshold():
    histogram = pd.DataFrame({"bin_start": [0.0, 0.5], "bin_end": [0.5, 1.0], "count": [4, 3]})
    fig = similarity_histogram(histogram, threshold=0.7, above=2, pool_name="seeds")
    assert list(fig.data[0].y) == [4, 3]
    assert list(fig.data[0].x) == [0.25, 0.75]
    assert fig.layout.shapes[0].x0 == 0.7
    assert fig.layout.annotations[0].text == "0.7 (2 above)"
    assert "seeds" in fig.layout.xaxis.title.text


def test_similarity_figure_without_threshold_has_no_line():
    histogram = pd.DataFrame({"bin_start": [0.0], "bin_end": [1.0], "count": [1]})
    assert similarity_histogram(histogram).layout.shapes == ()


@requires_chromium
def test_similarity_figure_threshold_line_is_seen():
    histogram = pd.DataFrame({"bin_start": [0.0, 0.5], "bin_end": [0.5, 1.0], "count": [4, 3]})
    [line] = as_drawn(similarity_histogram(histogram, threshold=0.7)).layout.shapes
    assert line.visible and line.opacity == 1 and line.layer == "above"
    assert line.line.width >= 1
    assert line.line.color not in (None, "white")
    assert (line.x0, line.x1, line.yref, line.y0, line.y1) == (0.7, 0.7, "y domain", 0, 1)
